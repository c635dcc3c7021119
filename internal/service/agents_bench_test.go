package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

// BenchmarkGetAgent reads the detail of an agent with nothing attached
// (what P1 reads) and of one with every embed filled (20 versions, 10
// numbers pinned in both slots, 3 widgets, SIP, 40 conversations), minus
// HTTP. cpu-ns/op is the process's user+system CPU per call, which is what
// P1's throughput follows on a shared machine; ns/op includes waiting for
// a core. (On PostgreSQL the server's CPU is not counted.)
func BenchmarkGetAgent(b *testing.B) {
	for _, engine := range dbtest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			st := dbtest.Open(b, engine)
			svc := service.New(st, service.Options{})
			boot, err := svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Acme", OrgSlug: "acme", Email: "a@acme.test"})
			if err != nil {
				b.Fatal(err)
			}
			caller, err := svc.Authenticate(ctx, boot.OrgKey, "", service.InOrg)
			if err != nil {
				b.Fatal(err)
			}
			empty, err := svc.CreateAgent(ctx, caller, agentplane.AgentInput{Name: new("Empty")})
			if err != nil {
				b.Fatal(err)
			}
			agents := map[string]string{"empty": empty.ID, "busy": seedBusyAgent(b, st, boot.OrganizationID)}
			for _, name := range []string{"empty", "busy"} {
				b.Run(name, func(b *testing.B) {
					if _, err := svc.GetAgent(ctx, caller, agents[name]); err != nil {
						b.Fatal(err)
					}
					cpu0 := cpuTime()
					b.ResetTimer()
					for b.Loop() {
						if _, err := svc.GetAgent(ctx, caller, agents[name]); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// seedBusyAgent writes, through the store, an agent of org with every
// embed of the detail populated, and returns its id.
func seedBusyAgent(b *testing.B, st *store.Store, org string) string {
	b.Helper()
	ctx := context.Background()
	now := agentplane.TimeOf(time.Now())
	a := agentplane.Agent{ID: agentplane.NewID(), OrganizationID: org, Name: "Busy", Active: true,
		Metadata: json.RawMessage(`{"team":"support"}`), CreatedAt: now, UpdatedAt: now}
	check := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	check(st.CreateAgent(ctx, a))
	var versions []agentplane.Version
	for n := 1; n <= 20; n++ {
		v := agentplane.Version{ID: agentplane.NewID(), OrganizationID: org, AgentID: a.ID, Version: n,
			Config: json.RawMessage(`{"instructions":"x"}`), InstructionsStatus: "idle", CreatedAt: now, UpdatedAt: now}
		if n%2 == 0 {
			v.Published, v.PublishedAt = true, &now
		}
		check(st.WithTx(ctx, func(q *store.Queries) error { return q.CreateVersion(ctx, v) }))
		versions = append(versions, v)
	}
	for i := range 10 {
		p := agentplane.PhoneNumber{PhoneNumber: fmt.Sprintf("+1415555%04d", i), OrganizationID: org, CreatedAt: now, UpdatedAt: now}
		check(st.CreatePhoneNumber(ctx, p))
		vid := versions[2*i+1].ID
		check(st.WithTx(ctx, func(q *store.Queries) error {
			_, err := q.PinSlots(ctx, org, []string{p.PhoneNumber}, true, true, vid, now)
			return err
		}))
	}
	for i := range 3 {
		w := agentplane.WebWidget{ID: agentplane.NewID(), OrganizationID: org, Name: fmt.Sprint("W", i),
			AgentID: a.ID, AgentVersionID: versions[1].ID, Domains: []string{"https://acme.test"}, Published: true,
			Config: json.RawMessage(`{"theme":"dark"}`), CreatedAt: now, UpdatedAt: now}
		check(st.WithTx(ctx, func(q *store.Queries) error { return q.CreateWidget(ctx, w) }))
	}
	check(st.WithTx(ctx, func(q *store.Queries) error {
		_, err := q.DeploySIP(ctx, org, a.ID, "sip:busy@sip.test", now)
		return err
	}))
	for i := range 40 {
		check(st.WithTx(ctx, func(q *store.Queries) error {
			return q.CreateConversation(ctx, agentplane.Conversation{ID: agentplane.NewID(), OrganizationID: org, AgentID: &a.ID,
				Channel: "telephone", Direction: "inbound", Status: "completed", UserID: fmt.Sprint("u", i), CreatedAt: now, UpdatedAt: now})
		}))
	}
	return a.ID
}
