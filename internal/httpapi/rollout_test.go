package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	ap "github.com/agentplane/agentplane"
)

// Live version, rollback, canary rollout and deployment history (SPEC
// §15), and who made and published a version (§16).

type roDeployment struct {
	ID              string    `json:"id"`
	AgentID         string    `json:"agent_id"`
	Kind            string    `json:"kind"`
	Version         int       `json:"version"`
	PreviousVersion *int      `json:"previous_version"`
	Percent         *int      `json:"percent"`
	Description     *string   `json:"description"`
	Actor           *ap.Actor `json:"actor"`
	CreatedAt       string    `json:"created_at"`
}

// String is "kind v(previous→version)", what the tests compare.
func (d roDeployment) String() string {
	prev := "-"
	if d.PreviousVersion != nil {
		prev = fmt.Sprint(*d.PreviousVersion)
	}
	s := fmt.Sprintf("%s %s→%d", d.Kind, prev, d.Version)
	if d.Percent != nil {
		s += fmt.Sprintf(" %d%%", *d.Percent)
	}
	return s
}

type roRollback struct {
	LiveVersion     int       `json:"live_version"`
	PreviousVersion int       `json:"previous_version"`
	PhoneNumbers    []dpPhone `json:"phone_numbers"`
}

type roStats struct {
	dpStats
	CompletionRate *float64 `json:"completion_rate"`
}

// String shows every field, pointers by value.
func (s roStats) String() string {
	rate := "null"
	if s.CompletionRate != nil {
		rate = fmt.Sprint(*s.CompletionRate)
	}
	return s.dpStats.String() + " completion=" + rate
}

// roKeyID is the id of the environment's org key (ak_<id>.<secret>).
func roKeyID(e *env) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(e.boot.OrgKey, "ak_"), ".")
	return id
}

type roView struct {
	ID        string `json:"id"`
	Version   int    `json:"version"`
	Percent   int    `json:"percent"`
	StartedAt string `json:"started_at"`
	Live      struct {
		Version int     `json:"version"`
		Stats   roStats `json:"stats"`
	} `json:"live"`
	Canary struct {
		Version int     `json:"version"`
		Stats   roStats `json:"stats"`
	} `json:"canary"`
}

type roConv struct {
	dpConv
	Rollout bool `json:"rollout"`
}

func roLive(t *testing.T, e *env, agent string) *int {
	t.Helper()
	var a struct {
		LiveVersion *int `json:"live_version"`
	}
	e.admin(req{method: "GET", path: "/core/agents/" + agent}).want(t, 200).decodeInto(t, &a)
	return a.LiveVersion
}

func roWantLive(t *testing.T, e *env, agent string, want int) {
	t.Helper()
	if got := roLive(t, e, agent); got == nil || *got != want {
		t.Fatalf("live version %v, want %d", deref(got), want)
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// roHistory lists the agent's whole deployment history, newest first, as
// strings.
func roHistory(t *testing.T, e *env, agent, query string) []roDeployment {
	t.Helper()
	var out []roDeployment
	cursor := ""
	for {
		q := "?limit=2" + query
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		var p admPage[roDeployment]
		e.admin(req{method: "GET", path: "/core/agents/" + agent + "/deployments" + q}).want(t, 200).decodeInto(t, &p)
		out = append(out, p.Data...)
		if p.Pagination.NextCursor == nil {
			return out
		}
		cursor = *p.Pagination.NextCursor
	}
}

func roKinds(ds []roDeployment) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, "; ")
}

func roRollbackTo(t *testing.T, e *env, agent string, body any) roRollback {
	t.Helper()
	var rb roRollback
	e.admin(req{method: "POST", path: "/core/agents/" + agent + "/rollback", body: body}).want(t, 200).decodeInto(t, &rb)
	return rb
}

func roStart(t *testing.T, e *env, body map[string]any) roConv {
	t.Helper()
	var s struct {
		Conversation roConv `json:"conversation"`
	}
	e.admin(req{method: "POST", path: "/core/conversations", body: body}).want(t, 201).decodeInto(t, &s)
	return s.Conversation
}

