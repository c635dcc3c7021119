package service

import (
	"context"
	"time"

	"github.com/agentplane/agentplane/internal/store"
)

// IdempotencyTTL is how long a key's outcome is replayed (SPEC §1).
const IdempotencyTTL = 24 * time.Hour

// IdempotentResponse is a stored POST outcome; Status 0 means in flight.
type IdempotentResponse = store.IdempotentResponse

// ClaimIdempotencyKey claims key for a request with hash in scope (an
// organization, or a user on user-only routes), or returns what is stored.
func (s *Service) ClaimIdempotencyKey(ctx context.Context, scope, key, hash string) (bool, IdempotentResponse, error) {
	now := s.now()
	return s.store.ClaimIdempotencyKey(ctx, scope, key, hash, now.UnixMilli(), now.Add(-IdempotencyTTL).UnixMilli())
}

// IdempotencyRecord reads the stored outcome of key.
func (s *Service) IdempotencyRecord(ctx context.Context, scope, key string) (IdempotentResponse, error) {
	return s.store.GetIdempotencyKey(ctx, scope, key)
}

// CompleteIdempotencyKey stores the outcome.
func (s *Service) CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, contentType string, body []byte) error {
	return s.store.CompleteIdempotencyKey(ctx, scope, key, status, contentType, body)
}

// ReleaseIdempotencyKey forgets a claim so a retry runs again.
func (s *Service) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	return s.store.ReleaseIdempotencyKey(ctx, scope, key)
}

// SweepIdempotencyKeys deletes outcomes older than the TTL.
func (s *Service) SweepIdempotencyKeys(ctx context.Context) (int64, error) {
	return s.store.SweepIdempotencyKeys(ctx, s.now().Add(-IdempotencyTTL).UnixMilli())
}
