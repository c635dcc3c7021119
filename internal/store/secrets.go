package store

import (
	"context"
	"fmt"
	"time"
)

// ServerSecret returns the stored value of the named server secret,
// storing fresh first when there is none. Racing nodes both insert; ON
// CONFLICT keeps the first, and both then read the same value. The store
// keeps bytes: sealing them is the service's business.
func (s *Store) ServerSecret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	if _, err := s.q.ExecContext(ctx,
		`INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
		name, fresh, time.Now().UnixMilli()); err != nil {
		return nil, fmt.Errorf("store secret: %w", err)
	}
	var out []byte
	if err := s.q.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&out); err != nil {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	return out, nil
}

// ReplaceServerSecret swaps the named secret's value from old to new if it
// still is old (a node that sealed it first wins; the loser's update
// matches nothing, which is fine: both hold the same plain value).
func (s *Store) ReplaceServerSecret(ctx context.Context, name string, old, new []byte) error {
	_, err := s.q.ExecContext(ctx, `UPDATE server_secrets SET value = $3 WHERE name = $1 AND value = $2`, name, old, new)
	return err
}
