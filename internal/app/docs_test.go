package app_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/app"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/agentplane/agentplane/internal/store"
)

// The README walkthrough and docs/api.md, rollout.md, cli.md and mcp.md run as tests (SPEC §23): their
// ```sh blocks execute in order, in one bash session per document,
// against a fresh server, and every answer must be what the text says.
// docsparse_test.go reads the blocks and states the convention.

const (
	// requireDocsTools turns the skip without bash, curl or jq into a
	// failure (CI sets it).
	requireDocsTools = "AGENTPLANE_REQUIRE_DOCS_TOOLS"
	// cliChildEnv marks the test binary re-executed as the agentplane
	// command of a documentation session.
	cliChildEnv = "AGENTPLANE_TEST_CLI"
	// statusMark starts the line on which the session's curl reports each
	// HTTP status, on stderr.
	statusMark = "@@agentplane-docs-status "
)

// runDocs are the documents whose examples run, from the repository root.
var runDocs = []string{"README.md", "docs/api.md", "docs/rollout.md", "docs/cli.md", "docs/mcp.md"}

// docsTools skips the test (loudly) unless bash, curl ≥ 7.63 (for
// --write-out %{stderr}) and jq are installed; with
// AGENTPLANE_REQUIRE_DOCS_TOOLS=1 it fails instead.
func docsTools(t *testing.T) {
	t.Helper()
	var missing []string
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if !slices.Contains(missing, "curl") {
		out, _ := exec.Command("curl", "--version").Output()
		var major, minor int
		if _, err := fmt.Sscanf(string(out), "curl %d.%d", &major, &minor); err != nil || major < 7 || major == 7 && minor < 63 {
			missing = append(missing, "curl ≥ 7.63")
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("the examples of README.md and docs/api.md, rollout.md, cli.md and mcp.md are NOT RUN: %s not installed", strings.Join(missing, ", "))
	if os.Getenv(requireDocsTools) == "1" {
		t.Fatalf("%s (%s=1)", msg, requireDocsTools)
	}
	fmt.Fprintf(os.Stderr, "\n*** %s: %s. Install them, or set %s=1 to make this a failure. ***\n", t.Name(), msg, requireDocsTools)
	t.Skip(msg)
}

// TestDocsRun runs the examples of each document against its own fresh
// server on each engine.
func TestDocsRun(t *testing.T) {
	t.Parallel()
	docsTools(t)
	for _, engine := range dbtest.Engines(t) {
		for _, doc := range runDocs {
			t.Run(string(engine)+"/"+doc, func(t *testing.T) {
				t.Parallel()
				runDoc(t, engine, doc)
			})
		}
	}
}

// runDoc starts a server, runs doc's examples in one bash session and
// checks every answer. docs/api.md must also call every route.
func runDoc(t *testing.T, engine store.Engine, doc string) {
	text, err := os.ReadFile(filepath.Join("..", "..", doc))
	if err != nil {
		t.Fatal(err)
	}
	steps, err := docSteps(doc, string(text))
	if err != nil {
		t.Fatal(err)
	}

	// The scaffolding examples read $SITE: a local site, which the
	// fetcher may reach because exactly it is exempted, as a deployment
	// would exempt an internal site.
	site := acmeSite(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(site.URL, "http://"))
	dataDir := t.TempDir()
	env := map[string]string{"AGENTPLANE_DATA_DIR": dataDir}
	if engine == store.Postgres {
		env["AGENTPLANE_DATABASE_URL"] = dbtest.NewPostgresDB(t)
	}
	vars := map[string]string{"AGENTPLANE_FETCH_ALLOW_CIDRS": "127.0.0.1/32", "AGENTPLANE_FETCH_ALLOW_PORTS": port,
		// PostgreSQL keeps webhook secrets only under a server key.
		"AGENTPLANE_SECRET_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
	maps.Copy(vars, env)
	n := launch(t, nil, vars, "--addr", "127.0.0.1:0").wait(t)
	key := defaultKey(t, n.Stdout.String())

	out := t.TempDir()
	script := sessionScript(t, out, steps, strings.TrimPrefix(n.URL, "http://"), key)
	bin := cliWrapper(t)
	ctx, cancel := context.WithTimeout(t.Context(), 4*patience)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTPLANE_") && !strings.HasPrefix(kv, "PATH=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "SITE="+site.URL,
		// docs/cli.md logs in and commits: its own config directory and a
		// git identity, never the tester's.
		"XDG_CONFIG_HOME="+t.TempDir(), "GIT_AUTHOR_NAME=Docs", "GIT_AUTHOR_EMAIL=docs@example.com",
		"GIT_COMMITTER_NAME=Docs", "GIT_COMMITTER_EMAIL=docs@example.com", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.WaitDelay = 5 * time.Second
	shellOut, shellErr := cmd.CombinedOutput()

	failures := 0
	for i, s := range steps {
		res, ran := stepResult(t, out, i)
		if !ran {
			t.Fatalf("%s\nthe session stopped before this command ended (bash: %v %s)\n%s", s.where(), shellErr, shellOut, res.stderr)
		}
		err := res.check(s)
		if err == nil {
			continue
		}
		t.Errorf("%s\n%v", s.where(), err)
		if failures++; failures == 5 {
			t.Fatalf("stopping after %d failures", failures)
		}
	}
	if doc == "docs/api.md" {
		checkEveryRouteCalled(t, n)
	}
}

// sessionScript writes the bash script of a session: each step between
// markers that send its output to files in dir, curl reporting each status
// on stderr. set -u makes a variable the text never set an error, as
// it would be for a reader.
func sessionScript(t *testing.T, dir string, steps []docStep, addr, key string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "set -u -o pipefail\n")
	fmt.Fprintf(&b, "__step() { exec >%q/$1.out 2>%q/$1.err; }\n", dir, dir)
	fmt.Fprintf(&b, "__end() { echo \"$2\" >%q/$1.rc; }\n", dir)
	fmt.Fprintf(&b, "curl() { command curl --write-out '%%{stderr}%s%%{http_code}\\n' \"$@\"; }\n", statusMark)
	for i, s := range steps {
		code := strings.ReplaceAll(s.Code, "127.0.0.1:8080", addr)
		code = strings.ReplaceAll(code, "ak_"+ellipsis, key)
		if strings.Contains(code, ellipsis) {
			t.Fatalf("%s\na placeholder (%s) is left in a command to run: use a variable the text sets, or mark the block %s", s.where(), ellipsis, notRun)
		}
		if _, err := parseAnswer(s); err != nil {
			t.Fatalf("%s\n%v", s.where(), err)
		}
		fmt.Fprintf(&b, "__step %d\n%s\n__end %d $?\n", i, code, i)
	}
	path := filepath.Join(t.TempDir(), "session.sh")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// cliWrapper returns a directory holding an agentplane command that runs
// this test binary as the real command line (TestHelperCLI), so examples
// may call `agentplane admin …`.
func cliWrapper(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\n%s=1 exec %q -test.run='^TestHelperCLI$' -- \"$@\"\n", cliChildEnv, self)
	if err := os.WriteFile(filepath.Join(dir, "agentplane"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHelperCLI is not a test: it is the agentplane command of the
// documentation sessions, and skips unless started as one. Not parallel:
// it is alone in its process, which it ends itself so that the testing
// package prints nothing after the command's own output.
func TestHelperCLI(t *testing.T) {
	if os.Getenv(cliChildEnv) != "1" {
		t.Skip("the agentplane command of TestDocsRun; runs only when re-executed by it")
	}
	err := app.Main(context.Background(), flag.Args(), app.OSEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, "agentplane:", err)
	}
	os.Exit(app.ExitCode(err))
}

// stepOutput is what one command did.
type stepOutput struct {
	stdout, stderr string
	statuses       []int
	rc             int
}

// stepResult reads step i's output files; ran is false when the session
// never finished the step.
func stepResult(t *testing.T, dir string, i int) (res stepOutput, ran bool) {
	read := func(ext string) (string, bool) {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d.%s", i, ext)))
		return string(b), err == nil
	}
	res.stdout, _ = read("out")
	errText, _ := read("err")
	var rest []string
	for line := range strings.Lines(errText) {
		if code, ok := strings.CutPrefix(strings.TrimSpace(line), statusMark); ok {
			st, _ := strconv.Atoi(code)
			res.statuses = append(res.statuses, st)
			continue
		}
		rest = append(rest, line)
	}
	res.stderr = strings.Join(rest, "")
	rc, ok := read("rc")
	if !ok {
		return res, false
	}
	res.rc, _ = strconv.Atoi(strings.TrimSpace(rc))
	return res, true
}

// check compares the step's result with its answer.
func (r stepOutput) check(s docStep) error {
	if r.rc != 0 {
		return fmt.Errorf("exit status %d\nstdout: %s\nstderr: %s", r.rc, clip(r.stdout), clip(r.stderr))
	}
	a, err := parseAnswer(s)
	if err != nil {
		return err
	}
	if err := a.check(r.stdout, r.statuses); err != nil {
		return fmt.Errorf("%v\ngot statuses %v and the output\n%s", err, r.statuses, clip(r.stdout))
	}
	return nil
}

// metricRoute picks the route label out of the request counter.
var metricRoute = regexp.MustCompile(`^agentplane_http_requests_total\{route="([^"]+)"`)

// checkEveryRouteCalled fails for each route of the table that the
// examples never called, as the server's own request counter says.
func checkEveryRouteCalled(t *testing.T, n *node) {
	t.Helper()
	res, err := http.Get(n.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	called := map[string]bool{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if m := metricRoute.FindStringSubmatch(sc.Text()); m != nil {
			called[m[1]] = true
		}
	}
	for _, rt := range n.App.Routes() {
		if pattern := rt.Method + " " + rt.Path; !called[pattern] {
			t.Errorf("docs/api.md never calls %s: add an example that does", pattern)
		}
	}
}

// routeMention is a route named in path form, in backticks:
// `GET /core/workflows/{workflow_id}`.
var routeMention = regexp.MustCompile("`((?:GET|POST|PUT|PATCH|DELETE|OPTIONS) /[^`\\s]*)`")

// TestAPIDocNamesEveryRoute: docs/api.md names every route of the route
// table in path form, and names no route that doesn't exist. (TestDocsRun
// also checks that its examples call each one.)
func TestAPIDocNamesEveryRoute(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile(filepath.Join("..", "..", "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, m := range routeMention.FindAllStringSubmatch(string(text), -1) {
		named[m[1]] = true
	}
	table := map[string]bool{}
	for _, rt := range httpapi.New(nil, httpapi.Options{CursorKey: []byte("k")}).Routes() {
		pattern := rt.Method + " " + rt.Path
		table[pattern] = true
		if !named[pattern] {
			t.Errorf("docs/api.md does not name `%s`", pattern)
		}
	}
	for pattern := range named {
		if !table[pattern] {
			t.Errorf("docs/api.md names `%s`, which is not a route", pattern)
		}
	}
}
