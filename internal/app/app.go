// Package app wires agentplane together: configuration → store → service →
// HTTP. main() and the end-to-end tests both go through it, so what is
// tested is what runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/agentplane/agentplane/internal/config"
	webconsole "github.com/agentplane/agentplane/internal/console"
	"github.com/agentplane/agentplane/internal/fetch"
	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/agentplane/agentplane/internal/jobs"
	"github.com/agentplane/agentplane/internal/llm"
	"github.com/agentplane/agentplane/internal/mcp"
	"github.com/agentplane/agentplane/internal/seal"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/sip"
	"github.com/agentplane/agentplane/internal/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// App is a running agentplane node.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	store   *store.Store
	svc     *service.Service
	queue   *jobs.Queue
	handler *httpapi.Server
	ln      net.Listener
	srv     *http.Server
	sip     *sip.Server // nil unless --sip-listen

	conns openConns
}

// openConns counts the server's open connections, so shutdown can wait
// for every accepted one to be answered, and notes when the last one was
// accepted.
type openConns struct {
	n    atomic.Int64
	last atomic.Int64 // unix nanoseconds of the newest accept
}

func (o *openConns) track(_ net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		o.n.Add(1)
		o.last.Store(time.Now().UnixNano())
	case http.StateClosed, http.StateHijacked:
		o.n.Add(-1)
	}
}

// drain stops taking connections and lets the accepted ones finish. Go's
// Shutdown alone would drop a connection whose request it had accepted
// but not yet read (it checks for shutdown after reading the header), so
// first: close the listener, turn keep-alives off (each answer then closes
// its connection, idle ones close now), and wait until no connection is
// left; Shutdown then only mops up what outlived the deadline.
func (a *App) drain(ctx context.Context) {
	// Connections the kernel has already completed sit in the listen
	// backlog; closing the listener would reset them. Keep accepting until
	// none has arrived for 50 ms (at most a second), then close.
	const quiet = 50 * time.Millisecond
	start := time.Now()
	for time.Since(start) < time.Second {
		last := max(a.conns.last.Load(), start.UnixNano())
		if time.Since(time.Unix(0, last)) >= quiet {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = a.ln.Close()
	a.srv.SetKeepAlivesEnabled(false)
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for a.conns.n.Load() > 0 {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// New opens and migrates the database, binds the listener (so Addr is
// known before Run), and then, on a database without organizations,
// creates organization "default" with an admin key and shows the key on
// console: only a node that holds its port makes the key, and the key is
// kept only once it was written out (see service.EnsureDefault).
func New(ctx context.Context, cfg config.Config, log, access *slog.Logger, console io.Writer) (*App, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, store: st}
	var model llm.Model
	if cfg.LLMBaseURL != "" {
		// The base URL is the operator's own choice, so it needs no
		// guarded dialer; it is the only outside system we call here.
		if model, err = llm.New(llm.Config{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel}); err != nil {
			st.Close()
			return nil, err
		}
	}
	secrets, err := serverKey(cfg, st, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	// The guarded fetcher reads company websites and delivers webhooks:
	// every URL a user gives goes through its rules.
	fetcher := fetch.New(fetch.Options{AllowCIDRs: cfg.FetchAllowCIDRs, AllowPorts: cfg.FetchAllowPorts})
	svc := service.New(st, service.Options{Logger: log, Model: model, SIPDomain: cfg.SIPDomain, Secrets: secrets,
		CheckWebhookURL: webhookURLCheck(fetcher), WebhookRetryDelays: cfg.WebhookRetryDelays})
	a.svc = svc
	// The queue runs the workflows' steps and delivers webhooks through
	// the service, and registers with the store, which writes a job with
	// every workflow and wakes it after every change with events.
	a.queue, err = jobs.New(ctx, st, svc, jobs.Options{Logger: log, JobTimeout: cfg.JobTimeout, Model: model, Crawl: fetcher.Crawl,
		Post: fetcher.Post, SweepInterval: cfg.WebhookSweep})
	if err != nil {
		st.Close()
		return nil, err
	}
	key, err := a.svc.CursorKey(ctx)
	if errors.Is(err, seal.ErrWrongKey) {
		err = fmt.Errorf("%w; a restored database needs the %s it was backed up with, or the same AGENTPLANE_SECRET_KEY", err, keyFileName)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(st.DB(), string(st.Engine())), jobs.NewCollector(st), jobs.NewWebhookCollector(svc),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "agentplane_db_statements_total",
			Help: "SQL statements the API's store has sent (the job queue's own are not counted).",
		}, func() float64 { return float64(st.Statements()) }))
	// The MCP server's tools are the document's operations, built once.
	mcpServer, err := mcp.New(httpapi.OpenAPIYAML, mcp.Options{MaxBodyBytes: cfg.MaxBodyBytes, WriteTimeout: cfg.WriteTimeout, Logger: log})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("build the MCP tools: %w", err)
	}
	a.handler = httpapi.New(a.svc, httpapi.Options{MaxBodyBytes: cfg.MaxBodyBytes, CursorKey: key, Logger: log, AccessLog: access, Registry: reg,
		PublicURL: cfg.PublicURL, Console: webconsole.Handler(), MCP: mcpServer.Handler,
		Limits:       httpapi.Limits{PerSecond: cfg.RateLimit, Burst: cfg.RateBurst, AuthFailuresPerMinute: cfg.AuthFailLimit},
		WriteTimeout: cfg.WriteTimeout, DetailCacheBytes: detailCacheBytes(cfg.DetailCacheBytes)})
	if a.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		st.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if err := a.firstStart(ctx, console); err != nil {
		a.ln.Close()
		st.Close()
		return nil, err
	}
	// The SIP front door binds its listeners now too, so a port in use
	// fails the start, not the first call.
	if a.sip, err = newSIP(cfg, svc, log, reg); err != nil {
		a.ln.Close()
		st.Close()
		return nil, err
	}
	a.srv = &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnState:         a.conns.track,
	}
	return a, nil
}

