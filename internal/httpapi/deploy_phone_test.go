package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	ap "github.com/agentplane/agentplane"
)

// Phone numbers (SPEC §9) and publish pinning (SPEC §8).

// dpNumbers lists the numbers a list query returns, in order.
func dpNumbers(t *testing.T, e *env, token, query string) admPage[dpPhone] {
	t.Helper()
	var p admPage[dpPhone]
	e.do(req{method: "GET", path: "/core/phone-numbers" + query, token: token}).want(t, 200).decodeInto(t, &p)
	return p
}

func dpNames(ps []dpPhone) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.PhoneNumber
	}
	return out
}

// TestPhoneNumberLifecycle: register in any common format, refuse invalid
// and duplicate numbers (also across organizations and formats), read,
// patch and delete by any format in the path, and keep another
// organization out.
func TestPhoneNumberLifecycle(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		p := dpRegister(t, e, "(415) 555-0100", map[string]any{"label": "Main", "trunk_id": "trunk-1", "outbound_shareable": true})
		if p.PhoneNumber != "+14155550100" || dpStr(p.Label) != "Main" || dpStr(p.TrunkID) != "trunk-1" || !p.OutboundShareable ||
			p.OrganizationID != e.boot.OrganizationID || p.slots() != "in=- out=-" || !dpTimeRE.MatchString(p.CreatedAt) || p.UpdatedAt != p.CreatedAt {
			t.Fatalf("registered %+v", p)
		}

		for _, bad := range []any{"12", "555-0100", "not a number", "", "+1 415 555 01000000", 14155550101} {
			dpWantErr(t, e.admin(req{method: "POST", path: "/core/phone-numbers", body: map[string]any{"phone_number": bad}}), 422, "invalid", "body", "phone_number")
		}
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/phone-numbers", body: map[string]any{}}), 422, "invalid", "body", "phone_number")
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/phone-numbers", body: map[string]any{"phone_number": "+14155550101", "trunk_id": ""}}), 422, "invalid", "body", "trunk_id")
		dpWantErr(t, e.admin(req{method: "POST", path: "/core/phone-numbers",
			body: map[string]any{"phone_number": "+14155550101", "inbound_agent_version_id": ap.NewID()}}), 422, "invalid", "body", "inbound_agent_version_id")

		// Registered already, in whatever format, by whichever organization:
		// 409. The organization holding it is told so; any other learns
		// only that the number is not available (SPEC §24), not who has it.
		other := dpOtherOrg(t, e, "globex")
		for _, dup := range []struct {
			r    req
			says string
		}{
			{req{method: "POST", path: "/core/phone-numbers", token: e.boot.OrgKey, body: map[string]any{"phone_number": "+14155550100"}}, "phone number +14155550100 is already registered in this organization"},
			{req{method: "POST", path: "/core/phone-numbers", token: e.boot.OrgKey, body: map[string]any{"phone_number": "415.555.0100"}}, "phone number +14155550100 is already registered in this organization"},
			{req{method: "POST", path: "/core/phone-numbers", token: other, body: map[string]any{"phone_number": "+1 415 555 0100"}}, "phone number +14155550100 is not available"},
		} {
			if eb := dpWantErr(t, e.do(dup.r), 409, "conflict"); eb.Detail != dup.says {
				t.Errorf("registering %v again: detail %q, want %q", dup.r.body, eb.Detail, dup.says)
			}
		}
		if l := dpNumbers(t, e, e.boot.OrgKey, ""); !slices.Equal(dpNames(l.Data), []string{"+14155550100"}) {
			t.Errorf("after refused registrations the list is %v", dpNames(l.Data))
		}
		if l := dpNumbers(t, e, other, ""); len(l.Data) != 0 {
			t.Errorf("the other organization sees %v", dpNames(l.Data))
		}

		// Any format in the path finds it; "+" may be escaped.
		for _, path := range []string{"/core/phone-numbers/+14155550100", "/core/phone-numbers/%2B14155550100",
			dpPhonePath("(415) 555-0100"), dpPhonePath("415-555-0100"), dpPhonePath("+1 415 555 0100")} {
			var got dpPhone
			e.admin(req{method: "GET", path: path}).want(t, 200).decodeInto(t, &got)
			if !reflect.DeepEqual(got, p) {
				t.Errorf("GET %s = %+v, want %+v", path, got, p)
			}
		}
		dpWantErr(t, e.admin(req{method: "GET", path: dpPhonePath("+14155550199")}), 404, "not_found")
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/phone-numbers/garbage"}), 404, "not_found")

		// PATCH: label, trunk and shareability only.
		var patched dpPhone
		e.admin(req{method: "PATCH", path: dpPhonePath("+1 (415) 555-0100"), body: map[string]any{"label": "Support", "outbound_shareable": false}}).
			want(t, 200).decodeInto(t, &patched)
		if patched.PhoneNumber != p.PhoneNumber || dpStr(patched.Label) != "Support" || dpStr(patched.TrunkID) != "trunk-1" ||
			patched.OutboundShareable || patched.CreatedAt != p.CreatedAt || patched.UpdatedAt < p.UpdatedAt || patched.slots() != "in=- out=-" {
			t.Errorf("patched %+v", patched)
		}
		for field, value := range map[string]any{"inbound_agent_version_id": ap.NewID(), "outbound_agent_version_id": ap.NewID(),
			"inbound_agent_id": ap.NewID(), "phone_number": "+14155550111", "organization_id": ap.NewID()} {
			dpWantErr(t, e.admin(req{method: "PATCH", path: "/core/phone-numbers/%2B14155550100", body: map[string]any{field: value, "label": "x"}}),
				422, "invalid", "body", field)
		}
		dpWantErr(t, e.admin(req{method: "PATCH", path: "/core/phone-numbers/%2B14155550100", body: map[string]any{"trunk_id": ""}}), 422, "invalid", "body", "trunk_id")
		if now := dpGetPhone(t, e, "+14155550100"); !reflect.DeepEqual(now, patched) {
			t.Errorf("refused patches changed the number: %+v, want %+v", now, patched)
		}

		// Another organization: 404 for every verb, nothing changes.
		for _, method := range []string{"GET", "PATCH", "DELETE"} {
			r := req{method: method, path: "/core/phone-numbers/%2B14155550100", token: other}
			if method == "PATCH" {
				r.body = map[string]any{"label": "stolen"}
			}
			dpWantErr(t, e.do(r), 404, "not_found")
		}
		if now := dpGetPhone(t, e, "+14155550100"); !reflect.DeepEqual(now, patched) {
			t.Errorf("another organization changed the number: %+v", now)
		}

		// DELETE by another format; then it is gone and may be registered again.
		e.admin(req{method: "DELETE", path: dpPhonePath("(415) 555-0100")}).want(t, 204)
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/phone-numbers/+14155550100"}), 404, "not_found")
		dpWantErr(t, e.admin(req{method: "DELETE", path: "/core/phone-numbers/+14155550100"}), 404, "not_found")
		var again dpPhone
		e.do(req{method: "POST", path: "/core/phone-numbers", token: other, body: map[string]any{"phone_number": "4155550100"}}).want(t, 201).decodeInto(t, &again)
		if again.PhoneNumber != "+14155550100" || again.Label != nil || again.OrganizationID == e.boot.OrganizationID {
			t.Errorf("re-registered by the other organization: %+v", again)
		}
	})
}

