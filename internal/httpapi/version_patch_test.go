package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// vpMerge is the Content-Type of PATCH …/versions/{version}.
var vpMerge = map[string]string{"Content-Type": "application/merge-patch+json"}

// vpPatch sends a merge patch to version ref of agent.
func vpPatch(e *env, agent, ref string, body any, header ...string) resp {
	e.t.Helper()
	h := map[string]string{"Content-Type": "application/merge-patch+json"}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return e.admin(req{method: "PATCH", path: "/core/agents/" + agent + "/versions/" + ref, header: h, body: body})
}

// vpCount is how many versions agent has.
func vpCount(t *testing.T, e *env, agent string) int {
	t.Helper()
	var page struct{ Data []vrVersion }
	e.admin(req{method: "GET", path: "/core/agents/" + agent + "/versions"}).want(t, 200).decodeInto(t, &page)
	return len(page.Data)
}

// TestVersionPatchMerge: PATCH is a JSON merge patch (RFC 7396) over
// {config, instruction_builder_inputs, description}: members replace,
// objects merge, null removes; what it leaves out stays.
func TestVersionPatchMerge(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		base := "/core/agents/" + agent + "/versions"
		e.admin(req{method: "POST", path: base, body: `{"config":{"instructions":"Greet.","voice":{"provider":"eleven","voice_id":"v1","emotion":"calm"},` +
			`"starting_message":{"text":"Hi"},"channel_overrides":{"sms":{"instructions":"Short."}}},` +
			`"instruction_builder_inputs":{"company_name":"Acme","purpose":"sell"}}`}).want(t, 201)

		steps := []struct{ name, patch, config, inputs string }{
			{"a nested field; the rest of the object stays", `{"config":{"voice":{"speed":1.2}}}`,
				`{"instructions":"Greet.","voice":{"provider":"eleven","voice_id":"v1","emotion":"calm","speed":1.2},"starting_message":{"text":"Hi","interruptible":true},` +
					`"channel_overrides":{"sms":{"instructions":"Short.","instructions_mode":"append"}},` + vdDefaults + `}`, ""},
			{"null removes a key, three levels down and at the top", `{"config":{"voice":{"emotion":null},"starting_message":null,"channel_overrides":{"sms":{"instructions_mode":"replace"},"email":{"instructions":"Formal."}}}}`,
				`{"instructions":"Greet.","voice":{"provider":"eleven","voice_id":"v1","speed":1.2},` +
					`"channel_overrides":{"sms":{"instructions":"Short.","instructions_mode":"replace"},"email":{"instructions":"Formal.","instructions_mode":"append"}},` + vdDefaults + `}`, ""},
			{"a whole nested object removed", `{"config":{"channel_overrides":null,"voice":null}}`,
				`{"instructions":"Greet.",` + vdDefaults + `}`, ""},
			{"inputs merge", `{"instruction_builder_inputs":{"purpose":"book visits","industry":"plumbing","company_name":null}}`,
				"", `{"purpose":"book visits","industry":"plumbing"}`},
			{"an array is replaced whole", `{"instruction_builder_inputs":{"guardrails":["no prices"]},"config":{"knowledge_base_ids":["0190a000-0000-7000-8000-000000000001"]}}`,
				`{"instructions":"Greet.","knowledge_base_ids":["0190a000-0000-7000-8000-000000000001"],` + vdDefaults + `}`,
				`{"purpose":"book visits","industry":"plumbing","guardrails":["no prices"]}`},
			{"an empty patch changes nothing", `{}`, `{"instructions":"Greet.","knowledge_base_ids":["0190a000-0000-7000-8000-000000000001"],` + vdDefaults + `}`,
				`{"purpose":"book visits","industry":"plumbing","guardrails":["no prices"]}`},
		}
		for _, st := range steps {
			var v vrVersion
			vpPatch(e, agent, "1", st.patch).want(t, 200).decodeInto(t, &v)
			if st.config != "" {
				vrSame(t, st.name+": config", v.Config, json.RawMessage(st.config))
			}
			if st.inputs != "" {
				vrSame(t, st.name+": inputs", v.InstructionBuilderInputs, json.RawMessage(st.inputs))
			}
			again := vrGet(t, e, agent, "1")
			vrSame(t, st.name+": config read back", again.Config, v.Config)
		}

		var v vrVersion
		vpPatch(e, agent, "1", `{"instruction_builder_inputs":null}`).want(t, 200).decodeInto(t, &v)
		if string(v.InstructionBuilderInputs) != "null" {
			t.Errorf("inputs patched with null: %s", v.InstructionBuilderInputs)
		}
		vpPatch(e, agent, "1", `{"instruction_builder_inputs":{"company_name":"Fresh"}}`).want(t, 200).decodeInto(t, &v)
		vrSame(t, "inputs patched onto none", v.InstructionBuilderInputs, json.RawMessage(`{"company_name":"Fresh"}`))
	})
}