// TestLiveVersionFollowsPublishes: a first publish and a publish naming no
// numbers make the version live; a re-pin of a published version doesn't.
// Republishing v2 after v4 makes conversations by agent and by "latest"
// answer with v2, while latest_published_version stays 4. Each live change
// is in the history, newest first, with its note and author.
func TestLiveVersionFollowsPublishes(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent := dpAgent(t, e, "Live")
		if got := roLive(t, e, agent); got != nil {
			t.Fatalf("a new agent's live version is %d", *got)
		}
		for i := 1; i <= 5; i++ {
			dpVersion(t, e, agent, fmt.Sprint("V", i))
		}
		number := dpRegister(t, e, "+1 415 555 0160", nil).PhoneNumber
		for i := 1; i <= 4; i++ {
			dpPublish(t, e, agent, i, map[string]any{"description": fmt.Sprint("ship v", i)})
		}
		roWantLive(t, e, agent, 4)
		dpPublish(t, e, agent, 2, map[string]any{"description": "back to two"})
		roWantLive(t, e, agent, 2)

		// Re-pinning numbers of published versions leaves the live one.
		dpPublish(t, e, agent, 3, map[string]any{"phone_numbers": []string{number}, "description": "not recorded"})
		roWantLive(t, e, agent, 2)
		// A first publish moves it, numbers or not.
		dpPublish(t, e, agent, 5, map[string]any{"phone_numbers": []string{number}})
		roWantLive(t, e, agent, 5)
		dpPublish(t, e, agent, 2, map[string]any{"phone_numbers": []string{}})
		roWantLive(t, e, agent, 2)

		var detail struct {
			LatestPublished int `json:"latest_published_version"`
		}
		e.admin(req{method: "GET", path: "/core/agents/" + agent}).want(t, 200).decodeInto(t, &detail)
		if detail.LatestPublished != 5 {
			t.Errorf("latest_published_version %d, want 5", detail.LatestPublished)
		}
		for _, body := range []map[string]any{
			{"agent_id": agent},
			{"agent_id": agent, "version": "latest"},
		} {
			body["channel"], body["direction"], body["user_id"] = "telephone", "inbound", "caller"
			if c := roStart(t, e, body); *c.Version != 2 || c.Rollout {
				t.Errorf("conversation %v answered by v%d (rollout %v), want the live v2", body, *c.Version, c.Rollout)
			}
		}
		// The number's slot pins v5 still: slots follow their publishes.
		if c := roStart(t, e, map[string]any{"agent_number": number, "channel": "telephone", "direction": "inbound", "user_id": "x"}); *c.Version != 5 {
			t.Errorf("the number answered with v%d, want v5", *c.Version)
		}

		hist := roHistory(t, e, agent, "")
		want := "publish 5→2; publish 2→5; publish 4→2; publish 3→4; publish 2→3; publish 1→2; publish -→1"
		if got := roKinds(hist); got != want {
			t.Fatalf("history\n got %s\nwant %s", got, want)
		}
		if d := hist[2]; d.Description == nil || *d.Description != "back to two" {
			t.Errorf("the republish's note: %v", d.Description)
		}
		for i := 1; i < len(hist); i++ {
			if hist[i].CreatedAt > hist[i-1].CreatedAt {
				t.Errorf("history not newest first: %s before %s", hist[i-1].CreatedAt, hist[i].CreatedAt)
			}
		}
		key := roKeyID(e)
		for _, d := range hist {
			if d.Actor == nil || d.Actor.Type != "org_key" || d.Actor.ID != key || d.Actor.Name == "" {
				t.Errorf("record %s by %+v, want the org key %s", d, d.Actor, key)
			}
		}

		// Versions: the first publish's note became the description; a
		// republish's didn't; both say who.
		var v2 struct {
			Description string    `json:"description"`
			CreatedBy   *ap.Actor `json:"created_by"`
			PublishedBy *ap.Actor `json:"published_by"`
		}
		e.admin(req{method: "GET", path: "/core/agents/" + agent + "/versions/2"}).want(t, 200).decodeInto(t, &v2)
		if v2.Description != "ship v2" || v2.CreatedBy == nil || v2.CreatedBy.ID != key || v2.PublishedBy == nil || v2.PublishedBy.ID != key {
			t.Errorf("v2: %+v", v2)
		}
		var draft struct {
			PublishedBy *ap.Actor `json:"published_by"`
			CreatedBy   *ap.Actor `json:"created_by"`
		}
		e.admin(req{method: "GET", path: "/core/agents/" + agent + "/versions/latest"}).want(t, 200).decodeInto(t, &draft)
		if draft.PublishedBy != nil || draft.CreatedBy == nil {
			t.Errorf("a draft: made by %v, published by %v", draft.CreatedBy, draft.PublishedBy)
		}

		// Filters: kind and time; updated_* is not a filter here.
		if got := roHistory(t, e, agent, "&kind=rollback"); len(got) != 0 {
			t.Errorf("kind=rollback: %s", roKinds(got))
		}
		// Inclusive after, exclusive before (SPEC §1).
		if got := roHistory(t, e, agent, "&created_after="+hist[1].CreatedAt); roKinds(got) != roKinds(hist[:2]) {
			t.Errorf("created_after the second newest: %s", roKinds(got))
		}
		if got := roHistory(t, e, agent, "&created_before="+hist[5].CreatedAt); roKinds(got) != roKinds(hist[6:]) {
			t.Errorf("created_before the second oldest: %s", roKinds(got))
		}
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/agents/" + agent + "/deployments?updated_after=0"}), 422, "invalid")
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/agents/" + agent + "/deployments?kind=deploy"}), 422, "invalid")
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/2/publish",
			body: map[string]any{"description": strings.Repeat("é", 2001)}}), 422, "invalid", "body", "description")
	})
}

