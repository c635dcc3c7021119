package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/agentplane/agentplane"
)

const conversationColumns = `id, organization_id, agent_id, agent_version_id, version, web_widget_id, channel, direction,
	status, user_id, agent_number, duration, user_turn_count, initial_context, summary, transcript, custom_metadata,
	created_at, updated_at, rollout_id, rollout`

func scanConversation(row interface{ Scan(...any) error }) (agentplane.Conversation, error) {
	var (
		c                    agentplane.Conversation
		initial, trans, meta []byte
		created, upd         int64
	)
	err := row.Scan(&c.ID, &c.OrganizationID, &c.AgentID, &c.AgentVersionID, &c.Version, &c.WebWidgetID, &c.Channel,
		&c.Direction, &c.Status, &c.UserID, &c.AgentNumber, &c.Duration, &c.UserTurnCount, &initial, &c.Summary,
		&trans, &meta, &created, &upd, &c.RolloutID, &c.Rollout)
	c.InitialContext = canonicalOrNil(initial)
	c.Transcript = canonicalOrNil(trans)
	c.CustomMetadata = canonicalOrNil(meta)
	c.CreatedAt, c.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return c, err
}

func canonicalOrNil(b []byte) []byte {
	if b == nil {
		return nil
	}
	if c, err := agentplane.CanonicalJSON(b); err == nil {
		return c
	}
	return b
}

// CreateConversation inserts c and counts it in the statistics of its
// agent, its version and the rollout it belongs to (if any). Call it
// inside a transaction so they stay in step.
func (q *Queries) CreateConversation(ctx context.Context, c agentplane.Conversation) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO conversations (`+conversationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, `+q.d.jsonParam(14)+`, $15, `+q.d.jsonParam(16)+`, `+q.d.jsonParam(17)+`, $18, $19, $20, $21)`,
		c.ID, c.OrganizationID, c.AgentID, c.AgentVersionID, c.Version, c.WebWidgetID, c.Channel, c.Direction,
		c.Status, c.UserID, c.AgentNumber, c.Duration, c.UserTurnCount, nullJSON(c.InitialContext), c.Summary,
		nullJSON(c.Transcript), nullJSON(c.CustomMetadata), c.CreatedAt.Millis(), c.UpdatedAt.Millis(), c.RolloutID, c.Rollout)
	if err != nil {
		return mapErr(err)
	}
	return q.bump(ctx, c, map[string]float64{
		"total": 1, "direction:" + c.Direction: 1, "channel:" + c.Channel: 1, "status:" + c.Status: 1,
	}, true)
}

// bump adds deltas to the counters of c's agent and of its version (over
// all time, and in c's rollout), and with created records c's creation as
// the version's newest. Each table's counters move in one statement whose
// rows arrive as one JSON parameter (a constant text, AGENTS.md), in
// sorted order: concurrent transactions lock counter rows in the same
// order and can't deadlock each other.
func (q *Queries) bump(ctx context.Context, c agentplane.Conversation, deltas map[string]float64, created bool) error {
	var agentRows [][]any
	for _, name := range slices.Sorted(maps.Keys(deltas)) {
		if deltas[name] != 0 {
			agentRows = append(agentRows, []any{name, deltas[name]})
		}
	}
	if c.AgentID != nil && len(agentRows) > 0 {
		// The counters and the newest conversation are part of the
		// agent's detail. A change that moves no counter (a transcript
		// update) changes neither.
		if err := q.touch(c.OrganizationID, *c.AgentID); err != nil {
			return err
		}
		if err := q.upsertCounters(ctx, counterStatements[q.d.engine].agent, c.OrganizationID, *c.AgentID, agentRows); err != nil {
			return fmt.Errorf("bump agent counters: %w", err)
		}
	}
	if c.AgentVersionID == nil || (len(agentRows) == 0 && !created) {
		return nil
	}
	// The version's: over all time (rollout ""), and in c's rollout when
	// it counts in one. "last_at" keeps the newest creation time, a
	// maximum rather than a sum.
	rows := agentRows
	if created {
		rows = append(slices.Clone(rows), []any{"last_at", float64(c.CreatedAt.Millis())})
		slices.SortFunc(rows, func(a, b []any) int { return strings.Compare(a[0].(string), b[0].(string)) })
	}
	rollouts := []string{""} // "" sorts first
	if c.RolloutID != nil {
		rollouts = append(rollouts, *c.RolloutID)
	}
	var versionRows [][]any
	for _, r := range rollouts {
		for _, row := range rows {
			versionRows = append(versionRows, append([]any{r}, row...))
		}
	}
	if err := q.upsertCounters(ctx, counterStatements[q.d.engine].version, c.OrganizationID, *c.AgentVersionID, versionRows); err != nil {
		return fmt.Errorf("bump version counters: %w", err)
	}
	return nil
}

// upsertCounters runs one of counterStatements with rows as its JSON list.
func (q *Queries) upsertCounters(ctx context.Context, stmt, orgID, ownerID string, rows [][]any) error {
	list, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	_, err = q.q.ExecContext(ctx, stmt, orgID, ownerID, string(list))
	return err
}

