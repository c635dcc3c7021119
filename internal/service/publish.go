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
	// Description is the change note: the version's at its first
	// publish, and the deployment record's (SPEC §16).
	Description *string `json:"description"`
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
	agentplane.CheckVersionDescription(&v, in.Description)
	for _, n := range pin {
		if slices.Contains(unpin, n) {
			v.Add(n+" is in both phone_numbers and unassign_phone_numbers", "conflict", "body", "unassign_phone_numbers")
		}
	}
	return pin, unpin, dir, v.Err()
}

// PublishVersion marks a version published (published_at and
// published_by set the first time only) unless its instructions are generating or stale, and moves
// phone number slots: each number in phone_numbers now pins this version in
// the slot(s) direction names; each in unassign_phone_numbers has those
// slots cleared where they pin a version of this agent. Everything happens
// in one transaction with the numbers locked in sorted order, so
// concurrent publishes to one number serialize and each response reports
// exactly what that publish changed: the changed numbers, each once, as
// they are after the change. An invalid number (422) or one not registered
// in the organization (404) changes nothing at all.
//
// A first publish, and any publish whose body names no numbers, makes the
// version live (SPEC §15): the live version moves, a running rollout ends,
// and the deployment history records both. A publish that only re-pins
// numbers of a published version leaves all that alone.
//
// n may be agentplane.Latest: the newest version, only while it is a
// draft (409 when it is published, or when the agent has no version). The
// store checks "still a draft" under the publish's locks, so a publish
// that raced this one to the same draft makes this one a 409, not a
// republish.
func (s *Service) PublishVersion(ctx context.Context, c *agentplane.Caller, agentID string, n int, in PublishInput) ([]agentplane.PhoneNumber, error) {
	if !agentplane.ValidID(agentID) {
		return nil, notFoundAgent()
	}
	pin, unpin, dir, err := in.normalize()
	if err != nil {
		return nil, err
	}
	draftOnly := n == agentplane.Latest
	if draftOnly {
		if n, err = s.newestDraft(ctx, c.OrganizationID, agentID); err != nil {
			return nil, err
		}
	}
	now, actor := s.stamp(), c.Actor()
	changed, err := s.store.PublishVersion(ctx, store.Publish{
		OrganizationID: c.OrganizationID, AgentID: agentID, Version: n,
		Pin: pin, Unpin: unpin, Inbound: dir.HasInbound(), Outbound: dir.HasOutbound(), DraftOnly: draftOnly,
		RepinOnly: len(pin)+len(unpin) > 0, Description: in.Description, Actor: c.Actor(),
		Now: now,
		Record: func(r store.Recorder, before agentplane.Version, changed []agentplane.PhoneNumber) error {
			after := before
			if !after.Published {
				after.PublishedAt, after.PublishedBy = &now, &actor
				if in.Description != nil {
					after.Description = *in.Description
				}
			}
			after.Published, after.UpdatedAt = true, now
			return s.record(ctx, r, c, change{action: agentplane.ActionVersionPublished, resourceID: before.ID, agentID: agentID,
				before: before, after: after}, pinnedEvents(changed, now)...)
		},
	})
	if err != nil {
		return nil, err
	}
	return inRequestOrder(slices.Concat(pin, unpin), changed), nil
}

// newestDraft is the number of the agent's newest version if it is a
// draft: what "latest" names on publish, which never creates one.
func (s *Service) newestDraft(ctx context.Context, orgID, agentID string) (int, error) {
	newest, err := s.store.NewestVersion(ctx, orgID, agentID)
	switch {
	case agentplane.ErrorCodeOf(err) == agentplane.ENotFound:
		if _, err := s.store.GetAgent(ctx, orgID, agentID); err != nil {
			return 0, err
		}
		return 0, agentplane.NoDraftToPublish(0)
	case err != nil:
		return 0, err
	case newest.Published:
		return 0, agentplane.NoDraftToPublish(newest.Version)
	}
	return newest.Version, nil
}

// inRequestOrder lists the changed numbers, each once, in the order the
// request named them (pins first, then unassigns), as the response has
// always listed them. pin and unpin are disjoint (normalize refuses a
// number in both), so walking them names each changed number once.
func inRequestOrder(named []string, changed []agentplane.PhoneNumber) []agentplane.PhoneNumber {
	byNumber := make(map[string]agentplane.PhoneNumber, len(changed))
	for _, p := range changed {
		byNumber[p.PhoneNumber] = p
	}
	out := make([]agentplane.PhoneNumber, 0, len(changed))
	for _, num := range named {
		if p, ok := byNumber[num]; ok {
			out = append(out, p)
		}
	}
	return out
}
