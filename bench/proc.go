package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// What the bench reads about processes from /proc: memory, CPU time and
// parentage (Linux only, as is the bench).

// memStatus is the resident set of a process, from /proc/<pid>/status.
type memStatus struct {
	RSS, HWM int64 // bytes
}

func readMem(pid int) (memStatus, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return memStatus{}, err
	}
	var m memStatus
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 1 {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		switch name {
		case "VmRSS":
			m.RSS = kb << 10
		case "VmHWM":
			m.HWM = kb << 10
		}
	}
	return m, nil
}

// procStat is what the bench reads from /proc/<pid>/stat.
type procStat struct {
	comm           string // the executable's name, e.g. "postgres"
	ppid           int
	utime, stime   int64 // clock ticks (10 ms) this process used
	cutime, cstime int64 // … and its children that have exited and been waited for
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// The command name is in parentheses and may hold spaces; the other
	// fields start after its ")".
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procStat{}, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 15 {
		return procStat{}, false
	}
	num := func(i int) int64 { n, _ := strconv.ParseInt(f[i], 10, 64); return n }
	// f[0] is field 3 (state): field k of proc(5) is f[k-3].
	return procStat{comm: s[open+1 : end], ppid: int(num(1)),
		utime: num(11), stime: num(12), cutime: num(13), cstime: num(14)}, true
}

// ticks converts clock ticks to a duration (USER_HZ is 100 on Linux).
func ticks(n int64) time.Duration { return time.Duration(n) * 10 * time.Millisecond }

// cpuTime is the user+system CPU time a process has used so far.
func cpuTime(pid int) time.Duration {
	st, ok := readStat(pid)
	if !ok {
		return 0
	}
	return ticks(st.utime + st.stime)
}

// loadAvg is the 1-minute load average: other work on the machine, which
// makes the absolute numbers (not the same-run ratios) move.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
