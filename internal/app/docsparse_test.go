package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// This file reads the executable documentation: the ```sh blocks of a
// Markdown file, split into commands, each with the answer its text
// promises. The convention (AGENTS.md, "Docs that run"):
//
//   - Every ```sh block runs, in file order, in one bash session, unless
//     the last non-blank line before its fence is <!-- not run -->.
//     Fences tagged bash, shell, console or zsh are refused, so no block
//     escapes the test by its tag; untagged and other fences never run.
//   - The comment lines right below a command (no blank line between) are
//     its answer: "# 201", "# 409 {…}", "# {…}" or "# […]" (a JSON
//     pattern, which may continue over further comment lines; words after
//     the JSON value are a note), or any other text (what the command
//     prints, as is). "…" is a wildcard: a value, the remaining members
//     of an object, any number of array elements, or part of a string or
//     of text.
//   - A comment at the end of a command's line ("curl … # 204; 404 if …")
//     is prose, but a status code that starts it is checked.
//   - Without a status in its answer, every HTTP answer a command receives
//     must be 2xx. A command that exits non-zero fails.
//   - The test replaces 127.0.0.1:8080 with its server's address and the
//     placeholder ak_… with the server's first-start key; any other "…"
//     left in a command to run is an error.

// notRun is the marker that keeps the next block from running.
const notRun = "<!-- not run -->"

// ellipsis is the wildcard of answers and the placeholder of commands.
const ellipsis = "…"

// docStep is one command of a run block and what it must answer.
type docStep struct {
	File     string
	Line     int    // of the command's first line
	Code     string // the command, as written
	Trailing string // the comment ending its last line, without "#"
	Answer   []string
}

// where names the step for failure messages.
func (s docStep) where() string {
	first, _, _ := strings.Cut(s.Code, "\n")
	return fmt.Sprintf("%s:%d: %s", s.File, s.Line, first)
}

// refusedFences are shell tags that must be sh (runnable) instead.
var refusedFences = map[string]bool{"bash": true, "shell": true, "console": true, "zsh": true, "shell-session": true}

// docSteps returns the commands of the run blocks of a Markdown text, in
// order.
func docSteps(file, text string) ([]docStep, error) {
	var (
		steps    []docStep
		lastText string // the last non-blank line outside blocks
	)
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t\r")
		if !strings.HasPrefix(line, "```") {
			if strings.TrimSpace(line) != "" {
				lastText = strings.TrimSpace(line)
			}
			continue
		}
		lang := strings.TrimSpace(strings.TrimPrefix(line, "```"))
		start := i + 1
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
		}
		if i == len(lines) {
			return nil, fmt.Errorf("%s:%d: unclosed code fence", file, start)
		}
		body := lines[start:i]
		skip := lastText == notRun
		lastText = ""
		switch {
		case refusedFences[lang]:
			return nil, fmt.Errorf("%s:%d: a ```%s block: tag shell examples ```sh (they run) and put %s before those that must not", file, start, lang, notRun)
		case lang != "sh" || skip:
			continue
		}
		s, err := blockSteps(file, start+1, body)
		if err != nil {
			return nil, err
		}
		steps = append(steps, s...)
	}
	return steps, nil
}

