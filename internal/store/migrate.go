package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// provider returns the goose provider of the store's engine. On PostgreSQL
// it takes a session advisory lock, so nodes starting together migrate once.
func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.engine))
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if s.engine == Postgres {
		dialect = goose.DialectPostgres
		// Retry the advisory lock every second (goose's default is 5 s) for
		// up to 5 minutes, so a node starting beside another waits for its
		// migrations briefly rather than in 5 s steps.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, s.db, sub, opts...)
}

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// MigrationStatus reports the applied and the newest known version; readyz
// uses it to refuse traffic on a database that is behind the binary. The
// provider is built once per store, not per probe.
func (s *Store) MigrationStatus(ctx context.Context) (current, target int64, err error) {
	s.statusOnce.Do(func() { s.status, s.statusErr = s.provider() })
	if s.statusErr != nil {
		return 0, 0, s.statusErr
	}
	return s.status.GetVersions(ctx)
}
