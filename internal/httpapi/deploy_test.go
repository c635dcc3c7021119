package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	ap "github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/agentplane/agentplane/internal/openapitest"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

// Deployment scenarios (SPEC §8–§12): phone numbers and their slots,
// publish pinning, SIP, web widgets and the conversation ledger. Shared
// helpers, the walkthrough, SIP and the delete cascade live here;
// deploy_phone_test.go, deploy_widgets_test.go and
// deploy_conversations_test.go hold the rest.

var dpTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// dpVer is a version as a test needs it.
type dpVer struct {
	ID      string          `json:"id"`
	AgentID string          `json:"agent_id"`
	Version int             `json:"version"`
	Config  json.RawMessage `json:"config"`
}

type dpPhone struct {
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
	CreatedAt              string  `json:"created_at"`
	UpdatedAt              string  `json:"updated_at"`
}

func dpSlot(vid, aid *string, n *int) string {
	if vid == nil && aid == nil && n == nil {
		return "-"
	}
	v := "<nil>"
	if n != nil {
		v = fmt.Sprint(*n)
	}
	return fmt.Sprintf("%s(agent %s v%s)", dpStr(vid), dpStr(aid), v)
}

// slots summarizes all six slot fields, so one comparison checks them.
func (p dpPhone) slots() string {
	return "in=" + dpSlot(p.InboundAgentVersionID, p.InboundAgentID, p.InboundVersion) +
		" out=" + dpSlot(p.OutboundAgentVersionID, p.OutboundAgentID, p.OutboundVersion)
}

// dpSlots is what slots() must say when in and out (nil: empty) are pinned.
func dpSlots(in, out *dpVer) string {
	one := func(v *dpVer) string {
		if v == nil {
			return "-"
		}
		return dpSlot(&v.ID, &v.AgentID, &v.Version)
	}
	return "in=" + one(in) + " out=" + one(out)
}

type dpSIP struct {
	Deployed   bool    `json:"deployed"`
	SIPURI     *string `json:"sip_uri"`
	DeployedAt *string `json:"deployed_at"`
}

type dpStats struct {
	Total                  int64            `json:"total"`
	Inbound                int64            `json:"inbound"`
	Outbound               int64            `json:"outbound"`
	ByChannel              map[string]int64 `json:"by_channel"`
	ByStatus               map[string]int64 `json:"by_status"`
	TotalDurationSeconds   float64          `json:"total_duration_seconds"`
	AverageDurationSeconds float64          `json:"average_duration_seconds"`
	LastConversationAt     *string          `json:"last_conversation_at"`
}

// String shows every field, the time by value.
func (s dpStats) String() string {
	return fmt.Sprintf("total=%d in=%d out=%d channels=%v statuses=%v duration=%v avg=%v last=%s", s.Total, s.Inbound, s.Outbound,
		s.ByChannel, s.ByStatus, s.TotalDurationSeconds, s.AverageDurationSeconds, dpStr(s.LastConversationAt))
}

type dpWidget struct {
	ID             string          `json:"id"`
	OrganizationID string          `json:"organization_id"`
	Name           string          `json:"name"`
	AgentID        string          `json:"agent_id"`
	AgentVersionID string          `json:"agent_version_id"`
	Domains        []string        `json:"domains"`
	Published      bool            `json:"published"`
	Config         json.RawMessage `json:"config"`
	CreatedAt      string          `json:"created_at"`
	UpdatedAt      string          `json:"updated_at"`
}

type dpDetail struct {
	ID       string `json:"id"`
	Versions []struct {
		ID          string  `json:"id"`
		Version     int     `json:"version"`
		Published   bool    `json:"published"`
		PublishedAt *string `json:"published_at"`
	} `json:"versions"`
	PhoneNumbers           []dpPhone  `json:"phone_numbers"`
	WebWidgets             []dpWidget `json:"web_widgets"`
	SIPEndpoint            dpSIP      `json:"sip_endpoint"`
	ConversationStats      dpStats    `json:"conversation_stats"`
	LatestPublishedVersion *int       `json:"latest_published_version"`
}

