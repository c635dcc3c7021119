package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, func(k string) string { return env[k] }, Serve)
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.MaxBodyBytes != 1<<20 || c.ShutdownTimeout != 30*time.Second {
		t.Errorf("defaults: %+v", c)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{"AGENTPLANE_ADDR": "127.0.0.1:9000", "AGENTPLANE_DATA_DIR": "/var/lib/ap", "AGENTPLANE_LLM_API_KEY": "sk-env"}
	c, err := load(t, []string{"--addr", "0.0.0.0:7000"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:7000" || c.DataDir != "/var/lib/ap" || c.LLMAPIKey != "sk-env" {
		t.Errorf("got addr %q data %q key %q", c.Addr, c.DataDir, c.LLMAPIKey)
	}
	c, err = load(t, []string{"--llm-api-key", "sk-flag"}, env)
	if err != nil || c.LLMAPIKey != "sk-flag" {
		t.Errorf("secret flag did not override env: %q %v", c.LLMAPIKey, err)
	}
}

func TestInvalidValuesNameTheSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--addr", "nonsense"}, nil, "--addr (AGENTPLANE_ADDR)"},
		{nil, map[string]string{"AGENTPLANE_LOG_FORMAT": "xml"}, "--log-format (AGENTPLANE_LOG_FORMAT)"},
		{nil, map[string]string{"AGENTPLANE_DATABASE_URL": "mysql://x"}, "--database-url (AGENTPLANE_DATABASE_URL)"},
		{[]string{"--fetch-allow-ports", "80,0"}, nil, "--fetch-allow-ports (AGENTPLANE_FETCH_ALLOW_PORTS)"},
		{[]string{"--fetch-allow-cidrs", "10.0.0.0/33"}, nil, "--fetch-allow-cidrs (AGENTPLANE_FETCH_ALLOW_CIDRS)"},
		{[]string{"--shutdown-timeout", "-1s"}, nil, "--shutdown-timeout"},
		{[]string{"--max-body-bytes", "12"}, nil, "--max-body-bytes"},
		{[]string{"--detail-cache-bytes", "-1"}, nil, "--detail-cache-bytes"},
		{[]string{"--sip-domain", "a@b"}, nil, "--sip-domain"},
		{[]string{"--llm-base-url", "ftp://x"}, nil, "--llm-base-url"},
	} {
		_, err := load(t, tc.args, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: error %v, want it to name %s", tc.args, tc.env, err, tc.want)
		}
	}
	// Several problems are reported together.
	_, err := load(t, []string{"--addr", "x", "--log-level", "loud"}, nil)
	if err == nil || !strings.Contains(err.Error(), "--addr") || !strings.Contains(err.Error(), "--log-level") {
		t.Errorf("want both problems named, got %v", err)
	}
}

func TestDatabaseGroupTakesOnlyItsSettings(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"AGENTPLANE_DATA_DIR":   "/var/lib/ap",
		"AGENTPLANE_LOG_FORMAT": "xml", // invalid, but not the database's business
		"AGENTPLANE_ADDR":       "nonsense",
	}
	getenv := func(k string) string { return env[k] }
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c, err := Load(fs, nil, getenv, Database)
	if err != nil {
		t.Fatalf("bad variables of other settings stopped a database command: %v", err)
	}
	if c.DataDir != "/var/lib/ap" || c.Addr != "127.0.0.1:8080" || c.LogFormat != "" {
		t.Errorf("got data dir %q, addr %q, log format %q; want the variable, then defaults", c.DataDir, c.Addr, c.LogFormat)
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if strings.Join(names, " ") != "data-dir database-url" {
		t.Errorf("the database group registers %v", names)
	}
	fs = flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := Load(fs, []string{"--addr", "127.0.0.1:1"}, getenv, Database); err == nil || !strings.Contains(err.Error(), "-addr") {
		t.Errorf("a serve flag given to a database command: err %v, want it refused by name", err)
	}
	fs = flag.NewFlagSet("version", flag.ContinueOnError)
	if _, err := Load(fs, nil, getenv, None); err != nil || fs.NFlag() != 0 {
		t.Errorf("the empty group: err %v", err)
	}
	fs.VisitAll(func(f *flag.Flag) { t.Errorf("the empty group registers --%s", f.Name) })
}