// TestPhoneNumberList: filters by substring, agent and trunk; pages newest
// first without gaps or repeats; refuses unknown filters and bad values.
func TestPhoneNumberList(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		type reg struct{ number, trunk string }
		var all []dpPhone
		for _, r := range []reg{{"+1 415 555 0101", "A"}, {"+1 415 555 0102", "B"}, {"+1 212 555 0103", "A"}, {"+44 20 7946 0958", ""}, {"+33 1 23 45 67 89", "B"}} {
			extra := map[string]any{}
			if r.trunk != "" {
				extra["trunk_id"] = r.trunk
			}
			all = append(all, dpRegister(t, e, r.number, extra))
		}
		// Newest first: created_at desc, then the key desc.
		slices.SortFunc(all, func(a, b dpPhone) int {
			if c := strings.Compare(b.CreatedAt, a.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(b.PhoneNumber, a.PhoneNumber)
		})
		order := dpNames(all)
		only := func(keep ...string) []string {
			var out []string
			for _, n := range order {
				if slices.Contains(keep, n) {
					out = append(out, n)
				}
			}
			return out
		}

		agent, v := dpPublished(t, e, "Pinned")
		dpPublish(t, e, agent, v.Version, map[string]any{"phone_numbers": []string{"+14155550101"}, "direction": "inbound"})
		dpPublish(t, e, agent, v.Version, map[string]any{"phone_numbers": []string{"+12125550103"}, "direction": "outbound"})
		unpinned := dpAgent(t, e, "Nothing pinned")

		for _, c := range []struct {
			query string
			want  []string
		}{
			{"", order},
			{"?phone_number=%2B1415", only("+14155550101", "+14155550102")},
			{"?phone_number=555", only("+14155550101", "+14155550102", "+12125550103")},
			{"?phone_number=0958", only("+442079460958")},
			{"?phone_number=" + url.QueryEscape("(415) 555"), only("+14155550101", "+14155550102")},
			{"?phone_number=+1415", only("+14155550101", "+14155550102")}, // an unescaped "+"
			{"?phone_number=%25", nil},
			{"?phone_number=_", nil},
			{"?trunk_id=A", only("+14155550101", "+12125550103")},
			{"?trunk_id=B&phone_number=%2B33", only("+33123456789")},
			{"?agent_id=" + agent, only("+14155550101", "+12125550103")},
			{"?agent_id=" + agent + "&trunk_id=B", nil},
			{"?agent_id=" + unpinned, nil},
		} {
			if got := dpNames(dpNumbers(t, e, e.boot.OrgKey, c.query).Data); !slices.Equal(got, c.want) {
				t.Errorf("list%s = %v, want %v", c.query, got, c.want)
			}
		}
		pinnedList := dpNumbers(t, e, e.boot.OrgKey, "?agent_id="+agent).Data
		for _, p := range pinnedList {
			if (p.PhoneNumber == "+14155550101" && p.slots() != dpSlots(&v, nil)) || (p.PhoneNumber == "+12125550103" && p.slots() != dpSlots(nil, &v)) {
				t.Errorf("listed %s with %s", p.PhoneNumber, p.slots())
			}
		}

		// Pages of two.
		var paged []string
		query := "?limit=2"
		for range 5 {
			p := dpNumbers(t, e, e.boot.OrgKey, query)
			if p.Pagination.Limit != 2 || len(p.Data) > 2 {
				t.Fatalf("page %+v", p)
			}
			paged = append(paged, dpNames(p.Data)...)
			if p.Pagination.NextCursor == nil {
				break
			}
			query = "?limit=2&cursor=" + url.QueryEscape(*p.Pagination.NextCursor)
		}
		if !slices.Equal(paged, order) {
			t.Errorf("paged %v, want %v", paged, order)
		}
		// Filters and paging together: the two trunk A numbers fill one
		// page; a cursor, if any, leads to an empty one.
		first := dpNumbers(t, e, e.boot.OrgKey, "?limit=2&trunk_id=A")
		if got := dpNames(first.Data); !slices.Equal(got, only("+14155550101", "+12125550103")) {
			t.Errorf("trunk A page %v", got)
		}
		if first.Pagination.NextCursor != nil {
			if rest := dpNumbers(t, e, e.boot.OrgKey, "?limit=2&trunk_id=A&cursor="+url.QueryEscape(*first.Pagination.NextCursor)); len(rest.Data) != 0 {
				t.Errorf("page after the last trunk A number: %v", dpNames(rest.Data))
			}
		}

		dpWantErr(t, e.admin(req{method: "GET", path: "/core/phone-numbers?label=Main"}), 422, "invalid", "query", "label")
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/phone-numbers?agent_id=nope"}), 422, "invalid", "query", "agent_id")
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/phone-numbers?limit=201"}), 422, "invalid", "query", "limit")
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/phone-numbers?cursor=forged"}), 422, "invalid", "query", "cursor")

		other := dpOtherOrg(t, e, "globex")
		if l := dpNumbers(t, e, other, ""); len(l.Data) != 0 {
			t.Errorf("another organization lists %v", dpNames(l.Data))
		}
		if l := dpNumbers(t, e, other, "?agent_id="+agent); len(l.Data) != 0 {
			t.Errorf("another organization lists %v by agent", dpNames(l.Data))
		}
	})
}

