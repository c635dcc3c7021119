package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/agentplane/agentplane"
)

const credentialColumns = `id, kind, organization_id, user_id, name, secret_hash, scopes, expires_at, created_at, last_used_at, revoked_at`

func scanCredential(row interface{ Scan(...any) error }) (agentplane.Credential, error) {
	var (
		c                agentplane.Credential
		org, user, scope *string
		created          int64
		lastUsed, revok  *int64
	)
	err := row.Scan(&c.ID, &c.Kind, &org, &user, &c.Name, &c.SecretHash, &scope, &c.ExpiresAt, &created, &lastUsed, &revok)
	if err != nil {
		return c, err
	}
	if org != nil {
		c.OrganizationID = *org
	}
	if user != nil {
		c.UserID = *user
	}
	if scope != nil {
		if err := json.Unmarshal([]byte(*scope), &c.Scopes); err != nil {
			return c, fmt.Errorf("credential %s scopes: %w", c.ID, err)
		}
	}
	c.CreatedAt = agentplane.TimeFromMillis(created)
	c.LastUsedAt, c.RevokedAt = timePtr(lastUsed), timePtr(revok)
	return c, nil
}

// CreateCredential stores a credential: its hash, never its secret.
func (q *Queries) CreateCredential(ctx context.Context, c agentplane.Credential) error {
	var scopes, org, user any
	if c.Scopes != nil {
		b, err := json.Marshal(c.Scopes)
		if err != nil {
			return err
		}
		scopes = string(b)
	}
	if c.OrganizationID != "" {
		org = c.OrganizationID
	}
	if c.UserID != "" {
		user = c.UserID
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO credentials (`+credentialColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL)`,
		c.ID, c.Kind, org, user, c.Name, c.SecretHash, scopes, c.ExpiresAt, c.CreatedAt.Millis())
	return mapErr(err)
}

// GetCredential looks a credential up by id for authentication, before any
// organization is known; it is the one unscoped read of this table.
// Revoked credentials are returned too: the caller decides.
func (q *Queries) GetCredential(ctx context.Context, id string) (agentplane.Credential, error) {
	c, err := scanCredential(q.q.QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE id = $1`, id))
	if errNoRows(err) {
		return c, agentplane.Errorf(agentplane.ENotFound, "credential not found")
	}
	return c, err
}

// CredentialOwner selects the credentials of one organization (its org
// keys) or of one user (their PATs).
type CredentialOwner struct {
	OrganizationID string
	UserID         string
}

func (o CredentialOwner) where(w *where) {
	if o.OrganizationID != "" {
		w.add("organization_id = ?", o.OrganizationID)
	} else {
		w.add("user_id = ?", o.UserID)
	}
}

// ListCredentials pages through the owner's live (unrevoked) credentials.
func (q *Queries) ListCredentials(ctx context.Context, owner CredentialOwner, p agentplane.Page) (agentplane.List[agentplane.Credential], error) {
	var w where
	owner.where(&w)
	w.add("revoked_at IS NULL")
	// Credentials have no updated_at; the window on it applies to created_at.
	p.Window.UpdatedAfter, p.Window.UpdatedBefore = nil, nil
	return listPage(ctx, q, "credentials", `SELECT `+credentialColumns+` FROM credentials WHERE `, &w, p, "", "id", scanCredential, func(c agentplane.Credential) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: c.CreatedAt.Millis(), ID: c.ID}
	})
}

// RevokeCredential marks one of the owner's live credentials revoked.
func (q *Queries) RevokeCredential(ctx context.Context, owner CredentialOwner, id string, now agentplane.Time) error {
	var w where
	w.add("id = ?", id)
	owner.where(&w)
	w.add("revoked_at IS NULL")
	set := fmt.Sprintf("UPDATE credentials SET revoked_at = $%d WHERE ", w.next(now.Millis()))
	res, err := q.q.ExecContext(ctx, set+w.sql(), w.args...)
	return affectedOne(res, err, "key not found")
}

// TouchCredentials records last use times collected in memory, in one
// transaction; a time never moves backwards.
func (s *Store) TouchCredentials(ctx context.Context, used map[string]int64) error {
	if len(used) == 0 {
		return nil
	}
	return s.WithTx(ctx, func(q *Queries) error {
		for id, ms := range used {
			if _, err := q.q.ExecContext(ctx,
				`UPDATE credentials SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
				id, ms); err != nil {
				return fmt.Errorf("touch credential: %w", err)
			}
		}
		return nil
	})
}
