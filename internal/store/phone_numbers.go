package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/agentplane/agentplane"
)

// phoneSelect reads a number with the agent and version number of each
// slot's pinned version, so responses need no second lookup.
const phoneSelect = `SELECT p.phone_number, p.organization_id, p.label, p.trunk_id, p.outbound_shareable,
	p.inbound_agent_version_id, p.outbound_agent_version_id, vi.agent_id, vi.version, vo.agent_id, vo.version,
	p.created_at, p.updated_at
	FROM phone_numbers p
	LEFT JOIN agent_versions vi ON vi.id = p.inbound_agent_version_id
	LEFT JOIN agent_versions vo ON vo.id = p.outbound_agent_version_id`

func scanPhone(row interface{ Scan(...any) error }) (agentplane.PhoneNumber, error) {
	var (
		p            agentplane.PhoneNumber
		created, upd int64
	)
	err := row.Scan(&p.PhoneNumber, &p.OrganizationID, &p.Label, &p.TrunkID, &p.OutboundShareable,
		&p.InboundAgentVersionID, &p.OutboundAgentVersionID, &p.InboundAgentID, &p.InboundVersion,
		&p.OutboundAgentID, &p.OutboundVersion, &created, &upd)
	p.CreatedAt, p.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return p, err
}

// CreatePhoneNumber registers p; a number registered anywhere is EConflict,
// whose message says only "not available" so it confirms nothing about
// another organization.
func (q *Queries) CreatePhoneNumber(ctx context.Context, p agentplane.PhoneNumber) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO phone_numbers (phone_number, organization_id, label, trunk_id,
		outbound_shareable, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.PhoneNumber, p.OrganizationID, p.Label, p.TrunkID, p.OutboundShareable, p.CreatedAt.Millis(), p.UpdatedAt.Millis())
	if err = mapErr(err); isConflict(err) {
		return agentplane.Errorf(agentplane.EConflict, "phone number %s is not available", p.PhoneNumber)
	}
	return err
}

// GetPhoneNumber returns orgID's number.
func (q *Queries) GetPhoneNumber(ctx context.Context, orgID, number string) (agentplane.PhoneNumber, error) {
	p, err := scanPhone(q.q.QueryRowContext(ctx, phoneSelect+` WHERE p.organization_id = $1 AND p.phone_number = $2`, orgID, number))
	if errNoRows(err) {
		return p, agentplane.Errorf(agentplane.ENotFound, "phone number %s is not registered in this organization", number)
	}
	return p, err
}

// The batch methods below take a set of numbers and send one statement (per
// slot) whatever its size, so a publish costs the same number of statements
// for one number as for fifty (DESIGN.md §6). Each is a no-op on an empty
// set.

// slotReturning is phoneSelect's column list for an UPDATE's RETURNING
// clause: the row as the UPDATE left it, with each slot's agent and
// version number looked up, so a publish needs no statement to re-read
// what it changed.
const slotReturning = ` RETURNING phone_number, organization_id, label, trunk_id, outbound_shareable,
	inbound_agent_version_id, outbound_agent_version_id,
	(SELECT agent_id FROM agent_versions WHERE id = phone_numbers.inbound_agent_version_id) AS inbound_agent_id,
	(SELECT version FROM agent_versions WHERE id = phone_numbers.inbound_agent_version_id) AS inbound_version,
	(SELECT agent_id FROM agent_versions WHERE id = phone_numbers.outbound_agent_version_id) AS outbound_agent_id,
	(SELECT version FROM agent_versions WHERE id = phone_numbers.outbound_agent_version_id) AS outbound_version,
	created_at, updated_at`

// pinSQL renders PinSlots' UPDATE with its parameters at the positions
// given ($1 is the organization) and the version id as an expression, so a
// publish can embed it in a larger statement; guard is ANDed to its
// WHERE.
func pinSQL(d *dialect, list int, version string, now, in, out int, guard string) string {
	return fmt.Sprintf(`UPDATE phone_numbers SET
		inbound_agent_version_id = CASE WHEN $%[4]d THEN %[2]s ELSE inbound_agent_version_id END,
		outbound_agent_version_id = CASE WHEN $%[5]d THEN %[2]s ELSE outbound_agent_version_id END,
		updated_at = $%[3]d
		WHERE organization_id = $1 AND %[1]s%[6]s
		AND (($%[4]d AND (inbound_agent_version_id IS NULL OR inbound_agent_version_id <> %[2]s))
			OR ($%[5]d AND (outbound_agent_version_id IS NULL OR outbound_agent_version_id <> %[2]s)))`,
		d.inList("phone_number", list), version, now, in, out, guard) + slotReturning
}

