package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the driver the server uses on PostgreSQL
)

// The baseline is a bare net/http server, run as a separate process (this
// binary re-executed with the "baseline" argument) so that it competes for
// the same two cores the way the real server does. It opens the server's
// database with the server's driver, DSN and pool size (the SQLite file,
// or the same PostgreSQL database through pgx's database/sql driver) and
// does, per request, only the database work of the route:
//
//	GET  /core/agents/{id}  one point read (SELECT … FROM agents WHERE
//	                        organization_id = $1 AND id = $2), then writes
//	                        the bytes the real server returned for that agent
//	POST /core/agents       decode the body, one INSERT in its own
//	                        transaction (SQLite: BEGIN IMMEDIATE … COMMIT),
//	                        encode the agent as the server does. On SQLite
//	                        writers queue on a Go mutex, as internal/store
//	                        does there, so both sides hand the write lock
//	                        over the same way; on PostgreSQL, as there, not
//
// No authentication, no middleware, no access log, no metrics.
func runBaseline(args []string) error {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	driver := fs.String("driver", "sqlite", "database/sql driver: sqlite or pgx")
	dsn := fs.String("dsn", "", "data source name, as the server's")
	pool := fs.Int("pool", 8, "connections, as the server's pool")
	org := fs.String("org", "", "organization id")
	bodiesFile := fs.String("bodies", "", "JSON object: agent id → GET body")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bodies := map[string]string{}
	if *bodiesFile != "" {
		b, err := os.ReadFile(*bodiesFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &bodies); err != nil {
			return err
		}
	}
	db, err := sql.Open(*driver, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(*pool) // as internal/store does (Connect)
	db.SetMaxIdleConns(*pool)
	if err := db.Ping(); err != nil {
		return err
	}
	// The server's INSERT casts the metadata parameter to jsonb on
	// PostgreSQL (internal/store/dialect.go, jsonParam) and serializes
	// writers on SQLite only.
	metaParam, serialWrites := "$7", *driver == "sqlite"
	if !serialWrites {
		metaParam = "$7::jsonb"
	}

	var writeMu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("GET /core/agents/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		var (
			a            baselineAgent
			meta         string
			created, upd int64
		)
		err := db.QueryRowContext(r.Context(), `SELECT id, organization_id, name, description, active, is_demo, metadata, created_at, updated_at
			FROM agents WHERE organization_id = $1 AND id = $2`, *org, id).
			Scan(&a.ID, &a.OrganizationID, &a.Name, &a.Description, &a.Active, &a.IsDemo, &meta, &created, &upd)
		body, ok := bodies[id]
		if errors.Is(err, sql.ErrNoRows) || !ok {
			http.Error(w, `{"detail":"agent not found","code":"not_found"}`, http.StatusNotFound)
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, body)
	})
	mux.HandleFunc("POST /core/agents", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Active      *bool           `json:"active"`
			IsDemo      *bool           `json:"is_demo"`
			Metadata    json.RawMessage `json:"metadata"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		now := time.Now().UnixMilli()
		a := baselineAgent{ID: uuid.Must(uuid.NewV7()).String(), OrganizationID: *org, Name: in.Name,
			Description: in.Description, Active: true, Metadata: json.RawMessage(`{}`),
			CreatedAt: msTime(now), UpdatedAt: msTime(now)}
		if in.Active != nil {
			a.Active = *in.Active
		}
		if in.IsDemo != nil {
			a.IsDemo = *in.IsDemo
		}
		if len(in.Metadata) > 0 {
			a.Metadata = in.Metadata
		}
		if serialWrites {
			writeMu.Lock()
		}
		err := insertAgent(r.Context(), db, metaParam, a, now)
		if serialWrites {
			writeMu.Unlock()
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		b, _ := json.Marshal(a)
		b = append(b, '\n')
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(b)
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	fmt.Printf("listening %s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// insertAgent is the baseline's one INSERT in its own transaction.
func insertAgent(ctx context.Context, db *sql.DB, metaParam string, a baselineAgent, now int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO agents (id, organization_id, name, description, active, is_demo, metadata, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, `+metaParam+`, $8, $9)`,
		a.ID, a.OrganizationID, a.Name, a.Description, a.Active, a.IsDemo, string(a.Metadata), now, now)
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// baselineAgent is the agent object as the API renders it (SPEC §4).
type baselineAgent struct {
	ID             string          `json:"id"`
	OrganizationID string          `json:"organization_id"`
	Name           string          `json:"name"`
	Description    string          `json:"description"`
	Active         bool            `json:"active"`
	IsDemo         bool            `json:"is_demo"`
	Metadata       json.RawMessage `json:"metadata"`
	CreatedAt      msTime          `json:"created_at"`
	UpdatedAt      msTime          `json:"updated_at"`
}

// msTime renders epoch milliseconds as RFC 3339 UTC with milliseconds.
type msTime int64

func (t msTime) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, time.UnixMilli(int64(t)).UTC().Format("2006-01-02T15:04:05.000Z07:00")), nil
}

// baselineProc is a running baseline child process.
type baselineProc struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

func startBaseline(db database, org, bodiesFile string) (*baselineProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, append(append([]string{"baseline"}, db.baselineArgs()...), "-org", org, "-bodies", bodiesFile)...)
	cmd.Env = cleanEnv()
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &baselineProc{cmd: cmd, done: make(chan error, 1)}
	line := make(chan string, 1)
	go func() {
		buf := make([]byte, 256)
		var got []byte
		for {
			n, err := out.Read(buf)
			got = append(got, buf[:n]...)
			if i := strings.IndexByte(string(got), '\n'); i >= 0 {
				line <- string(got[:i])
				break
			}
			if err != nil {
				line <- ""
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
		p.done <- cmd.Wait()
	}()
	select {
	case l := <-line:
		addr, ok := strings.CutPrefix(l, "listening ")
		if !ok {
			_ = cmd.Process.Kill()
			return nil, fmt.Errorf("baseline did not start: %q", l)
		}
		p.addr = addr
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("baseline did not start within 30s")
	}
	return p, nil
}

func (p *baselineProc) url(path string) string { return "http://" + p.addr + path }

func (p *baselineProc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}