// blockSteps splits one block, whose first line is line first of file,
// into commands with their answers.
func blockSteps(file string, first int, lines []string) ([]docStep, error) {
	var (
		steps []docStep
		open  *docStep // the command whose answer lines may follow
		cur   *docStep // the command being read
		lx    shellLexer
	)
	for i, raw := range lines {
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimSpace(line)
		if cur == nil {
			switch {
			case trimmed == "":
				open = nil
				continue
			case strings.HasPrefix(trimmed, "#"):
				if open != nil {
					open.Answer = append(open.Answer, strings.TrimPrefix(strings.TrimPrefix(trimmed, "#"), " "))
				}
				continue
			}
			steps = append(steps, docStep{File: file, Line: first + i})
			cur, open = &steps[len(steps)-1], nil
			lx = shellLexer{}
		}
		if lx.heredoc != "" {
			// A here-document's lines are data, taken as they are, up
			// to its delimiter.
			cur.Code += "\n" + line
			if line == lx.heredoc {
				lx.heredoc = ""
				if lx.complete() {
					open, cur = cur, nil
				}
			}
			continue
		}
		code, comment := lx.line(line)
		if cur.Code != "" {
			cur.Code += "\n"
		}
		cur.Code += code
		if lx.complete() {
			cur.Trailing = comment
			cur.Code = strings.TrimRight(cur.Code, " \t")
			open, cur = cur, nil
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: the command never ends (an open quote, parenthesis or trailing backslash)", file, cur.Line)
	}
	return steps, nil
}

// shellLexer follows the quoting of a command over its lines, enough for
// documentation: quotes, backslashes, parentheses and comments.
type shellLexer struct {
	single, double bool
	depth          int
	continued      bool
	heredoc        string // the delimiter of a here-document being read
}

// line consumes one line and returns its code and the comment ending it
// (without "#"), if any.
func (l *shellLexer) line(s string) (code, comment string) {
	l.continued = false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case l.single:
			l.single = c != '\''
		case c == '\\':
			if i == len(s)-1 {
				l.continued = true
			}
			i++
		case l.double:
			l.double = c != '"'
		case c == '\'':
			l.single = true
		case c == '"':
			l.double = true
		case c == '<' && strings.HasPrefix(s[i:], "<<<"):
			i += 2 // a here-string: the word follows on the line
		case c == '<' && strings.HasPrefix(s[i:], "<<"):
			word := strings.TrimLeft(strings.TrimPrefix(s[i+2:], "-"), " ")
			if end := strings.IndexAny(word, " \t;|&>"); end >= 0 {
				word = word[:end]
			}
			l.heredoc = strings.Trim(word, `'"`)
			i++
		case c == '(':
			l.depth++
		case c == ')':
			l.depth--
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return s[:i], strings.TrimSpace(s[i+1:])
		}
	}
	return s, ""
}

// complete reports whether the command ended with the last line.
func (l *shellLexer) complete() bool {
	return !l.single && !l.double && l.depth <= 0 && !l.continued && l.heredoc == ""
}

// statusPrefix is an HTTP status starting an answer or a trailing comment.
var statusPrefix = regexp.MustCompile(`^([1-5][0-9][0-9])(?:[^0-9]|$)`)

// docAnswer is what a command must answer.
type docAnswer struct {
	Status int      // 0: any 2xx
	JSON   *pattern // the body, when the answer shows JSON
	Text   string   // else what the command prints ("" with no body shown)
}

// parseAnswer reads a step's answer lines and trailing comment.
func parseAnswer(s docStep) (docAnswer, error) {
	var a docAnswer
	if m := statusPrefix.FindStringSubmatch(s.Trailing); m != nil {
		a.Status, _ = strconv.Atoi(m[1])
	}
	rest := strings.Join(s.Answer, "\n")
	if m := statusPrefix.FindStringSubmatch(rest); m != nil {
		status, _ := strconv.Atoi(m[1])
		if a.Status != 0 && a.Status != status {
			return a, fmt.Errorf("the comment on the command says %d, the answer below it %d", a.Status, status)
		}
		a.Status, rest = status, strings.TrimSpace(rest[len(m[1]):])
	}
	switch {
	case strings.HasPrefix(rest, "{") || strings.HasPrefix(rest, "["):
		p, _, err := parsePattern(rest)
		if err != nil {
			return a, fmt.Errorf("the JSON answer %q: %v", rest, err)
		}
		a.JSON = p
	default:
		a.Text = rest
	}
	return a, nil
}

// check compares what a command printed and the statuses it received
// with the answer.
func (a docAnswer) check(stdout string, statuses []int) error {
	switch {
	case a.Status != 0 && len(statuses) == 0:
		return fmt.Errorf("want status %d, but the command made no HTTP request", a.Status)
	case a.Status != 0 && statuses[len(statuses)-1] != a.Status:
		return fmt.Errorf("want status %d, got %d", a.Status, statuses[len(statuses)-1])
	case a.Status == 0:
		for _, st := range statuses {
			if st < 200 || st > 299 {
				return fmt.Errorf("got status %d where the text shows no error (write the status below the command if it is meant)", st)
			}
		}
	}
	if a.JSON != nil {
		dec := json.NewDecoder(strings.NewReader(stdout))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("want a JSON answer, got %q", clip(stdout))
		}
		if _, err := dec.Token(); err != io.EOF {
			return fmt.Errorf("want one JSON value, got more: %q", clip(stdout))
		}
		if err := a.JSON.match("", v); err != nil {
			return err
		}
		return nil
	}
	if a.Text != "" {
		got := strings.TrimSpace(strings.ReplaceAll(stdout, "\r\n", "\n"))
		if !glob(a.Text, got) {
			return fmt.Errorf("want the output\n%s", a.Text)
		}
	}
	return nil
}