// dpVersionState reads published and published_at of a version.
func dpVersionState(t *testing.T, e *env, agent string, n int) (bool, *string) {
	t.Helper()
	var v struct {
		Published   bool    `json:"published"`
		PublishedAt *string `json:"published_at"`
	}
	e.admin(req{method: "GET", path: fmt.Sprintf("/core/agents/%s/versions/%d", agent, n)}).want(t, 200).decodeInto(t, &v)
	return v.Published, v.PublishedAt
}

// TestPublishAllOrNothing: an unregistered number (404) or an invalid one
// (422) in a publish changes nothing: no pin moves and the version stays
// unpublished.
func TestPublishAllOrNothing(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent := dpAgent(t, e, "Careful")
		v1 := dpVersion(t, e, agent, "One")
		dpVersion(t, e, agent, "Two")
		n1 := dpRegister(t, e, "+1 415 555 0111", nil)
		n2 := dpRegister(t, e, "+1 415 555 0112", nil)
		other := dpOtherOrg(t, e, "globex")
		var theirs dpPhone
		e.do(req{method: "POST", path: "/core/phone-numbers", token: other, body: map[string]any{"phone_number": "+14155550177"}}).want(t, 201).decodeInto(t, &theirs)

		unchanged := func(what string, wantN1, wantN2 dpPhone, published1, published2 bool) {
			t.Helper()
			if got := dpGetPhone(t, e, n1.PhoneNumber); !reflect.DeepEqual(got, wantN1) {
				t.Errorf("%s: %s is %+v, want %+v", what, n1.PhoneNumber, got, wantN1)
			}
			if got := dpGetPhone(t, e, n2.PhoneNumber); !reflect.DeepEqual(got, wantN2) {
				t.Errorf("%s: %s is %+v, want %+v", what, n2.PhoneNumber, got, wantN2)
			}
			if p, _ := dpVersionState(t, e, agent, 1); p != published1 {
				t.Errorf("%s: v1 published=%v, want %v", what, p, published1)
			}
			if p, _ := dpVersionState(t, e, agent, 2); p != published2 {
				t.Errorf("%s: v2 published=%v, want %v", what, p, published2)
			}
			var got dpPhone
			e.do(req{method: "GET", path: "/core/phone-numbers/%2B14155550177", token: other}).want(t, 200).decodeInto(t, &got)
			if !reflect.DeepEqual(got, theirs) {
				t.Errorf("%s: the other organization's number is %+v", what, got)
			}
		}
		publish := func(n int, body any) resp {
			return e.admin(req{method: "POST", path: fmt.Sprintf("/core/agents/%s/versions/%d/publish", agent, n), body: body})
		}

		eb := dpWantErr(t, publish(1, map[string]any{"phone_numbers": []string{n1.PhoneNumber, "+1 415 555 0199", n2.PhoneNumber}, "direction": "both"}), 404, "not_found")
		if !strings.Contains(eb.Detail, "+14155550199") {
			t.Errorf("404 detail %q does not name the number", eb.Detail)
		}
		unchanged("unregistered number", n1, n2, false, false)
		// Registered, but by another organization: the same 404.
		dpWantErr(t, publish(1, map[string]any{"phone_numbers": []string{n1.PhoneNumber, "+14155550177"}}), 404, "not_found")
		unchanged("another organization's number", n1, n2, false, false)
		dpWantErr(t, publish(1, map[string]any{"phone_numbers": []string{n1.PhoneNumber}, "unassign_phone_numbers": []string{"+14155550177"}}), 404, "not_found")
		unchanged("unassigning another organization's number", n1, n2, false, false)

		for _, c := range []struct {
			body any
			loc  []any
		}{
			{map[string]any{"phone_numbers": []string{n1.PhoneNumber, "12"}}, []any{"body", "phone_numbers", 1}},
			{map[string]any{"phone_numbers": []string{n1.PhoneNumber}, "unassign_phone_numbers": []string{"nope"}}, []any{"body", "unassign_phone_numbers", 0}},
			{map[string]any{"phone_numbers": []string{n1.PhoneNumber}, "direction": "sideways"}, []any{"body", "direction"}},
			{map[string]any{"phone_numbers": []string{n1.PhoneNumber}, "unassign_phone_numbers": []string{"(415) 555-0111"}}, []any{"body", "unassign_phone_numbers"}},
			{map[string]any{"phone_numbers": []string{n1.PhoneNumber}, "pin": true}, []any{"body", "pin"}},
		} {
			dpWantErr(t, publish(1, c.body), 422, "invalid", c.loc...)
			unchanged(fmt.Sprintf("invalid body %v", c.body), n1, n2, false, false)
		}

		// With pins in place, a failing publish of v2 leaves them on v1.
		dpPublish(t, e, agent, 1, map[string]any{"phone_numbers": []string{n1.PhoneNumber}, "direction": "both"})
		pinned := dpGetPhone(t, e, n1.PhoneNumber)
		if pinned.slots() != dpSlots(&v1, &v1) {
			t.Fatalf("pinned %s", pinned.slots())
		}
		dpWantErr(t, publish(2, map[string]any{"phone_numbers": []string{n1.PhoneNumber, n2.PhoneNumber, "+12125550100"}, "direction": "both"}), 404, "not_found")
		unchanged("a failing publish of v2", pinned, n2, true, false)
		dpWantErr(t, publish(2, map[string]any{"phone_numbers": []string{n2.PhoneNumber}, "unassign_phone_numbers": []string{n1.PhoneNumber, "+1 555"}}), 422, "invalid",
			"body", "unassign_phone_numbers", 1)
		unchanged("an invalid publish of v2", pinned, n2, true, false)
	})
}

