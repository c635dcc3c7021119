package service

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/agentplane/agentplane/internal/seal"
)

// cursorSecret names the cursor-signing key among the server secrets.
const cursorSecret = "cursor_hmac"

// CursorKey returns the key that signs list cursors, shared by all nodes
// through the database. With a server key it is stored sealed (SPEC §24);
// a key stored in clear by an earlier release, or while no server key was
// set, is sealed the first time a node with a server key reads it.
func (s *Service) CursorKey(ctx context.Context) ([]byte, error) {
	return s.serverSecret(ctx, cursorSecret)
}

// serverSecret returns the named random 32-byte secret, creating it on
// first use, and keeps it sealed when a server key is configured.
func (s *Service) serverSecret(ctx context.Context, name string) ([]byte, error) {
	plain := make([]byte, 32)
	if _, err := rand.Read(plain); err != nil {
		return nil, err
	}
	fresh := plain
	if s.secrets != nil {
		fresh = s.secrets.Seal(plain, "server_secrets:"+name)
	}
	stored, err := s.store.ServerSecret(ctx, name, fresh)
	if err != nil {
		return nil, err
	}
	switch {
	case seal.IsSealed(stored) && s.secrets == nil:
		return nil, fmt.Errorf("server secret %q is sealed but no server key is configured: set AGENTPLANE_SECRET_KEY to the key the other nodes use", name)
	case seal.IsSealed(stored):
		v, err := s.secrets.Open(stored, "server_secrets:"+name)
		if err != nil {
			return nil, fmt.Errorf("server secret %q: %w", name, err)
		}
		return v, nil
	case s.secrets != nil:
		// Stored in clear before a server key existed: seal it now.
		if err := s.store.ReplaceServerSecret(ctx, name, stored, s.secrets.Seal(stored, "server_secrets:"+name)); err != nil {
			return nil, fmt.Errorf("seal server secret %q: %w", name, err)
		}
	}
	return stored, nil
}
