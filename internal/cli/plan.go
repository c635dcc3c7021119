package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/jsondiff"
	"github.com/google/uuid"
)

// versionAction is what a push does to an agent's versions.
type versionAction int

const (
	keepVersions versionAction = iota // the config is what the newest version has
	firstVersion                      // the agent has no version yet: create version 1
	updateDraft                       // the newest version is a draft: change it
	newDraft                          // the newest is published: a new draft on top
)

// step is one agent's part of a plan: the file, what the server has and
// what a push would change.
type step struct {
	local *local
	// agent is the server's agent; nil when the file creates it.
	agent *client.AgentDetail
	// newest is the server's newest version of the agent, raw; nil when
	// it has none.
	newest *serverVersion
	// config is the file's config as the server would store it (its
	// defaults filled in), checked by the server; nil without a config.
	config json.RawMessage

	fields  []string           // "name: a → b", in field order
	update  client.AgentUpdate // the fields that change
	action  versionAction
	changes []jsondiff.Change // config (and inputs) against the newest version
	publish bool              // a push --publish publishes the resulting draft
}

// serverVersion is the part of a version a plan compares.
type serverVersion struct {
	Version                  int             `json:"version"`
	Published                bool            `json:"published"`
	Config                   json.RawMessage `json:"config"`
	InstructionBuilderInputs json.RawMessage `json:"instruction_builder_inputs"`
}

func (s *step) creates() bool { return s.agent == nil }

func (s *step) changed() bool {
	return s.creates() || len(s.fields) > 0 || s.action != keepVersions || s.publish
}

// invalid is every problem of every file, found before anything is
// written.
type invalid []error

func (v invalid) Error() string {
	lines := make([]string, len(v))
	for i, e := range v {
		lines[i] = e.Error()
	}
	return fmt.Sprintf("%s\n%d problem(s); nothing was written", strings.Join(lines, "\n"), len(v))
}

