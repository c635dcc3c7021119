package app_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/app"
)

// flagLine matches a flag in a command's help: "  --name kind".
// A bool flag has no kind, and a one-letter flag one dash: "  -o string".
var flagLine = regexp.MustCompile(`(?m)^  --?([a-z-]+)( [a-z]+)?$`)

// dbFlags are the settings every command that opens the database takes.
var dbFlags = []string{"data-dir string", "database-url string"}

func TestEveryCommandAnswersHelp(t *testing.T) {
	t.Parallel()
	serveFlags := []string{
		"addr string", "auth-failure-limit int", "data-dir string", "database-url string", "detail-cache-bytes int",
		"fetch-allow-cidrs list", "fetch-allow-ports list", "job-timeout duration", "audit-retention duration",
		"llm-api-key string", "llm-base-url string", "llm-model string", "log-format string",
		"log-level string", "max-body-bytes int", "rate-burst int", "rate-limit float",
		"secret-key string", "shutdown-timeout duration", "sip-domain string",
		"sip-listen list", "sip-backend string", "sip-rate-limit float", "sip-allow-cidrs list", "sip-advertise string", "public-url string", "write-timeout duration",
	}
	cases := []struct {
		path  string
		group []string // a group: the subcommand lines its help lists
		flags []string // a leaf: exactly the flags its help lists, with their kinds
	}{
		{path: "", group: []string{"serve", "migrate", "backup --out FILE", "admin bootstrap", "admin keys list", "admin members add", "version",
			"login", "agents list", "versions publish", "rollback AGENT", "rollout start", "numbers add", "workflows get", "audit", "webhooks create", "pull", "plan", "push"}},
		{path: "serve", flags: serveFlags},
		{path: "migrate", flags: dbFlags},
		{path: "backup", flags: append([]string{"out string"}, dbFlags...)},
		{path: "admin", group: []string{"bootstrap --org-name NAME", "keys list --org ORG", "keys create", "keys revoke", "members list", "members add"}},
		{path: "admin bootstrap", flags: append([]string{"email string", "org-name string", "org-slug string"}, dbFlags...)},
		{path: "admin keys", group: []string{"list --org ORG", "create --org ORG --name NAME", "revoke --org ORG --key-id KEY_ID"}},
		{path: "admin keys list", flags: append([]string{"org string"}, dbFlags...)},
		{path: "admin keys create", flags: append([]string{"name string", "org string"}, dbFlags...)},
		{path: "admin keys revoke", flags: append([]string{"key-id string", "org string"}, dbFlags...)},
		{path: "admin members", group: []string{"list --org ORG", "add --org ORG --email EMAIL"}},
		{path: "admin members list", flags: append([]string{"org string"}, dbFlags...)},
		{path: "admin members add", flags: append([]string{"email string", "org string", "role string"}, dbFlags...)},
		{path: "version"},

		// The client commands (internal/cli): each lists only its own flags.
		{path: "login", flags: []string{"org string", "url string"}},
		{path: "agents", group: []string{"list [--name NAME] [-o json]", "get AGENT", "create --name NAME", "delete AGENT"}},
		{path: "agents list", flags: []string{"o string", "name string", "limit int"}},
		{path: "agents get", flags: []string{"o string"}},
		{path: "agents create", flags: []string{"o string", "name string", "description string", "inactive"}},
		{path: "agents delete"},
		{path: "versions", group: []string{"list AGENT", "get AGENT VERSION", "diff AGENT FROM TO", "compare AGENT FROM TO", "publish AGENT VERSION"}},
		{path: "versions list", flags: []string{"o string"}},
		{path: "versions get", flags: []string{"o string"}},
		{path: "versions diff", flags: []string{"o string"}},
		{path: "versions compare"},
		{path: "versions publish", flags: []string{"o string", "description string", "number string", "unassign string", "direction string"}},
		{path: "rollback", flags: []string{"o string", "to int", "description string"}},
		{path: "rollout", group: []string{"start AGENT --version N --percent P", "status AGENT", "promote AGENT", "abort AGENT"}},
		{path: "rollout start", flags: []string{"o string", "version int", "percent int", "description string"}},
		{path: "rollout status", flags: []string{"o string"}},
		{path: "rollout promote", flags: []string{"o string"}},
		{path: "rollout abort"},
		{path: "numbers", group: []string{"list", "add E164"}},
		{path: "numbers list", flags: []string{"o string"}},
		{path: "numbers add", flags: []string{"o string", "label string", "trunk-id string"}},
		{path: "workflows", group: []string{"get WORKFLOW_ID [--wait]"}},
		{path: "workflows get", flags: []string{"o string", "wait", "interval duration", "timeout duration"}},
		{path: "audit", flags: []string{"o string", "action string", "agent string", "resource-type string", "limit int"}},
		{path: "webhooks", group: []string{"list", "create --url URL --event PATTERN", "delete WEBHOOK_ID"}},
		{path: "webhooks list", flags: []string{"o string"}},
		{path: "webhooks create", flags: []string{"o string", "url string", "description string", "event string"}},
		{path: "webhooks delete"},
		{path: "pull", flags: []string{"dir string"}},
		{path: "plan", flags: []string{"dir string"}},
		{path: "push", flags: []string{"dir string", "publish", "description string", "dry-run"}},
	}
	var paths []string
	for _, tc := range cases {
		paths = append(paths, tc.path)
	}
	if all := app.CommandPaths(); !slices.Equal(slices.Sorted(slices.Values(paths)), slices.Sorted(slices.Values(all))) {
		t.Errorf("the table covers %q, the binary has %q", paths, all)
	}

	for _, tc := range cases {
		words := strings.Fields(tc.path)
		for _, args := range [][]string{append(words, "--help"), append(words, "-h"), append([]string{"help"}, words...)} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				t.Parallel()
				// A bad variable of serve's must not spoil anyone's help.
				stdout, stderr, err := run(t, map[string]string{"AGENTPLANE_MAX_BODY_BYTES": "lots"}, args...)
				if err != nil || stderr != "" {
					t.Fatalf("err %v, stderr %q; want help on stdout and success", err, stderr)
				}
				if !strings.Contains(stdout, "Usage:\n  "+strings.Join(append([]string{"agentplane"}, words...), " ")) {
					t.Errorf("no usage line for %q:\n%s", tc.path, stdout)
				}
				var got []string
				for _, m := range flagLine.FindAllStringSubmatch(stdout, -1) {
					got = append(got, m[1]+m[2])
				}
				slices.Sort(got)
				if want := slices.Sorted(slices.Values(tc.flags)); !slices.Equal(got, want) {
					t.Errorf("help lists flags\n  %q\nwant\n  %q\n%s", got, want, stdout)
				}
				for _, sub := range tc.group {
					if !strings.Contains(stdout, "\n  "+sub) {
						t.Errorf("group help does not list %q:\n%s", sub, stdout)
					}
				}
			})
		}
	}
}