// TestPublishUnassignAndReport: unassign clears only this agent's pins
// (of any of its versions) in the named direction; the response lists each
// changed number once, as it is after the change; publishing what is
// already pinned reports nothing.
func TestPublishUnassignAndReport(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		a := dpAgent(t, e, "A")
		a1 := dpVersion(t, e, a, "A one")
		a2 := dpVersion(t, e, a, "A two")
		b, b1 := dpPublished(t, e, "B one")
		n1 := dpRegister(t, e, "+1 212 555 0101", nil).PhoneNumber
		n2 := dpRegister(t, e, "+1 212 555 0102", nil).PhoneNumber
		n3 := dpRegister(t, e, "+1 212 555 0103", nil).PhoneNumber

		// The same number twice, in two formats: reported once.
		ch := dpPublish(t, e, a, 1, map[string]any{"phone_numbers": []string{n1, "(212) 555-0101"}, "direction": "inbound"})
		if len(ch) != 1 || ch[0].PhoneNumber != n1 || ch[0].slots() != dpSlots(&a1, nil) {
			t.Fatalf("publish a1 → %+v", ch)
		}
		if p, at := dpVersionState(t, e, a, 1); !p || at == nil {
			t.Fatalf("a1 not published by a publish with numbers")
		}
		dpPublish(t, e, b, 1, map[string]any{"phone_numbers": []string{n1, n3}, "direction": "outbound"})
		dpPublish(t, e, b, 1, map[string]any{"phone_numbers": []string{n3}, "direction": "inbound"})
		ch = dpPublish(t, e, a, 2, map[string]any{"phone_numbers": []string{n2}, "direction": "both"})
		if len(ch) != 1 || ch[0].slots() != dpSlots(&a2, &a2) || !reflect.DeepEqual(ch[0], dpGetPhone(t, e, n2)) {
			t.Fatalf("publish a2 → %+v", ch)
		}
		want := map[string]string{n1: dpSlots(&a1, &b1), n2: dpSlots(&a2, &a2), n3: dpSlots(&b1, &b1)}
		for n, s := range want {
			if got := dpGetPhone(t, e, n).slots(); got != s {
				t.Fatalf("%s: %s, want %s", n, got, s)
			}
		}

		// Already pinned: nothing changes, nothing is reported, the first
		// published_at stays.
		_, at := dpVersionState(t, e, a, 1)
		if ch := dpPublish(t, e, a, 1, map[string]any{"phone_numbers": []string{n1}}); len(ch) != 0 {
			t.Errorf("re-publishing the same pin reported %+v", ch)
		}
		if ch := dpPublish(t, e, b, 1, map[string]any{"phone_numbers": []string{n3}, "direction": "both"}); len(ch) != 0 {
			t.Errorf("re-publishing both slots reported %+v", ch)
		}
		if _, again := dpVersionState(t, e, a, 1); dpStr(again) != dpStr(at) {
			t.Errorf("published_at moved %s → %s", dpStr(at), dpStr(again))
		}

		// A's v1 unassigns everything in both directions: only A's pins go,
		// whichever of A's versions they were.
		before3 := dpGetPhone(t, e, n3)
		ch = dpPublish(t, e, a, 1, map[string]any{"unassign_phone_numbers": []string{n3, n2, n1}, "direction": "both"})
		got := map[string]dpPhone{}
		for _, p := range ch {
			if _, dup := got[p.PhoneNumber]; dup {
				t.Errorf("%s reported twice", p.PhoneNumber)
			}
			got[p.PhoneNumber] = p
		}
		if len(ch) != 2 || got[n1].slots() != dpSlots(nil, &b1) || got[n2].slots() != "in=- out=-" {
			t.Errorf("unassign reported %+v, want %s with B's outbound pin and %s empty", ch, n1, n2)
		}
		for _, n := range []string{n1, n2} {
			if now := dpGetPhone(t, e, n); !reflect.DeepEqual(now, got[n]) {
				t.Errorf("%s reported as %+v but is %+v", n, got[n], now)
			}
		}
		if now := dpGetPhone(t, e, n3); !reflect.DeepEqual(now, before3) {
			t.Errorf("B's number %s changed by A's unassign: %+v", n3, now)
		}
		if ch := dpPublish(t, e, a, 2, map[string]any{"unassign_phone_numbers": []string{n1, n3}, "direction": "both"}); len(ch) != 0 {
			t.Errorf("unassigning numbers A no longer pins reported %+v", ch)
		}

		// Direction limits unassign (default inbound).
		dpPublish(t, e, a, 2, map[string]any{"phone_numbers": []string{n2}, "direction": "both"})
		ch = dpPublish(t, e, a, 2, map[string]any{"unassign_phone_numbers": []string{n2}, "direction": "outbound"})
		if len(ch) != 1 || ch[0].slots() != dpSlots(&a2, nil) {
			t.Errorf("outbound unassign → %+v", ch)
		}
		ch = dpPublish(t, e, a, 1, map[string]any{"unassign_phone_numbers": []string{n2}})
		if len(ch) != 1 || ch[0].slots() != "in=- out=-" {
			t.Errorf("default (inbound) unassign → %+v", ch)
		}

		// Pin and unassign in one publish: both reported, once each.
		dpPublish(t, e, a, 1, map[string]any{"phone_numbers": []string{n1}, "direction": "inbound"})
		ch = dpPublish(t, e, a, 2, map[string]any{"phone_numbers": []string{n2}, "unassign_phone_numbers": []string{n1}, "direction": "inbound"})
		if names := dpNames(ch); len(ch) != 2 || !slices.Contains(names, n1) || !slices.Contains(names, n2) {
			t.Errorf("pin+unassign reported %v", names)
		}
		for _, p := range ch {
			if w := map[string]string{n1: dpSlots(nil, &b1), n2: dpSlots(&a2, nil)}[p.PhoneNumber]; p.slots() != w {
				t.Errorf("%s reported %s, want %s", p.PhoneNumber, p.slots(), w)
			}
		}
	})
}

