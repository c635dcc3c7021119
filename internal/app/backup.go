package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/agentplane/agentplane/internal/config"
	"github.com/agentplane/agentplane/internal/store"
)

// keyFileName is the server key's file in the data dir (SQLite without
// AGENTPLANE_SECRET_KEY).
const keyFileName = "secret.key"

func backupCommand() *command {
	return &command{
		name: "backup", synopsis: "--out FILE", settings: config.Database, flags: backup,
		summary: "write a consistent copy of the SQLite database, also while the server runs (PostgreSQL: use pg_dump)",
	}
}

// errBackupPostgres answers backup on PostgreSQL, whose own tools do it
// better; the database URL is not repeated, as it may hold a password.
var errBackupPostgres = errors.New("backup copies SQLite databases and this one is PostgreSQL: " +
	`use pg_dump --format=custom --file FILE "$AGENTPLANE_DATABASE_URL" (restore with pg_restore), ` +
	"and keep AGENTPLANE_SECRET_KEY with it; see docs/operations.md")

func backup(fs *flag.FlagSet) action {
	out := fs.String("out", "", "file to write the copy to; it must not exist (required)")
	return func(ctx context.Context, cfg config.Config, env Env) error {
		if err := required("out", *out); err != nil {
			return err
		}
		if cfg.DatabaseURL != "" {
			return errBackupPostgres
		}
		// Connect, not Open: a backup never migrates the database of a
		// server that may be running an older release on it.
		st, err := store.Connect(ctx, store.Options{DataDir: cfg.DataDir, MustExist: true})
		if err != nil {
			return err
		}
		defer st.Close()
		start := time.Now()
		size, err := st.Backup(ctx, *out)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		fmt.Fprintf(env.Stdout, "wrote %s (%d bytes in %s)\n", *out, size, time.Since(start).Round(time.Millisecond))
		// The copy's sealed secrets open only under the server key, which
		// is not in the database: say where it is, every time.
		keyFile := filepath.Join(cfg.DataDir, keyFileName)
		if _, err := os.Stat(keyFile); err == nil {
			fmt.Fprintf(env.Stdout, "The copy opens only with its server key, %s (it never changes): keep a copy of that file,\n"+
				"stored apart from the backups, and put it back beside agentplane.db when you restore.\n", keyFile)
		} else {
			fmt.Fprintf(env.Stdout, "No %s in %s: the server seals its secrets with AGENTPLANE_SECRET_KEY;\n"+
				"a restore needs the same value.\n", keyFileName, cfg.DataDir)
		}
		return nil
	}
}