// TestVersionPatchFlags: the instruction flags follow a PATCH as they
// follow a PUT.
func TestVersionPatchFlags(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions", body: `{"config":{"instructions":"Greet."}}`}).want(t, 201)
		var v vrVersion
		vpPatch(e, agent, "1", `{"config":{"language":"de-DE","instructions":"Greet."}}`).want(t, 200).decodeInto(t, &v)
		if v.InstructionsManuallyEdited || v.InstructionsDirty {
			t.Errorf("same instructions, no inputs: flags %+v", v)
		}
		vpPatch(e, agent, "1", `{"instruction_builder_inputs":{"company_name":"Acme"}}`).want(t, 200).decodeInto(t, &v)
		if !v.InstructionsDirty || v.InstructionsManuallyEdited {
			t.Errorf("new inputs: flags %+v", v)
		}
		vpPatch(e, agent, "1", `{"config":{"instructions":"By hand."}}`).want(t, 200).decodeInto(t, &v)
		if !v.InstructionsManuallyEdited {
			t.Errorf("new instructions: flags %+v", v)
		}
	})
}

// TestVersionPatchRefusals: the media type, the body's shape, the result's
// validity (every violation at once, located as for PUT), published
// versions and If-Match; a refused PATCH saves nothing.
func TestVersionPatchRefusals(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		path := "/core/agents/" + agent + "/versions/1"
		e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions", body: `{"config":{"voice":{"provider":"p","voice_id":"v"}},"description":"Kept."}`}).want(t, 201)
		for _, ct := range []string{"application/json", "", "application/x-www-form-urlencoded", "application/json-patch+json", "text/plain"} {
			r := e.admin(req{method: "PATCH", path: path, header: map[string]string{"Content-Type": ct}, body: `{"description":"x"}`})
			eb := dpWantErr(t, r, http.StatusUnsupportedMediaType, "invalid")
			if !strings.Contains(eb.Detail, "application/merge-patch+json") {
				t.Errorf("Content-Type %q: detail %q", ct, eb.Detail)
			}
		}
		vpPatch(e, agent, "1", `{"description":"Kept."}`, "Content-Type", "application/merge-patch+json; charset=utf-8").want(t, 200)
		before := e.admin(req{method: "GET", path: path}).want(t, 200)

		for _, tc := range []struct {
			body string
			locs []string
		}{
			{`{"config":{"voice":{"speed":9}}}`, []string{"[body config voice speed]"}},
			{`{"config":{"voice":{"provider":null}}}`, []string{"[body config voice provider]"}},
			{`{"config":{"colour":"red"}}`, []string{"[body config colour]"}},
			{`{"config":{"tools":[{"name":"a"},{"name":"a"}]}}`, []string{"[body config tools 1 name]"}},
			{`{"config":5}`, []string{"[body config]"}},
			{`{"config":null}`, []string{"[body config]"}},
			{`{"instruction_builder_inputs":{"company":"x"}}`, []string{"[body instruction_builder_inputs company]"}},
			{`{"instruction_builder_inputs":["x"]}`, []string{"[body instruction_builder_inputs]"}},
			{`{"id":"mine"}`, []string{"[body id]"}},
			{`[{"op":"replace","path":"/config/language","value":"fr-FR"}]`, []string{"[body]"}},
			// The whole result is checked: one answer names all of it.
			{`{"config":{"max_tool_steps":0,"language":7},"instruction_builder_inputs":{"company":"x"},"description":"` + strings.Repeat("a", 2001) + `"}`,
				[]string{"[body config language]", "[body config max_tool_steps]", "[body description]", "[body instruction_builder_inputs company]"}},
		} {
			eb := dpWantErr(t, vpPatch(e, agent, "1", tc.body), 422, "invalid")
			var got []string
			for _, f := range eb.Errors {
				got = append(got, fmt.Sprint(f.Loc))
			}
			for _, want := range tc.locs {
				if !strings.Contains(strings.Join(got, ","), want) {
					t.Errorf("%s: errors at %v, want one at %s", tc.body, got, want)
				}
			}
		}
		after := e.admin(req{method: "GET", path: path}).want(t, 200)
		if after.header.Get("ETag") != before.header.Get("ETag") {
			t.Errorf("refused patches changed the version:\n%s\n%s", before.body, after.body)
		}

		// If-Match: stale 412, current 200 (and the new ETag answers).
		dpWantErr(t, vpPatch(e, agent, "1", `{"description":"x"}`, "If-Match", `"nope"`), 412, "precondition_failed")
		ok := vpPatch(e, agent, "1", `{"description":"Matched."}`, "If-Match", after.header.Get("ETag")).want(t, 200)
		if ok.header.Get("ETag") == "" || ok.header.Get("ETag") == after.header.Get("ETag") {
			t.Errorf("ETag after a PATCH: %q (was %q)", ok.header.Get("ETag"), after.header.Get("ETag"))
		}
		dpWantErr(t, vpPatch(e, agent, "1", `{"description":"x"}`, "If-Match", after.header.Get("ETag")), 412, "precondition_failed")

		e.admin(req{method: "POST", path: path + "/publish"}).want(t, 200)
		eb := dpWantErr(t, vpPatch(e, agent, "1", `{"description":"x"}`), 400, "invalid")
		if eb.Detail != "version 1 is published and cannot be changed" {
			t.Errorf("PATCH of a published version: %q", eb.Detail)
		}
		dpWantErr(t, vpPatch(e, agent, "9", `{"description":"x"}`), 404, "not_found")
		dpWantErr(t, vpPatch(e, agent, "0", `{"description":"x"}`), 422, "invalid", "path", "version")
		dpWantErr(t, vpPatch(e, "0190a000-0000-7000-8000-000000000000", "1", `{"description":"x"}`), 404, "not_found")
		other := dpOtherOrg(t, e, "globex")
		if r := e.do(req{method: "PATCH", path: path, token: other, header: vpMerge, body: `{"description":"x"}`}); r.status != 404 {
			t.Errorf("PATCH from another organization: %d %s", r.status, r.body)
		}
	})
}

