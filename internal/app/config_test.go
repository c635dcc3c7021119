package app_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/app"
)

func TestInvalidConfigurationStopsStartUp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		vars      map[string]string
		args      []string
		flag, env string // both must be named in the error
		secret    string // must appear nowhere
	}{
		{name: "addr flag", args: []string{"--addr", "nonsense"}, flag: "--addr", env: "AGENTPLANE_ADDR"},
		{name: "addr port", args: []string{"--addr", "127.0.0.1:99999"}, flag: "--addr", env: "AGENTPLANE_ADDR"},
		{name: "log format variable", vars: map[string]string{"AGENTPLANE_LOG_FORMAT": "xml"}, flag: "--log-format", env: "AGENTPLANE_LOG_FORMAT"},
		{name: "log level flag", args: []string{"--log-level", "loud"}, flag: "--log-level", env: "AGENTPLANE_LOG_LEVEL"},
		{name: "fetch port flag", args: []string{"--fetch-allow-ports", "0"}, flag: "--fetch-allow-ports", env: "AGENTPLANE_FETCH_ALLOW_PORTS"},
		{name: "fetch cidr variable", vars: map[string]string{"AGENTPLANE_FETCH_ALLOW_CIDRS": "10.0.0.0/33"}, flag: "--fetch-allow-cidrs", env: "AGENTPLANE_FETCH_ALLOW_CIDRS"},
		{name: "body limit", args: []string{"--max-body-bytes", "12"}, flag: "--max-body-bytes", env: "AGENTPLANE_MAX_BODY_BYTES"},
		{name: "shutdown timeout", vars: map[string]string{"AGENTPLANE_SHUTDOWN_TIMEOUT": "-1s"}, flag: "--shutdown-timeout", env: "AGENTPLANE_SHUTDOWN_TIMEOUT"},
		{name: "llm url", args: []string{"--llm-base-url", "ftp://x"}, flag: "--llm-base-url", env: "AGENTPLANE_LLM_BASE_URL"},
		{
			name:   "unparsable llm url keeps its password",
			args:   []string{"--llm-base-url", "http://u:llm-pass-S3CRET@[::1", "--llm-model", "m"},
			flag:   "--llm-base-url",
			env:    "AGENTPLANE_LLM_BASE_URL",
			secret: "llm-pass-S3CRET",
		},
		{
			name:   "database url variable keeps its password",
			vars:   map[string]string{"AGENTPLANE_DATABASE_URL": "mysql://app:hunter2-S3CRET@db.internal/x"},
			flag:   "--database-url",
			env:    "AGENTPLANE_DATABASE_URL",
			secret: "hunter2-S3CRET",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := append([]string{"serve", "--data-dir", dir}, tc.args...)
			stdout, stderr, err := run(t, tc.vars, args...)
			if err == nil {
				t.Fatalf("Main started with an invalid %s", tc.flag)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.flag) || !strings.Contains(msg, tc.env) {
				t.Errorf("error %q does not name both %s and %s", msg, tc.flag, tc.env)
			}
			if tc.secret != "" && strings.Contains(msg+stdout+stderr, tc.secret) {
				t.Errorf("the secret was printed:\nerr: %s\nstdout: %s\nstderr: %s", msg, stdout, stderr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("an invalid configuration still created %v in the data dir", entries)
			}
		})
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	t.Parallel()
	// migrate takes only the database settings: a bad variable of serve's
	// is none of its business, and its flag overrides its variable.
	vars := map[string]string{"AGENTPLANE_LOG_FORMAT": "xml", "AGENTPLANE_DATA_DIR": "/nonexistent/agentplane"}
	stdout, stderr, err := run(t, vars, "migrate", "--data-dir", t.TempDir())
	if err != nil {
		t.Fatalf("migrate with a flag over a bad variable: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "database at migration") {
		t.Errorf("migrate printed %q", stdout)
	}
	// serve reads both: each flag overrides its bad variable.
	n := launch(t, nil, vars, "--addr", "127.0.0.1:0", "--log-format", "json", "--data-dir", t.TempDir()).wait(t)
	if line, _, _ := strings.Cut(n.Stderr.String(), "\n"); !json.Valid([]byte(line)) {
		t.Errorf("serve with --log-format json over AGENTPLANE_LOG_FORMAT=xml logged %q", line)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	stdout, _, err := run(t, nil, "version")
	if err != nil || stdout != "agentplane "+app.Version+"\n" {
		t.Errorf("version printed %q (err %v)", stdout, err)
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	_, stderr, err := run(t, nil, "serv")
	if err == nil || !strings.Contains(err.Error(), "serv") || !strings.Contains(stderr, "Usage") {
		t.Errorf("unknown command: err %v, stderr %q", err, stderr)
	}
}

// envVarPattern finds the variables the configuration package reads.
var envVarPattern = regexp.MustCompile(`AGENTPLANE_[A-Z_]+[A-Z]`)

func TestServeHelpListsVariablesAndHidesSecrets(t *testing.T) {
	t.Parallel()
	// Every variable of SPEC §14, and every one the config package knows.
	want := []string{
		"AGENTPLANE_ADDR", "AGENTPLANE_DATA_DIR", "AGENTPLANE_DATABASE_URL", "AGENTPLANE_SIP_DOMAIN",
		"AGENTPLANE_LLM_BASE_URL", "AGENTPLANE_LLM_API_KEY", "AGENTPLANE_LLM_MODEL",
		"AGENTPLANE_FETCH_ALLOW_CIDRS", "AGENTPLANE_FETCH_ALLOW_PORTS", "AGENTPLANE_LOG_FORMAT",
	}
	src, err := os.ReadFile("../config/config.go")
	if err != nil {
		t.Fatal(err)
	}
	want = slices.Compact(slices.Sorted(slices.Values(append(want, envVarPattern.FindAllString(string(src), -1)...))))

	secrets := []string{"pg-pass-S3CRET", "sk-llm-S3CRET"}
	vars := map[string]string{
		"AGENTPLANE_DATABASE_URL": "postgres://app:pg-pass-S3CRET@db.internal:5432/agentplane",
		"AGENTPLANE_LLM_API_KEY":  "sk-llm-S3CRET",
	}
	stdout, stderr, err := run(t, vars, "serve", "--help")
	if err != nil {
		t.Errorf("serve --help returned %v, want nil", err)
	}
	out := stdout + stderr
	for _, v := range want {
		if !strings.Contains(out, v) {
			t.Errorf("serve --help does not list %s", v)
		}
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("serve --help printed the secret %q:\n%s", s, out)
		}
	}
}

// TestStartupLogShowsNoCredentials: the "starting" line names the LLM's
// endpoint but not the password in its URL, nor a key in its query.
func TestStartupLogShowsNoCredentials(t *testing.T) {
	t.Parallel()
	// The LLM adapter does no I/O until first used, so nothing needs to
	// listen at this address.
	n := launch(t, nil, map[string]string{"AGENTPLANE_LLM_API_KEY": "sk-env-S3CRET"},
		"--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-format", "json", "--llm-model", "m",
		"--llm-base-url", "https://llm-user:llm-pass-S3CRET@llm.internal.example:8443/v1?api-key=query-S3CRET").wait(t)
	var started struct {
		Msg    string            `json:"msg"`
		Config map[string]string `json:"config"`
	}
	for line := range strings.Lines(n.Stderr.String()) {
		if err := json.Unmarshal([]byte(line), &started); err == nil && started.Msg == "starting" {
			break
		}
	}
	if got, want := started.Config["llm_base_url"], "https://llm.internal.example:8443/v1"; got != want {
		t.Errorf("llm_base_url logged as %q, want %q", got, want)
	}
	for _, s := range []string{"llm-user", "llm-pass-S3CRET", "query-S3CRET", "sk-env-S3CRET"} {
		if strings.Contains(n.Stderr.String(), s) {
			t.Errorf("the log shows %q:\n%s", s, n.Stderr)
		}
	}
}
