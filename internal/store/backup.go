package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the SQLite database to path and
// returns its size. VACUUM INTO reads the database in one transaction, so
// the copy holds exactly what was committed when it began while writers
// carry on beside it (WAL). path must not exist: the copy is made under a
// temporary name in path's directory, created 0600 like the database,
// synced (VACUUM INTO does not sync its output), then linked into place,
// so path never names half a copy and an existing file is never replaced.
// PostgreSQL has pg_dump for this, and Backup refuses it.
func (s *Store) Backup(ctx context.Context, path string) (int64, error) {
	if s.engine != SQLite {
		return 0, errors.New("backup copies SQLite databases; use pg_dump for PostgreSQL")
	}
	if _, err := os.Lstat(path); err == nil {
		return 0, fmt.Errorf("%s already exists; a backup never replaces a file", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp") // mode 0600
	if err != nil {
		return 0, fmt.Errorf("create backup file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	// VACUUM INTO accepts an empty file as its target. It is a read of
	// the database, so it goes to the pool directly, not through the write
	// lock that serializes this process's writers.
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO $1`, tmp.Name()); err != nil {
		return 0, fmt.Errorf("copy database: %w", mapErr(err))
	}
	f, err := os.Open(tmp.Name())
	if err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = f.Sync()
	}
	if err := errors.Join(err, f.Close()); err != nil {
		return 0, fmt.Errorf("sync backup: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return 0, fmt.Errorf("%s already exists; a backup never replaces a file", path)
	} else if err != nil {
		return 0, fmt.Errorf("create backup file: %w", err)
	}
	// The new name is durable once its directory is.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return fi.Size(), nil
}
