package sip

import (
	"math"
	"net/netip"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// guard decides which sources may send INVITEs: --sip-allow-cidrs, then
// a token bucket per source address (--sip-rate-limit, a burst of one
// second's worth). Buckets live in each node's memory: N nodes allow up
// to N times the rate, as for the HTTP API.
type guard struct {
	allow  []netip.Prefix
	perSec float64

	mu      sync.Mutex
	buckets map[netip.Addr]*bucket
	swept   time.Time
}

type bucket struct {
	*rate.Limiter
	seen time.Time
}

func newGuard(allow []netip.Prefix, perSec float64) *guard {
	return &guard{allow: allow, perSec: perSec, buckets: map[netip.Addr]*bucket{}, swept: time.Now()}
}

// allowed reports whether ip is inside --sip-allow-cidrs (empty: any).
func (g *guard) allowed(ip netip.Addr) bool {
	if len(g.allow) == 0 {
		return true
	}
	ip = ip.Unmap()
	return slices.ContainsFunc(g.allow, func(p netip.Prefix) bool { return p.Contains(ip) })
}

// take spends one of ip's tokens. When none is left it returns false and
// the whole seconds until one is (Retry-After).
func (g *guard) take(ip netip.Addr, now time.Time) (ok bool, retryAfter int) {
	if g.perSec <= 0 {
		return true, 0
	}
	ip = ip.Unmap()
	g.mu.Lock()
	defer g.mu.Unlock()
	// Idle buckets go now and then, so the map doesn't grow with every
	// address that ever called.
	if now.Sub(g.swept) > time.Minute {
		for k, b := range g.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(g.buckets, k)
			}
		}
		g.swept = now
	}
	b, found := g.buckets[ip]
	if !found {
		b = &bucket{Limiter: rate.NewLimiter(rate.Limit(g.perSec), max(int(g.perSec), 1))}
		g.buckets[ip] = b
	}
	b.seen = now
	if b.AllowN(now, 1) {
		return true, 0
	}
	return false, max(int(math.Ceil((1-b.TokensAt(now))/g.perSec)), 1)
}