// unpinSQL renders UnpinSlots' UPDATE as pinSQL does PinSlots'.
func unpinSQL(d *dialect, list, agent, now, in, out int, guard string) string {
	ofAgent := fmt.Sprintf(` IN (SELECT id FROM agent_versions WHERE organization_id = $1 AND agent_id = $%d)`, agent)
	return fmt.Sprintf(`UPDATE phone_numbers SET
		inbound_agent_version_id = CASE WHEN $%[3]d AND inbound_agent_version_id%[4]s THEN NULL ELSE inbound_agent_version_id END,
		outbound_agent_version_id = CASE WHEN $%[5]d AND outbound_agent_version_id%[4]s THEN NULL ELSE outbound_agent_version_id END,
		updated_at = $%[2]d
		WHERE organization_id = $1 AND %[1]s%[6]s
		AND (($%[3]d AND inbound_agent_version_id%[4]s) OR ($%[5]d AND outbound_agent_version_id%[4]s))`,
		d.inList("phone_number", list), now, in, ofAgent, out, guard) + slotReturning
}

// PinSlots points the slot(s) of orgID's numbers at versionID and returns
// the numbers whose slots changed, as they are now, sorted: a slot already
// pinning versionID is left alone, and a number with nothing to change
// keeps its updated_at. Both slots move in one statement. Call it inside
// WithTx: it writes through QueryContext (for RETURNING), which the SQLite
// pool's write serialization does not cover.
func (q *Queries) PinSlots(ctx context.Context, orgID string, numbers []string, inbound, outbound bool, versionID string, now agentplane.Time) ([]agentplane.PhoneNumber, error) {
	if len(numbers) == 0 || !inbound && !outbound {
		return nil, nil
	}
	return q.updateSlots(ctx, publishStatements[q.d.engine].pin, orgID, listParam(numbers), versionID, now.Millis(), inbound, outbound)
}

// UnpinSlots clears the slot(s) of orgID's numbers that currently pin a
// version (any version) of agentID, and returns the numbers whose slots
// changed, as they are now, sorted. A slot pinning another agent's version,
// or nothing, is left alone. Call it inside WithTx, as PinSlots.
func (q *Queries) UnpinSlots(ctx context.Context, orgID string, numbers []string, inbound, outbound bool, agentID string, now agentplane.Time) ([]agentplane.PhoneNumber, error) {
	if len(numbers) == 0 || !inbound && !outbound {
		return nil, nil
	}
	return q.updateSlots(ctx, publishStatements[q.d.engine].unpin, orgID, listParam(numbers), agentID, now.Millis(), inbound, outbound)
}

// updateSlots runs an UPDATE … RETURNING slotReturning and returns the
// rows, sorted by number.
func (q *Queries) updateSlots(ctx context.Context, stmt string, args ...any) ([]agentplane.PhoneNumber, error) {
	rows, err := q.q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("update slots: %w", err)
	}
	changed, err := collect(rows, scanPhone)
	if err != nil {
		return nil, fmt.Errorf("update slots: %w", err)
	}
	slices.SortFunc(changed, func(a, b agentplane.PhoneNumber) int { return strings.Compare(a.PhoneNumber, b.PhoneNumber) })
	return changed, nil
}

