package service

import (
	"context"

	"github.com/agentplane/agentplane"
)

type ifMatchKey struct{}

// WithIfMatch carries a request's If-Match header to the service, which
// checks it against the object inside the write's transaction — the only
// place the comparison can't race another writer.
func WithIfMatch(ctx context.Context, header string) context.Context {
	return context.WithValue(ctx, ifMatchKey{}, header)
}

// precondition refuses a write whose If-Match no longer matches current
// (412); without If-Match the write proceeds (last writer wins).
func precondition(ctx context.Context, current agentplane.Tagged) error {
	h, _ := ctx.Value(ifMatchKey{}).(string)
	if h == "" || agentplane.MatchesIfMatch(h, current.ETag()) {
		return nil
	}
	return agentplane.Errorf(agentplane.EPreconditionFailed, "the object changed since you read it: If-Match does not match its current ETag; read it again")
}
