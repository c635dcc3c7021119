package service_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

// The upgrade from the previous release (SPEC §15): databases written by
// it through its API (internal/store/testdata/upgrade, made by
// scripts/make-upgrade-fixture) are opened with today's migrations.

// upgradeManifest is what the fixture's maker recorded, per engine.
type upgradeManifest struct {
	OrganizationID       string          `json:"organization_id"`
	SecondOrganizationID string          `json:"second_organization_id"`
	AgentA               string          `json:"agent_a"`
	AgentE               string          `json:"agent_e"`
	Expect               map[string]*int `json:"expect"`
	Conversations        struct {
		ByAgentVersion map[string]map[string]struct {
			Total int64 `json:"total"`
		} `json:"by_agent_version"`
	} `json:"conversations"`
}

const upgradeDir = "../store/testdata/upgrade"

func loadManifest(t *testing.T, engine store.Engine) upgradeManifest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(upgradeDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all struct{ SQLite, Postgres upgradeManifest }
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	if engine == store.SQLite {
		return all.SQLite
	}
	return all.Postgres
}

// openUpgraded restores the previous release's database on engine and
// opens it, which migrates it.
func openUpgraded(t *testing.T, engine store.Engine) *store.Store {
	t.Helper()
	ctx := context.Background()
	var opts store.Options
	if engine == store.SQLite {
		src, err := os.Open(filepath.Join(upgradeDir, "sqlite.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		opts.SQLitePath = filepath.Join(t.TempDir(), "agentplane.db")
		dst, err := os.Create(opts.SQLitePath)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		if err := dst.Close(); err != nil {
			t.Fatal(err)
		}
	} else {
		opts.DatabaseURL = dbtest.NewPostgresDB(t)
		dump, err := os.ReadFile(filepath.Join(upgradeDir, "postgres.sql"))
		if err != nil {
			t.Fatal(err)
		}
		// A connection of its own: the dump empties search_path for its
		// session.
		conn, err := pgx.Connect(ctx, opts.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.PgConn().Exec(ctx, string(dump)).ReadAll()
		conn.Close(ctx)
		if err != nil {
			t.Fatalf("restore the dump: %v", err)
		}
	}
	st, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open (and migrate) the previous release's database: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// scanStats computes a version's statistics the slow way, from its
// conversations: what the counters must equal.
func scanStats(t *testing.T, st *store.Store, orgID, versionID string) agentplane.ConversationStats {
	t.Helper()
	want := agentplane.ConversationStats{ByChannel: map[string]int64{}, ByStatus: map[string]int64{}}
	page := agentplane.Page{Limit: agentplane.MaxLimit}
	withDuration := 0.0
	for {
		l, err := st.ListConversations(context.Background(), orgID, agentplane.ConversationFilter{AgentVersionID: versionID}, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range l.Items {
			want.Total++
			if c.Direction == "inbound" {
				want.Inbound++
			} else {
				want.Outbound++
			}
			want.ByChannel[c.Channel]++
			want.ByStatus[c.Status]++
			if c.Duration != nil {
				want.TotalDurationSeconds += *c.Duration
				withDuration++
			}
			if want.LastConversationAt == nil || c.CreatedAt.After(want.LastConversationAt.Time) {
				at := c.CreatedAt
				want.LastConversationAt = &at
			}
		}
		if l.Next == nil {
			break
		}
		page.After = l.Next
	}
	if withDuration > 0 {
		want.AverageDurationSeconds = want.TotalDurationSeconds / withDuration
	}
	ended := 0
	for _, s := range agentplane.TerminalStatuses {
		ended += int(want.ByStatus[s])
	}
	if ended > 0 {
		r := float64(want.ByStatus["completed"]) / float64(ended)
		want.CompletionRate = &r
	}
	return want
}

// sameStats compares statistics, durations to a millionth of a second (a
// sum kept in counters adds in another order than a scan).
func sameStats(t *testing.T, what string, got, want agentplane.ConversationStats) {
	t.Helper()
	near := func(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }
	g, w := got, want
	g.TotalDurationSeconds, w.TotalDurationSeconds = 0, 0
	g.AverageDurationSeconds, w.AverageDurationSeconds = 0, 0
	if !reflect.DeepEqual(g, w) || !near(got.TotalDurationSeconds, want.TotalDurationSeconds) ||
		!near(got.AverageDurationSeconds, want.AverageDurationSeconds) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Errorf("%s: counters say\n %s\na scan says\n %s", what, gj, wj)
	}
}

// TestUpgradeFromPreviousRelease: after the migration every agent answers
// with its highest published version as live, with one publish record in
// its history; old versions name no author; per-version counters equal a
// scan of the conversations. Rollback has nothing to go back to until the
// next publish, and then has.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			m := loadManifest(t, engine)
			st := openUpgraded(t, engine)
			svc := service.New(st, service.Options{})
			orgOf := map[string]string{m.AgentE: m.SecondOrganizationID}
			checked := 0
			for agentID, want := range m.Expect {
				org := m.OrganizationID
				if o, ok := orgOf[agentID]; ok {
					org = o
				}
				caller := agentplane.SystemCaller(org)
				a, err := svc.GetAgent(ctx, caller, agentID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(a.LiveVersion, want) || !reflect.DeepEqual(a.LatestPublishedVersion, want) {
					t.Errorf("agent %s: live %v, latest published %v; want both %v", a.Name, deref(a.LiveVersion), deref(a.LatestPublishedVersion), deref(want))
				}
				deps, err := svc.ListDeployments(ctx, caller, agentID, agentplane.DeploymentFilter{}, agentplane.Page{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case want == nil && len(deps.Items) != 0:
					t.Errorf("agent %s, never published, has history %+v", a.Name, deps.Items)
				case want != nil && (len(deps.Items) != 1 || deps.Items[0].Kind != agentplane.DeployPublish ||
					deps.Items[0].Version != *want || deps.Items[0].PreviousVersion != nil || deps.Items[0].Actor != nil ||
					!agentplane.ValidID(deps.Items[0].ID)):
					t.Errorf("agent %s: history %+v, want one publish of %d from nothing, by nobody", a.Name, deps.Items, *want)
				}
				for _, vs := range a.Versions {
					v, err := svc.GetVersion(ctx, caller, agentID, vs.Version)
					if err != nil {
						t.Fatal(err)
					}
					if v.CreatedBy != nil || v.PublishedBy != nil {
						t.Errorf("agent %s v%d: made by %v, published by %v before authors were recorded", a.Name, v.Version, v.CreatedBy, v.PublishedBy)
					}
					sameStats(t, a.Name+" v"+strconv.Itoa(v.Version), *v.ConversationStats, scanStats(t, st, org, v.ID))
					if n := m.Conversations.ByAgentVersion[agentID][strconv.Itoa(v.Version)].Total; v.ConversationStats.Total != n {
						t.Errorf("%s v%d: %d conversations counted, the old release recorded %d", a.Name, v.Version, v.ConversationStats.Total, n)
					}
					checked += int(v.ConversationStats.Total)
				}
			}
			if checked < 20 {
				t.Fatalf("only %d conversations were checked: is the fixture there?", checked)
			}

			// Agent A: live v3 since the upgrade, v4 a draft.
			admin := agentplane.SystemCaller(m.OrganizationID)
			_, err := svc.Rollback(ctx, admin, m.AgentA, agentplane.RollbackInput{})
			if agentplane.ErrorCodeOf(err) != agentplane.EConflict {
				t.Fatalf("rollback with nothing before the live version: %v, want a conflict", err)
			}
			if _, err := svc.PublishVersion(ctx, admin, m.AgentA, 4, service.PublishInput{}); err != nil {
				t.Fatalf("publish v4: %v", err)
			}
			rb, err := svc.Rollback(ctx, admin, m.AgentA, agentplane.RollbackInput{})
			if err != nil || rb.LiveVersion != 3 || rb.PreviousVersion != 4 {
				t.Fatalf("rollback after publishing v4: %+v, %v; want live 3 from 4", rb, err)
			}
			start, err := svc.StartConversation(ctx, admin, agentplane.ConversationInput{Channel: "telephone",
				Direction: "inbound", UserID: "after-upgrade", AgentID: &m.AgentA})
			if err != nil || *start.Conversation.Version != 3 {
				t.Fatalf("a conversation by agent after the rollback: %+v, %v; want v3", start.Conversation, err)
			}
			v3, err := svc.GetVersion(ctx, admin, m.AgentA, 3)
			if err != nil {
				t.Fatal(err)
			}
			sameStats(t, "A v3 after a new conversation", *v3.ConversationStats, scanStats(t, st, m.OrganizationID, v3.ID))
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
