package store

import (
	"fmt"
	"strings"
	"testing"
)

// readAll reads rows of (string, nullable string, integer, nullable
// integer, boolean, number, document) with tuples.
func readAll(raw string) (string, error) {
	t := &tuples{b: []byte(raw)}
	var out []string
	t.open()
	for t.more() {
		t.open()
		s, sp, n, np, b, f, doc := t.str(), t.strPtr(), t.int64(), t.int64Ptr(), t.boolean(), t.float(), t.doc()
		t.close()
		show := func(p any) string {
			switch p := p.(type) {
			case *string:
				if p != nil {
					return *p
				}
			case *int64:
				if p != nil {
					return fmt.Sprint(*p)
				}
			}
			return "nil"
		}
		out = append(out, fmt.Sprintf("%q %s %d %s %v %v %s", s, show(sp), n, show(np), b, f, doc))
	}
	t.close()
	return strings.Join(out, "|"), t.end()
}

func TestTuples(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`[]`, ``},
		// SQLite: compact, booleans as 1/0, REAL as 3.0.
		{`[["a",null,1700000000000,null,1,3.0,{"k":[1,"]}"]}],["é\n\"q\"",null,-2,5,0,0.30000000000000004,[]]]`,
			`"a" nil 1700000000000 nil true 3 {"k":[1,"]}"]}|"é\n\"q\"" nil -2 5 false 0.30000000000000004 []`},
		// PostgreSQL: spaces after separators and colons, true/false.
		{"[[\"a\", \"b\", 7, 8, true, 1e+300, {\"k\" : [1, 2]}], \n [\"\\u00e9\", \"\", 0, null, false, -1.5, [\"x\"]]]",
			`"a" b 7 8 true 1e+300 {"k" : [1, 2]}|"é"  0 nil false -1.5 ["x"]`},
		// A document SQLite sent as a string comes back as its contents.
		{`[["a",null,1,null,1,1,"{\"deep\":[[]]}"]]`, `"a" nil 1 nil true 1 {"deep":[[]]}`},
	} {
		got, err := readAll(c.in)
		if err != nil || got != c.want {
			t.Errorf("read %s\n got %s (%v)\nwant %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{
		``, `[`, `[[`, `[["a"`, `[["a",null,1,null,1,1,{}]`, `[["a",null,1,null,1,1,{}]]x`,
		`[[1,null,1,null,1,1,{}]]`,        // a number for a string
		`[["a",null,"1",null,1,1,{}]]`,    // a string for an integer
		`[["a",null,1,null,2,1,{}]]`,      // 2 for a boolean
		`[["a",null,1,null,1,1,{"k":[}]]`, // an unterminated document
		`[["a,null,1,null,1,1,{}]]`,       // an unterminated string
	} {
		if got, err := readAll(bad); err == nil {
			t.Errorf("read %s: no error, got %s", bad, got)
		}
	}
}

// FuzzTuples: whatever bytes a row holds (a corrupt database, a driver
// change), reading them ends, returns an error or values, and never panics
// or reads past the input; the agent detail's readers likewise.
func FuzzTuples(f *testing.F) {
	for _, seed := range []string{
		`[]`, `[[`, `[["a",null,1,null,1,3.0,{"k":[1,"]}"]}]]`,
		"[[\"a\", \"b\", 7, 8, true, 1e+300, {\"k\" : [1, 2]}]]",
		`[["a",null,1,null,1,1,"{\"deep\":[[]]}"]]`, `[["\u00e9\\",null,-0,null,0,-1e-9,[]]]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, _ = readAll(string(raw))
		_, _ = readVersions(raw)
		_, _ = readPhones(raw)
		_, _ = readWidgets(raw)
		_, _ = readSIP(raw)
		last := int64(1)
		_, _ = readStats(raw, &last)
	})
}
