package app_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/store"
)

// TestJobsEnqueuedOnOneNodeRunOnAnother enqueues instruction generations
// through node A, stops A before it could finish any of them — the model
// holds every call A makes, so A's running jobs are cancelled by its
// shutdown and the rest never leave the queue — and then starts node B
// alone on the same PostgreSQL: B must work every one of them.
func TestJobsEnqueuedOnOneNodeRunOnAnother(t *testing.T) {
	t.Parallel()
	const versions = 10
	dbURL := dbtest.NewPostgresDB(t) // skips without PostgreSQL, fails under AGENTPLANE_REQUIRE_POSTGRES=1
	db := store.Options{DatabaseURL: dbURL}
	model := newGatedModel(t, 0)
	args := func(extra ...string) []string {
		return append([]string{"--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--database-url", dbURL}, extra...)
	}

	// A's shutdown gives its running jobs a second, then cancels them.
	a := launch(t, nil, model.vars(), args("--shutdown-timeout", "1s")...).wait(t)
	key := defaultKey(t, a.Stdout.String())
	agentID, workflows := generations(t, validated(t, a.URL, key), versions)
	pollUntil(t, patience, "node A is inside a model call", func() (bool, error) {
		return model.held.Load() > 0, nil
	})
	held := model.held.Load()
	if err := a.stop(); err != nil {
		t.Fatalf("node A's Main returned %v; stderr:\n%s", err, tail(a.Stderr.String()))
	}
	if n := model.answered.Load(); n != 0 {
		t.Fatalf("the model answered node A %d times; A was to finish nothing", n)
	}

	// What A left behind: every job, none finished, some attempted by A.
	fromA := map[string]bool{}
	left := riverJobs(t, db)
	if len(left) != versions {
		t.Errorf("node A left %d jobs, want %d", len(left), versions)
	}
	for id, j := range left {
		if j.State == "completed" {
			t.Errorf("workflow %s's job completed on node A", id)
		}
		for _, c := range j.AttemptedBy {
			fromA[c] = true
		}
	}
	if len(fromA) != 1 {
		t.Fatalf("the jobs were attempted by clients %v before B started, want node A's one", slices.Collect(maps.Keys(fromA)))
	}
	t.Logf("node A stopped with %d of %d generations inside a model call", held, versions)

	model.open()
	// B alone; a short job timeout so that anything A's shutdown left
	// marked running is rescued within seconds.
	vars := model.vars()
	vars["AGENTPLANE_JOB_TIMEOUT"] = "5s"
	b := launch(t, nil, vars, args()...).wait(t)
	if out := b.Stdout.String(); strings.Contains(out, "ak_") {
		t.Errorf("node B printed a key on a database A had set up:\n%s", out)
	}
	waitAllSucceeded(t, unvalidated(b.URL, key), versions, recoveryPatience)
	checkGenerated(t, validated(t, b.URL, key), agentID, workflows)
	if err := b.stop(); err != nil {
		t.Fatalf("node B's Main returned %v", err)
	}

	// Every job completed, and its last attempt was not A's: B worked it.
	jobs := riverJobs(t, db)
	checkJobs(t, jobs, workflows)
	for n, id := range workflows {
		j := jobs[id]
		if len(j.AttemptedBy) == 0 || fromA[j.AttemptedBy[len(j.AttemptedBy)-1]] {
			t.Errorf("the job of version %d was last attempted by %v, not by node B", n, j.AttemptedBy)
		}
	}
	if t.Failed() {
		t.Logf("stderr of node B:\n%s", tail(b.Stderr.String()))
	}
}