// TestPublishRace is the done-when: 50 agents publish to one
// number at once, 20 rounds, on every engine. Each round ends with both
// slots pinned by one and the same version; that version's response
// reported the number exactly as it ended; no response reports a pin by
// another version than its own; and everyone but possibly the round's
// first writer (when it already held the number) reported a change.
func TestPublishRace(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		const agents, rounds = 50, 20
		number := dpRegister(t, e, "+1 650 253 0000", nil).PhoneNumber
		ids := make([]string, agents)
		vers := make([]dpVer, agents)
		for i := range agents {
			ids[i] = dpAgent(t, e, fmt.Sprint("Racer ", i))
			vers[i] = dpVersion(t, e, ids[i], fmt.Sprint("Racer ", i))
		}
		prev := -1
		for round := range rounds {
			results := make([]resp, agents)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range agents {
				wg.Go(func() {
					<-start
					results[i] = e.admin(req{method: "POST", path: "/core/agents/" + ids[i] + "/versions/1/publish",
						body: map[string]any{"phone_numbers": []string{number}, "direction": "both"}})
				})
			}
			close(start)
			wg.Wait()

			claims := map[int]dpPhone{}
			for i, r := range results {
				if r.status != 200 {
					t.Fatalf("round %d agent %d: status %d %s", round, i, r.status, r.body)
				}
				var ch []dpPhone
				if err := json.Unmarshal(r.body, &ch); err != nil || ch == nil {
					t.Fatalf("round %d agent %d: body %s", round, i, r.body)
				}
				switch {
				case len(ch) == 0:
				case len(ch) == 1 && ch[0].PhoneNumber == number && ch[0].slots() == dpSlots(&vers[i], &vers[i]):
					claims[i] = ch[0]
				default:
					var got []string
					for _, p := range ch {
						got = append(got, p.PhoneNumber+" "+p.slots())
					}
					t.Errorf("round %d agent %d reported %v, want %s %s", round, i, got, number, dpSlots(&vers[i], &vers[i]))
				}
			}
			final := dpGetPhone(t, e, number)
			winner := slices.IndexFunc(vers, func(v dpVer) bool { return v.ID == dpStr(final.InboundAgentVersionID) })
			if winner < 0 || final.slots() != dpSlots(&vers[winner], &vers[winner]) {
				t.Fatalf("round %d ended with %s: not one version in both slots", round, final.slots())
			}
			if c, ok := claims[winner]; !ok || !reflect.DeepEqual(c, final) {
				t.Errorf("round %d: the final pin by agent %d is %s (updated %s), its response reported %s (updated %s; reported: %v)",
					round, winner, final.slots(), final.UpdatedAt, c.slots(), c.UpdatedAt, ok)
			}
			if t.Failed() {
				t.FailNow() // one round's evidence is enough
			}
			switch silent := agents - len(claims); {
			case silent == 0:
			case silent == 1 && round > 0:
				if _, ok := claims[prev]; ok {
					t.Errorf("round %d: a publish other than the previous holder %d reported no change", round, prev)
				}
			default:
				t.Errorf("round %d: %d of %d publishes reported no change", round, silent, agents)
			}
			prev = winner
		}
		// Every racer is published, and the number's holder's agent lists it.
		for i := range agents {
			if p, _ := dpVersionState(t, e, ids[i], 1); !p {
				t.Errorf("racer %d not published", i)
			}
		}
		if d := dpGetDetail(t, e, ids[prev]); len(d.PhoneNumbers) != 1 || d.PhoneNumbers[0].PhoneNumber != number {
			t.Errorf("holder's phone_numbers %+v", d.PhoneNumbers)
		}
	})
}

