package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"

	"github.com/agentplane/agentplane/client"
	"sigs.k8s.io/yaml"
)

func planCommand() *Command {
	return &Command{Name: "plan", Synopsis: "[--dir DIR]", Summary: "show, per agent file, what a push would change (writes nothing)",
		Flags: func(fs *flag.FlagSet) Run {
			dir := fs.String("dir", "agents", "the directory of agent files")
			return func(ctx context.Context, io IO, args []string) error {
				c, _, err := start(io, nil, args)
				if err != nil {
					return err
				}
				steps, err := makePlan(ctx, c, *dir, false)
				if err != nil {
					return err
				}
				render(io.Stdout, steps)
				return nil
			}
		}}
}

func pushCommand() *Command {
	return &Command{Name: "push", Synopsis: "[--dir DIR] [--publish] [--description TEXT] [--dry-run]",
		Summary: "make the server match the agent files: validates every file first and writes nothing if any is invalid",
		Flags: func(fs *flag.FlagSet) Run {
			dir := fs.String("dir", "agents", "the directory of agent files")
			publish := fs.Bool("publish", false, "publish each agent's resulting draft")
			desc := fs.String("description", "", "the note of new versions and of the publish")
			dry := fs.Bool("dry-run", false, "show what would change and write nothing")
			return func(ctx context.Context, io IO, args []string) error {
				c, _, err := start(io, nil, args)
				if err != nil {
					return err
				}
				steps, err := makePlan(ctx, c, *dir, *publish)
				if err != nil {
					return err
				}
				render(io.Stdout, steps)
				if *dry {
					fmt.Fprintln(io.Stdout, "Dry run: nothing was written.")
					return nil
				}
				n := 0
				for _, s := range steps {
					if !s.changed() {
						continue
					}
					if err := s.apply(ctx, c, *desc); err != nil {
						return fmt.Errorf("%s: %w (%d agent(s) pushed before it)", s.local.path, err, n)
					}
					n++
				}
				fmt.Fprintf(io.Stdout, "Pushed: %d agent(s) changed.\n", n)
				return nil
			}
		}}
}

// apply makes one step's changes, in the order that leaves the least
// behind if one fails: the agent, its version, the publish.
func (s *step) apply(ctx context.Context, c *client.Client, desc string) error {
	f := s.local.file
	var id client.AgentID
	if s.creates() {
		in := client.AgentInput{Name: f.Name, Description: f.Description, Active: f.Active, IsDemo: f.IsDemo, Metadata: f.Metadata}
		r, err := c.CreateAgentWithResponse(ctx, nil, in)
		if err := check(r, err); err != nil {
			return err
		}
		id = r.JSON201.Id
		// The id goes into the file at once: a later failure must not
		// make the next push create the agent twice.
		if err := s.writeBack(id, nil); err != nil {
			return err
		}
	} else {
		id = s.agent.Id
		if len(s.fields) > 0 {
			r, err := c.UpdateAgentWithResponse(ctx, id, nil, s.update)
			if err := check(r, err); err != nil {
				return err
			}
		}
	}
	body := map[string]any{"config": s.config}
	if len(f.InstructionBuilderInputs) > 0 {
		body["instruction_builder_inputs"] = f.InstructionBuilderInputs
	}
	version := 0
	if s.newest != nil {
		version = s.newest.Version
	}
	switch s.action {
	case firstVersion, newDraft:
		if desc != "" {
			body["description"] = desc
		}
		b, _ := json.Marshal(body)
		r, err := c.CreateVersionWithBodyWithResponse(ctx, id, nil, "application/json", bytes.NewReader(b))
		if err := check(r, err); err != nil {
			return err
		}
		version = r.JSON201.Version
		if s.creates() {
			if err := s.writeBack(id, &version); err != nil {
				return err
			}
		}
	case updateDraft:
		b, _ := json.Marshal(body)
		r, err := c.UpdateVersionWithBodyWithResponse(ctx, id, strconv.Itoa(version), nil, "application/json", bytes.NewReader(b))
		if err := check(r, err); err != nil {
			return err
		}
	}
	if s.publish {
		in := client.PublishInput{}
		if desc != "" {
			in.Description = &desc
		}
		r, err := c.PublishVersionWithResponse(ctx, id, strconv.Itoa(version), nil, in)
		if err := check(r, err); err != nil {
			return err
		}
	}
	return nil
}

// writeBack writes the new agent's id (and its first version) into its
// file. The lines go at the top, so the author's own layout and comments
// stay as they were; the result is read back to make sure it says what
// was meant.
func (s *step) writeBack(id client.AgentID, version *int) error {
	var add bytes.Buffer
	fmt.Fprintf(&add, "id: %s\n", id)
	if version != nil {
		fmt.Fprintf(&add, "version: %d\n", *version)
	}
	raw := s.local.raw
	if version != nil {
		// The id is already in (written after the create): replace it.
		raw = bytes.Replace(raw, []byte("id: "+id.String()+"\n"), nil, 1)
	}
	out := append(add.Bytes(), raw...)
	var check agentFile
	if err := yaml.Unmarshal(out, &check); err != nil || check.ID != id.String() {
		// The file's layout doesn't take lines at the top (a flow
		// mapping, say): write it whole instead.
		f := s.local.file
		f.ID, f.Version = id.String(), version
		var err error
		if out, err = encodeAgentFile(f); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(s.local.path, out); err != nil {
		return fmt.Errorf("the agent %s was created but its id could not be written into the file: %w", id, err)
	}
	s.local.raw = out
	return nil
}
