package store

import (
	"errors"

	"github.com/agentplane/agentplane"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// mapErr turns the driver errors that callers act on into agentplane
// errors, once, here: unique violations become EConflict. Others pass
// through unchanged and end as 500s.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pe.Code {
		case "23505":
			return &agentplane.Error{Code: agentplane.EConflict, Message: "already exists"}
		case "23503":
			return &agentplane.Error{Code: agentplane.ENotFound, Message: "a referenced object does not exist"}
		}
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &agentplane.Error{Code: agentplane.EConflict, Message: "already exists"}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &agentplane.Error{Code: agentplane.ENotFound, Message: "a referenced object does not exist"}
		}
	}
	return err
}

// isConflict reports whether err is a mapped unique violation.
func isConflict(err error) bool { return agentplane.ErrorCodeOf(err) == agentplane.EConflict }
