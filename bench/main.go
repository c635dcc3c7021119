// Command bench measures agentplane's performance targets P1–P5
// (DESIGN.md §6) as ratios against baselines measured in the same run,
// and R1: oversized input (SPEC §24) is refused within 50 ms at p99;
// then P1 and P4 again while SIP calls run through the front door
// (SPEC §22, calls.go).
//
// It builds ./cmd/agentplane, runs it as a child process on a free
// 127.0.0.1 port with a temporary SQLite data directory, or a fresh
// PostgreSQL database, reads the org key the first start prints, seeds
// agents straight into the database, and loads the server over loopback:
// closed-loop (N workers back to back) for the throughput targets,
// open-loop (requests at fixed instants, latency counted from the
// scheduled instant) for the latency targets. Baselines are bare net/http
// handlers in a second child process (this binary with the "baseline"
// argument) on the same database with the same driver and settings. Every
// target is measured on each engine in turn; R1 on SQLite only. P4 busy
// repeats P4 with one CPU-bound process per core (this binary with the
// "spin" argument).
//
// Run it with `make bench` (or `go run ./bench`) from the repository root.
// It prints a table and exits 0 whether or not the targets are met; it
// exits non-zero only when it could not measure. Knobs (environment):
//
//	BENCH_SCALE    multiplies the 1,000,000 agents of P2 (default 1; e.g. 0.01 for a quick run)
//	BENCH_TIME     multiplies every measurement duration (default 1)
//	BENCH_REPS     repetitions of every measurement (default 3)
//	BENCH_ENGINES  comma-separated engines, sqlite and/or postgres (default both)
//	BENCH_POSTGRES_URL  a PostgreSQL server the bench may create databases on;
//	               else AGENTPLANE_TEST_POSTGRES_URL (make bench starts a
//	               throwaway server with scripts/with-postgres)
//	BENCH_WORKERS  concurrent workers of the closed-loop runs (default 8)
//	BENCH_SERVER_FLAGS  extra flags for `agentplane serve`, space separated
//	BENCH_ONLY     comma-separated targets to measure, e.g. P1,P3 or R1 (default all; P4, P4 busy and P5 go together;
//	               CALLS is P1 and P4 again with 20 SIP calls/s through the front door, and needs P1 and P4)
//	BENCH_DIR      parent of the temporary directory (default $TMPDIR)
//	BENCH_KEEP=1   keep the temporary directory (databases, server logs) and the PostgreSQL databases
//	BENCH_CPUPROFILE=dir  build ./bench/profserve (cmd/agentplane plus a CPU
//	               profile) and write one profile per server process into dir
//	BENCH_BUILD_RETRIES  retries of a failing server build, a minute apart (default 3)
//
// See docs/performance.md for the method and the latest results.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "baseline" || os.Args[1] == "spin") {
		run := runBaseline
		if os.Args[1] == "spin" {
			run = runSpin
		}
		if err := run(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, os.Args[1]+":", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

var benchStart = time.Now()

// logf reports progress on stderr; the results go to stdout.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(benchStart).Seconds(), fmt.Sprintf(format, args...))
}

func envFloat(name string, def float64) float64 {
	if v := os.Getenv(name); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
			return f
		}
		logf("ignoring %s=%q: not a positive number", name, v)
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			return n
		}
		logf("ignoring %s=%q: not a non-negative integer", name, v)
	}
	return def
}

// settings are the knobs of one run.
type settings struct {
	bigN       int             // agents in P2's deep table
	smallN     int             // agents in P2's shallow table (and P1's)
	timeScale  float64         // multiplies durations
	throughRep int             // repetitions of P1, P3
	latRep     int             // repetitions of P2, P4, P4 busy, R1
	workers    int             // closed-loop concurrency
	serverArgs []string        // extra serve flags
	limit      int             // P2 page size
	listRate   float64         // P2 requests per second
	listDur    time.Duration   // P2 duration of one run
	thrWarm    time.Duration   // P1/P3 warm-up
	thrDur     time.Duration   // P1/P3 duration of one run
	pubRate    float64         // P4 requests per second
	pubDur     time.Duration   // P4 duration of one run
	refRate    float64         // R1 requests per second
	refDur     time.Duration   // R1 duration of one run, per kind of request
	only       map[string]bool // targets to measure; empty means all
}

// want reports whether target id ("P1"…"P5") is measured in this run.
func (s settings) want(id string) bool {
	if len(s.only) == 0 {
		return true
	}
	if id == "P4" || id == "P5" {
		return s.only["P4"] || s.only["P5"] || s.only["CALLS"]
	}
	if id == "P1" {
		return s.only["P1"] || s.only["CALLS"] // measured again under calls
	}
	return s.only[id]
}

