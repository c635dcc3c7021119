package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxPrepared bounds the statement cache. The store builds its SQL from a
// bounded set of shapes (each list filter combination is one text, and
// lists travel as one JSON parameter), so a few hundred texts cover every
// statement it sends; past the bound a text runs unprepared, as before.
const maxPrepared = 256

// stmtCache keeps one prepared statement per SQL text on SQLite, where
// preparing (tokenize, parse, plan) cost more than running the statement:
// 43% of a GET's CPU before the cache (docs/performance.md). database/sql
// prepares a cached *sql.Stmt once per connection and reuses it after.
//
// PostgreSQL needs none: pgx already keeps a per-connection LRU of 512
// prepared statements keyed by SQL text (QueryExecModeCacheStatement, its
// default), and unlike a *sql.Stmt it re-prepares when a migration on
// another node changes a table under it.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // SQL text → *sql.Stmt
	n  atomic.Int32
}

// get returns the statement for query, preparing it on first use; nil when
// the cache is full or the text does not prepare (the caller then runs it
// unprepared, which reports the error the usual way).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if c.n.Load() >= maxPrepared {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close() // another goroutine prepared it first
		return prev.(*sql.Stmt)
	}
	c.n.Add(1)
	return st
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// preparedPool runs statements on the pool through the cache.
type preparedPool struct {
	*sql.DB
	c *stmtCache
}

func (p preparedPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.c.get(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

func (p preparedPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.c.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p preparedPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.c.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// preparedTx runs statements in one transaction through the cache:
// tx.StmtContext reuses the statement already prepared on the
// transaction's connection, or prepares it there once.
type preparedTx struct {
	*sql.Tx
	c *stmtCache
}

func (p preparedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := p.c.get(ctx, query); st != nil {
		return p.Tx.StmtContext(ctx, st)
	}
	return nil
}

func (p preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.Tx.ExecContext(ctx, query, args...)
}

func (p preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.Tx.QueryContext(ctx, query, args...)
}

func (p preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.Tx.QueryRowContext(ctx, query, args...)
}
