package agentplane

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WebWidget is an embeddable web client pinned to a published version of an
// agent (SPEC §11).
type WebWidget struct {
	ID             string          `json:"id"`
	OrganizationID string          `json:"organization_id"`
	Name           string          `json:"name"`
	AgentID        string          `json:"agent_id"`
	AgentVersionID string          `json:"agent_version_id"`
	Domains        []string        `json:"domains"`
	Published      bool            `json:"published"`
	Config         json.RawMessage `json:"config"`
	CreatedAt      Time            `json:"created_at"`
	UpdatedAt      Time            `json:"updated_at"`
}

// WebWidgetInput is the body of POST and (partial) PUT /core/web-widgets.
type WebWidgetInput struct {
	Name           *string         `json:"name"`
	AgentID        *string         `json:"agent_id"`
	AgentVersionID *string         `json:"agent_version_id"`
	Domains        *[]string       `json:"domains"`
	Published      *bool           `json:"published"`
	Config         json.RawMessage `json:"config"`
}

// Validate checks the input; create requires name, agent_id and
// agent_version_id. It normalizes domains to origins and compacts config.
func (in *WebWidgetInput) Validate(create bool) error {
	var v Violations
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		in.Name = &n
		if c := utf8.RuneCountInString(n); c < 1 || c > 200 {
			v.Add("name must be 1 to 200 characters", "string_length", "body", "name")
		}
	} else if create {
		v.Add("name is required", "missing", "body", "name")
	}
	for field, id := range map[string]*string{"agent_id": in.AgentID, "agent_version_id": in.AgentVersionID} {
		switch {
		case id == nil && create:
			v.Add(field+" is required", "missing", "body", field)
		case id != nil && !ValidID(*id):
			v.Add(field+" must be a UUID", "uuid", "body", field)
		}
	}
	if in.Domains != nil {
		if len(*in.Domains) > 100 {
			v.Add("at most 100 domains", "max_items", "body", "domains")
		}
		out := make([]string, 0, len(*in.Domains))
		seen := map[string]bool{}
		for i, d := range *in.Domains {
			o, ok := NormalizeOrigin(d)
			if !ok {
				v.Add("not a domain or http(s) origin: "+d, "origin", "body", "domains", i)
				continue
			}
			if !seen[o] {
				seen[o] = true
				out = append(out, o)
			}
		}
		in.Domains = &out
	}
	if in.Config != nil {
		c, err := CompactObject(in.Config)
		if err != nil || len(c) > 64<<10 {
			v.Add("config must be a JSON object of at most 64 KiB", "object_type", "body", "config")
		} else {
			in.Config = c
		}
	}
	return v.Err()
}

// NormalizeOrigin turns "example.com", "https://Example.com/" or
// "http://localhost:3000" into an origin ("https://example.com"): https is
// added when no scheme is given; only http and https are allowed; paths,
// queries and credentials are refused. The result is the canonical
// serialization browsers use: lower-case scheme and host, no trailing
// slash, and no port when it is the scheme's default (80, 443), so
// "HTTPS://Example.COM:443" and "example.com" are the same origin.
func NormalizeOrigin(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 300 {
		return "", false
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", false
		}
		if !(u.Scheme == "http" && n == 80 || u.Scheme == "https" && n == 443) {
			host += ":" + strconv.Itoa(n)
		}
	}
	return u.Scheme + "://" + host, true
}

// CanonicalOrigin is the form of an Origin request header that widgets
// compare with their domains and that Access-Control-Allow-Origin echoes:
// NormalizeOrigin's, or "null" for an opaque origin (a sandboxed frame, a
// file: page). Unlike a domain in a widget's list, a header always has a
// scheme, so a value without one is not an origin; nor is one with a path.
func CanonicalOrigin(header string) (string, bool) {
	header = strings.TrimSpace(header)
	if header == "null" {
		return header, true
	}
	if !strings.Contains(header, "://") {
		return "", false
	}
	return NormalizeOrigin(header)
}

// AllowsOrigin reports whether a request whose Origin header is origin may
// read the widget: any origin (or none) when no domains are set, else only
// one whose canonical form is listed. "null" is never listed: domains are
// always scheme://host.
func (w WebWidget) AllowsOrigin(origin string) bool {
	if len(w.Domains) == 0 {
		return true
	}
	o, ok := CanonicalOrigin(origin)
	if !ok {
		return false
	}
	for _, d := range w.Domains {
		if d == o {
			return true
		}
	}
	return false
}

// ETag implements Tagged.
func (w WebWidget) ETag() string {
	return newTagger('w').str(w.ID).str(w.OrganizationID).str(w.Name).str(w.AgentID).
		str(w.AgentVersionID).strs(w.Domains).bool(w.Published).bytes(w.Config).
		time(w.CreatedAt).time(w.UpdatedAt).String()
}
