package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/configschema"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

// vrVersion is a version as the API returns it.
type vrVersion struct {
	ID                         string          `json:"id"`
	AgentID                    string          `json:"agent_id"`
	Version                    int             `json:"version"`
	Description                string          `json:"description"`
	Published                  bool            `json:"published"`
	PublishedAt                *string         `json:"published_at"`
	BaseVersion                *int            `json:"base_version"`
	Config                     json.RawMessage `json:"config"`
	InstructionBuilderInputs   json.RawMessage `json:"instruction_builder_inputs"`
	InstructionsStatus         string          `json:"instructions_status"`
	InstructionsError          *string         `json:"instructions_error"`
	InstructionsDirty          bool            `json:"instructions_dirty"`
	InstructionsManuallyEdited bool            `json:"instructions_manually_edited"`
}

func vrAgent(t *testing.T, e *env) string {
	t.Helper()
	var a struct{ ID string }
	e.admin(req{method: "POST", path: "/core/agents", body: map[string]any{"name": "Front desk"}}).want(t, 201).decodeInto(t, &a)
	return a.ID
}

func vrGet(t *testing.T, e *env, agent, version string) vrVersion {
	t.Helper()
	var v vrVersion
	e.admin(req{method: "GET", path: "/core/agents/" + agent + "/versions/" + version}).want(t, 200).decodeInto(t, &v)
	return v
}

func vrSame(t *testing.T, what string, a, b json.RawMessage) {
	t.Helper()
	if !agentplane.SameJSON(a, b) {
		t.Errorf("%s: %s, want %s", what, a, b)
	}
}

// TestVersionWalkthrough is the curl story: latest creates v1, edit,
// publish, a published version refuses edits, latest creates v2 from v1,
// and diff shows the change.
func TestVersionWalkthrough(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		base := "/core/agents/" + agent + "/versions"

		v1 := vrGet(t, e, agent, "latest")
		if v1.Version != 1 || v1.Published || v1.BaseVersion != nil || v1.InstructionsStatus != "idle" {
			t.Fatalf("first latest = %+v", v1)
		}
		vrSame(t, "v1 config", v1.Config, agentplane.DefaultConfig)
		if again := vrGet(t, e, agent, "latest"); again.ID != v1.ID {
			t.Fatalf("latest on a draft created another version: %s vs %s", again.ID, v1.ID)
		}

		cfg := `{"instructions":"Greet callers.","voice":{"provider":"eleven","voice_id":"v1","speed":1.0},"language":"en-US"}`
		// What is stored: the config with every schema default filled in.
		stored := `{"instructions":"Greet callers.","voice":{"provider":"eleven","voice_id":"v1","speed":1.0},"language":"en-US",` +
			`"interruption":{"enabled":true},"max_tool_steps":5,"noise_cancellation":"auto","recording":{"enabled":false,"redact_pii":false}}`
		var put vrVersion
		e.admin(req{method: "PUT", path: base + "/1", body: map[string]any{"config": json.RawMessage(cfg)}}).want(t, 200).decodeInto(t, &put)
		vrSame(t, "put config", put.Config, json.RawMessage(stored))
		if !put.InstructionsManuallyEdited || put.InstructionsDirty {
			t.Errorf("instructions edited by hand: flags %+v", put)
		}

		var changed []any
		e.admin(req{method: "POST", path: base + "/1/publish"}).want(t, 200).decodeInto(t, &changed)
		if len(changed) != 0 {
			t.Errorf("publish without numbers changed %v", changed)
		}
		pub := vrGet(t, e, agent, "1")
		if !pub.Published || pub.PublishedAt == nil {
			t.Fatalf("after publish: %+v", pub)
		}
		// Republishing is allowed and keeps the first published_at.
		e.admin(req{method: "POST", path: base + "/1/publish", body: map[string]any{}}).want(t, 200)
		if again := vrGet(t, e, agent, "1"); *again.PublishedAt != *pub.PublishedAt {
			t.Errorf("republish moved published_at %s → %s", *pub.PublishedAt, *again.PublishedAt)
		}

		eb := e.admin(req{method: "PUT", path: base + "/1", body: map[string]any{"config": json.RawMessage(`{}`)}}).want(t, 400).err(t)
		if eb.Detail != "version 1 is published and cannot be changed" || eb.Code != "invalid" {
			t.Errorf("edit published: %+v", eb)
		}

		v2 := vrGet(t, e, agent, "latest")
		if v2.Version != 2 || v2.BaseVersion == nil || *v2.BaseVersion != 1 || v2.Published {
			t.Fatalf("second latest = %+v", v2)
		}
		vrSame(t, "v2 copied config", v2.Config, json.RawMessage(stored))

		cfg2 := `{"instructions":"Greet callers.","voice":{"provider":"eleven","voice_id":"v1","speed":1.2},"language":"fr-FR"}`
		e.admin(req{method: "PUT", path: base + "/2", body: map[string]any{"config": json.RawMessage(cfg2)}}).want(t, 200)
		var patch []map[string]any
		e.admin(req{method: "GET", path: base + "/diff?from=1&to=2"}).want(t, 200).decodeInto(t, &patch)
		want := `[{"op":"replace","path":"/language","value":"fr-FR"},{"op":"replace","path":"/voice/speed","value":1.2}]`
		if got, _ := json.Marshal(patch); string(got) != want {
			t.Errorf("diff = %s, want %s", got, want)
		}

		var detail struct {
			Versions []struct {
				Version   int  `json:"version"`
				Published bool `json:"published"`
			} `json:"versions"`
			LatestPublishedVersion *int `json:"latest_published_version"`
		}
		e.admin(req{method: "GET", path: "/core/agents/" + agent}).want(t, 200).decodeInto(t, &detail)
		if len(detail.Versions) != 2 || detail.Versions[0].Version != 2 || detail.Versions[1].Version != 1 || !detail.Versions[1].Published ||
			detail.LatestPublishedVersion == nil || *detail.LatestPublishedVersion != 1 {
			t.Errorf("agent embeds: %+v", detail)
		}
	})
}

