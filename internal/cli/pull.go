package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/agentplane/agentplane/client"
)

func pullCommand() *Command {
	return &Command{Name: "pull", Synopsis: "[--dir DIR]",
		Summary: "write one YAML file per agent: its fields and its newest version's config (overwrites those agents' files)",
		Flags: func(fs *flag.FlagSet) Run {
			dir := fs.String("dir", "agents", "the directory of agent files (created if missing)")
			return func(ctx context.Context, io IO, args []string) error {
				c, _, err := start(io, nil, args)
				if err != nil {
					return err
				}
				return pull(ctx, io, c, *dir)
			}
		}}
}

// pull writes every agent of the organization into dir. A file that
// already holds an agent's id is rewritten in place; a new agent gets a
// file named after it.
func pull(ctx context.Context, io IO, c *client.Client, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	existing, err := agentFiles(dir)
	if err != nil {
		return err
	}
	byID := map[string]string{} // agent id → its file
	taken := map[string]bool{}
	for _, p := range existing {
		taken[filepath.Base(p)] = true
		if l, errs := readAgentFile(p); len(errs) == 0 && l.file.ID != "" {
			byID[strings.ToLower(l.file.ID)] = p
		}
	}
	agents, err := collect(c.Agents(ctx, nil), 0)
	if err != nil {
		return err
	}
	// Oldest first, so the first agent of a name keeps the plain file
	// name from pull to pull.
	slices.Reverse(agents)
	seen := map[string]bool{}
	for _, a := range agents {
		af, err := agentAsCode(ctx, c, a)
		if err != nil {
			return err
		}
		data, err := encodeAgentFile(af)
		if err != nil {
			return err
		}
		path, ok := byID[strings.ToLower(a.Id.String())]
		if !ok {
			name := slug(a.Name) + ".yaml"
			if taken[name] {
				name = slug(a.Name) + "-" + a.Id.String()[:8] + ".yaml"
			}
			taken[name] = true
			path = filepath.Join(dir, name)
		}
		if err := writeFileAtomic(path, data); err != nil {
			return err
		}
		seen[path] = true
		fmt.Fprintf(io.Stdout, "%s\t%s (%s)\n", path, a.Name, a.Id)
	}
	for id, p := range byID {
		if !seen[p] {
			fmt.Fprintf(io.Stderr, "%s: agent %s is not on the server any more (left as is; delete the file or remove its id to create it again)\n", p, id)
		}
	}
	fmt.Fprintf(io.Stdout, "Pulled %d agent(s) into %s.\n", len(agents), dir)
	return nil
}

// agentAsCode reads an agent and its newest version as a file.
func agentAsCode(ctx context.Context, c *client.Client, a client.Agent) (agentFile, error) {
	af := agentFile{ID: a.Id.String(), LiveVersion: a.LiveVersion, Name: a.Name, Description: &a.Description,
		Active: &a.Active, IsDemo: &a.IsDemo, Metadata: &a.Metadata}
	if a.Metadata == nil {
		af.Metadata = &map[string]any{}
	}
	vs, err := collect(c.Versions(ctx, a.Id, &client.ListVersionsParams{Limit: new(1)}), 1)
	if err != nil || len(vs) == 0 {
		return af, err
	}
	r, err := c.GetVersionWithResponse(ctx, a.Id, strconv.Itoa(vs[0].Version), nil)
	if err := check(r, err); err != nil {
		return af, err
	}
	var v serverVersion
	if err := json.Unmarshal(r.Body, &v); err != nil {
		return af, err
	}
	af.Version, af.Config, af.InstructionBuilderInputs = &v.Version, v.Config, v.InstructionBuilderInputs
	return af, nil
}
