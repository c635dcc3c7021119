package store

import (
	"context"
	"fmt"

	"github.com/agentplane/agentplane"
)

// ClaimIdempotencyKey records key as in flight for this request unless it
// is already known; then it returns the stored record. A record older
// than expiredBefore (epoch ms) is forgotten and the key claimed anew.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, scope, key, hash string, now, expiredBefore int64) (claimed bool, rec agentplane.IdempotentResponse, err error) {
	for attempt := 0; attempt < 2; attempt++ {
		res, err := s.q.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (scope, key) DO NOTHING`, scope, key, hash, now)
		if err != nil {
			return false, rec, fmt.Errorf("claim idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return true, rec, nil
		}
		rec, err = s.GetIdempotencyKey(ctx, scope, key)
		if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
			continue // released between our insert and read: try again
		}
		if err != nil {
			return false, rec, err
		}
		if rec.CreatedAt >= expiredBefore {
			return false, rec, nil
		}
		if _, err := s.q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at < $3`,
			scope, key, expiredBefore); err != nil {
			return false, rec, err
		}
	}
	return false, rec, fmt.Errorf("idempotency key %q could not be claimed", key)
}

// GetIdempotencyKey reads a record.
func (s *Store) GetIdempotencyKey(ctx context.Context, scope, key string) (agentplane.IdempotentResponse, error) {
	var (
		rec    agentplane.IdempotentResponse
		status *int
		ctype  *string
	)
	err := s.q.QueryRowContext(ctx, `SELECT request_hash, status, content_type, body, created_at FROM idempotency_keys
		WHERE scope = $1 AND key = $2`, scope, key).Scan(&rec.RequestHash, &status, &ctype, &rec.Body, &rec.CreatedAt)
	if errNoRows(err) {
		return rec, agentplane.Errorf(agentplane.ENotFound, "no such idempotency key")
	}
	if status != nil {
		rec.Status = *status
	}
	if ctype != nil {
		rec.ContentType = *ctype
	}
	return rec, err
}

// CompleteIdempotencyKey stores the outcome of the request that claimed key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, contentType string, body []byte) error {
	_, err := s.q.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5
		WHERE scope = $1 AND key = $2`, scope, key, status, contentType, body)
	return err
}

// ReleaseIdempotencyKey forgets a claim whose request failed on our side,
// so the client's retry runs it again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2`, scope, key)
	return err
}

// SweepIdempotencyKeys deletes records created before (epoch ms).
func (s *Store) SweepIdempotencyKeys(ctx context.Context, before int64) (int64, error) {
	res, err := s.q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, before)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
