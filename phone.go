package agentplane

import (
	"strings"
	"unicode/utf8"
)

// PhoneNumber is a number the organization owns, with one inbound and one
// outbound slot that publishing pins to agent versions (SPEC §9).
type PhoneNumber struct {
	PhoneNumber            string  `json:"phone_number"`
	OrganizationID         string  `json:"organization_id"`
	Label                  *string `json:"label"`
	TrunkID                *string `json:"trunk_id"`
	OutboundShareable      bool    `json:"outbound_shareable"`
	InboundAgentVersionID  *string `json:"inbound_agent_version_id"`
	OutboundAgentVersionID *string `json:"outbound_agent_version_id"`
	InboundAgentID         *string `json:"inbound_agent_id"`
	InboundVersion         *int    `json:"inbound_version"`
	OutboundAgentID        *string `json:"outbound_agent_id"`
	OutboundVersion        *int    `json:"outbound_version"`
	CreatedAt              Time    `json:"created_at"`
	UpdatedAt              Time    `json:"updated_at"`
}

// PhoneNumberInput is the body of POST /core/phone-numbers.
type PhoneNumberInput struct {
	PhoneNumber       string  `json:"phone_number"`
	Label             *string `json:"label"`
	TrunkID           *string `json:"trunk_id"`
	OutboundShareable *bool   `json:"outbound_shareable"`
}

// PhoneNumberPatch is the body of PATCH /core/phone-numbers/{phone_number}:
// the slots change only through publish.
type PhoneNumberPatch struct {
	Label             *string `json:"label"`
	TrunkID           *string `json:"trunk_id"`
	OutboundShareable *bool   `json:"outbound_shareable"`
}

// validateLabels checks the free-text fields shared by input and patch.
func validateLabels(v *Violations, label, trunk *string) {
	if label != nil && utf8.RuneCountInString(*label) > 200 {
		v.Add("label must be at most 200 characters", "string_length", "body", "label")
	}
	if trunk != nil && (utf8.RuneCountInString(*trunk) > 200 || strings.TrimSpace(*trunk) == "") {
		v.Add("trunk_id must be 1 to 200 characters", "string_length", "body", "trunk_id")
	}
}

// Validate checks the patch.
func (p PhoneNumberPatch) Validate() error {
	var v Violations
	validateLabels(&v, p.Label, p.TrunkID)
	return v.Err()
}

// Direction names the slot(s) a publish pins: inbound, outbound or both.
type Direction string

// The directions of SPEC §8.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
	Both     Direction = "both"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == Inbound || d == Outbound || d == Both }

// Inbound reports whether d includes the inbound slot.
func (d Direction) HasInbound() bool { return d == Inbound || d == Both }

// HasOutbound reports whether d includes the outbound slot.
func (d Direction) HasOutbound() bool { return d == Outbound || d == Both }

// PhoneNumberFilter is the filters of GET /core/phone-numbers.
type PhoneNumberFilter struct {
	PhoneNumber string // substring of the E.164 form
	AgentID     string // pinned in either slot by a version of this agent
	TrunkID     string
}

// ETag implements Tagged.
func (p PhoneNumber) ETag() string {
	return newTagger('p').str(p.PhoneNumber).str(p.OrganizationID).optStr(p.Label).optStr(p.TrunkID).
		bool(p.OutboundShareable).optStr(p.InboundAgentVersionID).optStr(p.OutboundAgentVersionID).
		optStr(p.InboundAgentID).optInt(p.InboundVersion).optStr(p.OutboundAgentID).optInt(p.OutboundVersion).
		time(p.CreatedAt).time(p.UpdatedAt).String()
}
