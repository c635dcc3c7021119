package store

import (
	"context"
	"fmt"

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

// LockPhoneNumbers locks orgID's numbers (PostgreSQL: FOR UPDATE, in sorted
// order so concurrent publishes can't deadlock) and reports the first one
// that is not registered in the organization as ENotFound.
func (q *Queries) LockPhoneNumbers(ctx context.Context, orgID string, numbers []string) error {
	for _, n := range numbers { // callers pass them sorted
		var got string
		err := q.q.QueryRowContext(ctx, `SELECT phone_number FROM phone_numbers WHERE organization_id = $1 AND phone_number = $2`+q.d.forUpdate, orgID, n).Scan(&got)
		if errNoRows(err) {
			return agentplane.Errorf(agentplane.ENotFound, "phone number %s is not registered in this organization", n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// PinSlots points the slot(s) of orgID's number at versionID (nil clears)
// and reports whether anything changed. onlyAgent, when set, limits the
// change to slots that currently pin a version of that agent (unassign).
func (q *Queries) PinSlots(ctx context.Context, orgID, number string, inbound, outbound bool, versionID *string, onlyAgent string, now agentplane.Time) (bool, error) {
	changed := false
	for _, slot := range []struct {
		on  bool
		col string
	}{{inbound, "inbound_agent_version_id"}, {outbound, "outbound_agent_version_id"}} {
		if !slot.on {
			continue
		}
		var w where
		w.add("organization_id = ?", orgID)
		w.add("phone_number = ?", number)
		if onlyAgent != "" {
			w.add(slot.col+" IN (SELECT id FROM agent_versions WHERE organization_id = ? AND agent_id = ?)", orgID, onlyAgent)
		} else {
			w.add("("+slot.col+" IS NULL OR "+slot.col+" <> ?)", *versionID)
		}
		set := fmt.Sprintf("UPDATE phone_numbers SET %s = $%d, updated_at = $%d WHERE ", slot.col, w.next(versionID), w.next(now.Millis()))
		res, err := q.q.ExecContext(ctx, set+w.sql(), w.args...)
		if err != nil {
			return false, fmt.Errorf("pin slot: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			changed = true
		}
	}
	return changed, nil
}

// UpdatePhoneNumber writes label, trunk and shareability.
func (q *Queries) UpdatePhoneNumber(ctx context.Context, p agentplane.PhoneNumber) error {
	res, err := q.q.ExecContext(ctx, `UPDATE phone_numbers SET label = $3, trunk_id = $4, outbound_shareable = $5, updated_at = $6
		WHERE organization_id = $1 AND phone_number = $2`,
		p.OrganizationID, p.PhoneNumber, p.Label, p.TrunkID, p.OutboundShareable, p.UpdatedAt.Millis())
	return affectedOne(res, err, "phone number not found")
}

// DeletePhoneNumber removes orgID's number.
func (q *Queries) DeletePhoneNumber(ctx context.Context, orgID, number string) error {
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
	tail := w.page(p, "p.", "phone_number")
	rows, err := q.q.QueryContext(ctx, phoneSelect+` WHERE `+w.sql()+tail, w.args...)
	if err != nil {
		return agentplane.List[agentplane.PhoneNumber]{}, fmt.Errorf("list phone numbers: %w", err)
	}
	return collectPage(rows, scanPhone, p, func(n agentplane.PhoneNumber) agentplane.Cursor {
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
func (q *Queries) ClearAgentPins(ctx context.Context, orgID, agentID string, now agentplane.Time) error {
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
