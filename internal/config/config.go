// Package config reads agentplane's settings from AGENTPLANE_* environment
// variables and command-line flags (flags win), and validates them so a bad
// value stops start-up with a message naming it.
package config

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of `agentplane serve`.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	SIPDomain   string
	// PublicURL is the origin users reach the server at behind a proxy
	// (scheme and host only); nil when unset.
	PublicURL       *url.URL
	LLMBaseURL      string
	LLMAPIKey       string
	LLMModel        string
	FetchAllowCIDRs []netip.Prefix
	FetchAllowPorts []int
	LogFormat       string
	LogLevel        string
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	WriteTimeout    time.Duration
	JobTimeout      time.Duration
	// AuditRetention bounds how long audit entries stay (SPEC §17).
	AuditRetention time.Duration
	// WebhookRetryDelays and WebhookSweep tune delivery; zero values
	// are the defaults (tests shorten them; no flag sets them).
	WebhookRetryDelays []time.Duration
	WebhookSweep       time.Duration
	// DetailCacheBytes bounds the node's agent detail cache; 0 disables it.
	DetailCacheBytes int
	// SecretKey (32 bytes) encrypts secrets the server keeps for later use;
	// nil means none was configured (see SPEC §18, §24).
	SecretKey     []byte
	RateLimit     float64
	RateBurst     int
	AuthFailLimit int
	// SIP front door (SPEC §22): off without listeners.
	SIPListen []SIPListen
	// SIPBackend is the media runtime's SIP URI calls are proxied to
	// (sip:host:port[;transport=tcp]); "" answers INVITEs 503.
	SIPBackend string
	// SIPRateLimit is the INVITEs per second one source address may send.
	SIPRateLimit float64
	// SIPAllowCIDRs are the source addresses INVITEs are taken from;
	// empty: any.
	SIPAllowCIDRs []netip.Prefix
	// SIPAdvertise is the host this node puts in its Via and
	// Record-Route (a public address behind 1:1 NAT); "" picks the local
	// address that reaches each peer.
	SIPAdvertise string
}

// SIPListen is one SIP listener: a transport and an address.
type SIPListen struct {
	Network string // "udp" or "tcp"
	Addr    string // host:port; port 0 picks a free one
}

// setting is one row of the settings table: flag, variable, default, help,
// and the kind of value --help shows.
type setting struct {
	flag, env, def, help string
	secret               bool
	kind                 string
}

// Kinds of setting values, as --help names them.
const (
	kindString   = "string"
	kindInt      = "int"
	kindFloat    = "float"
	kindDuration = "duration"
	kindList     = "list"
)

