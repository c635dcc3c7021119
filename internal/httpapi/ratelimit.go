package httpapi

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/agentplane/agentplane"
	"golang.org/x/time/rate"
)

// Limits configures rate limiting. Buckets live in each node's memory: N
// nodes behind a balancer allow up to N times the limit, which keeps the
// hot path free of a database write per request.
type Limits struct {
	// PerSecond is each credential's sustained rate; 0 disables.
	PerSecond float64
	// Burst is how many requests a credential may make at once.
	Burst int
	// AuthFailuresPerMinute is how many failed authentications a client
	// address may make per minute before it gets 429s without its
	// credentials even being looked at; 0 disables.
	AuthFailuresPerMinute int
}

type bucket struct {
	*rate.Limiter
	seen time.Time
}

// limiter holds the token buckets.
type limiter struct {
	lim       Limits
	burstText string // RateLimit-Limit, the same on every answer
	mu        sync.Mutex
	creds     map[string]*bucket
	fails     map[string]*bucket
	swept     time.Time
}

func newLimiter(l Limits) *limiter {
	return &limiter{lim: l, burstText: strconv.Itoa(max(l.Burst, 1)), creds: map[string]*bucket{}, fails: map[string]*bucket{}, swept: time.Now()}
}

// get returns the bucket for key, creating it full; idle buckets are
// dropped now and then so the maps don't grow without bound.
func (l *limiter) get(m map[string]*bucket, key string, r rate.Limit, burst int, now time.Time) *bucket {
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.creds {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.creds, k)
			}
		}
		for k, b := range l.fails {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.fails, k)
			}
		}
		l.swept = now
	}
	b, ok := m[key]
	if !ok {
		b = &bucket{Limiter: rate.NewLimiter(r, burst)}
		m[key] = b
	}
	b.seen = now
	return b
}

// allowCredential takes a token for the credential and sets the
// RateLimit-* headers; false means the caller must answer 429.
func (l *limiter) allowCredential(w http.ResponseWriter, credID string) bool {
	if l.lim.PerSecond <= 0 {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	b := l.get(l.creds, credID, rate.Limit(l.lim.PerSecond), max(l.lim.Burst, 1), now)
	ok := b.AllowN(now, 1)
	tokens := b.TokensAt(now)
	l.mu.Unlock()
	h := w.Header()
	burst := max(l.lim.Burst, 1)
	// The keys are written as Header.Set would canonicalize them
	// ("RateLimit-Limit" is not canonical, so Set would build the key
	// anew on every request).
	h["Ratelimit-Limit"] = []string{l.burstText}
	h["Ratelimit-Remaining"] = []string{strconv.Itoa(max(int(tokens), 0))}
	// Seconds until the bucket is full again.
	h["Ratelimit-Reset"] = []string{strconv.Itoa(int(math.Ceil((float64(burst) - tokens) / l.lim.PerSecond)))}
	if !ok {
		h.Set("Retry-After", strconv.Itoa(max(int(math.Ceil((1-tokens)/l.lim.PerSecond)), 1)))
	}
	return ok
}

// clientBlocked reports whether the client address has used up its
// authentication failures; then it sets Retry-After.
func (l *limiter) clientBlocked(w http.ResponseWriter, r *http.Request) bool {
	if l.lim.AuthFailuresPerMinute <= 0 {
		return false
	}
	now := time.Now()
	l.mu.Lock()
	b := l.get(l.fails, clientAddr(r), rate.Limit(float64(l.lim.AuthFailuresPerMinute)/60), l.lim.AuthFailuresPerMinute, now)
	tokens := b.TokensAt(now)
	l.mu.Unlock()
	if tokens >= 1 {
		return false
	}
	per := float64(l.lim.AuthFailuresPerMinute) / 60
	w.Header().Set("Retry-After", strconv.Itoa(max(int(math.Ceil((1-tokens)/per)), 1)))
	return true
}

// authFailed spends one of the client address's failures.
func (l *limiter) authFailed(r *http.Request) {
	if l.lim.AuthFailuresPerMinute <= 0 {
		return
	}
	now := time.Now()
	l.mu.Lock()
	b := l.get(l.fails, clientAddr(r), rate.Limit(float64(l.lim.AuthFailuresPerMinute)/60), l.lim.AuthFailuresPerMinute, now)
	b.AllowN(now, 1)
	l.mu.Unlock()
}

// clientAddr is the connection's IP. X-Forwarded-For is not trusted: a
// client could rotate it to dodge the failure limit.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func rateLimited(msg string) error { return agentplane.Errorf(agentplane.ERateLimited, "%s", msg) }
