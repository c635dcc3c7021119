package agentplane

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Webhook is an endpoint that receives an organization's events, signed
// per Standard Webhooks (SPEC §18). Its secret is shown only when it is
// made (NewWebhook).
type Webhook struct {
	ID             string   `json:"id"`
	OrganizationID string   `json:"organization_id"`
	URL            string   `json:"url"`
	Events         []string `json:"events"`
	Description    string   `json:"description"`
	Enabled        bool     `json:"enabled"`
	// DisabledReason says why the server disabled it ("gone": the
	// receiver answered 410); empty when enabled or disabled by a user.
	DisabledReason string `json:"disabled_reason,omitempty"`
	CreatedAt      Time   `json:"created_at"`
	UpdatedAt      Time   `json:"updated_at"`
}

// NewWebhook is a webhook with its signing secret, shown this once.
type NewWebhook struct {
	Webhook
	Secret string `json:"secret"`
}

// WebhookInput is the body of POST and PATCH /admin/webhooks; PATCH takes
// any subset.
type WebhookInput struct {
	URL         *string   `json:"url"`
	Events      *[]string `json:"events"`
	Description *string   `json:"description"`
	Enabled     *bool     `json:"enabled"`
}

// Webhook limits.
const (
	maxWebhookURL         = 2048
	maxWebhookEvents      = 64
	maxWebhookDescription = 500
)

// Validate checks the input; create requires url and events. It trims the
// URL and removes repeated patterns.
func (in *WebhookInput) Validate(create bool) error {
	var v Violations
	switch {
	case in.URL == nil && create:
		v.Add("url is required", "missing", "body", "url")
	case in.URL != nil:
		u := strings.TrimSpace(*in.URL)
		in.URL = &u
		if msg := webhookURLProblem(u); msg != "" {
			v.Add(msg, "url", "body", "url")
		}
	}
	switch {
	case in.Events == nil && create:
		v.Add("events is required", "missing", "body", "events")
	case in.Events != nil:
		evs := *in.Events
		if len(evs) == 0 || len(evs) > maxWebhookEvents {
			v.Add("events must list 1 to 64 patterns", "list_length", "body", "events")
		}
		var out []string
		for i, e := range evs {
			if !ValidEventPattern(e) {
				v.Add("not an event type or pattern (\"version.published\", \"agent.*\" or \"*\"): "+truncateRunes(e, 80), "event_pattern", "body", "events", i)
				continue
			}
			if !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
		in.Events = &out
	}
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > maxWebhookDescription {
		v.Add("description must be at most 500 characters", "string_length", "body", "description")
	}
	return v.Err()
}

// webhookURLProblem says what is wrong with a webhook URL's form, or "".
// Where it may connect is the guarded fetcher's to decide.
func webhookURLProblem(raw string) string {
	if raw == "" || len(raw) > maxWebhookURL {
		return "url must be 1 to 2048 characters"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "url must be an absolute http(s) URL"
	}
	if u.User != nil {
		return "url must not carry credentials"
	}
	if u.Fragment != "" {
		return "url must not have a fragment"
	}
	return ""
}

// ValidEventPattern reports whether p is "*", "<resource>.*" for a
// resource with events, or an event type.
func ValidEventPattern(p string) bool {
	if p == "*" {
		return true
	}
	if res, ok := strings.CutSuffix(p, ".*"); ok {
		return slices.ContainsFunc(EventTypes, func(t string) bool { return ResourceTypeOf(t) == res })
	}
	return slices.Contains(EventTypes, p)
}

// EventMatches reports whether event type t matches pattern p.
func EventMatches(p, t string) bool {
	if p == "*" {
		return true
	}
	if res, ok := strings.CutSuffix(p, ".*"); ok {
		return ResourceTypeOf(t) == res
	}
	return p == t
}

// WebhookDelivery is one event on its way to one endpoint (SPEC §18), with
// every attempt made so far.
type WebhookDelivery struct {
	ID            string           `json:"id"`
	WebhookID     string           `json:"webhook_id"`
	EventID       string           `json:"event_id"`
	EventType     string           `json:"event_type"`
	Status        string           `json:"status"` // pending | delivered | failed
	Attempts      int              `json:"attempts"`
	LastStatus    *int             `json:"last_status_code"`
	LastError     *string          `json:"last_error"`
	NextAttemptAt *Time            `json:"next_attempt_at"`
	DeliveredAt   *Time            `json:"delivered_at"`
	CreatedAt     Time             `json:"created_at"`
	AttemptLog    []WebhookAttempt `json:"attempt_log"`
}

// WebhookAttempt is one try at delivering an event.
type WebhookAttempt struct {
	At         Time    `json:"at"`
	StatusCode *int    `json:"status_code"`
	Error      *string `json:"error"`
	DurationMS int64   `json:"duration_ms"`
}

// The delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// truncateRunes cuts s to n runes for messages.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
