package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// ServerSecret returns the named random secret shared by every node,
// creating it on first use. Racing nodes both insert; ON CONFLICT keeps the
// first, and both then read the same value.
func (s *Store) ServerSecret(ctx context.Context, name string) ([]byte, error) {
	v := make([]byte, 32)
	if _, err := rand.Read(v); err != nil {
		return nil, err
	}
	if _, err := s.q.ExecContext(ctx,
		`INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
		name, v, time.Now().UnixMilli()); err != nil {
		return nil, fmt.Errorf("store secret: %w", err)
	}
	var out []byte
	if err := s.q.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&out); err != nil {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	return out, nil
}