// vrAtOnce runs call(0) … call(n-1) on n goroutines released together, and
// returns when all have.
func vrAtOnce(n int, call func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			call(i)
		})
	}
	close(start)
	wg.Wait()
}

// TestLatestConcurrent: 50 concurrent latest calls on a fresh agent create
// exactly one draft.
func TestLatestConcurrent(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		const n = 50
		ids := make([]string, n)
		vrAtOnce(n, func(i int) {
			r := e.admin(req{method: "GET", path: "/core/agents/" + agent + "/versions/latest"})
			var v vrVersion
			if r.status == 200 && json.Unmarshal(r.body, &v) == nil {
				ids[i] = v.ID
			} else {
				ids[i] = fmt.Sprintf("status %d: %s", r.status, r.body)
			}
		})
		for i, id := range ids {
			if id != ids[0] {
				t.Fatalf("call %d got %q, call 0 got %q", i, id, ids[0])
			}
		}
		var page struct{ Data []vrVersion }
		e.admin(req{method: "GET", path: "/core/agents/" + agent + "/versions"}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 || page.Data[0].Version != 1 {
			t.Errorf("versions after 50 latest calls: %+v", page.Data)
		}
	})
}

// TestConfigViolations: a config broken in many ways is refused with the
// right loc each time, through POST and PUT, and nothing is saved.
func TestConfigViolations(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		base := "/core/agents/" + agent + "/versions"
		before := vrGet(t, e, agent, "latest")
		for _, tc := range []struct{ config, loc string }{
			{`{"instructions": 5}`, "[body config instructions]"},
			{`{"voice": {"provider": "p", "voice_id": "v", "speed": 9}}`, "[body config voice speed]"},
			{`{"flavour": "x"}`, "[body config flavour]"},
			{`{"noise_cancellation": "loud"}`, "[body config noise_cancellation]"},
			{`{"tools": [{"name": "a"}, {"name": "a"}]}`, "[body config tools 1 name]"},
			{`{"tools": [{"name": "a", "actions": [{"type": "cold_transfer"}]}]}`, "[body config tools 0 actions 0 transfer_number]"},
			{`{"max_tool_steps": 0}`, "[body config max_tool_steps]"},
			{`{"language": 7}`, "[body config language]"},
			{`{"turn_detection": {"models": []}}`, "[body config turn_detection models]"},
			{`{"channel_overrides": {"pager": {}}}`, "[body config channel_overrides pager]"},
			{`{"knowledge_base_ids": ["x"]}`, "[body config knowledge_base_ids 0]"},
		} {
			for _, r := range []req{
				{method: "PUT", path: base + "/1", body: `{"config": ` + tc.config + `}`},
				{method: "POST", path: base, body: `{"config": ` + tc.config + `}`},
			} {
				eb := e.admin(r).want(t, 422).err(t)
				found := false
				for _, f := range eb.Errors {
					found = found || fmt.Sprint(f.Loc) == tc.loc
				}
				if !found {
					t.Errorf("%s %s: errors %+v, want loc %s", r.method, tc.config, eb.Errors, tc.loc)
				}
			}
		}
		after := vrGet(t, e, agent, "1")
		vrSame(t, "config after refused writes", after.Config, before.Config)
		var page struct{ Data []vrVersion }
		e.admin(req{method: "GET", path: base}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 {
			t.Errorf("refused POSTs created versions: %d", len(page.Data))
		}
	})
}