func loadSettings() settings {
	s := settings{smallN: 1000, limit: 50, listRate: 50, pubRate: 100, refRate: 10}
	s.bigN = max(int(1_000_000*envFloat("BENCH_SCALE", 1)), 2*s.smallN)
	s.timeScale = envFloat("BENCH_TIME", 1)
	// 3 each (P1/P3 had 5 when only SQLite was measured): both engines
	// and P4 busy must fit in ~12 minutes on two cores.
	s.throughRep, s.latRep = 3, 3
	if n := envInt("BENCH_REPS", 0); n > 0 {
		s.throughRep, s.latRep = n, n
	}
	s.workers = max(envInt("BENCH_WORKERS", 8), 1)
	s.serverArgs = strings.Fields(os.Getenv("BENCH_SERVER_FLAGS"))
	for _, id := range strings.Split(os.Getenv("BENCH_ONLY"), ",") {
		if id = strings.ToUpper(strings.TrimSpace(id)); id != "" {
			if s.only == nil {
				s.only = map[string]bool{}
			}
			s.only[id] = true
		}
	}
	d := func(sec float64) time.Duration { return time.Duration(sec * s.timeScale * float64(time.Second)) }
	// P4 runs 20 s (2,000 publishes, 20 above the p99) rather than 30 s,
	// for the same reason.
	s.listDur, s.thrWarm, s.thrDur, s.pubDur, s.refDur = d(10), d(1), d(5), d(20), d(5)
	return s
}

// moduleRoot is the directory of go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run bench from inside the agentplane module")
	}
	return filepath.Dir(gomod), nil
}

func run(ctx context.Context) error {
	st := loadSettings()
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	// PostgreSQL first: a missing or unreachable server fails in seconds,
	// not after the build.
	engines, note, err := pickEngines(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(os.Getenv("BENCH_DIR"), "agentplane-bench-")
	if err != nil {
		return err
	}
	if os.Getenv("BENCH_KEEP") == "1" {
		logf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	if dir := os.Getenv("BENCH_CPUPROFILE"); dir != "" {
		abs, err := filepath.Abs(dir)
		if err == nil {
			err = os.MkdirAll(abs, 0o755)
		}
		if err != nil {
			return err
		}
		os.Setenv("BENCH_CPUPROFILE", abs) // the servers inherit it
		logf("CPU profiles of every server process go to %s (profiling costs some throughput)", abs)
	}
	logf("building the server")
	bin, err := buildServer(ctx, root, tmp)
	if err != nil {
		return err
	}
	machine := describeMachine(bin, engines)
	logf("%s", machine)
	// Flags given later win, so BENCH_SERVER_FLAGS can override these.
	st.serverArgs = append(limiterFlags(bin), st.serverArgs...)
	logf("serve flags: %s", strings.Join(st.serverArgs, " "))

	b := &bench{st: st, tmp: tmp, bin: bin, client: newClient(), engines: engines}
	defer b.cleanup()
	res, err := b.all(ctx)
	if err != nil {
		return err
	}
	printReport(os.Stdout, st, machine, note, res)
	return nil
}

// describeMachine is the one-line description of where the numbers come from.
func describeMachine(bin string, engines []*engine) string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = " " + strings.TrimSpace(string(b))
	}
	sqliteVersion := "?"
	if db, err := sql.Open("sqlite", ":memory:"); err == nil {
		_ = db.QueryRow(`SELECT sqlite_version()`).Scan(&sqliteVersion)
		db.Close()
	}
	ver := "?"
	if out, err := exec.Command(bin, "version").Output(); err == nil {
		ver = strings.TrimSpace(string(out))
	}
	var dbs []string
	for _, e := range engines {
		if e.pg != nil {
			dbs = append(dbs, e.pg.describe+" through pgx "+depVersion("github.com/jackc/pgx/v5"))
		} else {
			dbs = append(dbs, "SQLite "+sqliteVersion+" (modernc.org/sqlite "+depVersion("modernc.org/sqlite")+")")
		}
	}
	return fmt.Sprintf("%d CPU (%s), %s%s%s, %s, %s, %s", runtime.NumCPU(), model, runtime.GOOS, kernel, autogroup(),
		runtime.Version(), strings.Join(dbs, ", "), ver)
}

// autogroup says whether the kernel schedules sessions as groups, which
// decides how P4 busy's spinners share the cores with the server and the
// database (bench/spin.go).
func autogroup() string {
	b, err := os.ReadFile("/proc/sys/kernel/sched_autogroup_enabled")
	switch {
	case err != nil:
		return ""
	case strings.TrimSpace(string(b)) == "1":
		return " (sched autogroup on)"
	default:
		return " (sched autogroup off)"
	}
}

// depVersion is the version of module path this binary was built with.
func depVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "?"
}