// firstStart creates the default organization and its key on an empty
// database and shows the key on console — the deliberate exception to "no
// secret in any output": once, on stdout, never in the log.
func (a *App) firstStart(ctx context.Context, console io.Writer) error {
	shown := false
	_, err := a.svc.EnsureDefault(ctx, func(key string) error {
		_, err := fmt.Fprintf(console, "\n  First start: created organization \"default\" and an admin API key.\n"+
			"  It is shown only this once; keep it somewhere safe:\n\n      %s\n\n"+
			"  Try: curl -H \"Authorization: Bearer %s\" http://%s/core/agents\n"+
			"  or sign in to the console with it: %s\n\n", key, key, a.Addr(), a.consoleURL())
		if err != nil {
			return fmt.Errorf("show the first-start key: %w; nothing was created, and the next start makes a new key", err)
		}
		shown = true
		return nil
	})
	if err != nil && shown {
		return fmt.Errorf("create the default organization: %w; the key shown above was not saved and does not work: the next start makes and shows a new one", err)
	}
	if err != nil {
		return fmt.Errorf("create the default organization: %w", err)
	}
	return nil
}

// serverKey returns the box that seals stored secrets: under
// AGENTPLANE_SECRET_KEY when set; on SQLite otherwise under a key file
// made once in the data dir beside the database; on PostgreSQL otherwise
// none, which the log says (every node would need the same key file).
func serverKey(cfg config.Config, st *store.Store, log *slog.Logger) (*seal.Box, error) {
	key := cfg.SecretKey
	if key == nil && st.Engine() == store.SQLite {
		var err error
		if key, err = seal.KeyFile(filepath.Join(cfg.DataDir, "secret.key")); err != nil {
			return nil, err
		}
	}
	if key == nil {
		log.Warn("AGENTPLANE_SECRET_KEY is not set: the cursor-signing key is stored unsealed; set it to the base64 of 32 random bytes, the same on every node")
		return nil, nil
	}
	return seal.New(key)
}

