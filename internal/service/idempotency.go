package service

import (
	"context"
	"time"

	"github.com/agentplane/agentplane"
)

// IdempotencyTTL is how long a key's outcome is replayed (SPEC §1).
const IdempotencyTTL = 24 * time.Hour

// idempotencyScope is where c's keys live: the credential, and the
// organization it acts in, so a PAT's key in one organization is unrelated
// to the same key in another and a stored answer is never served to
// anyone else.
func idempotencyScope(c *agentplane.Caller) string {
	return "cred:" + c.CredentialID + ":" + c.OrganizationID
}

// ClaimIdempotencyKey claims c's key for a request with hash, or returns
// what is stored under it.
func (s *Service) ClaimIdempotencyKey(ctx context.Context, c *agentplane.Caller, key, hash string) (bool, agentplane.IdempotentResponse, error) {
	now := s.now()
	return s.store.ClaimIdempotencyKey(ctx, idempotencyScope(c), key, hash, now.UnixMilli(), now.Add(-IdempotencyTTL).UnixMilli())
}

// IdempotencyRecord reads the stored outcome of c's key.
func (s *Service) IdempotencyRecord(ctx context.Context, c *agentplane.Caller, key string) (agentplane.IdempotentResponse, error) {
	return s.store.GetIdempotencyKey(ctx, idempotencyScope(c), key)
}

// CompleteIdempotencyKey stores the outcome of the request that claimed
// c's key.
func (s *Service) CompleteIdempotencyKey(ctx context.Context, c *agentplane.Caller, key string, status int, contentType string, body []byte) error {
	return s.store.CompleteIdempotencyKey(ctx, idempotencyScope(c), key, status, contentType, body)
}

// ReleaseIdempotencyKey forgets c's claim on key so a retry runs again.
func (s *Service) ReleaseIdempotencyKey(ctx context.Context, c *agentplane.Caller, key string) error {
	return s.store.ReleaseIdempotencyKey(ctx, idempotencyScope(c), key)
}

// SweepIdempotencyKeys deletes outcomes older than the TTL.
func (s *Service) SweepIdempotencyKeys(ctx context.Context) (int64, error) {
	return s.store.SweepIdempotencyKeys(ctx, s.now().Add(-IdempotencyTTL).UnixMilli())
}