// TestRollback: a rollback moves the live version and exactly the slots
// that pinned the old live one (both directions), nothing else; without
// to_version it goes to the previous live version, so two in a row toggle.
func TestRollback(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent := dpAgent(t, e, "Undo")
		var v [5]dpVer
		for i := 1; i <= 4; i++ {
			v[i] = dpVersion(t, e, agent, fmt.Sprint("V", i))
		}
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + agent + "/rollback"}), 409, "conflict")
		n := make([]string, 4)
		for i := range n {
			n[i] = dpRegister(t, e, fmt.Sprintf("+1 415 555 017%d", i), nil).PhoneNumber
		}
		other := dpAgent(t, e, "Neighbour")
		ov := dpVersion(t, e, other, "Other")
		dpPublish(t, e, other, ov.Version, map[string]any{"phone_numbers": []string{n[3]}, "direction": "outbound"})

		dpPublish(t, e, agent, 1, map[string]any{"phone_numbers": []string{n[0]}, "direction": "both"})
		dpPublish(t, e, agent, 2, map[string]any{"phone_numbers": []string{n[1], n[3]}, "direction": "inbound"})
		dpPublish(t, e, agent, 3, nil)
		// v3 is live; n2 pins it inbound, n1 outbound; n0 pins v1 both ways.
		dpPublish(t, e, agent, 3, map[string]any{"phone_numbers": []string{n[2]}})
		dpPublish(t, e, agent, 3, map[string]any{"phone_numbers": []string{n[1]}, "direction": "outbound"})
		roWantLive(t, e, agent, 3)
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + agent + "/rollback", body: map[string]any{"to_version": 4}}), 409, "conflict")
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + agent + "/rollback", body: map[string]any{"to_version": 3}}), 409, "conflict")
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + agent + "/rollback", body: map[string]any{"to_version": 9}}), 404, "not_found")
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + agent + "/rollback", body: map[string]any{"to_version": 0}}), 422, "invalid", "body", "to_version")

		rb := roRollbackTo(t, e, agent, map[string]any{"description": "v3 drops calls"})
		if rb.LiveVersion != 2 || rb.PreviousVersion != 3 {
			t.Fatalf("rollback: %+v, want live 2 from 3", rb)
		}
		moved := map[string]string{}
		for _, p := range rb.PhoneNumbers {
			moved[p.PhoneNumber] = p.slots()
		}
		want := map[string]string{
			n[1]: dpSlots(&v[2], &v[2]), // its inbound slot pinned v2 already; its outbound pinned v3
			n[2]: dpSlots(&v[2], nil),
		}
		if fmt.Sprint(moved) != fmt.Sprint(want) {
			t.Fatalf("moved\n %v\nwant\n %v", moved, want)
		}
		// Untouched: n0 pins v1, n3 pins v2 inbound and the neighbour
		// outbound.
		if got := dpGetPhone(t, e, n[0]).slots(); got != dpSlots(&v[1], &v[1]) {
			t.Errorf("n0: %s", got)
		}
		if got := dpGetPhone(t, e, n[3]).slots(); got != dpSlots(&v[2], &ov) {
			t.Errorf("n3: %s", got)
		}
		roWantLive(t, e, agent, 2)

		// Again: back to 3, and the slots that pin 2 now (n1 both, n2,
		// n3 inbound) go with it.
		rb = roRollbackTo(t, e, agent, nil)
		if rb.LiveVersion != 3 || rb.PreviousVersion != 2 || len(rb.PhoneNumbers) != 3 {
			t.Fatalf("second rollback: %+v", rb)
		}
		if got := dpGetPhone(t, e, n[3]).slots(); got != dpSlots(&v[3], &ov) {
			t.Errorf("n3 after the toggle: %s", got)
		}
		rb = roRollbackTo(t, e, agent, map[string]any{"to_version": 1})
		if rb.LiveVersion != 1 || rb.PreviousVersion != 3 {
			t.Fatalf("rollback to 1: %+v", rb)
		}
		if got := roKinds(roHistory(t, e, agent, "&kind=rollback")); got != "rollback 3→1; rollback 2→3; rollback 3→2" {
			t.Errorf("rollbacks: %s", got)
		}
		if h := roHistory(t, e, agent, "&kind=rollback"); h[2].Description == nil || *h[2].Description != "v3 drops calls" {
			t.Errorf("the rollback's note: %+v", h[2])
		}
		if c := roStart(t, e, map[string]any{"agent_id": agent, "channel": "telephone", "direction": "inbound", "user_id": "u"}); *c.Version != 1 {
			t.Errorf("after rolling back to 1, the agent answers with v%d", *c.Version)
		}
	})
}