// makePlan reads every agent file of dir, has the server check each
// config, reads what the server has for each agent and works out what a
// push changes. Any problem in any file fails the whole plan: a push
// writes nothing unless every file is valid.
func makePlan(ctx context.Context, c *client.Client, dir string, publish bool) ([]*step, error) {
	paths, err := agentFiles(dir)
	if err != nil {
		return nil, Usagef("%v", err)
	}
	if len(paths) == 0 {
		return nil, Usagef("%s has no agent files (*.yaml): run agentplane pull first, or write one", dir)
	}
	var (
		problems invalid
		steps    []*step
		owners   = map[string]string{} // id → the file that has it
	)
	for _, p := range paths {
		l, errs := readAgentFile(p)
		if len(errs) > 0 {
			problems = append(problems, errs...)
			continue
		}
		if l.file.ID != "" {
			if other, dup := owners[strings.ToLower(l.file.ID)]; dup {
				problems = append(problems, fileError{path: p, loc: "$.id", msg: "the same agent as " + other})
				continue
			}
			owners[strings.ToLower(l.file.ID)] = p
		}
		s := &step{local: l}
		if err := s.load(ctx, c); err != nil {
			if errors.As(err, new(fileError)) || errors.As(err, new(invalid)) {
				problems = append(problems, unwrapInvalid(err)...)
				continue
			}
			return nil, err
		}
		steps = append(steps, s)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	for _, s := range steps {
		s.diff(publish)
	}
	return steps, nil
}

func unwrapInvalid(err error) []error {
	if v, ok := errors.AsType[invalid](err); ok {
		return v
	}
	return []error{err}
}

// load has the server check the file's config and reads the agent and
// its newest version.
func (s *step) load(ctx context.Context, c *client.Client) error {
	f := &s.local.file
	if len(f.Config) > 0 {
		r, err := c.ValidateAgentConfigWithBodyWithResponse(ctx, nil, "application/json", bytes.NewReader(f.Config))
		if err != nil {
			return err
		}
		if r.StatusCode() == 422 || r.StatusCode() == 400 {
			return s.configProblems(r.Body, r.StatusCode())
		}
		if err := check(r, nil); err != nil {
			return err
		}
		var ok struct {
			Config json.RawMessage `json:"config"`
		}
		if err := json.Unmarshal(r.Body, &ok); err != nil {
			return err
		}
		s.config = ok.Config
	}
	if f.ID == "" {
		return nil
	}
	id := uuid.MustParse(f.ID)
	r, err := c.GetAgentWithResponse(ctx, id, nil)
	if err == nil && r.StatusCode() == 404 {
		return fileError{path: s.local.path, loc: "$.id", msg: "no such agent on the server (deleted? remove id to create it again)"}
	}
	if err := check(r, err); err != nil {
		return err
	}
	s.agent = r.JSON200
	if len(s.agent.Versions) == 0 {
		return nil
	}
	newest := slices.MaxFunc(s.agent.Versions, func(a, b client.VersionSummary) int { return a.Version - b.Version })
	vr, err := c.GetVersionWithResponse(ctx, id, strconv.Itoa(newest.Version), nil)
	if err := check(vr, err); err != nil {
		return err
	}
	s.newest = &serverVersion{}
	return json.Unmarshal(vr.Body, s.newest)
}

// configProblems turns the server's 422 on a config into one problem per
// violation, each with its JSON path in the file.
func (s *step) configProblems(body []byte, status int) error {
	var e struct {
		Detail string `json:"detail"`
		Errors []struct {
			Loc []any  `json:"loc"`
			Msg string `json:"msg"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) == 0 {
		return fileError{path: s.local.path, loc: "$.config", msg: fmt.Sprintf("refused by the server (%d): %s", status, e.Detail)}
	}
	var out invalid
	for _, v := range e.Errors {
		loc := "$.config"
		for i, step := range v.Loc {
			switch x := step.(type) {
			case string:
				if i == 0 && x == "body" {
					continue
				}
				loc += "." + x
			case float64:
				loc += "[" + strconv.Itoa(int(x)) + "]"
			}
		}
		out = append(out, fileError{path: s.local.path, loc: loc, msg: v.Msg})
	}
	return out
}

// diff works out the step's changes.
func (s *step) diff(publish bool) {
	f := s.local.file
	if s.creates() {
		if s.config != nil {
			s.action = firstVersion
		}
		s.publish = publish && s.config != nil
		return
	}
	a := s.agent
	field := func(name string, old, new any) {
		if !reflect.DeepEqual(plain(old), plain(new)) {
			s.fields = append(s.fields, fmt.Sprintf("%s: %s → %s", name, short(old), short(new)))
		}
	}
	if f.Name != a.Name {
		field("name", a.Name, f.Name)
		s.update.Name = &f.Name
	}
	if f.Description != nil && *f.Description != a.Description {
		field("description", a.Description, *f.Description)
		s.update.Description = f.Description
	}
	if f.Active != nil && *f.Active != a.Active {
		field("active", a.Active, *f.Active)
		s.update.Active = f.Active
	}
	if f.IsDemo != nil && *f.IsDemo != a.IsDemo {
		field("is_demo", a.IsDemo, *f.IsDemo)
		s.update.IsDemo = f.IsDemo
	}
	if f.Metadata != nil && !reflect.DeepEqual(plain(*f.Metadata), plain(a.Metadata)) {
		field("metadata", a.Metadata, *f.Metadata)
		s.update.Metadata = f.Metadata
	}
	if s.config == nil {
		return
	}
	if s.newest == nil {
		s.action = firstVersion
		s.publish = publish
		return
	}
	_, s.changes = jsondiff.Diff(plain(s.newest.Config), plain(s.config))
	if inputs := f.InstructionBuilderInputs; len(inputs) > 0 {
		_, more := jsondiff.Diff(withoutNulls(plain(s.newest.InstructionBuilderInputs)), withoutNulls(plain(inputs)))
		for _, ch := range more {
			ch.Path = append([]jsondiff.Step{{Key: "instruction_builder_inputs"}}, ch.Path...)
			s.changes = append(s.changes, ch)
		}
	}
	switch {
	case len(s.changes) == 0:
		s.action = keepVersions
		s.publish = publish && !s.newest.Published
	case s.newest.Published:
		s.action = newDraft
		s.publish = publish
	default:
		s.action = updateDraft
		s.publish = publish
	}
}

// plain decodes any JSON-able value into maps, slices and json.Numbers,
// the form the comparisons and the diff take.
func plain(v any) any {
	var b []byte
	switch x := v.(type) {
	case json.RawMessage:
		b = x
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return v
		}
	}
	if len(b) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if dec.Decode(&out) != nil {
		return nil
	}
	return out
}

// withoutNulls drops an object's null members: inputs left unset and
// inputs set to null mean the same.
func withoutNulls(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := maps.Clone(m)
	maps.DeleteFunc(out, func(_ string, v any) bool { return v == nil })
	return out
}

// short renders a value for a one-line change.
func short(v any) string {
	b, err := json.Marshal(plain(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(b)
	if r := []rune(s); len(r) > 100 {
		s = string(r[:99]) + "…"
	}
	return s
}

// pathString shows a change's path the way a file's author reads it:
// tools[transfer].actions[0].text.
func pathString(steps []jsondiff.Step) string {
	var b strings.Builder
	for _, st := range steps {
		switch {
		case st.Keyed:
			fmt.Fprintf(&b, "[%s]", st.Key)
		case st.Array:
			fmt.Fprintf(&b, "[%d]", st.Index)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(st.Key)
		}
	}
	if b.Len() == 0 {
		return "(all)"
	}
	return b.String()
}

// render prints the plan: per agent, what would change.
func render(w io.Writer, steps []*step) {
	var creates, changes, same int
	for _, s := range steps {
		title := s.local.path + " — " + s.local.file.Name
		if !s.creates() {
			title += " (" + s.agent.Id.String() + ")"
		}
		fmt.Fprintln(w, title)
		switch {
		case s.creates():
			creates++
			what := "  create the agent"
			if s.action == firstVersion {
				what += " and its version 1 (a draft)"
			}
			fmt.Fprintln(w, what)
		case !s.changed():
			same++
			fmt.Fprintln(w, "  unchanged")
		default:
			changes++
		}
		for _, f := range s.fields {
			fmt.Fprintln(w, "  "+f)
		}
		if !s.creates() {
			switch s.action {
			case firstVersion:
				fmt.Fprintln(w, "  config: create version 1 (a draft)")
			case updateDraft:
				fmt.Fprintf(w, "  config: change draft version %d\n", s.newest.Version)
			case newDraft:
				fmt.Fprintf(w, "  config: new draft version %d on top of published version %d\n", s.newest.Version+1, s.newest.Version)
			}
		}
		for _, ch := range s.changes {
			fmt.Fprintln(w, "    "+changeLine(ch))
		}
		if s.publish {
			fmt.Fprintln(w, "  publish it")
		}
	}
	fmt.Fprintf(w, "\nPlan: %d to create, %d to change, %d unchanged.\n", creates, changes, same)
}

// changeLine is one config change: + added, - removed, ~ changed.
func changeLine(ch jsondiff.Change) string {
	p := pathString(ch.Path)
	switch ch.Kind {
	case "added":
		return "+ " + p + ": " + short(ch.New)
	case "removed":
		return "- " + p + ": " + short(ch.Old)
	case "moved":
		return fmt.Sprintf("> %s: moved to position %d", p, ch.Index)
	}
	return "~ " + p + ": " + short(ch.Old) + " → " + short(ch.New)
}
