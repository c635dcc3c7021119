package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/agentplane/agentplane"
)

// The agent detail's embeds arrive as JSON built in SQL (agent_detail.go)
// with times as epoch milliseconds, as they are stored; these types read
// them into the domain types, which render times as RFC 3339. Each embeds
// its domain type and shadows only the members stored differently, so
// every other member keeps the domain type's JSON name.

type versionEmbed struct {
	agentplane.VersionSummary
	PublishedAt *int64 `json:"published_at"`
	CreatedAt   int64  `json:"created_at"`
	UpdatedAt   int64  `json:"updated_at"`
}

type phoneEmbed struct {
	agentplane.PhoneNumber
	CreatedAt int64 `json:"created_at"`
	UpdatedAt int64 `json:"updated_at"`
}

type widgetEmbed struct {
	agentplane.WebWidget
	Domains   json.RawMessage `json:"domains"`
	Config    json.RawMessage `json:"config"`
	CreatedAt int64           `json:"created_at"`
	UpdatedAt int64           `json:"updated_at"`
}

type sipEmbed struct {
	SIPURI     string `json:"sip_uri"`
	DeployedAt int64  `json:"deployed_at"`
}

type counterEmbed struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// decodeEmbed reads a JSON array of E and converts each element; an empty
// array is an empty, non-nil slice, which renders as [].
func decodeEmbed[E, T any](what string, raw []byte, conv func(E) (T, error)) ([]T, error) {
	var rows []E
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fmt.Errorf("agent detail %s: %w", what, err)
	}
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		v, err := conv(r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func decodeVersions(raw []byte) ([]agentplane.VersionSummary, error) {
	return decodeEmbed("versions", raw, func(e versionEmbed) (agentplane.VersionSummary, error) {
		s := e.VersionSummary
		s.PublishedAt = timePtr(e.PublishedAt)
		s.CreatedAt, s.UpdatedAt = agentplane.TimeFromMillis(e.CreatedAt), agentplane.TimeFromMillis(e.UpdatedAt)
		return s, nil
	})
}

func decodePhones(raw []byte) ([]agentplane.PhoneNumber, error) {
	return decodeEmbed("phone numbers", raw, func(e phoneEmbed) (agentplane.PhoneNumber, error) {
		p := e.PhoneNumber
		p.CreatedAt, p.UpdatedAt = agentplane.TimeFromMillis(e.CreatedAt), agentplane.TimeFromMillis(e.UpdatedAt)
		return p, nil
	})
}

func decodeWidgets(raw []byte) ([]agentplane.WebWidget, error) {
	return decodeEmbed("web widgets", raw, func(e widgetEmbed) (agentplane.WebWidget, error) {
		w := e.WebWidget
		return w, finishWidget(&w, docBytes(e.Domains), docBytes(e.Config), e.CreatedAt, e.UpdatedAt)
	})
}

// decodeSIP reads the endpoint object; NULL (none) is {deployed: false}.
func decodeSIP(raw []byte) (agentplane.SIPEndpoint, error) {
	if raw == nil {
		return agentplane.SIPEndpoint{}, nil
	}
	var e sipEmbed
	if err := json.Unmarshal(raw, &e); err != nil {
		return agentplane.SIPEndpoint{}, fmt.Errorf("agent detail sip endpoint: %w", err)
	}
	t := agentplane.TimeFromMillis(e.DeployedAt)
	return agentplane.SIPEndpoint{Deployed: true, SIPURI: &e.SIPURI, DeployedAt: &t}, nil
}

// decodeStats folds the agent's counters ("total", "direction:inbound",
// "channel:webrtc", "status:completed", "duration_total", "with_duration")
// into its statistics; last is the creation time of its newest
// conversation. Channels and statuses whose count went back to zero are
// left out.
func decodeStats(raw []byte, last *int64) (agentplane.ConversationStats, error) {
	st := agentplane.ConversationStats{ByChannel: map[string]int64{}, ByStatus: map[string]int64{}, LastConversationAt: timePtr(last)}
	var counters []counterEmbed
	if err := json.Unmarshal(raw, &counters); err != nil {
		return st, fmt.Errorf("agent detail conversation stats: %w", err)
	}
	withDuration := 0.0
	for _, c := range counters {
		switch kind, key, _ := strings.Cut(c.Name, ":"); kind {
		case "total":
			st.Total = int64(c.Value)
		case "direction":
			if key == "inbound" {
				st.Inbound = int64(c.Value)
			} else {
				st.Outbound = int64(c.Value)
			}
		case "channel":
			if c.Value != 0 {
				st.ByChannel[key] = int64(c.Value)
			}
		case "status":
			if c.Value != 0 {
				st.ByStatus[key] = int64(c.Value)
			}
		case "duration_total":
			st.TotalDurationSeconds = c.Value
		case "with_duration":
			withDuration = c.Value
		}
	}
	if withDuration > 0 {
		st.AverageDurationSeconds = st.TotalDurationSeconds / withDuration
	}
	return st, nil
}