// TestCanaryRollout: at 30% over 1,000 callers the canary answers 26–34%
// of them, each caller always the same version; explicit versions bypass
// it; the rollout's statistics equal a scan of its conversations; a new
// version deals again; promote makes the canary live and moves the live
// version's slots; any publish ends a rollout; abort changes nothing else.
func TestCanaryRollout(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent := dpAgent(t, e, "Canary")
		var v [5]dpVer
		for i := 1; i <= 4; i++ {
			v[i] = dpVersion(t, e, agent, fmt.Sprint("V", i))
		}
		path := "/core/agents/" + agent + "/rollout"
		dpWantErr(t, e.admin(req{method: "PUT", path: path, body: map[string]any{"version": 2, "percent": 30}}), 409, "conflict")
		number := dpRegister(t, e, "+1 415 555 0180", nil).PhoneNumber
		spare := dpRegister(t, e, "+1 415 555 0181", nil).PhoneNumber
		dpPublish(t, e, agent, 1, map[string]any{"phone_numbers": []string{number}})
		dpPublish(t, e, agent, 2, nil)
		dpPublish(t, e, agent, 3, nil)
		roRollbackTo(t, e, agent, map[string]any{"to_version": 1})
		dpPublish(t, e, agent, 3, map[string]any{"phone_numbers": []string{spare}})
		// Live v1 (on number); v2 and v3 published; v4 a draft.
		for _, c := range []struct {
			body   map[string]any
			status int
		}{
			{map[string]any{"version": 1, "percent": 30}, 409},
			{map[string]any{"version": 4, "percent": 30}, 409},
			{map[string]any{"version": 9, "percent": 30}, 404},
			{map[string]any{"version": 2, "percent": 0}, 422},
			{map[string]any{"version": 2, "percent": 100}, 422},
			{map[string]any{"percent": 30}, 422},
		} {
			r := e.admin(req{method: "PUT", path: path, body: c.body})
			if r.status != c.status {
				t.Errorf("PUT rollout %v: %d %s, want %d", c.body, r.status, r.body, c.status)
			}
		}
		dpWantErr(t, e.admin(req{method: "GET", path: path}), 404, "not_found")

		var view roView
		e.admin(req{method: "PUT", path: path, body: map[string]any{"version": 2, "percent": 30, "description": "try v2"}}).want(t, 200).decodeInto(t, &view)
		if view.Version != 2 || view.Percent != 30 || view.Live.Version != 1 || view.Canary.Version != 2 || view.Live.Stats.Total != 0 || !ap.ValidID(view.ID) {
			t.Fatalf("started: %+v", view)
		}

		const callers = 1000
		canary := map[string]bool{}
		var convs []roConv
		for i := range callers {
			user := fmt.Sprintf("caller-%04d", i)
			body := map[string]any{"agent_id": agent, "channel": "telephone", "direction": "inbound", "user_id": user}
			if i%4 == 1 { // by the number, whose slot pins the live version
				body = map[string]any{"agent_number": number, "channel": "telephone", "direction": "inbound", "user_id": user}
			}
			c := roStart(t, e, body)
			if c.Rollout != (*c.Version == 2) || (*c.Version != 1 && *c.Version != 2) {
				t.Fatalf("caller %s: v%d, rollout %v", user, *c.Version, c.Rollout)
			}
			canary[user] = c.Rollout
			convs = append(convs, c)
		}
		share := 0
		for _, c := range canary {
			if c {
				share++
			}
		}
		if share < 260 || share > 340 {
			t.Fatalf("the canary answered %d of %d callers at 30%%", share, callers)
		}
		// Sticky, by any route; explicit versions bypass the rollout (and
		// count in it: they are of its versions, started while it runs).
		for i := 0; i < 100; i += 7 {
			user := fmt.Sprintf("caller-%04d", i)
			c := roStart(t, e, map[string]any{"agent_id": agent, "version": "latest", "channel": "webrtc", "direction": "inbound", "user_id": user})
			if c.Rollout != canary[user] {
				t.Fatalf("caller %s changed sides: rollout %v, before %v", user, c.Rollout, canary[user])
			}
			convs = append(convs, c)
			c = roStart(t, e, map[string]any{"agent_id": agent, "version": 1, "channel": "text", "direction": "outbound", "user_id": user})
			if *c.Version != 1 || c.Rollout {
				t.Fatalf("explicit v1 for %s: v%d rollout %v", user, *c.Version, c.Rollout)
			}
			convs = append(convs, c)
			c = roStart(t, e, map[string]any{"agent_version_id": v[2].ID, "channel": "text", "direction": "inbound", "user_id": user})
			if *c.Version != 2 || c.Rollout {
				t.Fatalf("explicit v2 for %s: v%d rollout %v", user, *c.Version, c.Rollout)
			}
			convs = append(convs, c)
		}
		// Not counted: v3 is neither side of the rollout.
		roStart(t, e, map[string]any{"agent_number": spare, "channel": "telephone", "direction": "inbound", "user_id": "caller-0000"})
		// Some end, with durations.
		for i, c := range convs {
			switch i % 5 {
			case 0:
				dpPatchConv(t, e, c.ID, map[string]any{"status": "completed", "duration": 30.5})
			case 1:
				dpPatchConv(t, e, c.ID, map[string]any{"status": "failed", "duration": 2})
			case 2:
				dpPatchConv(t, e, c.ID, map[string]any{"status": "in_progress"})
			}
		}
		// Retuning the percent keeps the rollout and its numbers.
		var retuned roView
		e.admin(req{method: "PUT", path: path, body: map[string]any{"version": 2, "percent": 50}}).want(t, 200).decodeInto(t, &retuned)
		if retuned.ID != view.ID || retuned.Percent != 50 || retuned.StartedAt != view.StartedAt {
			t.Fatalf("retuned: %+v, was %+v", retuned, view)
		}
		// The view's statistics equal a scan of the conversations.
		for _, side := range []struct {
			name    string
			version dpVer
			got     roStats
		}{{"live", v[1], retuned.Live.Stats}, {"canary", v[2], retuned.Canary.Stats}} {
			want := roScan(t, e, side.version.ID)
			if fmt.Sprint(side.got) != fmt.Sprint(want) {
				t.Errorf("%s stats\n got %+v\nscan %+v", side.name, side.got, want)
			}
		}
		if retuned.Live.Stats.Total+retuned.Canary.Stats.Total != int64(len(convs)) {
			t.Errorf("counted %d + %d conversations, started %d", retuned.Live.Stats.Total, retuned.Canary.Stats.Total, len(convs))
		}
		// So do the versions' own.
		var v2 struct {
			Stats roStats `json:"conversation_stats"`
		}
		e.admin(req{method: "GET", path: "/core/agents/" + agent + "/versions/2"}).want(t, 200).decodeInto(t, &v2)
		if want := roScan(t, e, v[2].ID); fmt.Sprint(v2.Stats) != fmt.Sprint(want) {
			t.Errorf("v2 stats\n got %+v\nscan %+v", v2.Stats, want)
		}

		// Another version is another rollout: new id, stats from zero.
		var v3view roView
		e.admin(req{method: "PUT", path: path, body: map[string]any{"version": 3, "percent": 20}}).want(t, 200).decodeInto(t, &v3view)
		if v3view.ID == view.ID || v3view.Canary.Stats.Total != 0 || v3view.Live.Stats.Total != 0 {
			t.Fatalf("a new rollout: %+v", v3view)
		}

		// Promote: v3 goes live, the number pinning v1 follows.
		var pr roRollback
		e.admin(req{method: "POST", path: path + "/promote"}).want(t, 200).decodeInto(t, &pr)
		if pr.LiveVersion != 3 || pr.PreviousVersion != 1 || len(pr.PhoneNumbers) != 1 || pr.PhoneNumbers[0].PhoneNumber != number {
			t.Fatalf("promote: %+v", pr)
		}
		roWantLive(t, e, agent, 3)
		dpWantErr(t, e.admin(req{method: "GET", path: path}), 404, "not_found")
		dpWantErr(t, e.admin(req{method: "POST", path: path + "/promote"}), 404, "not_found")
		dpWantErr(t, e.admin(req{method: "DELETE", path: path}), 404, "not_found")

		// A publish ends a running rollout; so does a delete, changing
		// nothing else.
		e.admin(req{method: "PUT", path: path, body: map[string]any{"version": 2, "percent": 10}}).want(t, 200)
		dpPublish(t, e, agent, 4, nil)
		dpWantErr(t, e.admin(req{method: "GET", path: path}), 404, "not_found")
		e.admin(req{method: "PUT", path: path, body: map[string]any{"version": 1, "percent": 10}}).want(t, 200)
		e.admin(req{method: "DELETE", path: path}).want(t, 204)
		roWantLive(t, e, agent, 4)
		// Any publish ends it, also one that only re-pins a number.
		e.admin(req{method: "PUT", path: path, body: map[string]any{"version": 2, "percent": 5}}).want(t, 200)
		dpPublish(t, e, agent, 3, map[string]any{"phone_numbers": []string{spare}})
		dpWantErr(t, e.admin(req{method: "GET", path: path}), 404, "not_found")
		roWantLive(t, e, agent, 4)

		want := "rollout_aborted 4→2 5%; rollout_started 4→2 5%; rollout_aborted 4→1 10%; rollout_started 4→1 10%; publish 3→4; rollout_aborted 3→2 10%; rollout_started 3→2 10%; " +
			"rollout_promoted 1→3 20%; rollout_started 1→3 20%; rollout_aborted 1→2 50%; rollout_started 1→2 30%; " +
			"rollback 3→1; publish 2→3; publish 1→2; publish -→1"
		if got := roKinds(roHistory(t, e, agent, "")); got != want {
			t.Errorf("history\n got %s\nwant %s", got, want)
		}
	})
}

