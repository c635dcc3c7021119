package service

import (
	"fmt"
	"strings"
	"testing"
)

// numberInputs are formats callers really send, valid and not.
var numberInputs = []string{
	"+14155550100", "(415) 555-0101", "+1 415 555 0102", " +442071838750 ", "+33 1 42 68 53 00",
	"415.555.0103", "+390612345678", "12", "nope", "+1 555", "", strings.Repeat("1", 41),
}

// TestNormalizeNumberMemo: the memo answers exactly what parsing does, on
// the first call and on every later one.
func TestNormalizeNumberMemo(t *testing.T) {
	for _, in := range numberInputs {
		want, wantOK := "", false
		if s := strings.TrimSpace(in); s != "" && len(s) <= maxNumberLen {
			want, wantOK = parseNumber(s)
		}
		for i := range 3 {
			if got, ok := NormalizeNumber(in); got != want || ok != wantOK {
				t.Errorf("call %d: NormalizeNumber(%q) = %q, %v; want %q, %v", i, in, got, ok, want, wantOK)
			}
		}
	}
	if got, ok := NormalizeNumber("(415) 555-0101"); got != "+14155550101" || !ok {
		t.Errorf("NormalizeNumber((415) 555-0101) = %q, %v", got, ok)
	}
}

// TestMemoBounded: the memo never holds more than its limit; when full it
// starts over and keeps answering.
func TestMemoBounded(t *testing.T) {
	c := memo{limit: 5}
	for i := range 23 {
		c.store(fmt.Sprint(i), normalized{fmt.Sprint("+", i), true})
		size := 0
		c.m.Range(func(any, any) bool { size++; return true })
		if size > 5 || int64(size) != c.n.Load() {
			t.Fatalf("after %d stores the memo holds %d entries, counts %d", i+1, size, c.n.Load())
		}
		if r, ok := c.load(fmt.Sprint(i)); !ok || r.e164 != fmt.Sprint("+", i) {
			t.Fatalf("entry %d just stored is %+v, %v", i, r, ok)
		}
	}
}

// BenchmarkNormalizeNumber compares parsing every time with the memo, on
// a publish's worth of numbers in mixed formats.
func BenchmarkNormalizeNumber(b *testing.B) {
	var ten []string
	for i := range 10 {
		ten = append(ten, fmt.Sprintf("+1 415 555 01%02d", i))
	}
	b.Run("parse", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			parseNumber(ten[i%len(ten)])
		}
	})
	b.Run("memo-hit", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			NormalizeNumber(ten[i%len(ten)])
		}
	})
	b.Run("memo-hit-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				NormalizeNumber(ten[i%len(ten)])
			}
		})
	})
	// Distinct inputs, more than the memo holds, so every call misses:
	// the memo's price for a number seen once.
	many := make([]string, 4*numberMemoCap)
	for i := range many {
		many[i] = fmt.Sprintf("+1415%07d", i)
	}
	b.Run("parse-distinct", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			parseNumber(many[i%len(many)])
		}
	})
	b.Run("memo-miss", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			NormalizeNumber(many[i%len(many)])
		}
	})
}
