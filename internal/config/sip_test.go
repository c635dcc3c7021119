package config

import (
	"flag"
	"io"
	"net/netip"
	"strings"
	"testing"
)

// TestSIPSettings: the front door's settings parse, and each bad value is
// refused with its flag named.
func TestSIPSettings(t *testing.T) {
	load := func(args ...string) (Config, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return Load(fs, args, func(string) string { return "" }, Serve)
	}
	c, err := load("--sip-listen", "udp:0.0.0.0:5060, tcp:127.0.0.1:0", "--sip-backend", "sip:livekit@10.0.0.5:5060;transport=tcp",
		"--sip-rate-limit", "5", "--sip-allow-cidrs", "10.0.0.7/8,::1/128", "--sip-advertise", "203.0.113.9")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SIPListen) != 2 || c.SIPListen[0] != (SIPListen{"udp", "0.0.0.0:5060"}) || c.SIPListen[1] != (SIPListen{"tcp", "127.0.0.1:0"}) {
		t.Errorf("listen = %+v", c.SIPListen)
	}
	if c.SIPBackend != "sip:livekit@10.0.0.5:5060;transport=tcp" || c.SIPRateLimit != 5 || c.SIPAdvertise != "203.0.113.9" {
		t.Errorf("backend %q, rate %v", c.SIPBackend, c.SIPRateLimit)
	}
	if len(c.SIPAllowCIDRs) != 2 || c.SIPAllowCIDRs[0] != netip.MustParsePrefix("10.0.0.0/8") {
		t.Errorf("allow = %v (the address bits past the prefix are dropped)", c.SIPAllowCIDRs)
	}
	if c, err := load(); err != nil || c.SIPListen != nil || c.SIPBackend != "" || c.SIPRateLimit != 50 {
		t.Errorf("defaults: %+v, %v; want no listener, no backend, 50 INVITEs/s", c, err)
	}
	for _, bad := range [][]string{
		{"--sip-listen", "sctp:0.0.0.0:5060"},
		{"--sip-listen", "udp:5060"},
		{"--sip-listen", "udp:0.0.0.0:70000"},
		{"--sip-backend", "http://10.0.0.5"},
		{"--sip-backend", "sip:"},
		{"--sip-rate-limit", "-1"},
		{"--sip-allow-cidrs", "10.0.0.0/33"},
		{"--sip-advertise", "203.0.113.9:5060"},
	} {
		if _, err := load(bad...); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: err %v, want one naming %s", bad, err, bad[0])
		}
	}
}
