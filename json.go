package agentplane

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// CanonicalJSON rewrites a JSON value into one spelling per value: object
// keys sorted (duplicates keep the last, as PostgreSQL does), no
// insignificant space, and numbers in their shortest form (1.0 → 1,
// 1e2 → 100). Metadata is stored and returned canonical and filter values
// are canonicalized before binding, so SQLite's text comparison agrees
// with PostgreSQL's jsonb equality and both engines return the same bytes.
// Integers too large for a float64 keep their digits.
func CanonicalJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return CanonicalValue(v)
}

// CanonicalValue writes a value decoded with json.Decoder.UseNumber (maps,
// slices, json.Number, strings, bools, nil) as CanonicalJSON would write
// its text, for callers that change a document between reading and
// storing it. Maps and slices in v may be rewritten in place.
func CanonicalValue(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(normalizeNumbers(v)); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			return x // an integer literal: keep every digit
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) {
			return x
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return json.Number(strconv.FormatInt(int64(f), 10))
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return v
}