// clip shortens long output for a failure message.
func clip(s string) string {
	const n = 2000
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// TestDocConvention pins the convention: answers that hold pass, and each
// kind of difference fails.
func TestDocConvention(t *testing.T) {
	t.Parallel()
	doc := strings.Join([]string{
		"Intro.",
		"",
		"```sh",
		"# prose above a command is not checked",
		`curl -s "${auth[@]}" -d '{"name":"a",`,
		`  "x":1}' $API/core/agents   # 201, created`,
		`# {"id":"…","name":"a","tags":["x",…],…}`,
		"",
		"curl -s $API/compare",
		"# Voice speed changed from 1.0 to 1.2.",
		"echo \"a # not a comment\" \\",
		"  b",
		"# 409 {\"code\":\"conflict\",",
		"#      \"detail\":\"… taken\"} while another runs",
		"X=$(curl -s $API/x |",
		"  jq -r .id)",
		"cat > f.yaml <<'EOF'",
		"# data, not an answer",
		"name: a",
		"EOF",
		"# written",
		"```",
		"",
		notRun,
		"```sh",
		"make run",
		"```",
		"```",
		"not a shell block",
		"```",
	}, "\n")
	steps, err := docSteps("doc.md", doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 5 {
		t.Fatalf("steps = %+v, want 5", steps)
	}
	if steps[4].Code != "cat > f.yaml <<'EOF'\n# data, not an answer\nname: a\nEOF" || len(steps[4].Answer) != 1 || steps[4].Answer[0] != "written" {
		t.Errorf("a here-document: %+v", steps[4])
	}
	if steps[0].Line != 5 || steps[0].Trailing != "201, created" || len(steps[0].Answer) != 1 {
		t.Errorf("first step %+v", steps[0])
	}
	if steps[2].Code != "echo \"a # not a comment\" \\\n  b" || len(steps[2].Answer) != 2 {
		t.Errorf("third step %+v", steps[2])
	}
	if !strings.HasSuffix(steps[3].Code, "jq -r .id)") || steps[3].Answer != nil {
		t.Errorf("fourth step %+v", steps[3])
	}
	cases := []struct {
		step     int
		stdout   string
		statuses []int
		ok       bool
	}{
		{0, `{"id":"1","name":"a","tags":["x","y"],"z":null}`, []int{201}, true},
		{0, `{"id":"1","name":"a","tags":["x"]}`, []int{201}, true},
		{0, `{"id":"1","name":"b","tags":["x"]}`, []int{201}, false},     // a value differs
		{0, `{"id":1,"name":"a","tags":["x"]}`, []int{201}, false},       // "…" in a string wants a string
		{0, `{"id":"1","name":"a","tags":["y","x"]}`, []int{201}, false}, // order of items
		{0, `{"id":"1","name":"a"}`, []int{201}, false},                  // a member is missing
		{0, `{"id":"1","name":"a","tags":["x"]}`, []int{200}, false},     // the trailing status
		{0, `not json`, []int{201}, false},
		{1, "Voice speed changed from 1.0 to 1.2.\n", []int{200}, true},
		{1, "Voice speed changed from 1.0 to 1.3.", []int{200}, false},
		{1, "Voice speed changed from 1.0 to 1.2.", []int{500}, false}, // no status shown: 2xx only
		{2, `{"code":"conflict","detail":"name taken"}`, []int{409}, true},
		{2, `{"code":"conflict","detail":"name taken","more":1}`, []int{409}, false}, // closed object
		{2, `{"code":"conflict","detail":"name taken"}`, nil, false},                 // no request made
		{3, ``, []int{200, 201}, true},
		{3, ``, []int{200, 404}, false},
	}
	for _, c := range cases {
		a, err := parseAnswer(steps[c.step])
		if err != nil {
			t.Fatalf("step %d: %v", c.step, err)
		}
		if err := a.check(c.stdout, c.statuses); (err == nil) != c.ok {
			t.Errorf("step %d on %q %v: err = %v, want ok %v", c.step, c.stdout, c.statuses, err, c.ok)
		}
	}

	for _, bad := range []string{
		"```bash\ncurl x\n```\n",   // a shell block that would escape the test
		"```sh\ncurl -d '{\n```\n", // a command that never ends
	} {
		if _, err := docSteps("bad.md", bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	for _, bad := range []docStep{
		{Trailing: "204", Answer: []string{"404"}}, // the comment and the answer disagree
		{Answer: []string{`200 {"a":`}},            // a cut JSON answer
	} {
		if _, err := parseAnswer(bad); err == nil {
			t.Errorf("%+v: accepted", bad)
		}
	}
}