var settings = []setting{
	{"addr", "AGENTPLANE_ADDR", "127.0.0.1:8080", "listen address (host:port)", false, kindString},
	{"data-dir", "AGENTPLANE_DATA_DIR", "./data", "directory of the SQLite database when no database URL is set", false, kindString},
	{"database-url", "AGENTPLANE_DATABASE_URL", "", "postgres://… to share PostgreSQL between nodes; empty for SQLite in the data dir", true, kindString},
	{"sip-domain", "AGENTPLANE_SIP_DOMAIN", "sip.agentplane.local", "domain of the SIP URIs agents are deployed at", false, kindString},
	{"public-url", "AGENTPLANE_PUBLIC_URL", "", "origin users reach the server at behind a proxy (https://agents.example.com): the console's cookie and cross-origin check follow it", false, kindString},
	{"llm-base-url", "AGENTPLANE_LLM_BASE_URL", "", "OpenAI-compatible API base URL; empty for the builtin deterministic summarizer", false, kindString},
	{"llm-api-key", "AGENTPLANE_LLM_API_KEY", "", "API key for the LLM", true, kindString},
	{"llm-model", "AGENTPLANE_LLM_MODEL", "", "model name for the LLM", false, kindString},
	{"fetch-allow-cidrs", "AGENTPLANE_FETCH_ALLOW_CIDRS", "", "comma-separated CIDRs the website fetcher may reach despite its private-address rules", false, kindList},
	{"fetch-allow-ports", "AGENTPLANE_FETCH_ALLOW_PORTS", "", "comma-separated ports the website fetcher may use besides 80 and 443", false, kindList},
	{"log-format", "AGENTPLANE_LOG_FORMAT", "", "text or json (default: text on a terminal, json otherwise)", false, kindString},
	{"log-level", "AGENTPLANE_LOG_LEVEL", "info", "debug, info, warn or error", false, kindString},
	{"max-body-bytes", "AGENTPLANE_MAX_BODY_BYTES", "1048576", "largest accepted request body in bytes", false, kindInt},
	{"shutdown-timeout", "AGENTPLANE_SHUTDOWN_TIMEOUT", "30s", "how long SIGTERM waits for in-flight requests", false, kindDuration},
	{"rate-limit", "AGENTPLANE_RATE_LIMIT", "20", "requests per second each credential may sustain (0 disables)", false, kindFloat},
	{"rate-burst", "AGENTPLANE_RATE_BURST", "40", "requests a credential may make at once", false, kindInt},
	{"auth-failure-limit", "AGENTPLANE_AUTH_FAILURE_LIMIT", "30", "failed authentications per minute a client address may make before 429s (0 disables)", false, kindInt},
	{"write-timeout", "AGENTPLANE_WRITE_TIMEOUT", "30s", "how long writing one response may take (streamed answers: the longest pause); a client that stops reading is cut off after it", false, kindDuration},
	{"secret-key", "AGENTPLANE_SECRET_KEY", "", "base64 of 32 random bytes that encrypt stored secrets (same on every node); empty on SQLite: a key file made once in the data dir", true, kindString},
	{"detail-cache-bytes", "AGENTPLANE_DETAIL_CACHE_BYTES", "8388608", "memory each node may keep recently sent agent details in, served again while unchanged (0 disables)", false, kindInt},
	{"audit-retention", "AGENTPLANE_AUDIT_RETENTION", "8760h", "how long audit log entries are kept (older ones are deleted hourly)", false, kindDuration},
	{"sip-listen", "AGENTPLANE_SIP_LISTEN", "", "SIP listeners of the front door, e.g. udp:0.0.0.0:5060,tcp:0.0.0.0:5060 (empty: no SIP server)", false, kindList},
	{"sip-backend", "AGENTPLANE_SIP_BACKEND", "", "SIP URI of the media runtime calls are proxied to, e.g. sip:10.0.0.5:5060;transport=tcp (empty: INVITEs answer 503)", false, kindString},
	{"sip-rate-limit", "AGENTPLANE_SIP_RATE_LIMIT", "50", "INVITEs per second one source address may send (0 disables)", false, kindFloat},
	{"sip-advertise", "AGENTPLANE_SIP_ADVERTISE", "", "host this node puts in Via and Record-Route, reachable by callers and the runtime (default: the local address that reaches each peer)", false, kindString},
	{"sip-allow-cidrs", "AGENTPLANE_SIP_ALLOW_CIDRS", "", "comma-separated CIDRs INVITEs are accepted from (empty: any)", false, kindList},
	{"job-timeout", "AGENTPLANE_JOB_TIMEOUT", "5m", "how long one attempt of a background job may run; a crashed node's jobs are retried after this plus a fifth", false, kindDuration},
}

// Group selects the settings a command takes: each command registers
// only the flags it reads, and ignores the variables of the others.
type Group int

// The groups of settings.
const (
	// Serve is every setting (agentplane serve).
	Serve Group = iota
	// Database is --data-dir and --database-url: commands that only open
	// the database (migrate, backup, admin …).
	Database
	// None is no setting (agentplane version).
	None
)

// has reports whether the group takes setting s.
func (g Group) has(s setting) bool {
	switch g {
	case Serve:
		return true
	case Database:
		return s.flag == "data-dir" || s.flag == "database-url"
	}
	return false
}

// value holds a setting's text until parse validates it, so a bad value
// is reported with its flag and variable, and tells --help its kind.
type value struct {
	s    *string
	kind string
}

func (v *value) String() string {
	if v == nil || v.s == nil {
		return ""
	}
	return *v.s
}

func (v *value) Set(s string) error { *v.s = s; return nil }

// Type names the kind of value the setting takes ("int", "duration", …).
func (v *value) Type() string { return v.kind }