// TestPublishGateHTTP publishes under every combination of the flags.
func TestPublishGateHTTP(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for _, status := range []agentplane.InstructionsStatus{"idle", "generating", "failed"} {
			for _, dirty := range []bool{false, true} {
				for _, manual := range []bool{false, true} {
					agent := vrAgent(t, e)
					vrGet(t, e, agent, "latest")
					v, err := e.store.GetVersion(ctx, e.boot.OrganizationID, agent, 1, false)
					if err != nil {
						t.Fatal(err)
					}
					v.InstructionsStatus, v.InstructionsDirty, v.InstructionsManuallyEdited = status, dirty, manual
					if err := e.store.WithTx(ctx, func(q *store.Queries) error { return q.UpdateVersion(ctx, v) }); err != nil {
						t.Fatal(err)
					}
					r := e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/1/publish"})
					blocked := status == "generating" || (dirty && !manual)
					name := fmt.Sprintf("%s dirty=%v manual=%v", status, dirty, manual)
					if blocked {
						eb := r.want(t, 409).err(t)
						if eb.Code != "conflict" || !strings.Contains(eb.Detail, "version 1") {
							t.Errorf("%s: %+v", name, eb)
						}
						if got := vrGet(t, e, agent, "1"); got.Published {
							t.Errorf("%s: refused publish still published", name)
						}
					} else if r.status != 200 {
						t.Errorf("%s: status %d %s", name, r.status, r.body)
					}
				}
			}
		}
	})
}

func TestVersionCreateRules(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		base := "/core/agents/" + agent + "/versions"
		for _, body := range []string{`{}`, `{"config": {}, "base_version": 1}`, `{"config": null}`} {
			eb := e.admin(req{method: "POST", path: base, body: body}).want(t, 422).err(t)
			if len(eb.Errors) != 1 || fmt.Sprint(eb.Errors[0].Loc) != "[body]" {
				t.Errorf("%s: %+v", body, eb)
			}
		}
		inputs := `{"company_name": "Acme", "purpose": "book plumbers"}`
		var v1 vrVersion
		e.admin(req{method: "POST", path: base, body: `{"config": {"language": "de-DE"}, "instruction_builder_inputs": ` + inputs + `}`}).want(t, 201).decodeInto(t, &v1)
		if v1.Version != 1 || !v1.InstructionsDirty {
			t.Errorf("v1 = %+v (fresh inputs are dirty until generated)", v1)
		}
		var v2 vrVersion
		e.admin(req{method: "POST", path: base, body: `{"base_version": 1}`}).want(t, 201).decodeInto(t, &v2)
		if v2.Version != 2 || *v2.BaseVersion != 1 || !v2.InstructionsDirty {
			t.Errorf("v2 = %+v", v2)
		}
		vrSame(t, "copied config", v2.Config, v1.Config)
		vrSame(t, "copied inputs", v2.InstructionBuilderInputs, json.RawMessage(inputs))

		eb := e.admin(req{method: "POST", path: base, body: `{"base_version": 9}`}).want(t, 422).err(t)
		if fmt.Sprint(eb.Errors[0].Loc) != "[body base_version]" {
			t.Errorf("missing base: %+v", eb)
		}
		eb = e.admin(req{method: "POST", path: base, body: `{"config": {}, "instruction_builder_inputs": {"company": "x"}}`}).want(t, 422).err(t)
		if fmt.Sprint(eb.Errors[0].Loc) != "[body instruction_builder_inputs company]" {
			t.Errorf("unknown input key: %+v", eb)
		}

		// PUT of changed inputs marks dirty; an identical PUT keeps flags.
		e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/2/publish", body: `{}`}).want(t, 409)
		var v3 vrVersion
		e.admin(req{method: "PUT", path: base + "/2", body: `{"config": {"instructions": "Hand written."}}`}).want(t, 200).decodeInto(t, &v3)
		if !v3.InstructionsManuallyEdited {
			t.Errorf("manual edit not recorded: %+v", v3)
		}
		e.admin(req{method: "POST", path: base + "/2/publish"}).want(t, 200)

		// Filters and errors on the list.
		var page struct{ Data []vrVersion }
		e.admin(req{method: "GET", path: base + "?published=true"}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 || page.Data[0].Version != 2 {
			t.Errorf("published filter: %+v", page.Data)
		}
		e.admin(req{method: "GET", path: base + "?version=1"}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 || page.Data[0].Version != 1 {
			t.Errorf("version filter: %+v", page.Data)
		}
		e.admin(req{method: "GET", path: base + "?version=x"}).want(t, 422)
		e.admin(req{method: "GET", path: base + "/abc"}).want(t, 422)
		e.admin(req{method: "GET", path: base + "/7"}).want(t, 404)
		e.admin(req{method: "GET", path: base + "/diff?from=1"}).want(t, 422)
		e.admin(req{method: "GET", path: base + "/diff?from=1&to=8"}).want(t, 404)
	})
}