// roScan computes a version's statistics from its conversations, the slow
// way: what the counters must equal.
func roScan(t *testing.T, e *env, versionID string) roStats {
	t.Helper()
	st := roStats{dpStats: dpStats{ByChannel: map[string]int64{}, ByStatus: map[string]int64{}}}
	withDuration, cursor := 0.0, ""
	for {
		q := "?limit=200&agent_version_id=" + versionID
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		p := dpConvList(t, e, e.boot.OrgKey, "", q)
		for _, c := range p.Data {
			st.Total++
			if c.Direction == "inbound" {
				st.Inbound++
			} else {
				st.Outbound++
			}
			st.ByChannel[c.Channel]++
			st.ByStatus[c.Status]++
			if c.Duration != nil {
				st.TotalDurationSeconds += *c.Duration
				withDuration++
			}
			if st.LastConversationAt == nil || c.CreatedAt > *st.LastConversationAt {
				at := c.CreatedAt
				st.LastConversationAt = &at
			}
		}
		if p.Pagination.NextCursor == nil {
			break
		}
		cursor = *p.Pagination.NextCursor
	}
	if withDuration > 0 {
		st.AverageDurationSeconds = st.TotalDurationSeconds / withDuration
	}
	ended := int64(0)
	for _, s := range ap.TerminalStatuses {
		ended += st.ByStatus[s]
	}
	if ended > 0 {
		r := float64(st.ByStatus["completed"]) / float64(ended)
		st.CompletionRate = &r
	}
	return st
}