// Load registers the settings of group g on fs, parses args (after the
// subcommand) over the environment and validates the result. Settings
// outside g keep their defaults, whatever the environment says. getenv is
// os.Getenv in production and a map in tests. It returns flag.ErrHelp when
// -h was asked for, after printing the usage to fs's output.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string, g Group) (Config, error) {
	vals := make(map[string]*string, len(settings))
	for _, s := range settings {
		def := s.def
		vals[s.flag] = &def
		if !g.has(s) {
			continue
		}
		// A secret from the environment is applied after parsing rather than
		// as the flag's default, so --help never prints it.
		if v := getenv(s.env); v != "" && !s.secret {
			def = v
		}
		fs.Var(&value{s: &def, kind: s.kind}, s.flag, s.help+" ("+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range settings {
		if v := getenv(s.env); g.has(s) && s.secret && !set[s.flag] && v != "" {
			*vals[s.flag] = v
		}
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return parse(func(name string) string { return strings.TrimSpace(*vals[name]) })
}

// parse validates every value and reports all problems at once.
func parse(get func(string) string) (Config, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("invalid --%s (%s): %s", name, envOf(name), fmt.Sprintf(format, args...)))
	}
	c := Config{
		Addr: get("addr"), DataDir: get("data-dir"), DatabaseURL: get("database-url"),
		SIPDomain: get("sip-domain"), LLMBaseURL: get("llm-base-url"), LLMAPIKey: get("llm-api-key"),
		LLMModel: get("llm-model"), LogFormat: get("log-format"), LogLevel: get("log-level"),
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", "%q is not host:port", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("addr", "port %q is not 0-65535", port)
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		bad("data-dir", "must not be empty when no database URL is set")
	}
	if u := c.DatabaseURL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		bad("database-url", "must start with postgres:// or postgresql://")
	}
	if c.SIPDomain == "" || strings.ContainsAny(c.SIPDomain, "@:/ ") {
		bad("sip-domain", "%q is not a domain", c.SIPDomain)
	}
	if u := get("public-url"); u != "" {
		pu, err := url.Parse(u)
		switch {
		case err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "":
			bad("public-url", "%q is not an http or https URL", u)
		case pu.User != nil || (pu.Path != "" && pu.Path != "/") || pu.RawQuery != "" || pu.Fragment != "":
			bad("public-url", "%q must be an origin: scheme and host only, no path", u)
		default:
			c.PublicURL = &url.URL{Scheme: pu.Scheme, Host: pu.Host}
		}
	}
	if u := c.LLMBaseURL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		bad("llm-base-url", "must be an http or https URL")
	} else if pu, err := url.Parse(u); u != "" && (err != nil || pu.Host == "") {
		// Not quoted back: it may hold a password.
		bad("llm-base-url", "is not a URL with a host")
	}
	if c.LLMBaseURL != "" && c.LLMModel == "" {
		bad("llm-model", "is required when --llm-base-url is set")
	}
	for _, p := range splitList(get("fetch-allow-cidrs")) {
		pr, err := netip.ParsePrefix(p)
		if err != nil {
			bad("fetch-allow-cidrs", "%q is not a CIDR", p)
			continue
		}
		c.FetchAllowCIDRs = append(c.FetchAllowCIDRs, pr)
	}
	for _, p := range splitList(get("fetch-allow-ports")) {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			bad("fetch-allow-ports", "%q is not a port", p)
			continue
		}
		c.FetchAllowPorts = append(c.FetchAllowPorts, n)
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		bad("log-format", "%q is not text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level", "%q is not debug, info, warn or error", c.LogLevel)
	}
	if n, err := strconv.ParseInt(get("max-body-bytes"), 10, 64); err != nil || n < 1024 {
		bad("max-body-bytes", "%q is not a number of bytes ≥ 1024", get("max-body-bytes"))
	} else {
		c.MaxBodyBytes = n
	}
	if d, err := time.ParseDuration(get("shutdown-timeout")); err != nil || d <= 0 {
		bad("shutdown-timeout", "%q is not a positive duration", get("shutdown-timeout"))
	} else {
		c.ShutdownTimeout = d
	}
	if f, err := strconv.ParseFloat(get("rate-limit"), 64); err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		bad("rate-limit", "%q is not a non-negative number", get("rate-limit"))
	} else {
		c.RateLimit = f
	}
	if n, err := strconv.Atoi(get("rate-burst")); err != nil || n < 1 {
		bad("rate-burst", "%q is not a positive integer", get("rate-burst"))
	} else {
		c.RateBurst = n
	}
	if n, err := strconv.Atoi(get("auth-failure-limit")); err != nil || n < 0 {
		bad("auth-failure-limit", "%q is not a non-negative integer", get("auth-failure-limit"))
	} else {
		c.AuthFailLimit = n
	}
	if n, err := strconv.Atoi(get("detail-cache-bytes")); err != nil || n < 0 {
		bad("detail-cache-bytes", "%q is not a non-negative number of bytes", get("detail-cache-bytes"))
	} else {
		c.DetailCacheBytes = n
	}
	if d, err := time.ParseDuration(get("write-timeout")); err != nil || d < time.Second {
		bad("write-timeout", "%q is not a duration of at least 1s", get("write-timeout"))
	} else {
		c.WriteTimeout = d
	}
	if v := get("secret-key"); v != "" {
		if k, err := base64.StdEncoding.DecodeString(v); err != nil || len(k) != 32 {
			bad("secret-key", "is not the base64 of exactly 32 bytes (make one with: openssl rand -base64 32)")
		} else {
			c.SecretKey = k
		}
	}
	if d, err := time.ParseDuration(get("job-timeout")); err != nil || d < time.Second {
		bad("job-timeout", "%q is not a duration of at least 1s", get("job-timeout"))
	} else {
		c.JobTimeout = d
	}
	if d, err := time.ParseDuration(get("audit-retention")); err != nil || d < time.Hour {
		bad("audit-retention", "%q is not a duration of at least 1h", get("audit-retention"))
	} else {
		c.AuditRetention = d
	}
	for _, l := range splitList(get("sip-listen")) {
		network, addr, ok := strings.Cut(l, ":")
		_, port, err := net.SplitHostPort(addr)
		if n, perr := strconv.Atoi(port); !ok || (network != "udp" && network != "tcp") || err != nil || perr != nil || n < 0 || n > 65535 {
			bad("sip-listen", "%q is not udp:host:port or tcp:host:port", l)
			continue
		}
		c.SIPListen = append(c.SIPListen, SIPListen{Network: network, Addr: addr})
	}
	if b := get("sip-backend"); b != "" && !sipURI.MatchString(b) {
		bad("sip-backend", "%q is not a SIP URI (sip:host[:port][;transport=udp|tcp])", b)
	} else {
		c.SIPBackend = b
	}
	if f, err := strconv.ParseFloat(get("sip-rate-limit"), 64); err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		bad("sip-rate-limit", "%q is not a non-negative number", get("sip-rate-limit"))
	} else {
		c.SIPRateLimit = f
	}
	if h := get("sip-advertise"); h != "" && (strings.ContainsAny(h, "@/;, \t") || strings.Count(h, ":") == 1) {
		bad("sip-advertise", "%q is not a host name or IP address", h)
	} else {
		c.SIPAdvertise = h
	}
	for _, p := range splitList(get("sip-allow-cidrs")) {
		pr, err := netip.ParsePrefix(p)
		if err != nil {
			bad("sip-allow-cidrs", "%q is not a CIDR", p)
			continue
		}
		c.SIPAllowCIDRs = append(c.SIPAllowCIDRs, pr.Masked())
	}
	return c, errors.Join(errs...)
}