// TestPublishDeleteRace: deleting an agent while one of its versions is
// being published to a number it holds ends cleanly either way round: the
// delete succeeds, the publish succeeds or finds the agent gone (404),
// nothing fails with 5xx, and no pin of the deleted agent survives.
func TestPublishDeleteRace(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		for i := range 30 {
			number := dpRegister(t, e, fmt.Sprintf("+1 415 555 02%02d", i), nil).PhoneNumber
			agent, _ := dpPublished(t, e, "Short-lived")
			dpPublish(t, e, agent, 1, map[string]any{"phone_numbers": []string{number}, "direction": "both"})
			var wg sync.WaitGroup
			var del, pub resp
			gate := make(chan struct{})
			wg.Go(func() { <-gate; del = e.admin(req{method: "DELETE", path: "/core/agents/" + agent}) })
			wg.Go(func() {
				<-gate
				pub = e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/1/publish",
					body: map[string]any{"phone_numbers": []string{number}, "direction": "both"}})
			})
			close(gate)
			wg.Wait()
			if del.status != 204 || (pub.status != 200 && pub.status != 404) {
				t.Errorf("round %d: delete %d %s; publish %d %s", i, del.status, del.body, pub.status, pub.body)
				continue
			}
			if p := dpGetPhone(t, e, number); p.slots() != "in=- out=-" {
				t.Errorf("round %d: %s still pinned after its agent was deleted: %s", i, number, p.slots())
			}
		}
		if t.Failed() {
			for _, line := range strings.Split(e.logs.String(), "\n") {
				if strings.Contains(line, "internal error") {
					t.Logf("server log: %s", line)
					break
				}
			}
		}
	})
}
