package service

import (
	"context"
	"slices"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// PublishInput is the optional body of the publish route (SPEC §8).
type PublishInput struct {
	PhoneNumbers         []string `json:"phone_numbers"`
	UnassignPhoneNumbers []string `json:"unassign_phone_numbers"`
	Direction            *string  `json:"direction"`
}

// normalize turns every number into E.164 and reports invalid ones, and a
// number named in both lists, as 422s located at the offending entry.
func (in PublishInput) normalize() (pin, unpin []string, dir agentplane.Direction, err error) {
	var v agentplane.Violations
	dir = agentplane.Inbound
	if in.Direction != nil {
		dir = agentplane.Direction(*in.Direction)
		if !dir.Valid() {
			v.Add("direction must be inbound, outbound or both", "enum", "body", "direction")
		}
	}
	norm := func(list []string, field string) []string {
		var out []string
		for i, n := range list {
			e164, ok := NormalizeNumber(n)
			if !ok {
				v.Add("not a valid phone number: "+n, "phone_number", "body", field, i)
				continue
			}
			if !slices.Contains(out, e164) {
				out = append(out, e164)
			}
		}
		return out
	}
	pin, unpin = norm(in.PhoneNumbers, "phone_numbers"), norm(in.UnassignPhoneNumbers, "unassign_phone_numbers")
	for _, n := range pin {
		if slices.Contains(unpin, n) {
			v.Add(n+" is in both phone_numbers and unassign_phone_numbers", "conflict", "body", "unassign_phone_numbers")
		}
	}
	return pin, unpin, dir, v.Err()
}

// PublishVersion marks a version published (published_at set the first
// time only) unless its instructions are generating or stale, and moves
// phone number slots: each number in phone_numbers now pins this version in
// the slot(s) direction names; each in unassign_phone_numbers has those
// slots cleared where they pin a version of this agent. Everything happens
// in one transaction with the numbers locked in sorted order, so
// concurrent publishes to one number serialize and each response reports
// exactly what that publish changed: the changed numbers, each once, as
// they are after the change. An invalid number (422) or one not registered
// in the organization (404) changes nothing at all.
func (s *Service) PublishVersion(ctx context.Context, c *agentplane.Caller, agentID string, n int, in PublishInput) ([]agentplane.PhoneNumber, error) {
	if !agentplane.ValidID(agentID) {
		return nil, notFoundAgent()
	}
	pin, unpin, dir, err := in.normalize()
	if err != nil {
		return nil, err
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(pin), unpin...)))
	var changed []agentplane.PhoneNumber
	err = s.store.WithTx(ctx, func(q *store.Queries) error {
		// The agent first, as DeleteAgent takes it: one lock order for
		// every writer of an agent's versions and pins.
		if _, err := q.LockAgent(ctx, c.OrganizationID, agentID); err != nil {
			return err
		}
		v, err := q.GetVersion(ctx, c.OrganizationID, agentID, n, true)
		if err != nil {
			return err
		}
		if err := v.PublishGate(); err != nil {
			return err
		}
		if err := q.LockPhoneNumbers(ctx, c.OrganizationID, all); err != nil {
			return err
		}
		now := s.stamp()
		var touched []string
		for _, num := range pin {
			ok, err := q.PinSlots(ctx, c.OrganizationID, num, dir.HasInbound(), dir.HasOutbound(), &v.ID, "", now)
			if err != nil {
				return err
			}
			if ok {
				touched = append(touched, num)
			}
		}
		for _, num := range unpin {
			ok, err := q.PinSlots(ctx, c.OrganizationID, num, dir.HasInbound(), dir.HasOutbound(), nil, agentID, now)
			if err != nil {
				return err
			}
			if ok {
				touched = append(touched, num)
			}
		}
		v.Published = true
		if v.PublishedAt == nil {
			v.PublishedAt = &now
		}
		v.UpdatedAt = now
		if err := q.UpdateVersion(ctx, v); err != nil {
			return err
		}
		changed = make([]agentplane.PhoneNumber, 0, len(touched))
		for _, num := range touched {
			p, err := q.GetPhoneNumber(ctx, c.OrganizationID, num)
			if err != nil {
				return err
			}
			changed = append(changed, p)
		}
		return nil
	})
	return changed, err
}