// TestLatestOnEveryRoute: "latest" on GET, PUT, PATCH and
// generate-instructions names the draft GET latest returns, created when
// the newest version is published or there is none; on publish it names
// the newest version while it is a draft and never creates one.
func TestLatestOnEveryRoute(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		// PUT and PATCH on an agent without versions create v1.
		a := vrAgent(t, e)
		base := "/core/agents/" + a + "/versions"
		var v vrVersion
		e.admin(req{method: "PUT", path: base + "/latest", body: `{"config":{"instructions":"One."}}`}).want(t, 200).decodeInto(t, &v)
		if v.Version != 1 || v.BaseVersion != nil {
			t.Fatalf("PUT latest on an agent without versions: %+v", v)
		}
		vpPatch(e, a, "latest", `{"description":"First."}`).want(t, 200).decodeInto(t, &v)
		if v.Version != 1 || v.Description != "First." || vpCount(t, e, a) != 1 {
			t.Fatalf("PATCH latest on a draft: %+v", v)
		}
		// Publish latest: the draft; then the newest is published: 409.
		var changed []any
		e.admin(req{method: "POST", path: base + "/latest/publish"}).want(t, 200).decodeInto(t, &changed)
		if got := vrGet(t, e, a, "1"); !got.Published {
			t.Fatalf("publish latest left v1 a draft")
		}
		eb := dpWantErr(t, e.admin(req{method: "POST", path: base + "/latest/publish"}), 409, "conflict")
		if eb.Detail != "the newest version (1) is published: there is no draft to publish; create one first" {
			t.Errorf("publish latest on a published newest: %q", eb.Detail)
		}
		// Once the newest is published, PATCH latest makes v2 from v1.
		vpPatch(e, a, "latest", `{"config":{"instructions":"Two."}}`).want(t, 200).decodeInto(t, &v)
		if v.Version != 2 || v.BaseVersion == nil || *v.BaseVersion != 1 || v.Description != "" {
			t.Fatalf("PATCH latest after publishing: %+v", v)
		}
		vrSame(t, "v2 config", v.Config, json.RawMessage(`{"instructions":"Two.",`+vdDefaults+`}`))
		e.admin(req{method: "POST", path: base + "/latest/publish"}).want(t, 200)
		e.admin(req{method: "PUT", path: base + "/latest", body: `{"description":"Third."}`}).want(t, 200).decodeInto(t, &v)
		if v.Version != 3 || *v.BaseVersion != 2 {
			t.Fatalf("PUT latest after publishing: %+v", v)
		}
		if v.Description != "Third." {
			t.Errorf("PUT latest description %q", v.Description)
		}

		// A refused edit of "latest" leaves no draft behind.
		e.admin(req{method: "POST", path: base + "/3/publish"}).want(t, 200)
		dpWantErr(t, vpPatch(e, a, "latest", `{"config":{"max_tool_steps":0}}`), 422, "invalid", "body", "config", "max_tool_steps")
		dpWantErr(t, e.admin(req{method: "PUT", path: base + "/latest", body: `{"config":{"max_tool_steps":0}}`}), 422, "invalid", "body", "config", "max_tool_steps")
		dpWantErr(t, vpPatch(e, a, "latest", `{"description":"x"}`, "If-Match", `"stale"`), 412, "precondition_failed")
		if n := vpCount(t, e, a); n != 3 {
			t.Errorf("refused edits of latest left %d versions, want 3", n)
		}

		// Publish latest never creates a draft: no versions is a 409 too.
		b := vrAgent(t, e)
		eb = dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + b + "/versions/latest/publish"}), 409, "conflict")
		if eb.Detail != "the agent has no versions: there is no draft to publish; create one first" || vpCount(t, e, b) != 0 {
			t.Errorf("publish latest without versions: %q, %d versions", eb.Detail, vpCount(t, e, b))
		}
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/0190a000-0000-7000-8000-000000000000/versions/latest/publish"}), 404, "not_found")
		for _, bad := range []string{"Latest", "newest", "0", "-1", "1.5"} {
			dpWantErr(t, e.admin(req{method: "POST", path: base + "/" + bad + "/publish"}), 422, "invalid", "path", "version")
			dpWantErr(t, e.admin(req{method: "PUT", path: base + "/" + bad, body: `{}`}), 422, "invalid", "path", "version")
		}

		// Another organization gets 404 on every latest route, and A
		// changes nothing.
		other := dpOtherOrg(t, e, "globex")
		for _, r := range []req{
			{method: "GET", path: base + "/latest"},
			{method: "PUT", path: base + "/latest", body: `{"description":"x"}`},
			{method: "PATCH", path: base + "/latest", header: vpMerge, body: `{"description":"x"}`},
			{method: "POST", path: base + "/latest/publish"},
			{method: "POST", path: base + "/latest/generate-instructions"},
		} {
			r.token = other
			if got := e.do(r); got.status != http.StatusNotFound {
				t.Errorf("%s %s from another organization: %d %s", r.method, r.path, got.status, got.body)
			}
		}
		if n := vpCount(t, e, a); n != 3 {
			t.Errorf("another organization's calls left %d versions, want 3", n)
		}
	})
}