type dpConv struct {
	ID             string   `json:"id"`
	OrganizationID string   `json:"organization_id"`
	AgentID        *string  `json:"agent_id"`
	AgentVersionID *string  `json:"agent_version_id"`
	Version        *int     `json:"version"`
	WebWidgetID    *string  `json:"web_widget_id"`
	Channel        string   `json:"channel"`
	Direction      string   `json:"direction"`
	Status         string   `json:"status"`
	UserID         string   `json:"user_id"`
	AgentNumber    *string  `json:"agent_number"`
	Duration       *float64 `json:"duration"`
	UserTurnCount  *int     `json:"user_turn_count"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
}

type dpStart struct {
	Conversation    dpConv          `json:"conversation"`
	AgentConfig     json.RawMessage `json:"agent_config"`
	StartingMessage json.RawMessage `json:"starting_message"`
}

func dpAgent(t *testing.T, e *env, name string) string {
	t.Helper()
	var a struct{ ID string }
	e.admin(req{method: "POST", path: "/core/agents", body: map[string]any{"name": name}}).want(t, 201).decodeInto(t, &a)
	return a.ID
}

// dpConfig is a valid config whose starting message is greeting.
func dpConfig(greeting string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"instructions": "Answer as " + greeting, "starting_message": map[string]any{"text": greeting}})
	return b
}

// dpVersion creates a draft of agent whose starting message is greeting.
func dpVersion(t *testing.T, e *env, agent, greeting string) dpVer {
	t.Helper()
	var v dpVer
	e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions", body: map[string]any{"config": dpConfig(greeting)}}).
		want(t, 201).decodeInto(t, &v)
	if v.AgentID != agent || !ap.ValidID(v.ID) {
		t.Fatalf("new version %+v of agent %s", v, agent)
	}
	return v
}

// dpPublish publishes version n with body (nil: none) and returns the
// numbers the publish reports as changed.
func dpPublish(t *testing.T, e *env, agent string, n int, body any) []dpPhone {
	t.Helper()
	var out []dpPhone
	r := e.admin(req{method: "POST", path: fmt.Sprintf("/core/agents/%s/versions/%d/publish", agent, n), body: body}).want(t, 200)
	r.decodeInto(t, &out)
	if out == nil {
		t.Fatalf("publish answered %s, want an array", r.body)
	}
	return out
}

// dpPublished creates an agent with a published v1 that greets with
// greeting.
func dpPublished(t *testing.T, e *env, greeting string) (string, dpVer) {
	t.Helper()
	agent := dpAgent(t, e, greeting)
	v := dpVersion(t, e, agent, greeting)
	dpPublish(t, e, agent, v.Version, nil)
	return agent, v
}

func dpRegister(t *testing.T, e *env, number string, extra map[string]any) dpPhone {
	t.Helper()
	body := map[string]any{"phone_number": number}
	for k, v := range extra {
		body[k] = v
	}
	var p dpPhone
	e.admin(req{method: "POST", path: "/core/phone-numbers", body: body}).want(t, 201).decodeInto(t, &p)
	return p
}

func dpPhonePath(number string) string { return "/core/phone-numbers/" + url.PathEscape(number) }

func dpGetPhone(t *testing.T, e *env, number string) dpPhone {
	t.Helper()
	var p dpPhone
	e.admin(req{method: "GET", path: dpPhonePath(number)}).want(t, 200).decodeInto(t, &p)
	return p
}

func dpGetDetail(t *testing.T, e *env, agent string) dpDetail {
	t.Helper()
	var d dpDetail
	e.admin(req{method: "GET", path: "/core/agents/" + agent}).want(t, 200).decodeInto(t, &d)
	return d
}

func dpStartConv(t *testing.T, e *env, body map[string]any) dpStart {
	t.Helper()
	var s dpStart
	e.admin(req{method: "POST", path: "/core/conversations", body: body}).want(t, 201).decodeInto(t, &s)
	return s
}

// dpOtherOrg bootstraps a second organization and returns its admin key.
func dpOtherOrg(t *testing.T, e *env, slug string) string {
	t.Helper()
	b, err := e.svc.Bootstrap(context.Background(), service.BootstrapInput{OrgName: "Other " + slug, OrgSlug: slug, Email: "admin@" + slug + ".test"})
	if err != nil {
		t.Fatal(err)
	}
	return b.OrgKey
}

func dpStr(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// dpWantErr checks status and code, and for a 422 that one violation sits
// at loc.
func dpWantErr(t *testing.T, r resp, status int, code string, loc ...any) errBody {
	t.Helper()
	return admWantErr(t, r, status, code, loc...)
}

// TestDeployWalkthrough is the curl story: two numbers registered
// in everyday formats, v1 published to both in both directions, v2 to one
// inbound only; the numbers and the agent show it; SIP deploys; calls on
// the number get the version of their direction; finished calls count in
// the agent's statistics.
func TestDeployWalkthrough(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent := dpAgent(t, e, "Front desk")
		v1 := dpVersion(t, e, agent, "Hello from v1")
		v2 := dpVersion(t, e, agent, "Hello from v2")
		if v1.Version != 1 || v2.Version != 2 {
			t.Fatalf("versions %d, %d", v1.Version, v2.Version)
		}

		us := dpRegister(t, e, "(415) 555-0100", map[string]any{"label": "US main"})
		uk := dpRegister(t, e, "+44 20 7946 0958", nil)
		for _, c := range []struct {
			got  dpPhone
			want string
		}{{us, "+14155550100"}, {uk, "+442079460958"}} {
			if c.got.PhoneNumber != c.want || c.got.OrganizationID != e.boot.OrganizationID || c.got.slots() != "in=- out=-" ||
				!dpTimeRE.MatchString(c.got.CreatedAt) || c.got.UpdatedAt != c.got.CreatedAt || c.got.OutboundShareable {
				t.Errorf("registered %+v, want %s in acme with empty slots", c.got, c.want)
			}
		}
		if dpStr(us.Label) != "US main" || uk.Label != nil || uk.TrunkID != nil {
			t.Errorf("labels: us %s uk %s", dpStr(us.Label), dpStr(uk.Label))
		}

		// SIP needs a published version.
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + agent + "/deploy-as-sip"}), 409, "conflict")

		// v1 to both numbers, both directions; the response lists each
		// number once, after the change.
		changed := dpPublish(t, e, agent, 1, map[string]any{"phone_numbers": []string{"(415) 555-0100", "+44 20 7946 0958"}, "direction": "both"})
		got := map[string]dpPhone{}
		for _, p := range changed {
			got[p.PhoneNumber] = p
		}
		if len(changed) != 2 || len(got) != 2 {
			t.Fatalf("publish v1 changed %+v, want both numbers once", changed)
		}
		for _, n := range []string{us.PhoneNumber, uk.PhoneNumber} {
			if s := got[n].slots(); s != dpSlots(&v1, &v1) {
				t.Errorf("publish v1 reported %s as %s, want %s", n, s, dpSlots(&v1, &v1))
			}
		}

		// v2 to the US number, inbound only.
		changed = dpPublish(t, e, agent, 2, map[string]any{"phone_numbers": []string{"+1 415-555-0100"}, "direction": "inbound"})
		if len(changed) != 1 || changed[0].PhoneNumber != us.PhoneNumber || changed[0].slots() != dpSlots(&v2, &v1) {
			t.Fatalf("publish v2 changed %+v, want the US number with in=v2 out=v1", changed)
		}
		usNow, ukNow := dpGetPhone(t, e, us.PhoneNumber), dpGetPhone(t, e, "+442079460958")
		if usNow.slots() != dpSlots(&v2, &v1) || ukNow.slots() != dpSlots(&v1, &v1) {
			t.Errorf("numbers now: us %s, uk %s", usNow.slots(), ukNow.slots())
		}
		if !reflect.DeepEqual(usNow, changed[0]) || dpStr(usNow.Label) != "US main" {
			t.Errorf("GET %+v differs from the publish response %+v", usNow, changed[0])
		}

		d := dpGetDetail(t, e, agent)
		if len(d.Versions) != 2 || d.Versions[0].Version != 2 || d.Versions[1].Version != 1 ||
			!d.Versions[0].Published || !d.Versions[1].Published || d.Versions[0].ID != v2.ID || d.Versions[1].ID != v1.ID {
			t.Errorf("versions embed %+v", d.Versions)
		}
		if d.LatestPublishedVersion == nil || *d.LatestPublishedVersion != 2 {
			t.Errorf("latest_published_version %v, want 2", d.LatestPublishedVersion)
		}
		if len(d.PhoneNumbers) != 2 || d.PhoneNumbers[0].PhoneNumber != us.PhoneNumber || d.PhoneNumbers[1].PhoneNumber != uk.PhoneNumber ||
			d.PhoneNumbers[0].slots() != dpSlots(&v2, &v1) || d.PhoneNumbers[1].slots() != dpSlots(&v1, &v1) {
			t.Errorf("phone_numbers embed %+v", d.PhoneNumbers)
		}
		if d.SIPEndpoint.Deployed || d.SIPEndpoint.SIPURI != nil || d.SIPEndpoint.DeployedAt != nil || d.WebWidgets == nil || len(d.WebWidgets) != 0 {
			t.Errorf("before deploy: sip %+v widgets %+v", d.SIPEndpoint, d.WebWidgets)
		}
		if st := d.ConversationStats; st.Total != 0 || st.LastConversationAt != nil || len(st.ByChannel) != 0 || st.ByChannel == nil || st.ByStatus == nil {
			t.Errorf("stats before any call %s", st)
		}

		// SIP: deploy, again (harmless, same deployed_at), undeploy.
		var sip, again dpSIP
		e.admin(req{method: "POST", path: "/core/agents/" + agent + "/deploy-as-sip"}).want(t, 200).decodeInto(t, &sip)
		if !sip.Deployed || sip.SIPURI == nil || !strings.HasPrefix(*sip.SIPURI, "sip:"+agent+"@") || len(*sip.SIPURI) <= len("sip:"+agent+"@") ||
			sip.DeployedAt == nil || !dpTimeRE.MatchString(*sip.DeployedAt) {
			t.Fatalf("deploy %+v, want sip:%s@<domain>", sip, agent)
		}
		e.admin(req{method: "POST", path: "/core/agents/" + agent + "/deploy-as-sip"}).want(t, 200).decodeInto(t, &again)
		if dpStr(again.SIPURI) != *sip.SIPURI || dpStr(again.DeployedAt) != *sip.DeployedAt || !again.Deployed {
			t.Errorf("deploy again %+v, want %+v unchanged", again, sip)
		}
		if d := dpGetDetail(t, e, agent); !d.SIPEndpoint.Deployed || dpStr(d.SIPEndpoint.SIPURI) != *sip.SIPURI || dpStr(d.SIPEndpoint.DeployedAt) != *sip.DeployedAt {
			t.Errorf("sip_endpoint embed %+v, want %+v", d.SIPEndpoint, sip)
		}
		e.admin(req{method: "DELETE", path: "/core/agents/" + agent + "/deploy-as-sip"}).want(t, 204)
		dpWantErr(t, e.admin(req{method: "DELETE", path: "/core/agents/" + agent + "/deploy-as-sip"}), 404, "not_found")
		if d := dpGetDetail(t, e, agent); d.SIPEndpoint.Deployed || d.SIPEndpoint.SIPURI != nil || d.SIPEndpoint.DeployedAt != nil {
			t.Errorf("after undeploy sip_endpoint %+v", d.SIPEndpoint)
		}

		// Calls on the US number: inbound runs v2, outbound v1.
		in := dpStartConv(t, e, map[string]any{"channel": "telephone", "direction": "inbound", "user_id": "+15550001111", "agent_number": "(415) 555-0100"})
		out := dpStartConv(t, e, map[string]any{"channel": "telephone", "direction": "outbound", "user_id": "+15550002222", "agent_number": "+14155550100"})
		for _, c := range []struct {
			s     dpStart
			v     dpVer
			greet string
			dir   string
		}{{in, v2, "Hello from v2", "inbound"}, {out, v1, "Hello from v1", "outbound"}} {
			cv := c.s.Conversation
			if dpStr(cv.AgentID) != agent || dpStr(cv.AgentVersionID) != c.v.ID || cv.Version == nil || *cv.Version != c.v.Version ||
				cv.Status != "token_created" || cv.Direction != c.dir || cv.Channel != "telephone" || dpStr(cv.AgentNumber) != us.PhoneNumber ||
				cv.OrganizationID != e.boot.OrganizationID || !ap.ValidID(cv.ID) || cv.Duration != nil {
				t.Errorf("%s conversation %+v, want version %d on %s", c.dir, cv, c.v.Version, us.PhoneNumber)
			}
			vrSame(t, c.dir+" agent_config", c.s.AgentConfig, c.v.Config)
			vrSame(t, c.dir+" starting_message", c.s.StartingMessage, json.RawMessage(`{"interruptible":true,"text":"`+c.greet+`"}`))
		}

		// The inbound call completes, the outbound one is under way.
		var done dpConv
		e.admin(req{method: "PATCH", path: "/core/conversations/" + in.Conversation.ID,
			body: map[string]any{"status": "completed", "duration": 42.5, "user_turn_count": 3}}).want(t, 200).decodeInto(t, &done)
		if done.Status != "completed" || done.Duration == nil || *done.Duration != 42.5 || done.UserTurnCount == nil || *done.UserTurnCount != 3 {
			t.Errorf("patched %+v", done)
		}
		e.admin(req{method: "PATCH", path: "/core/conversations/" + out.Conversation.ID,
			body: map[string]any{"status": "in_progress", "duration": 17.5}}).want(t, 200)

		st := dpGetDetail(t, e, agent).ConversationStats
		want := dpStats{Total: 2, Inbound: 1, Outbound: 1, ByChannel: map[string]int64{"telephone": 2},
			ByStatus: map[string]int64{"completed": 1, "in_progress": 1}, TotalDurationSeconds: 60, AverageDurationSeconds: 30,
			LastConversationAt: &out.Conversation.CreatedAt}
		if st.String() != want.String() {
			t.Errorf("conversation_stats %s,\nwant %s", st, want)
		}
	})
}

// TestSIPDeploy: the URI uses the configured SIP domain; an unknown agent
// or another organization's agent is 404; an agent without a published
// version is 409 and stays undeployed.
func TestSIPDeploy(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, withService(func(o *service.Options) { o.SIPDomain = "voice.example.test" }))
			agent, _ := dpPublished(t, e, "Hi")
			var sip dpSIP
			e.admin(req{method: "POST", path: "/core/agents/" + agent + "/deploy-as-sip"}).want(t, 200).decodeInto(t, &sip)
			if dpStr(sip.SIPURI) != "sip:"+agent+"@voice.example.test" {
				t.Errorf("sip_uri %s, want sip:%s@voice.example.test", dpStr(sip.SIPURI), agent)
			}

			draftOnly := dpAgent(t, e, "Draft only")
			dpVersion(t, e, draftOnly, "Not yet")
			eb := dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + draftOnly + "/deploy-as-sip"}), 409, "conflict")
			if !strings.Contains(eb.Detail, "publish") {
				t.Errorf("409 detail %q does not say to publish", eb.Detail)
			}
			if d := dpGetDetail(t, e, draftOnly); d.SIPEndpoint.Deployed {
				t.Errorf("refused deploy left %+v", d.SIPEndpoint)
			}
			dpWantErr(t, e.admin(req{method: "DELETE", path: "/core/agents/" + draftOnly + "/deploy-as-sip"}), 404, "not_found")

			missing := ap.NewID()
			dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + missing + "/deploy-as-sip"}), 404, "not_found")
			dpWantErr(t, e.admin(req{method: "DELETE", path: "/core/agents/" + missing + "/deploy-as-sip"}), 404, "not_found")

			other := dpOtherOrg(t, e, "globex")
			dpWantErr(t, e.do(req{method: "POST", path: "/core/agents/" + agent + "/deploy-as-sip", token: other}), 404, "not_found")
			dpWantErr(t, e.do(req{method: "DELETE", path: "/core/agents/" + agent + "/deploy-as-sip", token: other}), 404, "not_found")
			if d := dpGetDetail(t, e, agent); !d.SIPEndpoint.Deployed || dpStr(d.SIPEndpoint.DeployedAt) != dpStr(sip.DeployedAt) {
				t.Errorf("another org's calls changed the endpoint: %+v", d.SIPEndpoint)
			}
		})
	}
}

// TestDeployDeleteCascade: deleting an agent clears its pins (the numbers
// stay registered, another agent's pin stays), removes its widgets and SIP
// endpoint, and leaves its conversations readable.
func TestDeployDeleteCascade(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent, v1 := dpPublished(t, e, "Doomed")
		keeper, k1 := dpPublished(t, e, "Keeper")
		n1 := dpRegister(t, e, "+1 212 555 0100", nil).PhoneNumber
		n2 := dpRegister(t, e, "+1 212 555 0123", nil).PhoneNumber
		dpPublish(t, e, agent, 1, map[string]any{"phone_numbers": []string{n1}, "direction": "inbound"})
		dpPublish(t, e, agent, 1, map[string]any{"phone_numbers": []string{n2}, "direction": "both"})
		dpPublish(t, e, keeper, 1, map[string]any{"phone_numbers": []string{n1}, "direction": "outbound"})
		if p := dpGetPhone(t, e, n1); p.slots() != dpSlots(&v1, &k1) {
			t.Fatalf("before delete %s: %s", n1, p.slots())
		}
		var w dpWidget
		e.admin(req{method: "POST", path: "/core/web-widgets", body: map[string]any{"name": "Site", "agent_id": agent, "agent_version_id": v1.ID, "published": true}}).
			want(t, 201).decodeInto(t, &w)
		e.admin(req{method: "POST", path: "/core/agents/" + agent + "/deploy-as-sip"}).want(t, 200)
		conv := dpStartConv(t, e, map[string]any{"channel": "telephone", "direction": "inbound", "user_id": "caller", "agent_number": n1}).Conversation
		if dpStr(conv.AgentVersionID) != v1.ID {
			t.Fatalf("conversation resolved to %s, want %s", dpStr(conv.AgentVersionID), v1.ID)
		}

		e.admin(req{method: "DELETE", path: "/core/agents/" + agent}).want(t, 204)

		dpWantErr(t, e.admin(req{method: "GET", path: "/core/agents/" + agent}), 404, "not_found")
		if p := dpGetPhone(t, e, n1); p.slots() != dpSlots(nil, &k1) {
			t.Errorf("after delete %s: %s, want only the keeper's outbound pin", n1, p.slots())
		}
		if p := dpGetPhone(t, e, n2); p.slots() != "in=- out=-" {
			t.Errorf("after delete %s: %s, want empty slots", n2, p.slots())
		}
		var pins admPage[dpPhone]
		e.admin(req{method: "GET", path: "/core/phone-numbers?agent_id=" + agent}).want(t, 200).decodeInto(t, &pins)
		if len(pins.Data) != 0 {
			t.Errorf("numbers still pinned by the deleted agent: %+v", pins.Data)
		}
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/web-widgets/" + w.ID}), 404, "not_found")
		dpWantErr(t, e.do(req{method: "GET", path: "/core/public/web-widgets/" + w.ID}), 404, "not_found")
		var widgets admPage[dpWidget]
		e.admin(req{method: "GET", path: "/core/web-widgets"}).want(t, 200).decodeInto(t, &widgets)
		if len(widgets.Data) != 0 {
			t.Errorf("widgets after delete: %+v", widgets.Data)
		}
		dpWantErr(t, e.admin(req{method: "DELETE", path: "/core/agents/" + agent + "/deploy-as-sip"}), 404, "not_found")

		var kept dpConv
		e.admin(req{method: "GET", path: "/core/conversations/" + conv.ID}).want(t, 200).decodeInto(t, &kept)
		if kept.ID != conv.ID || dpStr(kept.AgentID) != agent || dpStr(kept.AgentVersionID) != v1.ID || kept.Version == nil || *kept.Version != 1 {
			t.Errorf("conversation after delete %+v, want agent %s v1", kept, agent)
		}
		var hist admPage[dpConv]
		e.admin(req{method: "GET", path: "/core/conversations?agent_id=" + agent}).want(t, 200).decodeInto(t, &hist)
		if len(hist.Data) != 1 || hist.Data[0].ID != conv.ID {
			t.Errorf("history of the deleted agent: %+v", hist.Data)
		}
		// The cleared slot answers nothing now; the keeper still answers.
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/conversations",
			body: map[string]any{"channel": "telephone", "direction": "inbound", "user_id": "caller", "agent_number": n2}}), 404, "not_found")
		if s := dpStartConv(t, e, map[string]any{"channel": "telephone", "direction": "outbound", "user_id": "callee", "agent_number": n1}); dpStr(s.Conversation.AgentID) != keeper {
			t.Errorf("outbound on %s resolved to agent %s, want the keeper", n1, dpStr(s.Conversation.AgentID))
		}
		if d := dpGetDetail(t, e, keeper); len(d.PhoneNumbers) != 1 || d.PhoneNumbers[0].PhoneNumber != n1 {
			t.Errorf("keeper's numbers %+v", d.PhoneNumbers)
		}
	})
}

// dpCountingEnv is newEnv with a store that counts its statements.
func dpCountingEnv(t *testing.T, engine store.Engine) (*env, *atomic.Int64) {
	t.Helper()
	ctx := context.Background()
	var n atomic.Int64
	opts := dbtest.Options(t, engine)
	opts.QueryCounter = &n
	st, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open %s store: %v", engine, err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.DiscardHandler)
	// Authentication reads the credential on every request, so counts
	// don't depend on whether the node's cache of it has expired.
	svc := service.New(st, service.Options{Logger: log, CredentialTTL: -1, Secrets: testBox(t)})
	key, err := svc.CursorKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(svc, httpapi.Options{CursorKey: key, Logger: log})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	boot, err := svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Acme", OrgSlug: "acme", Email: "admin@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	return &env{
		t: t, engine: engine, store: st, svc: svc, server: srv, url: ts.URL, logs: &syncBuffer{},
		client: &http.Client{Transport: openapitest.New(t).Transport(nil)},
		boot:   boot,
	}, &n
}