func TestGroupWithoutCommandListsItsCommands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args    []string
		err     string   // the error names the problem
		listing []string // stderr lists these
	}{
		{nil, "no command given", []string{"serve", "admin keys create"}},
		{[]string{"admin"}, `"admin" needs a command: bootstrap, keys, members`, []string{"bootstrap", "keys list", "members add"}},
		{[]string{"admin", "keys"}, `"admin keys" needs a command: list, create, revoke`, []string{"list --org ORG", "revoke"}},
		{[]string{"admin", "members"}, `"admin members" needs a command: list, add`, []string{"list --org ORG", "add --org ORG"}},
		{[]string{"admin", "keys", "rotate"}, `unknown command "admin keys rotate"`, []string{"create"}},
		{[]string{"admni"}, `unknown command "admni"`, []string{"admin members list"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			stdout, stderr, err := run(t, nil, tc.args...)
			if err == nil || err.Error() != tc.err {
				t.Errorf("err %v, want %q", err, tc.err)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing (usage goes to stderr on a mistake)", stdout)
			}
			if !strings.Contains(stderr, "Usage:") {
				t.Errorf("stderr has no usage:\n%s", stderr)
			}
			for _, l := range tc.listing {
				if !strings.Contains(stderr, "\n  "+l) {
					t.Errorf("stderr does not list %q:\n%s", l, stderr)
				}
			}
		})
	}
}

func TestLeafMistakesGoToStderr(t *testing.T) {
	t.Parallel()
	// An unknown flag: the error names it and the usage goes to stderr.
	stdout, stderr, err := run(t, nil, "admin", "keys", "list", "--addr", "x")
	if err == nil || !strings.Contains(err.Error(), "-addr") || stdout != "" || !strings.Contains(stderr, "Usage:\n  agentplane admin keys list --org ORG") {
		t.Errorf("admin keys list --addr: err %v, stdout %q, stderr %q", err, stdout, stderr)
	}
	// A missing required flag is named.
	if _, _, err := run(t, nil, "admin", "keys", "create", "--org", "x", "--data-dir", t.TempDir()); err == nil || !strings.Contains(err.Error(), "--name") {
		t.Errorf("admin keys create without --name: err %v", err)
	}
	// Stray arguments are refused, also by version.
	if _, _, err := run(t, nil, "version", "now"); err == nil || !strings.Contains(err.Error(), `"now"`) {
		t.Errorf("version now: err %v", err)
	}
	if stdout, _, err := run(t, nil, "--version"); err != nil || stdout != "agentplane "+app.Version+"\n" {
		t.Errorf("--version printed %q (err %v)", stdout, err)
	}
}
