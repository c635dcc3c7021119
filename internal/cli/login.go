package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agentplane/agentplane/client"
)

// Login is what `agentplane login` stores: the server and the credential
// to call it with. The file is the user's alone (mode 0600): it holds a
// secret.
type Login struct {
	URL   string `json:"url"`
	Token string `json:"token"`
	// Org is the organization (id or slug) a personal access token acts
	// in; an organization API key needs none.
	Org string `json:"org,omitempty"`
}

// loginPath is where the login lives: $AGENTPLANE_CONFIG when set, else
// agentplane/login.json in the user's config directory
// ($XDG_CONFIG_HOME, or the system's default).
func loginPath(getenv func(string) string) (string, error) {
	if p := getenv("AGENTPLANE_CONFIG"); p != "" {
		return p, nil
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("no config directory for the login (set AGENTPLANE_CONFIG): %w", err)
		}
		dir = d
	}
	return filepath.Join(dir, "agentplane", "login.json"), nil
}

// readLogin reads the stored login; none stored is a zero Login.
func readLogin(getenv func(string) string) (Login, error) {
	var l Login
	p, err := loginPath(getenv)
	if err != nil {
		return l, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, err
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("%s: %w (run agentplane login again)", p, err)
	}
	return l, nil
}

// writeLogin stores l readable by its owner only, replacing the file
// whole so a crash never leaves half a secret.
func writeLogin(getenv func(string) string, l Login) (string, error) {
	p, err := loginPath(getenv)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".login-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return p, os.Rename(tmp.Name(), p)
}

// connect returns a client for the stored login, each field overridden by
// its variable (AGENTPLANE_URL, AGENTPLANE_TOKEN, AGENTPLANE_ORG).
func connect(io IO) (*client.Client, error) {
	l, err := readLogin(io.Getenv)
	if err != nil {
		return nil, err
	}
	if v := io.Getenv("AGENTPLANE_URL"); v != "" {
		l.URL = v
	}
	if v := io.Getenv("AGENTPLANE_TOKEN"); v != "" {
		l.Token = v
	}
	if v := io.Getenv("AGENTPLANE_ORG"); v != "" {
		l.Org = v
	}
	if l.URL == "" || l.Token == "" {
		return nil, Usagef("not logged in: run agentplane login, or set AGENTPLANE_URL and AGENTPLANE_TOKEN")
	}
	return newClient(l), nil
}

func newClient(l Login) *client.Client {
	hc := &http.Client{Timeout: 2 * time.Minute}
	return client.New(l.URL, client.WithHTTPClient(hc), client.WithToken(l.Token), client.WithOrg(l.Org))
}

func loginCommand() *Command {
	return &Command{
		Name: "login", Synopsis: "[--url URL] [--org ORG]",
		Summary: "store the server and credential the client commands use (asks for what flags don't give; the credential is read from stdin)",
		Flags: func(fs *flag.FlagSet) Run {
			u := fs.String("url", "", "the server's URL, e.g. http://127.0.0.1:8080")
			org := fs.String("org", "", "the organization (id or slug) a personal access token acts in")
			return func(ctx context.Context, io IO, args []string) error {
				if err := wantArgs(args); err != nil {
					return err
				}
				return login(ctx, io, *u, *org)
			}
		},
	}
}

// login asks for what its flags left out, checks the credential against
// the server and stores the login.
func login(ctx context.Context, io IO, serverURL, org string) error {
	in := bufio.NewReader(io.Stdin)
	ask := func(prompt string) (string, error) {
		fmt.Fprint(io.Stderr, prompt)
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return "", Usagef("login: no answer to %q on stdin", strings.TrimSpace(prompt))
		}
		return strings.TrimSpace(line), nil
	}
	var err error
	if serverURL == "" {
		if serverURL, err = ask("Server URL: "); err != nil {
			return err
		}
	}
	if u, perr := url.Parse(serverURL); perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Usagef("login: %q is not an http(s) URL", serverURL)
	}
	token, err := ask("Credential (ak_… or pat_…): ")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(token, "ak_") && !strings.HasPrefix(token, "pat_") {
		return Usagef("login: a credential starts with ak_ (organization API key) or pat_ (personal access token)")
	}
	if strings.HasPrefix(token, "pat_") && org == "" {
		if org, err = ask("Organization (id or slug): "); err != nil {
			return err
		}
	}
	l := Login{URL: strings.TrimRight(serverURL, "/"), Token: token, Org: org}
	scopes, err := newClient(l).MyScopes(ctx)
	if e, ok := errors.AsType[*client.Error](err); ok {
		return apiError{e}
	} else if err != nil {
		return err
	}
	p, err := writeLogin(io.Getenv, l)
	if err != nil {
		return err
	}
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	fmt.Fprintf(io.Stdout, "Logged in to %s (scopes: %s).\nSaved to %s (mode 0600).\n", l.URL, strings.Join(names, " "), p)
	return nil
}
