// Package service holds agentplane's use cases: it validates input, owns
// transactions and resolves who is calling. The HTTP layer and the
// command line call it; it calls the store.
package service

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/llm"
	"github.com/agentplane/agentplane/internal/seal"
	"github.com/agentplane/agentplane/internal/store"
)

// Service is the API's behaviour, independent of transport.
type Service struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
	used  lastUsed
	creds credCache
	model llm.Model // compare's summary; nil: the builtin, deterministic text only

	sipDomain string
	secrets   *seal.Box // nil: no server key (PostgreSQL without AGENTPLANE_SECRET_KEY)

	checkURL    func(string) error // the guarded fetcher's URL rules, for webhook URLs
	retryDelays []time.Duration    // webhook retries (deliver.go)
}

// Options configures New.
type Options struct {
	Logger *slog.Logger
	// Now replaces the clock in tests that assert on times.
	Now func() time.Time
	// Model writes compare's streamed summary; nil uses the deterministic
	// builtin (internal/summary). Workflows get theirs from internal/jobs.
	Model llm.Model
	// SIPDomain is the domain of agents' SIP URIs.
	SIPDomain string
	// Secrets seals the secrets the server keeps for later use; nil keeps
	// them unsealed (and says so in the log).
	Secrets *seal.Box
	// CredentialTTL is how long this node trusts a credential row it read
	// (0: 500 ms, the most SPEC §24 allows with room; negative: read it on
	// every request, for tests that count statements).
	CredentialTTL time.Duration
	// CheckWebhookURL applies the guarded fetcher's rules that need no
	// network to a webhook URL (nil: only the form is checked).
	CheckWebhookURL func(string) error
	// WebhookRetryDelays are the waits before each retry of a failed
	// delivery (default: 5 s, 5 m, 30 m, 2 h, 5 h, 10 h, 10 h — more
	// than 24 h in all); tests shorten them.
	WebhookRetryDelays []time.Duration
}

// New returns a Service over s.
func New(s *store.Store, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SIPDomain == "" {
		opts.SIPDomain = "sip.agentplane.local"
	}
	if opts.CredentialTTL == 0 {
		opts.CredentialTTL = credentialTTL
	}
	if opts.WebhookRetryDelays == nil {
		opts.WebhookRetryDelays = defaultRetryDelays
	}
	return &Service{store: s, log: opts.Logger, now: opts.Now, model: opts.Model, sipDomain: opts.SIPDomain, secrets: opts.Secrets,
		used: lastUsed{pending: map[string]int64{}}, creds: credCache{ttl: opts.CredentialTTL},
		checkURL: opts.CheckWebhookURL, retryDelays: opts.WebhookRetryDelays}
}

// stamp is the current time as stored.
func (s *Service) stamp() agentplane.Time { return agentplane.TimeOf(s.now()) }

// Ready reports whether the database answers and its schema is current.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return agentplane.Errorf(agentplane.EUnavailable, "database unreachable")
	}
	cur, target, err := s.store.MigrationStatus(ctx)
	if err != nil {
		return agentplane.Errorf(agentplane.EUnavailable, "migration status unknown")
	}
	if cur < target {
		return agentplane.Errorf(agentplane.EUnavailable, "database schema is at %d, binary needs %d", cur, target)
	}
	return nil
}

// lastUsed coalesces credential use: authentication records the time in
// memory and a background loop writes the batch, so a busy key costs one
// UPDATE per flush interval rather than one per request.
type lastUsed struct {
	mu      sync.Mutex
	pending map[string]int64
}

func (l *lastUsed) record(id string, ms int64) {
	l.mu.Lock()
	l.pending[id] = ms
	l.mu.Unlock()
}

func (l *lastUsed) take() map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.pending
	l.pending = map[string]int64{}
	return out
}

// FlushLastUsed writes the recorded credential use times.
func (s *Service) FlushLastUsed(ctx context.Context) error {
	batch := s.used.take()
	if err := s.store.TouchCredentials(ctx, batch); err != nil {
		// Put the batch back so a transient failure loses nothing.
		for id, ms := range batch {
			s.used.mu.Lock()
			if cur, ok := s.used.pending[id]; !ok || cur < ms {
				s.used.pending[id] = ms
			}
			s.used.mu.Unlock()
		}
		return err
	}
	return nil
}

// RunLastUsedFlusher flushes every interval until ctx ends, then once more.
func (s *Service) RunLastUsedFlusher(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// The request context is gone; the final flush gets its own.
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.FlushLastUsed(fctx); err != nil {
				s.log.Warn("flush credential last_used_at", "err", err)
			}
			cancel()
			return
		case <-t.C:
			if err := s.FlushLastUsed(ctx); err != nil {
				s.log.Warn("flush credential last_used_at", "err", err)
			}
		}
	}
}