// counterSQL is an engine's counter upserts, built once: $1 the
// organization, $2 the agent (or version), $3 a JSON array of rows —
// [name, delta] for agents, [rollout, name, delta] for versions — upserted
// in array order.
type counterSQL struct{ agent, version string }

var counterStatements = map[Engine]counterSQL{
	SQLite:   newCounterSQL(dialects[SQLite]),
	Postgres: newCounterSQL(dialects[Postgres]),
}

func newCounterSQL(d *dialect) counterSQL {
	// rows renders the SELECT of the array's elements as columns.
	rows := func(cols int) string {
		var sel []string
		if d.engine == Postgres {
			for i := range cols - 1 {
				sel = append(sel, fmt.Sprintf("r.e->>%d", i))
			}
			sel = append(sel, fmt.Sprintf("(r.e->>%d)::float8", cols-1))
			return "SELECT $1, $2, " + strings.Join(sel, ", ") +
				" FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS r(e, i) ORDER BY r.i"
		}
		for i := range cols {
			sel = append(sel, fmt.Sprintf("json_extract(r.value, '$[%d]')", i))
		}
		// WHERE true: SQLite's upsert after a SELECT needs it to parse.
		return "SELECT $1, $2, " + strings.Join(sel, ", ") + " FROM json_each($3) AS r WHERE true ORDER BY r.key"
	}
	return counterSQL{
		agent: `INSERT INTO agent_conversation_stats (organization_id, agent_id, name, value) ` + rows(2) + `
			ON CONFLICT (organization_id, agent_id, name)
			DO UPDATE SET value = agent_conversation_stats.value + excluded.value`,
		version: `INSERT INTO version_conversation_stats (organization_id, agent_version_id, rollout_id, name, value) ` + rows(3) + `
			ON CONFLICT (organization_id, agent_version_id, rollout_id, name)
			DO UPDATE SET value = CASE WHEN excluded.name = 'last_at'
				THEN ` + d.greatest + `(version_conversation_stats.value, excluded.value)
				ELSE version_conversation_stats.value + excluded.value END`,
	}
}

// GetConversation returns orgID's conversation; with lock it is locked for
// the rest of the transaction (PostgreSQL).
func (q *Queries) GetConversation(ctx context.Context, orgID, id string, lock bool) (agentplane.Conversation, error) {
	suffix := ""
	if lock {
		suffix = q.d.forUpdate
	}
	c, err := scanConversation(q.q.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE organization_id = $1 AND id = $2`+suffix, orgID, id))
	if errNoRows(err) {
		return c, agentplane.Errorf(agentplane.ENotFound, "conversation not found")
	}
	return c, err
}

// UpdateConversation writes the new state of c (old is the row before the
// change) and moves its agent's counters by the difference.
func (q *Queries) UpdateConversation(ctx context.Context, old, c agentplane.Conversation) error {
	res, err := q.q.ExecContext(ctx, `UPDATE conversations SET status = $3, duration = $4, user_turn_count = $5,
		summary = $6, transcript = `+q.d.jsonParam(7)+`, updated_at = $8 WHERE organization_id = $1 AND id = $2`,
		c.OrganizationID, c.ID, c.Status, c.Duration, c.UserTurnCount, c.Summary, nullJSON(c.Transcript), c.UpdatedAt.Millis())
	if err := affectedOne(res, err, "conversation not found"); err != nil {
		return err
	}
	deltas := map[string]float64{}
	if old.Status != c.Status {
		deltas["status:"+old.Status]--
		deltas["status:"+c.Status]++
	}
	if c.Duration != nil {
		prev := 0.0
		if old.Duration != nil {
			prev = *old.Duration
		} else {
			deltas["with_duration"]++
		}
		deltas["duration_total"] += *c.Duration - prev
	}
	return q.bump(ctx, c, deltas, false)
}

// ListConversations pages through orgID's conversations matching f.
func (q *Queries) ListConversations(ctx context.Context, orgID string, f agentplane.ConversationFilter, p agentplane.Page) (agentplane.List[agentplane.Conversation], error) {
	var w where
	w.add("organization_id = ?", orgID)
	for _, eq := range []struct{ col, v string }{{"direction", f.Direction}, {"channel", f.Channel}, {"status", f.Status},
		{"agent_id", f.AgentID}, {"agent_version_id", f.AgentVersionID}, {"agent_number", f.AgentNumber}} {
		if eq.v != "" {
			w.add(eq.col+" = ?", eq.v)
		}
	}
	if f.DurationAbove != nil {
		w.add("duration > ?", *f.DurationAbove)
	}
	if f.DurationBelow != nil {
		w.add("duration < ?", *f.DurationBelow)
	}
	return listPage(ctx, q, "conversations", `SELECT `+conversationColumns+` FROM conversations WHERE `, &w, p, "", "id", scanConversation, func(c agentplane.Conversation) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: c.CreatedAt.Millis(), ID: c.ID}
	})
}
