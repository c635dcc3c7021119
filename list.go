package agentplane

// Cursor is a keyset position in a list ordered newest first: the next page
// holds rows strictly before (CreatedAt, ID). It travels signed and opaque.
type Cursor struct {
	CreatedAt int64  // epoch milliseconds
	ID        string // tie-breaker among rows created in the same millisecond
}

// TimeWindow is the time filters every list accepts: after bounds are
// inclusive, before bounds exclusive.
type TimeWindow struct {
	CreatedAfter, CreatedBefore *Time
	UpdatedAfter, UpdatedBefore *Time
}

// Page asks for one page of a list.
type Page struct {
	Limit  int     // 1..MaxLimit
	After  *Cursor // nil for the first page
	Window TimeWindow
}

// Page sizes of SPEC §1.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// MaxPageBytes bounds the stored text one page carries (names, metadata,
// configs…). A page that reaches it ends early, with a next cursor, even
// if it holds fewer than Limit items; it always holds at least one. The
// bound keeps what one answer costs in memory (and what a client that
// stops reading can pin) small whatever the rows hold.
const MaxPageBytes = 256 << 10

// List is one page of a list and the cursor of the next, nil at the end.
type List[T any] struct {
	Items []T
	Next  *Cursor
}
