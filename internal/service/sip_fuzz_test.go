package service

import (
	"strings"
	"testing"
)

// FuzzSplitSIPURI: a Request-URI comes from anyone who can send an INVITE.
// Whatever it is, splitting never panics, and a URI it accepts yields a
// user without "@" and a host without port, parameters or headers, both
// taken from the URI as sent.
func FuzzSplitSIPURI(f *testing.F) {
	for _, s := range []string{"sip:0192d3a4-0000-7000-8000-000000000001@sip.example.test",
		"SIPS:+14155550100@Sip.Example.Test:5061;transport=tls?X-A=b", "sip:@h", "sip:u@", "tel:+1415", "sip:u@h:1:2", "sip:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		user, host, ok := splitSIPURI(uri)
		if !ok {
			return
		}
		if user == "" || host == "" || strings.Contains(user, "@") || strings.ContainsAny(host, ":;?") ||
			!strings.Contains(uri, user+"@"+host) || len(uri) > 1024 {
			t.Fatalf("%q split into user %q, host %q", uri, user, host)
		}
	})
}