// sipURI is the shape of --sip-backend: a sip or sips URI with a host,
// an optional user, port and parameters.
var sipURI = regexp.MustCompile(`^sips?:([^@;\s]+@)?[A-Za-z0-9.\-\[\]:]+(;[^\s]*)?$`)

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func envOf(flagName string) string {
	for _, s := range settings {
		if s.flag == flagName {
			return s.env
		}
	}
	return ""
}

// Redacted lists the settings for the start-up log line. It is the one
// place configuration is rendered for logs, so it decides what a log may
// hold: secrets only as "(set)", and URLs as scheme, host and path. The
// userinfo goes because it holds a password; the query string and fragment
// go too because keys travel there as well (a PostgreSQL URL's
// ?password=…, an LLM gateway's ?api-key=…), and the endpoint is what an
// operator needs from this line.
func (c Config) Redacted() map[string]string {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "(set)"
	}
	return map[string]string{
		"addr": c.Addr, "data_dir": c.DataDir, "database_url": logURL(c.DatabaseURL),
		"sip_domain": c.SIPDomain, "public_url": publicURL(c.PublicURL), "llm_base_url": logURL(c.LLMBaseURL), "llm_api_key": mask(c.LLMAPIKey),
		"llm_model": c.LLMModel, "log_format": c.LogFormat, "sip_listen": sipListens(c.SIPListen), "sip_backend": c.SIPBackend,
	}
}

func sipListens(ls []SIPListen) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Network + ":" + l.Addr
	}
	return strings.Join(parts, ",")
}

// logURL renders a URL for a log: scheme, host and path only. A value that
// does not parse as a URL with a host is shown as "(set)", since where its
// secret parts are cannot be known.
func logURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return "(set)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

// publicURL is the public origin for the log, "" when unset.
func publicURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}
