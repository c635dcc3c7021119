package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
)

// The agent detail cache keeps the encoded GET /core/agents/{id} answers
// of recently read agents, each with the revision it was encoded at
// (agentplane.AgentDetail.Revision). A GET of a cached agent asks the
// database only for the agent's current revision, one point read, and
// sends the kept bytes when it has not moved: every change to anything the
// detail shows moves it, on every node, in the change's own transaction,
// so the answer is what a full read would return, not an approximation of
// it. The full read is seven tables' worth of plan, and on PostgreSQL
// merely starting that plan cost three times the point read
// (docs/performance.md).

// defaultDetailCacheBytes bounds the cache: a few thousand agents of a few
// KiB each. An answer bigger than a sixteenth of the bound is not kept.
const defaultDetailCacheBytes = 8 << 20

type detailKey struct{ org, id string }

// detailEntry is one encoded answer. It is never modified once shared.
type detailEntry struct {
	revision int64
	etag     string
	body     []byte
}

// detailCache is the bounded map of entries. Eviction is arbitrary (Go's
// map order): cheap, and the cost of a wrong guess is one full read.
type detailCache struct {
	mu      sync.Mutex
	entries map[detailKey]*detailEntry
	size    int // bytes of the bodies kept
	max     int // 0: disabled
}

func newDetailCache(maxBytes int) *detailCache {
	if maxBytes < 0 {
		maxBytes = 0
	}
	return &detailCache{entries: map[detailKey]*detailEntry{}, max: maxBytes}
}

func (c *detailCache) get(org, id string) *detailEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[detailKey{org, id}]
}

func (c *detailCache) put(org, id string, e *detailEntry) {
	if len(e.body) > c.max/16 {
		c.drop(org, id)
		return
	}
	k := detailKey{org, id}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[k]; old != nil {
		// Out of the map too, so the eviction below can't pick it and
		// count its size off a second time.
		c.size -= len(old.body)
		delete(c.entries, k)
	}
	for victim, v := range c.entries {
		if c.size+len(e.body) <= c.max {
			break
		}
		c.size -= len(v.body)
		delete(c.entries, victim)
	}
	c.entries[k] = e
	c.size += len(e.body)
}

func (c *detailCache) drop(org, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[detailKey{org, id}]; old != nil {
		c.size -= len(old.body)
		delete(c.entries, detailKey{org, id})
	}
}

func (s *Server) getAgent(w http.ResponseWriter, r *http.Request) error {
	ctx, c, id := r.Context(), callerFrom(r.Context()), r.PathValue("id")
	if e := s.details.get(c.OrganizationID, id); e != nil {
		// An error here (the agent gone, or the database) is left to the
		// full read below to answer.
		if rev, err := s.svc.AgentRevision(ctx, c, id); err == nil && rev == e.revision {
			if s.opts.CheckDetailCache {
				if err := s.checkFresh(r, e); err != nil {
					return err
				}
			}
			writeEncoded(w, http.StatusOK, e.etag, e.body)
			return nil
		}
	}
	a, err := s.svc.GetAgent(ctx, c, id)
	if err != nil {
		s.details.drop(c.OrganizationID, id)
		return err
	}
	body, err := encodeJSON(a)
	if err != nil {
		return err
	}
	e := &detailEntry{revision: a.Revision, etag: a.Agent.ETag(), body: body}
	s.details.put(c.OrganizationID, id, e)
	writeEncoded(w, http.StatusOK, e.etag, e.body)
	return nil
}

// checkFresh is Options.CheckDetailCache's test of a hit: it reads the
// detail afresh and fails the request (a 500, the difference in the log)
// when e does not encode it although the revision says it should: a write
// that changed the detail without moving the revision.
func (s *Server) checkFresh(r *http.Request, e *detailEntry) error {
	a, err := s.svc.GetAgent(r.Context(), callerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	if a.Revision != e.revision {
		return nil // changed since the revision was read: no verdict
	}
	body, err := encodeJSON(a)
	if err != nil {
		return err
	}
	if !bytes.Equal(body, e.body) || a.Agent.ETag() != e.etag {
		return fmt.Errorf("detail cache: revision %d kept %s, the database has %s", e.revision, e.body, body)
	}
	return nil
}
