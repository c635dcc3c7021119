package agentplane_test

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The layering of DESIGN.md §4 (rules 1, 2, 4 and 8), checked on the
// direct imports of every package of the module (tests excluded): a change
// that breaks a rule fails here, not in a later review.

const module = "github.com/agentplane/agentplane"

// databaseDrivers are import paths (and their subpackages) that talk to a
// database: only internal/store may import them.
var databaseDrivers = []string{
	"github.com/jackc/pgx",
	"modernc.org/sqlite",
	"github.com/riverqueue/river/riverdriver/riverdatabasesql",
	"github.com/riverqueue/river/riverdriver/riversqlite",
	"github.com/riverqueue/river/riverdriver/riverpgxv5",
	"github.com/lib/pq",
	"github.com/mattn/go-sqlite3",
}

// forbidden maps a package (relative to the module) to what it must not
// import directly, with the reason.
var forbidden = map[string][]struct{ path, why string }{
	"internal/service": {
		{module + "/internal/fetch", "workflow steps that read websites live in internal/jobs"},
		{module + "/internal/jobs", "jobs call the service, not the other way round"},
		{module + "/internal/httpapi", "the service knows no transport"},
		{"net/http", "the service knows no transport: If-Match and status codes come in as plain arguments"},
	},
	"internal/httpapi": {
		{module + "/internal/store", "handlers call the service, never the store"},
		{module + "/internal/jobs", "handlers call the service"},
	},
	"internal/jobs": {
		{module + "/internal/httpapi", "jobs call the service"},
	},
	"internal/store": {
		{module + "/internal/service", "layers point one way: store is below service"},
		{module + "/internal/httpapi", "layers point one way"},
		{module + "/internal/jobs", "layers point one way"},
	},
	"internal/cli": {
		{module + "/internal/service", "client commands talk to a server over HTTP (SPEC §20)"},
		{module + "/internal/store", "client commands never touch a database"},
		{module + "/internal/httpapi", "client commands go through the Go client"},
		{module + "/internal/config", "client commands take no server settings"},
	},
	"internal/mcp": {
		{module + "/internal/service", "tool calls go through the API's handler, its checks included"},
		{module + "/internal/store", "tool calls go through the API's handler"},
		{module + "/internal/jobs", "tool calls go through the API's handler"},
	},
	"internal/sip": {
		{module + "/internal/store", "the SIP front door reaches the ledger through the service (DESIGN §4 rule 8)"},
		{module + "/internal/httpapi", "the SIP front door calls the service, not the HTTP API"},
		{module + "/internal/jobs", "the SIP front door calls the service"},
	},
	"internal/llm": {
		{module + "/internal/service", "llm is an adapter"},
		{module + "/internal/store", "llm is an adapter"},
	},
}

func TestLayers(t *testing.T) {
	pkgs := modulePackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages; is the test running from the module root?", len(pkgs))
	}
	for rel, imports := range pkgs {
		for _, imp := range imports {
			if rel != "internal/store" && rel != "bench" && isDriver(imp) {
				t.Errorf("%s imports the database driver %s: only internal/store talks to the database (rule 2)", rel, imp)
			}
			for _, f := range forbidden[rel] {
				if imp == f.path || strings.HasPrefix(imp, f.path+"/") {
					t.Errorf("%s imports %s: %s (rule 8)", rel, imp, f.why)
				}
			}
		}
	}
	// Rule 1: the domain imports only the standard library and uuid.
	for _, imp := range pkgs["."] {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && imp != "github.com/google/uuid" {
			t.Errorf("the root package imports %s: it may import only the standard library and uuid (rule 1)", imp)
		}
	}
	// The rules above name packages that exist: a rename must not turn
	// them into rules about nothing.
	for rel := range forbidden {
		if _, ok := pkgs[rel]; !ok {
			t.Errorf("the rules name %s, which is not a package of the module", rel)
		}
	}
}

func isDriver(imp string) bool {
	return slices.ContainsFunc(databaseDrivers, func(d string) bool { return imp == d || strings.HasPrefix(imp, d+"/") })
}

// modulePackages returns the direct non-test imports of every package in
// the module, by directory relative to the module root ("." for the root).
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		p, err := build.Default.ImportDir(path, 0)
		if _, ok := err.(*build.NoGoError); ok {
			return nil
		} else if err != nil {
			return err
		}
		out[filepath.ToSlash(path)] = p.Imports
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
