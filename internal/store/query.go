package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/agentplane/agentplane"
)

// where accumulates AND-ed conditions and their arguments. Conditions are
// written with "?" and numbered here, so callers never count placeholders.
type where struct {
	conds []string
	args  []any
}

// add appends cond, whose "?" placeholders take args in order.
func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	for _, r := range cond {
		if r == '?' {
			w.args = append(w.args, args[0])
			args = args[1:]
			b.WriteString("$" + strconv.Itoa(len(w.args)))
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
}

// next returns the number of the next placeholder and reserves it for arg.
func (w *where) next(arg any) int {
	w.args = append(w.args, arg)
	return len(w.args)
}

// sql renders the conditions after WHERE.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(w.conds, " AND ")
}

// page adds the time window and the keyset position of p for a table whose
// key columns are created_at and idCol (both prefixed with alias, "" or
// "x."), and returns the ORDER BY … LIMIT
// tail. It fetches one row more than asked so the caller knows whether a
// next page exists without counting.
func (w *where) page(p agentplane.Page, alias, idCol string) string {
	created, updated, id := alias+"created_at", alias+"updated_at", alias+idCol
	if t := p.Window.CreatedAfter; t != nil {
		w.add(created+" >= ?", t.Millis())
	}
	if t := p.Window.CreatedBefore; t != nil {
		w.add(created+" < ?", t.Millis())
	}
	if t := p.Window.UpdatedAfter; t != nil {
		w.add(updated+" >= ?", t.Millis())
	}
	if t := p.Window.UpdatedBefore; t != nil {
		w.add(updated+" < ?", t.Millis())
	}
	if c := p.After; c != nil {
		w.add("("+created+", "+id+") < (?, ?)", c.CreatedAt, c.ID)
	}
	return " ORDER BY " + created + " DESC, " + id + " DESC LIMIT " + strconv.Itoa(pageLimit(p)+1)
}

// pageLimit is how many items p asks for: its limit, or the default when
// that is missing or out of range.
func pageLimit(p agentplane.Page) int {
	if p.Limit <= 0 || p.Limit > agentplane.MaxLimit {
		return agentplane.DefaultLimit
	}
	return p.Limit
}

// rowScanner is what a scan function reads a row from.
type rowScanner = interface{ Scan(...any) error }

// sizedScanner counts the bytes of the text and blob columns scanned
// through it.
type sizedScanner struct {
	rows rowScanner
	n    int
}

func (s *sizedScanner) Scan(dest ...any) error {
	err := s.rows.Scan(dest...)
	for _, d := range dest {
		switch v := d.(type) {
		case *string:
			s.n += len(*v)
		case *[]byte:
			s.n += len(*v)
		case **string:
			if *v != nil {
				s.n += len(**v)
			}
		}
	}
	return err
}

// collectPage scans the rows of a query whose tail came from where.page
// into one page: at most p's limit items, fewer if the rows scanned reach
// agentplane.MaxPageBytes. When more rows follow, the next cursor is the
// key of the last item kept. It closes rows.
func collectPage[T any](rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, scan func(rowScanner) (T, error), p agentplane.Page, key func(T) agentplane.Cursor) (agentplane.List[T], error) {
	defer rows.Close()
	limit := pageLimit(p)
	sized := &sizedScanner{rows: rows}
	items := []T{}
	for rows.Next() {
		if len(items) == limit || sized.n >= agentplane.MaxPageBytes {
			// A row beyond this page exists: continue after the last kept.
			next := key(items[len(items)-1])
			return agentplane.List[T]{Items: items, Next: &next}, nil
		}
		v, err := scan(sized)
		if err != nil {
			return agentplane.List[T]{}, err
		}
		items = append(items, v)
	}
	if err := rows.Err(); err != nil {
		return agentplane.List[T]{}, err
	}
	return agentplane.List[T]{Items: items}, nil
}

// listPage runs one page of a list and collects it. sel is the statement
// up to and including WHERE and w its conditions, to which p's time window
// and keyset position are added on created_at and idCol (both prefixed
// with alias, as for where.page); key is an item's (created_at, idCol),
// the cursor of the page after it. what names the list in errors.
func listPage[T any](ctx context.Context, q *Queries, what, sel string, w *where, p agentplane.Page, alias, idCol string,
	scan func(rowScanner) (T, error), key func(T) agentplane.Cursor) (agentplane.List[T], error) {
	tail := w.page(p, alias, idCol)
	rows, err := q.q.QueryContext(ctx, sel+w.sql()+tail, w.args...)
	if err != nil {
		return agentplane.List[T]{}, fmt.Errorf("list %s: %w", what, err)
	}
	return collectPage(rows, scan, p, key)
}

// likePattern escapes s for a LIKE … ESCAPE '\' substring match.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// timePtr converts a nullable column back.
func timePtr(ms *int64) *agentplane.Time {
	if ms == nil {
		return nil
	}
	t := agentplane.TimeFromMillis(*ms)
	return &t
}

// collect scans every row with scan and closes rows.
func collect[T any](rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// affectedOne turns an UPDATE or DELETE that matched no row into ENotFound.
func affectedOne(res interface{ RowsAffected() (int64, error) }, err error, notFound string) error {
	if err != nil {
		return mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return agentplane.Errorf(agentplane.ENotFound, "%s", notFound)
	}
	return nil
}