func TestSettingsNameTheirKind(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if _, err := Load(fs, nil, func(string) string { return "" }, Serve); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"addr": "string", "max-body-bytes": "int", "rate-burst": "int", "auth-failure-limit": "int",
		"rate-limit": "float", "shutdown-timeout": "duration", "write-timeout": "duration",
		"job-timeout": "duration", "fetch-allow-ports": "list", "detail-cache-bytes": "int",
	}
	for name, kind := range want {
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("--%s is not registered", name)
			continue
		}
		typed, ok := f.Value.(interface{ Type() string })
		if !ok || typed.Type() != kind {
			t.Errorf("--%s is of kind %v, want %s", name, f.Value, kind)
		}
	}
}

func TestParsesLists(t *testing.T) {
	t.Parallel()
	c, err := load(t, []string{"--fetch-allow-cidrs", "10.0.0.0/8, 127.0.0.1/32", "--fetch-allow-ports", "8080,8443"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.FetchAllowCIDRs) != 2 || c.FetchAllowCIDRs[1].String() != "127.0.0.1/32" || len(c.FetchAllowPorts) != 2 || c.FetchAllowPorts[1] != 8443 {
		t.Errorf("lists: %v %v", c.FetchAllowCIDRs, c.FetchAllowPorts)
	}
}

func TestHelpNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(&out)
	env := map[string]string{"AGENTPLANE_DATABASE_URL": "postgres://u:hunter2@db/x", "AGENTPLANE_LLM_API_KEY": "sk-secret"}
	_, err := Load(fs, []string{"--help"}, func(k string) string { return env[k] }, Serve)
	if err != flag.ErrHelp {
		t.Fatalf("err = %v", err)
	}
	help := out.String()
	if strings.Contains(help, "hunter2") || strings.Contains(help, "sk-secret") {
		t.Errorf("help leaks a secret:\n%s", help)
	}
	for _, s := range settings {
		if !strings.Contains(help, s.env) {
			t.Errorf("help does not list %s", s.env)
		}
	}
	if red := (Config{DatabaseURL: "postgres://u:hunter2@db/x", LLMAPIKey: "sk"}).Redacted(); strings.Contains(red["database_url"]+red["llm_api_key"], "hunter2") || red["llm_api_key"] == "sk" {
		t.Errorf("redacted config leaks: %v", red)
	}
}

// TestRedactedURLs: the start-up log shows where the database and the LLM
// are, never a password or a query string that may carry a key.
func TestRedactedURLs(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"https://user:hunter2@llm.example.com:8443/v1?api-key=sk-query#frag", "https://llm.example.com:8443/v1"},
		{"http://sk-token-only@10.0.0.5:11434/v1", "http://10.0.0.5:11434/v1"},
		{"postgres://app:hunter2@db.internal:5432/agentplane?sslmode=require&password=pw-query", "postgres://db.internal:5432/agentplane"},
		{"postgres:///agentplane?host=/run/postgresql&password=pw-query", "(set)"}, // no host: nothing safe to show
		{"http://u:hunter2@[::1", "(set)"}, // unparsable: never echoed
		{"https://api.openai.com/v1", "https://api.openai.com/v1"},
		{"", ""},
	}
	for _, tc := range cases {
		red := Config{LLMBaseURL: tc.in, DatabaseURL: tc.in}.Redacted()
		if red["llm_base_url"] != tc.want || red["database_url"] != tc.want {
			t.Errorf("%q logged as llm_base_url %q, database_url %q; want %q", tc.in, red["llm_base_url"], red["database_url"], tc.want)
		}
		for _, v := range red {
			for _, secret := range []string{"hunter2", "sk-query", "pw-query", "sk-token-only", "frag"} {
				if strings.Contains(v, secret) {
					t.Errorf("%q: the log shows %q: %q", tc.in, secret, v)
				}
			}
		}
	}
}
