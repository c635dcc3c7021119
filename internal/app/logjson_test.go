package app

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// sameAsJSONHandler logs the record through lineJSON and through slog's
// JSONHandler and fails when the bytes differ.
func sameAsJSONHandler(t *testing.T, r slog.Record) (fast bool) {
	t.Helper()
	var got, want bytes.Buffer
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	if err := newLineJSON(&got, opts).Handle(context.Background(), r.Clone()); err != nil {
		t.Fatal(err)
	}
	if err := slog.NewJSONHandler(&want, opts).Handle(context.Background(), r.Clone()); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("lineJSON wrote\n%s\nJSONHandler writes\n%s", got.String(), want.String())
	}
	_, fast = appendLine(nil, r)
	return fast
}

func TestLineJSONWritesWhatJSONHandlerWrites(t *testing.T) {
	at := time.Date(2026, 12, 3, 18, 43, 37, 123456789, time.UTC)
	access := func(route, remote string, extra ...slog.Attr) slog.Record {
		r := slog.NewRecord(at, slog.LevelInfo, "request", 0)
		r.AddAttrs(slog.String("request_id", "0af3c29e1b7d44c2a9f0e1d2"), slog.String("method", "GET"),
			slog.String("route", route), slog.Int("status", 200), slog.Int("bytes", 1234),
			slog.String("duration", "0.412ms"), slog.String("org", ""), slog.String("credential_id", "key_1"),
			slog.String("remote", remote))
		r.AddAttrs(extra...)
		return r
	}
	cases := []struct {
		name string
		r    slog.Record
		fast bool // formatted by lineJSON itself
	}{
		{"access line", access("GET /core/agents/{id}", "127.0.0.1:5555"), true},
		{"IPv6 remote and negative number", access("unmatched", "[::1]:80", slog.Int("n", -7)), true},
		{"no time", slog.NewRecord(time.Time{}, slog.LevelWarn, "x", 0), true},
		{"other time zone", slog.NewRecord(at.In(time.FixedZone("x", -5*3600)), slog.LevelError+2, "m", 0), true},
		{"quote in a value", access(`GET /"x"`, "a"), false},
		{"backslash in a key", access("r", "a", slog.String(`k\`, "v")), false},
		{"control byte", access("r", "a\x01\n"), false},
		{"not ASCII", access("r", "ü\u2028\xff"), false},
		{"float", access("r", "a", slog.Float64("f", 1.5)), false},
		{"bool and any", access("r", "a", slog.Bool("b", true), slog.Any("e", []int{1})), false},
		{"group", access("r", "a", slog.Group("g", slog.String("k", "v"))), false},
		{"empty attr", access("r", "a", slog.Attr{}), true},
		{"year past 9999", slog.NewRecord(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), slog.LevelInfo, "m", 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if fast := sameAsJSONHandler(t, c.r); fast != c.fast {
				t.Errorf("formatted by lineJSON itself: %v, want %v", fast, c.fast)
			}
		})
	}
}

func TestLineJSONLevel(t *testing.T) {
	var buf bytes.Buffer
	h := newLineJSON(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelWarn) {
		t.Fatal("Enabled does not follow the level")
	}
	slog.New(h).With("k", "v").Warn("w", "n", 1)
	if want := `"msg":"w","k":"v","n":1}`; !bytes.Contains(buf.Bytes(), []byte(want)) {
		t.Fatalf("With lost its attributes: %s", buf.String())
	}
}

func FuzzLineJSON(f *testing.F) {
	f.Add("request", "GET /core/agents/{id}", int64(200), "127.0.0.1:1")
	f.Add("m\"", "\\", int64(-1), "\xff\u2029")
	f.Fuzz(func(t *testing.T, msg, key string, n int64, value string) {
		r := slog.NewRecord(time.Unix(0, n).UTC(), slog.LevelInfo, msg, 0)
		r.AddAttrs(slog.String(key, value), slog.Int64("n", n), slog.String("v", value))
		sameAsJSONHandler(t, r)
	})
}
