package store

import (
	"fmt"
	"strings"

	"github.com/agentplane/agentplane"
)

// The agent detail's embeds arrive as JSON rows built in SQL
// (agent_detail.go), times as the epoch milliseconds they are stored as.
// Each reader takes a row's columns in the order buildAgentDetailSQL
// lists them.

// readRows reads an array of rows with row, which reads one row's columns;
// no rows is an empty, non-nil slice, which renders as []. The readers
// below take the columns inside one composite literal, whose calls Go
// evaluates left to right, so the fields' order is the columns' order.
func readRows[T any](what string, raw []byte, row func(t *tuples) T) ([]T, error) {
	t := &tuples{b: raw}
	out := []T{}
	t.open()
	for t.more() {
		t.open()
		out = append(out, row(t))
		t.close()
	}
	t.close()
	if err := t.end(); err != nil {
		return nil, fmt.Errorf("agent detail %s: %w", what, err)
	}
	return out, nil
}

func readVersions(raw []byte) ([]agentplane.VersionSummary, error) {
	return readRows("versions", raw, func(t *tuples) agentplane.VersionSummary {
		return agentplane.VersionSummary{ID: t.str(), Version: int(t.int64()), Description: t.str(), Published: t.boolean(),
			PublishedAt: timePtr(t.int64Ptr()), CreatedAt: t.millis(), UpdatedAt: t.millis()}
	})
}

func readPhones(raw []byte) ([]agentplane.PhoneNumber, error) {
	return readRows("phone numbers", raw, func(t *tuples) agentplane.PhoneNumber {
		return agentplane.PhoneNumber{PhoneNumber: t.str(), OrganizationID: t.str(), Label: t.strPtr(), TrunkID: t.strPtr(),
			OutboundShareable: t.boolean(), InboundAgentVersionID: t.strPtr(), OutboundAgentVersionID: t.strPtr(),
			InboundAgentID: t.strPtr(), InboundVersion: t.intPtr(), OutboundAgentID: t.strPtr(), OutboundVersion: t.intPtr(),
			CreatedAt: t.millis(), UpdatedAt: t.millis()}
	})
}

func readWidgets(raw []byte) ([]agentplane.WebWidget, error) {
	var err error
	ws, rerr := readRows("web widgets", raw, func(t *tuples) agentplane.WebWidget {
		w := agentplane.WebWidget{ID: t.str(), OrganizationID: t.str(), Name: t.str(), AgentID: t.str(), AgentVersionID: t.str()}
		domains := t.doc()
		w.Published = t.boolean()
		config := t.doc()
		created, upd := t.int64(), t.int64()
		if t.err == nil && err == nil {
			err = finishWidget(&w, domains, config, created, upd)
		}
		return w
	})
	if rerr != nil {
		return nil, rerr
	}
	return ws, err
}

// readSIP reads the endpoint row; NULL (none) is {deployed: false}.
func readSIP(raw []byte) (agentplane.SIPEndpoint, error) {
	if raw == nil {
		return agentplane.SIPEndpoint{}, nil
	}
	t := &tuples{b: raw}
	t.open()
	uri, at := t.str(), t.millis()
	t.close()
	if err := t.end(); err != nil {
		return agentplane.SIPEndpoint{}, fmt.Errorf("agent detail sip endpoint: %w", err)
	}
	return agentplane.SIPEndpoint{Deployed: true, SIPURI: &uri, DeployedAt: &at}, nil
}

// counter is one of an agent's conversation counters.
type counter struct {
	name  string
	value float64
}

// readStats folds the agent's counters (statsOf) into its statistics;
// last is the creation time of its newest conversation.
func readStats(raw []byte, last *int64) (agentplane.ConversationStats, error) {
	counters, err := readRows("conversation stats", raw, func(t *tuples) counter { return counter{t.str(), t.float()} })
	if err != nil {
		return agentplane.ConversationStats{ByChannel: map[string]int64{}, ByStatus: map[string]int64{}}, err
	}
	st := statsOf(counters)
	st.LastConversationAt = timePtr(last)
	return st, nil
}

// statsOf folds counters ("total", "direction:inbound", "channel:webrtc",
// "status:completed", "duration_total", "with_duration", and for versions
// "last_at") into statistics. Channels and statuses whose count went back
// to zero are left out.
func statsOf(counters []counter) agentplane.ConversationStats {
	st := agentplane.ConversationStats{ByChannel: map[string]int64{}, ByStatus: map[string]int64{}}
	withDuration := 0.0
	for _, c := range counters {
		switch kind, key, _ := strings.Cut(c.name, ":"); kind {
		case "total":
			st.Total = int64(c.value)
		case "direction":
			if key == "inbound" {
				st.Inbound = int64(c.value)
			} else {
				st.Outbound = int64(c.value)
			}
		case "channel":
			if c.value != 0 {
				st.ByChannel[key] = int64(c.value)
			}
		case "status":
			if c.value != 0 {
				st.ByStatus[key] = int64(c.value)
			}
		case "duration_total":
			st.TotalDurationSeconds = c.value
		case "with_duration":
			withDuration = c.value
		case "last_at":
			ms := int64(c.value)
			st.LastConversationAt = timePtr(&ms)
		}
	}
	st.Complete(withDuration)
	return st
}
