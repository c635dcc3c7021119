package service

import (
	"context"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

func notRegistered(number string) error {
	return agentplane.Errorf(agentplane.ENotFound, "phone number %s is not registered in this organization", number)
}

// RegisterPhoneNumber registers a number the organization owns.
func (s *Service) RegisterPhoneNumber(ctx context.Context, c *agentplane.Caller, in agentplane.PhoneNumberInput) (agentplane.PhoneNumber, error) {
	var v agentplane.Violations
	e164, ok := NormalizeNumber(in.PhoneNumber)
	if !ok {
		v.Add("phone_number is not a valid phone number (use E.164, e.g. +14155550100)", "phone_number", "body", "phone_number")
	}
	patch := agentplane.PhoneNumberPatch{Label: in.Label, TrunkID: in.TrunkID}
	if err := patch.Validate(); err != nil {
		v = append(v, err.(*agentplane.Error).Fields...)
	}
	if err := v.Err(); err != nil {
		return agentplane.PhoneNumber{}, err
	}
	now := s.stamp()
	p := agentplane.PhoneNumber{PhoneNumber: e164, OrganizationID: c.OrganizationID, Label: in.Label, TrunkID: in.TrunkID,
		OutboundShareable: in.OutboundShareable != nil && *in.OutboundShareable, CreatedAt: now, UpdatedAt: now}
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreatePhoneNumber(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionPhoneNumberCreated, resourceID: e164, after: p})
	})
	if agentplane.ErrorCodeOf(err) == agentplane.EConflict {
		// The store says only "not available": whether another
		// organization holds the number is not the caller's to learn.
		// Whether their own does is (they can list it), and worth saying.
		if _, gerr := s.store.GetPhoneNumber(ctx, c.OrganizationID, e164); gerr == nil {
			return agentplane.PhoneNumber{}, agentplane.Errorf(agentplane.EConflict, "phone number %s is already registered in this organization", e164)
		}
	}
	if err != nil {
		return agentplane.PhoneNumber{}, err
	}
	return p, nil
}

// GetPhoneNumber returns one of the organization's numbers; the path may
// use any common format.
func (s *Service) GetPhoneNumber(ctx context.Context, c *agentplane.Caller, number string) (agentplane.PhoneNumber, error) {
	e164, ok := NormalizeNumber(number)
	if !ok {
		return agentplane.PhoneNumber{}, notRegistered(number)
	}
	return s.store.GetPhoneNumber(ctx, c.OrganizationID, e164)
}

// UpdatePhoneNumber changes label, trunk and shareability; slots change
// only through publish.
func (s *Service) UpdatePhoneNumber(ctx context.Context, c *agentplane.Caller, number, ifMatch string, in agentplane.PhoneNumberPatch) (agentplane.PhoneNumber, error) {
	if err := in.Validate(); err != nil {
		return agentplane.PhoneNumber{}, err
	}
	e164, ok := NormalizeNumber(number)
	if !ok {
		return agentplane.PhoneNumber{}, notRegistered(number)
	}
	var p agentplane.PhoneNumber
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if p, err = q.GetPhoneNumber(ctx, c.OrganizationID, e164); err != nil {
			return err
		}
		if err := precondition(ifMatch, p); err != nil {
			return err
		}
		before := p
		if in.Label != nil {
			p.Label = in.Label
		}
		if in.TrunkID != nil {
			p.TrunkID = in.TrunkID
		}
		if in.OutboundShareable != nil {
			p.OutboundShareable = *in.OutboundShareable
		}
		p.UpdatedAt = s.stamp()
		if err := q.UpdatePhoneNumber(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionPhoneNumberUpdated, resourceID: e164, before: before, after: p})
	})
	return p, err
}

// DeletePhoneNumber releases a number.
func (s *Service) DeletePhoneNumber(ctx context.Context, c *agentplane.Caller, number, ifMatch string) error {
	e164, ok := NormalizeNumber(number)
	if !ok {
		return notRegistered(number)
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		p, err := q.GetPhoneNumber(ctx, c.OrganizationID, e164)
		if err != nil {
			return err
		}
		if err := precondition(ifMatch, p); err != nil {
			return err
		}
		if err := q.DeletePhoneNumber(ctx, c.OrganizationID, e164); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionPhoneNumberDeleted, resourceID: e164, before: p})
	})
}

// ListPhoneNumbers pages through the organization's numbers.
func (s *Service) ListPhoneNumbers(ctx context.Context, c *agentplane.Caller, f agentplane.PhoneNumberFilter, p agentplane.Page) (agentplane.List[agentplane.PhoneNumber], error) {
	return s.store.ListPhoneNumbers(ctx, c.OrganizationID, f, p)
}