// consoleURL is where the console is: under the public URL when one is
// set, else at the listen address (a wildcard one shown as localhost).
func (a *App) consoleURL() string {
	if u := a.cfg.PublicURL; u != nil {
		return u.String() + "/console/"
	}
	host, port, err := net.SplitHostPort(a.Addr())
	if err != nil {
		return "http://" + a.Addr() + "/console/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/console/"
}

// Addr is the address the node listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Run serves until ctx is cancelled, then shuts down gracefully: the
// listener closes, in-flight requests finish (up to the shutdown timeout),
// the SIP front door's calls too, recorded credential use is flushed and
// the database is closed.
func (a *App) Run(ctx context.Context) error {
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		a.svc.RunLastUsedFlusher(bg, 10*time.Second)
	}()
	go a.sweep(bg)

	if err := a.queue.Start(bg); err != nil {
		stopBG()
		if a.sip != nil {
			a.sip.Close()
		}
		return fmt.Errorf("start jobs: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- a.srv.Serve(a.ln) }()
	if a.sip != nil {
		a.sip.Start()
	}
	a.log.Info("serving", "addr", a.Addr(), "engine", a.store.Engine())

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
	defer cancel()
	// SIP stops taking calls at once and lets established ones end, in
	// the same budget and beside HTTP, whose shutdown it never delays; the
	// database stays open until its last call is recorded.
	sipDone := a.shutdownSIP(sctx)
	a.drain(sctx)
	if err := a.srv.Shutdown(sctx); err != nil {
		a.log.Warn("shutdown", "err", err)
	}
	// Running jobs get the rest of the shutdown budget; what is still
	// running then is cancelled and handed back to the queue.
	if err := a.queue.Stop(sctx); err != nil {
		a.log.Warn("stop jobs", "err", err)
	}
	stopBG()
	<-flushed
	<-sipDone
	if err := a.store.Close(); err != nil {
		a.log.Warn("close database", "err", err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) || errors.Is(serveErr, net.ErrClosed) {
		serveErr = nil
	}
	return serveErr
}

// sweep deletes expired idempotency records every ten minutes and audit
// entries past their retention every hour; any node may do it, and doing
// it twice is harmless.
func (a *App) sweep(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.svc.SweepIdempotencyKeys(ctx); err != nil {
				a.log.Warn("sweep idempotency keys", "err", err)
			} else if n > 0 {
				a.log.Info("swept idempotency keys", "deleted", n)
			}
			if i%6 != 0 {
				continue
			}
			if n, err := a.svc.PruneAuditLog(ctx, a.cfg.AuditRetention); err != nil {
				a.log.Warn("prune audit log", "err", err)
			} else if n > 0 {
				a.log.Info("pruned audit log", "deleted", n, "retention", a.cfg.AuditRetention.String())
			}
		}
	}
}

// webhookURLCheck is the guarded fetcher's URL check, its refusals said
// for the person who typed the URL.
func webhookURLCheck(f *fetch.Fetcher) func(string) error {
	return func(raw string) error {
		switch err := f.CheckURL(raw); {
		case err == nil:
			return nil
		case errors.Is(err, fetch.ErrForbiddenAddress):
			return errors.New("the address is loopback, private, link-local or reserved (an operator may allow it with AGENTPLANE_FETCH_ALLOW_CIDRS)")
		case errors.Is(err, fetch.ErrPort):
			return errors.New("only ports 80 and 443 are allowed (an operator may allow others with AGENTPLANE_FETCH_ALLOW_PORTS)")
		default:
			return err
		}
	}
}

// Routes exposes the route table (tests and docs).
func (a *App) Routes() []httpapi.RouteInfo { return a.handler.Routes() }

// newLogger builds the slog logger of the configured format and level.
func newLogger(w io.Writer, format, level string, terminal bool) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "" {
		format = "json"
		if terminal {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(newLineJSON(w, opts))
}

// detailCacheBytes turns --detail-cache-bytes (0 disables) into
// httpapi.Options.DetailCacheBytes (0 is the default, negative disables).
func detailCacheBytes(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
