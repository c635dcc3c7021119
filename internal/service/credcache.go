package service

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/agentplane/agentplane"
)

// credentialTTL is how long a node trusts a credential row it read. SPEC
// §24 allows a revocation to take up to 1 s to reach other nodes; half of
// that leaves room for a slow read. A revocation on this node clears the
// entry at once.
const credentialTTL = 500 * time.Millisecond

// maxCachedCredentials bounds the cache. Only credentials that exist are
// cached, so a flood of made-up key ids can't fill it.
const maxCachedCredentials = 10_000

// credCache remembers credential rows for credentialTTL, so a request
// whose key was verified a moment ago costs no statement. The secret is
// still compared against the stored hash on every request: the cache
// holds rows, never tokens.
type credCache struct {
	ttl time.Duration // ≤ 0: cache nothing
	mu  sync.Mutex
	m   map[string]cachedCredential
	// gen counts revocations on this node. A read that started before a
	// revocation must not store what it read: the row may predate it.
	gen atomic.Uint64
}

// cachedCredential is a credential row and, for an org key, the scopes it
// grants (a pure function of the row, worth 2% of a GET to compute).
type cachedCredential struct {
	cred   agentplane.Credential
	scopes agentplane.Scopes
	at     time.Time // when it was read (monotonic)
}

// get returns the credential with id if it was read within the TTL.
func (c *credCache) get(id string) (cachedCredential, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || time.Since(e.at) >= c.ttl {
		return cachedCredential{}, false
	}
	return e, true
}

// put stores a row read at start while the generation was gen.
func (c *credCache) put(e cachedCredential, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ttl <= 0 || c.gen.Load() != gen {
		return
	}
	if c.m == nil || len(c.m) >= maxCachedCredentials {
		c.m = make(map[string]cachedCredential)
	}
	c.m[e.cred.ID] = e
}

// forget drops id (after it was revoked here) and fences off reads that
// were already under way.
func (c *credCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	delete(c.m, id)
}