// UpdatePhoneNumber writes label, trunk and shareability.
// The number shows up in the detail of each agent pinned in its slots.
func (q *Queries) UpdatePhoneNumber(ctx context.Context, p agentplane.PhoneNumber) error {
	if err := q.touchNumberOwners(ctx, p.OrganizationID, []string{p.PhoneNumber}); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE phone_numbers SET label = $3, trunk_id = $4, outbound_shareable = $5, updated_at = $6
		WHERE organization_id = $1 AND phone_number = $2`,
		p.OrganizationID, p.PhoneNumber, p.Label, p.TrunkID, p.OutboundShareable, p.UpdatedAt.Millis())
	return affectedOne(res, err, "phone number not found")
}

// DeletePhoneNumber removes orgID's number.
// The agents pinned in its slots lose it from their details.
func (q *Queries) DeletePhoneNumber(ctx context.Context, orgID, number string) error {
	if err := q.touchNumberOwners(ctx, orgID, []string{number}); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM phone_numbers WHERE organization_id = $1 AND phone_number = $2`, orgID, number)
	return affectedOne(res, err, "phone number not found")
}

// agentPinned is the condition "a slot pins a version of agent ?".
const agentPinned = `(p.inbound_agent_version_id IN (SELECT id FROM agent_versions WHERE organization_id = ? AND agent_id = ?)
	OR p.outbound_agent_version_id IN (SELECT id FROM agent_versions WHERE organization_id = ? AND agent_id = ?))`

// ListPhoneNumbers pages through orgID's numbers matching f.
func (q *Queries) ListPhoneNumbers(ctx context.Context, orgID string, f agentplane.PhoneNumberFilter, p agentplane.Page) (agentplane.List[agentplane.PhoneNumber], error) {
	var w where
	w.add("p.organization_id = ?", orgID)
	if f.PhoneNumber != "" {
		w.add("p.phone_number LIKE ? ESCAPE '\\'", likePattern(f.PhoneNumber))
	}
	if f.TrunkID != "" {
		w.add("p.trunk_id = ?", f.TrunkID)
	}
	if f.AgentID != "" {
		w.add(agentPinned, orgID, f.AgentID, orgID, f.AgentID)
	}
	return listPage(ctx, q, "phone numbers", phoneSelect+` WHERE `, &w, p, "p.", "phone_number", scanPhone, func(n agentplane.PhoneNumber) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: n.CreatedAt.Millis(), ID: n.PhoneNumber}
	})
}

// AgentPhoneNumbers lists the numbers whose slots pin a version of the
// agent (the agent's GET embed).
func (q *Queries) AgentPhoneNumbers(ctx context.Context, orgID, agentID string) ([]agentplane.PhoneNumber, error) {
	var w where
	w.add("p.organization_id = ?", orgID)
	w.add(agentPinned, orgID, agentID, orgID, agentID)
	rows, err := q.q.QueryContext(ctx, phoneSelect+` WHERE `+w.sql()+` ORDER BY p.phone_number`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("agent phone numbers: %w", err)
	}
	return collect(rows, scanPhone)
}

// ClearAgentPins empties every slot of orgID's numbers that pins a version
// of the agent (agent deletion).
// The numbers' other slots may pin other agents, whose details change.
func (q *Queries) ClearAgentPins(ctx context.Context, orgID, agentID string, now agentplane.Time) error {
	if err := q.touchListed(ctx, coOwnersSQL[q.d.engine], orgID, agentID); err != nil {
		return err
	}
	for _, col := range []string{"inbound_agent_version_id", "outbound_agent_version_id"} {
		if _, err := q.q.ExecContext(ctx, `UPDATE phone_numbers SET `+col+` = NULL, updated_at = $3
			WHERE organization_id = $1 AND `+col+` IN (SELECT id FROM agent_versions WHERE organization_id = $1 AND agent_id = $2)`,
			orgID, agentID, now.Millis()); err != nil {
			return fmt.Errorf("clear pins: %w", err)
		}
	}
	return nil
}

// FreePhoneNumber returns one of orgID's numbers with both slots empty, for
// demos that want a number; ENotFound when every number is taken.
func (q *Queries) FreePhoneNumber(ctx context.Context, orgID string) (agentplane.PhoneNumber, error) {
	p, err := scanPhone(q.q.QueryRowContext(ctx, phoneSelect+` WHERE p.organization_id = $1
		AND p.inbound_agent_version_id IS NULL AND p.outbound_agent_version_id IS NULL ORDER BY p.created_at LIMIT 1`, orgID))
	if errNoRows(err) {
		return p, agentplane.Errorf(agentplane.ENotFound, "the organization has no free phone number")
	}
	return p, err
}
