package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// TestDetailCacheStaysWithinItsBound: whatever is put, the bodies kept
// never add up to more than the bound; an answer over a sixteenth of it is
// not kept (and replaces no older answer of that agent); replacing an
// agent's answer counts only the new one; a disabled cache keeps nothing.
func TestDetailCacheStaysWithinItsBound(t *testing.T) {
	t.Parallel()
	const bound = 16 << 10
	c := newDetailCache(bound)
	body := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	total := func() int {
		n := 0
		for _, e := range c.entries {
			n += len(e.body)
		}
		return n
	}
	for i := range 200 {
		c.put("org", fmt.Sprint("agent", i), &detailEntry{revision: 1, body: body(100 + i%900)})
		if got := total(); got > bound || got != c.size {
			t.Fatalf("after %d puts: %d bytes kept (size says %d), bound %d", i+1, got, c.size, bound)
		}
	}
	if len(c.entries) < bound/1000 {
		t.Errorf("only %d answers kept under a %d-byte bound", len(c.entries), bound)
	}

	c.put("org", "a", &detailEntry{revision: 1, body: body(500)})
	c.put("org", "a", &detailEntry{revision: 2, body: body(700)})
	if e := c.get("org", "a"); e == nil || e.revision != 2 || total() != c.size {
		t.Errorf("replaced answer: %+v, size %d, kept %d", e, c.size, total())
	}
	c.put("org", "a", &detailEntry{revision: 3, body: body(bound/16 + 1)})
	if e := c.get("org", "a"); e != nil {
		t.Errorf("an answer over a sixteenth of the bound was kept, or left the older one (revision %d)", e.revision)
	}
	c.put("org", "b", &detailEntry{revision: 1, body: body(10)})
	if c.get("org", "b") == nil || c.get("other org", "b") != nil {
		t.Error("an answer is not kept for its organization, or is found under another")
	}

	off := newDetailCache(-1)
	off.put("org", "a", &detailEntry{revision: 1, body: body(1)})
	if off.get("org", "a") != nil {
		t.Error("a disabled cache kept an answer")
	}
}
