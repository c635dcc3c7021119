package service

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// defaultRegion reads numbers written without a country code ("(415)
// 555-0100") as North American; anything else needs its +country prefix.
const defaultRegion = "US"

// maxNumberLen bounds what is worth parsing: no format of a real number
// is longer, and it keeps the memo's keys small.
const maxNumberLen = 40

// NormalizeNumber parses a number in any common format and returns it in
// E.164, or false when it is not a valid number. Results are memoized:
// parsing runs the phonenumbers library's regular expressions, ~10% of a
// publish's CPU before the memo, and the same few numbers come back again
// and again (every publish, call start and lookup names them).
func NormalizeNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxNumberLen {
		return "", false
	}
	if r, ok := numberMemo.load(s); ok {
		return r.e164, r.ok
	}
	e164, ok := parseNumber(s)
	// Cloned: s may share a much larger string's memory (TrimSpace
	// slices), which the memo would otherwise keep alive.
	numberMemo.store(strings.Clone(s), normalized{e164, ok})
	return e164, ok
}

// parseNumber is NormalizeNumber without the memo.
func parseNumber(s string) (string, bool) {
	n, err := phonenumbers.Parse(s, defaultRegion)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// normalized is one memoized result; invalid inputs are remembered too,
// since they cost a parse just the same.
type normalized struct {
	e164 string
	ok   bool
}

// numberMemoCap bounds the memo at about 10,000 entries (≤ 40-byte keys:
// a few MiB at most), whatever callers send.
const numberMemoCap = 10_000

// numberMemo is package state rather than Service state because
// NormalizeNumber is a plain function (httpapi calls it too) and the memo
// changes nothing a caller can observe but speed.
var numberMemo = memo{limit: numberMemoCap}

// memo is a bounded concurrent map from input to result. When full it
// starts over empty: no per-entry bookkeeping on the hit path, and a
// working set that changes is relearned within one cap's worth of misses.
type memo struct {
	m     sync.Map // string → normalized
	n     atomic.Int64
	limit int64
}

func (c *memo) load(k string) (normalized, bool) {
	v, ok := c.m.Load(k)
	if !ok {
		return normalized{}, false
	}
	return v.(normalized), true
}

// store adds k. Concurrent stores around a reset can leave the count a
// little off, so the bound is the limit plus the number of concurrent
// callers: close enough for a memory cap.
func (c *memo) store(k string, v normalized) {
	if c.n.Load() >= c.limit {
		c.m.Clear()
		c.n.Store(0)
	}
	if _, loaded := c.m.LoadOrStore(k, v); !loaded {
		c.n.Add(1)
	}
}
