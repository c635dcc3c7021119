package agentplane

import (
	"strconv"
	"time"
)

// Time is an instant with millisecond precision. It is stored as epoch
// milliseconds and rendered as RFC 3339 UTC with exactly three fractional
// digits, the format of SPEC §1.
type Time struct{ time.Time }

// timeLayout always prints milliseconds, unlike time.RFC3339Nano.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// TimeOf truncates t to milliseconds in UTC.
func TimeOf(t time.Time) Time { return Time{t.UTC().Truncate(time.Millisecond)} }

// TimeFromMillis converts epoch milliseconds.
func TimeFromMillis(ms int64) Time { return Time{time.UnixMilli(ms).UTC()} }

// Millis returns t as epoch milliseconds.
func (t Time) Millis() int64 { return t.UnixMilli() }

// String formats t as the API does.
func (t Time) String() string { return t.UTC().Format(timeLayout) }

// MarshalJSON renders t as an RFC 3339 string with milliseconds.
func (t Time) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, t.String()), nil
}

// UnmarshalJSON accepts RFC 3339 strings (used by the Go client).
func (t *Time) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	*t = TimeOf(v)
	return nil
}

// ParseTime parses a query value: RFC 3339, or integer epoch milliseconds.
func ParseTime(s string) (Time, bool) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return TimeFromMillis(ms), true
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Time{}, false
	}
	return TimeOf(v), true
}
