package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/agentplane/agentplane"
)

const widgetColumns = `id, organization_id, name, agent_id, agent_version_id, domains, published, config, created_at, updated_at`

func scanWidget(row interface{ Scan(...any) error }) (agentplane.WebWidget, error) {
	var (
		w               agentplane.WebWidget
		domains, config []byte
		created, upd    int64
	)
	err := row.Scan(&w.ID, &w.OrganizationID, &w.Name, &w.AgentID, &w.AgentVersionID, &domains, &w.Published, &config, &created, &upd)
	if err != nil {
		return w, err
	}
	return w, finishWidget(&w, domains, config, created, upd)
}

// finishWidget sets the fields of w that need converting from their
// stored form (a list read with scanWidget and the agent detail's embed
// share it, so both render a widget alike).
func finishWidget(w *agentplane.WebWidget, domains, config []byte, created, upd int64) error {
	if err := json.Unmarshal(domains, &w.Domains); err != nil {
		return fmt.Errorf("widget %s domains: %w", w.ID, err)
	}
	if w.Domains == nil {
		w.Domains = []string{}
	}
	if c, cerr := agentplane.CanonicalJSON(config); cerr == nil {
		config = c
	}
	w.Config = config
	w.CreatedAt, w.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return nil
}

func widgetArgs(w agentplane.WebWidget) (domains, config string, err error) {
	d := w.Domains
	if d == nil {
		d = []string{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", "", err
	}
	c := string(w.Config)
	if agentplane.IsNull(w.Config) {
		c = "{}"
	}
	return string(b), c, nil
}

// CreateWidget inserts w.
func (q *Queries) CreateWidget(ctx context.Context, w agentplane.WebWidget) error {
	if err := q.touch(w.OrganizationID, w.AgentID); err != nil {
		return err
	}
	domains, config, err := widgetArgs(w)
	if err != nil {
		return err
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO web_widgets (`+widgetColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, `+q.d.jsonParam(8)+`, $9, $10)`,
		w.ID, w.OrganizationID, w.Name, w.AgentID, w.AgentVersionID, domains, w.Published, config, w.CreatedAt.Millis(), w.UpdatedAt.Millis())
	return mapErr(err)
}

// GetWidget returns orgID's widget id.
func (q *Queries) GetWidget(ctx context.Context, orgID, id string) (agentplane.WebWidget, error) {
	w, err := scanWidget(q.q.QueryRowContext(ctx, `SELECT `+widgetColumns+` FROM web_widgets WHERE organization_id = $1 AND id = $2`, orgID, id))
	if errNoRows(err) {
		return w, agentplane.Errorf(agentplane.ENotFound, "web widget not found")
	}
	return w, err
}

// GetPublicWidget looks a widget up by id alone, for the credential-free
// public read: the one route where no organization is known. The caller
// applies the published and Origin rules.
func (q *Queries) GetPublicWidget(ctx context.Context, id string) (agentplane.WebWidget, error) {
	w, err := scanWidget(q.q.QueryRowContext(ctx, `SELECT `+widgetColumns+` FROM web_widgets WHERE id = $1`, id))
	if errNoRows(err) {
		return w, agentplane.Errorf(agentplane.ENotFound, "web widget not found")
	}
	return w, err
}

// UpdateWidget writes every mutable field. The widget may move to another
// agent: the details of both change.
func (q *Queries) UpdateWidget(ctx context.Context, w agentplane.WebWidget) error {
	domains, config, err := widgetArgs(w)
	if err != nil {
		return err
	}
	if err := q.touchListed(ctx, widgetAgentSQL[q.d.engine], w.OrganizationID, w.ID); err != nil {
		return err
	}
	if err := q.touch(w.OrganizationID, w.AgentID); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE web_widgets SET name = $3, agent_id = $4, agent_version_id = $5, domains = $6,
		published = $7, config = `+q.d.jsonParam(8)+`, updated_at = $9 WHERE organization_id = $1 AND id = $2`,
		w.OrganizationID, w.ID, w.Name, w.AgentID, w.AgentVersionID, domains, w.Published, config, w.UpdatedAt.Millis())
	return affectedOne(res, err, "web widget not found")
}

// DeleteWidget removes orgID's widget.
func (q *Queries) DeleteWidget(ctx context.Context, orgID, id string) error {
	if err := q.touchListed(ctx, widgetAgentSQL[q.d.engine], orgID, id); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM web_widgets WHERE organization_id = $1 AND id = $2`, orgID, id)
	return affectedOne(res, err, "web widget not found")
}

// widgetAgentSQL lists, as a JSON array, the agent organization $1's
// widget $2 belongs to now ([] when there is no such widget), for
// touchListed.
var widgetAgentSQL = map[Engine]string{
	SQLite:   `SELECT ` + dialects[SQLite].jsonArrayOfDistinct("agent_id") + ` FROM web_widgets WHERE organization_id = $1 AND id = $2`,
	Postgres: `SELECT ` + dialects[Postgres].jsonArrayOfDistinct("agent_id") + ` FROM web_widgets WHERE organization_id = $1 AND id = $2`,
}

// ListWidgets pages through orgID's widgets, optionally of one agent.
func (q *Queries) ListWidgets(ctx context.Context, orgID, agentID string, p agentplane.Page) (agentplane.List[agentplane.WebWidget], error) {
	var w where
	w.add("organization_id = ?", orgID)
	if agentID != "" {
		w.add("agent_id = ?", agentID)
	}
	return listPage(ctx, q, "widgets", `SELECT `+widgetColumns+` FROM web_widgets WHERE `, &w, p, "", "id", scanWidget, func(x agentplane.WebWidget) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: x.CreatedAt.Millis(), ID: x.ID}
	})
}

// GetVersionByID returns orgID's version by its id.
func (q *Queries) GetVersionByID(ctx context.Context, orgID, id string) (agentplane.Version, error) {
	v, err := scanVersion(q.q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM agent_versions WHERE organization_id = $1 AND id = $2`, orgID, id))
	if errNoRows(err) {
		return v, agentplane.Errorf(agentplane.ENotFound, "agent version not found")
	}
	return v, err
}