// TestLatestGenerateInstructions: generate-instructions on "latest"
// generates for the draft GET latest returns, creating it from a
// published newest version; refused, it leaves no draft behind.
func TestLatestGenerateInstructions(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		base := "/core/agents/" + agent + "/versions"
		e.admin(req{method: "POST", path: base, body: `{"config":{"instructions":"x"}}`}).want(t, 201)
		e.admin(req{method: "POST", path: base + "/1/publish"}).want(t, 200)
		// v1 has no builder inputs: 400, and no v2.
		dpWantErr(t, e.admin(req{method: "POST", path: base + "/latest/generate-instructions"}), 400, "invalid")
		if n := vpCount(t, e, agent); n != 1 {
			t.Fatalf("a refused generation left %d versions", n)
		}
		vpPatch(e, agent, "latest", `{"instruction_builder_inputs":{"company_name":"Acme"}}`).want(t, 200)
		e.admin(req{method: "POST", path: base + "/2/publish"}).want(t, 409) // stale instructions
		e.admin(req{method: "PATCH", path: base + "/2", header: vpMerge, body: `{"config":{"instructions":"By hand."}}`}).want(t, 200)
		e.admin(req{method: "POST", path: base + "/2/publish"}).want(t, 200)

		var started struct {
			WorkflowID string `json:"workflow_id"`
		}
		e.admin(req{method: "POST", path: base + "/latest/generate-instructions"}).want(t, 202).decodeInto(t, &started)
		var wf struct {
			AgentID *string `json:"agent_id"`
			Version *int    `json:"version"`
		}
		e.admin(req{method: "GET", path: "/core/workflows/" + started.WorkflowID}).want(t, 200).decodeInto(t, &wf)
		if wf.Version == nil || *wf.Version != 3 || wf.AgentID == nil || *wf.AgentID != agent {
			t.Errorf("the workflow generates for %v of %v, want version 3 of %s", wf.Version, wf.AgentID, agent)
		}
		v3 := vrGet(t, e, agent, "latest")
		if v3.Version != 3 || v3.InstructionsStatus != "generating" || *v3.BaseVersion != 2 {
			t.Errorf("latest after generate-instructions on latest: %+v", v3)
		}
		dpWantErr(t, e.admin(req{method: "POST", path: base + "/latest/generate-instructions"}), 409, "conflict")
	}, withJobs)
}

// TestPublishLatestConcurrent: concurrent publishes of "latest" on one
// draft: exactly one publishes it, the others are 409 — whether they
// looked before or after the winner committed.
func TestPublishLatestConcurrent(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions", body: `{"config":{}}`}).want(t, 201)
		const n = 12
		statuses := make([]int, n)
		vrAtOnce(n, func(i int) {
			statuses[i] = e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/latest/publish"}).status
		})
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[200] != 1 || count[409] != n-1 {
			t.Errorf("statuses %v, want one 200 and %d 409s", count, n-1)
		}
	})
}