// TestRollbacksRaceWithPublishes: rollbacks and publishes of one agent at
// once end consistent: the history is one chain (each change starts from
// the version the one before it made live), the live version is the
// newest record's, and the numbers are where replaying the history puts
// them.
func TestRollbacksRaceWithPublishes(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent := dpAgent(t, e, "Racy")
		ids := map[int]string{}
		for i := 1; i <= 4; i++ {
			ids[i] = dpVersion(t, e, agent, fmt.Sprint("V", i)).ID
		}
		var numbers []string
		for i := range 3 {
			numbers = append(numbers, dpRegister(t, e, fmt.Sprintf("+1 415 555 019%d", i), nil).PhoneNumber)
		}
		for i := 1; i <= 3; i++ {
			dpPublish(t, e, agent, i, nil)
		}
		dpPublish(t, e, agent, 4, map[string]any{"phone_numbers": numbers, "direction": "both"})

		const workers, rounds = 8, 6
		errs := make(chan string, workers*rounds)
		done := make(chan struct{})
		for w := range workers {
			go func() {
				defer func() { done <- struct{}{} }()
				for r := range rounds {
					var res resp
					switch (w + r) % 3 {
					case 0:
						res = e.admin(req{method: "POST", path: "/core/agents/" + agent + "/rollback"})
					case 1:
						res = e.admin(req{method: "POST", path: "/core/agents/" + agent + "/rollback", body: map[string]any{"to_version": 1 + (w+r)%4}})
					default:
						res = e.admin(req{method: "POST", path: fmt.Sprintf("/core/agents/%s/versions/%d/publish", agent, 1+r%4)})
					}
					if res.status != 200 && res.status != 409 {
						errs <- fmt.Sprintf("%d %s", res.status, res.body)
					}
				}
			}()
		}
		for range workers {
			<-done
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}

		hist := roHistory(t, e, agent, "")
		slices.Reverse(hist) // oldest first
		slots := map[string]int{}
		for _, n := range numbers {
			slots[n] = 4
		}
		live := 0
		for i, d := range hist {
			if (d.PreviousVersion == nil) != (i == 0) || (i > 0 && *d.PreviousVersion != live) {
				t.Fatalf("record %d (%s) doesn't start where the one before ended (v%d): %s", i, d, live, roKinds(hist))
			}
			if d.Kind == "rollback" {
				for n, pinned := range slots {
					if pinned == live {
						slots[n] = d.Version
					}
				}
			}
			live = d.Version
		}
		if len(hist) < workers {
			t.Fatalf("only %d changes recorded", len(hist))
		}
		roWantLive(t, e, agent, live)
		for _, n := range numbers {
			p := dpGetPhone(t, e, n)
			if p.InboundAgentVersionID == nil || *p.InboundAgentVersionID != ids[slots[n]] ||
				p.OutboundAgentVersionID == nil || *p.OutboundAgentVersionID != ids[slots[n]] {
				t.Errorf("%s: %s, replaying the history says v%d", n, p.slots(), slots[n])
			}
		}
		t.Logf("%d changes: %s", len(hist), roKinds(hist))
	})
}
