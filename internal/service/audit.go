package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/jsondiff"
	"github.com/agentplane/agentplane/internal/store"
)

// change is one change as the audit log and webhooks see it (SPEC §17–§18):
// what happened to which resource, and the resource before and after.
// before is nil for a creation, after nil for a deletion. Neither may hold
// a secret: callers pass the resource's public view.
type change struct {
	action     string
	resourceID string
	agentID    string
	before     any
	after      any
}

// record appends ch's audit entry and enqueues its event, with q, the
// transaction of the change: a committed change always has both, a
// rolled-back one neither.
func (s *Service) record(ctx context.Context, q store.Recorder, c *agentplane.Caller, ch change, more ...store.Event) error {
	before, err := plain(ch.before)
	if err != nil {
		return err
	}
	after, err := plain(ch.after)
	if err != nil {
		return err
	}
	patch := patchOf(before, after)
	changes, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	o := agentplane.OriginOf(ctx)
	e := agentplane.AuditEntry{
		ID: agentplane.NewID(), OrganizationID: c.OrganizationID, OccurredAt: s.stamp(),
		Actor: c.Actor(), Action: ch.action, ResourceType: agentplane.ResourceTypeOf(ch.action),
		ResourceID: ch.resourceID, AgentID: optional(ch.agentID), RequestID: optional(o.RequestID),
		IP: optional(o.IP), Via: o.Via, Changes: changes,
	}
	if c.Kind != agentplane.KindSystem {
		e.CredentialID = optional(c.CredentialID)
	}
	if err := q.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", ch.action, err)
	}
	if strings.HasPrefix(ch.action, "console.") {
		return nil // not an event (SPEC §18)
	}
	data := after
	if data == nil {
		data = before
	}
	ev, err := event(ch.action, data, changes, e.OccurredAt)
	if err != nil {
		return err
	}
	return q.EnqueueEvents(ctx, c.OrganizationID, e.OccurredAt.Millis(), append([]store.Event{ev}, more...))
}

// emit enqueues events that are not audit entries (a conversation
// starting, a workflow ending) in q's transaction.
func (s *Service) emit(ctx context.Context, q store.Recorder, orgID string, evs ...store.Event) error {
	return q.EnqueueEvents(ctx, orgID, s.stamp().Millis(), evs)
}

// event is an event of type typ about data, the resource (any value that
// marshals to a JSON object); changes, when not nil, joins it.
func event(typ string, data any, changes json.RawMessage, at agentplane.Time) (store.Event, error) {
	payload, err := eventPayload(typ, data, changes, at)
	return store.Event{ID: agentplane.NewID(), Type: typ, Payload: string(payload)}, err
}

// eventPayload is an event's body: {"type", "timestamp", "data": {…the
// resource, "changes"}}.
func eventPayload(typ string, data any, changes json.RawMessage, at agentplane.Time) ([]byte, error) {
	obj, err := plain(data)
	if err != nil {
		return nil, err
	}
	m, ok := obj.(map[string]any)
	if !ok {
		m = map[string]any{"value": obj}
	}
	if changes != nil {
		m["changes"] = changes
	}
	return json.Marshal(map[string]any{"type": typ, "timestamp": at, "data": m})
}

// plain turns v into its decoded JSON form (maps, slices, strings,
// json.Number…), the form jsondiff compares; nil stays nil.
func plain(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	// Numbers stay as written (json.Number): metadata may hold ones no
	// float64 holds, such as 1e400.
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// patchOf is the JSON Patch (RFC 6902) from before to after; a creation
// adds the whole document, a deletion removes it.
func patchOf(before, after any) []jsondiff.Op {
	switch {
	case before == nil && after == nil:
		return []jsondiff.Op{}
	case before == nil:
		return []jsondiff.Op{{Op: "add", Path: "", Value: after}}
	case after == nil:
		return []jsondiff.Op{{Op: "remove", Path: ""}}
	}
	ops, _ := jsondiff.Diff(before, after)
	if ops == nil {
		ops = []jsondiff.Op{}
	}
	return ops
}

// optional is nil for "", else a pointer to s.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ListAuditLog pages through the caller's organization's audit log.
func (s *Service) ListAuditLog(ctx context.Context, c *agentplane.Caller, f agentplane.AuditFilter, p agentplane.Page) (agentplane.List[agentplane.AuditEntry], error) {
	if err := f.Validate(); err != nil {
		return agentplane.List[agentplane.AuditEntry]{}, err
	}
	return s.store.ListAudit(ctx, c.OrganizationID, f, p)
}

// PruneAuditLog deletes audit entries older than retention, in batches,
// and says how many went.
func (s *Service) PruneAuditLog(ctx context.Context, retention time.Duration) (int64, error) {
	before := s.now().Add(-retention).UnixMilli()
	var total int64
	for {
		n, err := s.store.PruneAudit(ctx, before, 1000)
		total += n
		if err != nil || n < 1000 {
			return total, err
		}
	}
}