func TestConfigSchemaRoutes(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		r := e.admin(req{method: "GET", path: "/core/agent-config-schema"}).want(t, 200)
		if string(r.body) != string(configschema.JSON()) {
			t.Error("served schema differs from the generated one")
		}
		var ok struct {
			Valid  bool            `json:"valid"`
			Config json.RawMessage `json:"config"`
		}
		e.admin(req{method: "POST", path: "/core/agent-config-schema/validate", body: `{"voice": {"provider": "p", "voice_id": "v"}}`}).want(t, 200).decodeInto(t, &ok)
		// The config as it would be stored: every default filled in,
		// canonical (keys sorted), as a version's config is.
		want := `{"interruption":{"enabled":true},"language":"en-US","max_tool_steps":5,"noise_cancellation":"auto",` +
			`"recording":{"enabled":false,"redact_pii":false},"voice":{"provider":"p","speed":1,"voice_id":"v"}}`
		if !ok.Valid || string(ok.Config) != want {
			t.Errorf("valid config: %+v, want config %s", ok, want)
		}
		eb := e.admin(req{method: "POST", path: "/core/agent-config-schema/validate", body: `{"voice": {"speed": 3}}`}).want(t, 422).err(t)
		var locs []string
		for _, f := range eb.Errors {
			locs = append(locs, fmt.Sprint(f.Loc))
		}
		if strings.Join(locs, ",") != "[body voice provider],[body voice speed],[body voice voice_id]" {
			t.Errorf("locs %v", locs)
		}
	})
}

func TestVersionsOtherOrganization(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		vrGet(t, e, agent, "latest")
		other, err := e.svc.Bootstrap(context.Background(), service.BootstrapInput{OrgName: "Globex", OrgSlug: "globex", Email: "a@globex.test"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []req{
			{method: "GET", path: "/core/agents/" + agent + "/versions"},
			{method: "GET", path: "/core/agents/" + agent + "/versions/1"},
			{method: "GET", path: "/core/agents/" + agent + "/versions/latest"},
			{method: "PUT", path: "/core/agents/" + agent + "/versions/1", body: `{"config": {}}`},
			{method: "POST", path: "/core/agents/" + agent + "/versions", body: `{"config": {}}`},
			{method: "POST", path: "/core/agents/" + agent + "/versions/1/publish"},
			{method: "GET", path: "/core/agents/" + agent + "/versions/diff?from=1&to=1"},
		} {
			r.token = other.OrgKey
			if got := e.do(r); got.status != http.StatusNotFound {
				t.Errorf("%s %s from another org: %d %s", r.method, r.path, got.status, got.body)
			}
		}
	})
}
