package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// netnsChildEnv marks the re-executed test binary running inside the
// namespace; its value is the namespace name, checked before anything is
// configured so the child can never alter the host's interfaces.
const netnsChildEnv = "AGENTPLANE_FETCH_NETNS_CHILD"

// TestNoConnectionNetns repeats the no-connection proof with the real
// private and metadata addresses (10.0.0.1, 169.254.169.254, fd00:ec2::254,
// …) on the default port 80, which a test can only own inside its own
// network namespace. The parent creates the namespace and re-executes this
// test binary in it; the child assigns the addresses to lo, listens on
// them, and checks that the fetcher refuses every attack while the
// listeners see no connection.
func TestNoConnectionNetns(t *testing.T) {
	if ns := os.Getenv(netnsChildEnv); ns != "" {
		netnsChild(t, ns)
		return
	}
	t.Parallel()
	const skipMsg = "SKIPPING the network-namespace SSRF proof (only the loopback proof in TestSSRFAttackList ran): "
	if runtime.GOOS != "linux" {
		t.Skip(skipMsg + "needs Linux")
	}
	if os.Geteuid() != 0 {
		t.Skip(skipMsg + "needs root for `ip netns add`")
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip(skipMsg + "no `ip` command (iproute2)")
	}
	ns := fmt.Sprintf("apfetch-%d-%d", os.Getpid(), time.Now().UnixNano()%1_000_000)
	if out, err := exec.Command(ip, "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf(skipMsg+"`ip netns add` failed: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command(ip, "netns", "del", ns).CombinedOutput(); err != nil {
			t.Errorf("cleanup: ip netns del %s: %v: %s", ns, err, out)
		}
	})
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ip, "netns", "exec", ns, exe,
		"-test.run=^TestNoConnectionNetns$", "-test.v", "-test.count=1", "-test.timeout=90s")
	cmd.Env = append(os.Environ(), netnsChildEnv+"="+ns)
	out, err := cmd.CombinedOutput()
	t.Logf("child output:\n%s", out)
	if err != nil {
		t.Fatalf("child in netns %s failed: %v", ns, err)
	}
	if !strings.Contains(string(out), "--- PASS: TestNoConnectionNetns") {
		t.Fatalf("child did not report PASS (skipped or filtered out?)")
	}
}

func netnsChild(t *testing.T, ns string) {
	out, err := exec.Command("ip", "netns", "identify", strconv.Itoa(os.Getpid())).Output()
	if got := strings.TrimSpace(string(out)); err != nil || got != ns {
		t.Fatalf("not inside namespace %q (identify: %q, %v); refusing to configure interfaces", ns, got, err)
	}
	run := func(args ...string) error {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run("link", "set", "lo", "up"); err != nil {
		t.Fatal(err)
	}
	const site = "203.0.113.5" // the "public" site the operator exempts
	v4 := []string{"10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
		"100.100.100.200", "192.0.0.192", "168.63.129.16", site}
	v6 := []string{"fd00:ec2::254", "fc00::1", "fd20:ce::254"}
	for _, a := range v4 {
		if err := run("addr", "add", a+"/32", "dev", "lo"); err != nil {
			t.Fatal(err)
		}
	}
	var have6 []string
	for _, a := range v6 {
		if err := run("-6", "addr", "add", a+"/128", "dev", "lo", "nodad"); err != nil {
			t.Logf("no IPv6 target %s: %v", a, err)
			continue
		}
		have6 = append(have6, a)
	}

	var listeners []*countingListener
	targets := append([]string{"127.0.0.1"}, v4[:len(v4)-1]...)
	targets = append(targets, "::1")
	targets = append(targets, have6...)
	for _, a := range targets {
		l, err := listenRetry(t, netipJoin(a, 80))
		if err != nil {
			if a == "::1" {
				t.Logf("no [::1]:80 listener: %v", err)
				continue
			}
			t.Fatal(err)
		}
		listeners = append(listeners, l)
	}
	_, err = listenOn(t, netipJoin(site, 80), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<title>site</title>")
	}))
	if err != nil {
		t.Fatal(err)
	}
	dns := startFakeDNS(t, map[string][]string{
		"private.attacker.test":    {"10.0.0.1"},
		"metadata.google.internal": {"169.254.169.254"},
		"meta6.attacker.test":      {"fd00:ec2::254"},
	})

	// Positive controls: reachable directly, and through a fetcher whose
	// rules exempt everything.
	open := New(Options{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")},
		Timeout:    5 * time.Second,
	})
	baseline := map[*countingListener]int64{}
	for _, l := range listeners {
		l.dialDirect(t)
		if _, err := open.Get(t.Context(), "http://"+l.Addr().String()+"/"); err != nil {
			t.Fatalf("positive control via open fetcher to %s: %v", l.Addr(), err)
		}
		baseline[l] = l.n.Load()
		if baseline[l] != 2 {
			t.Fatalf("%s: %d connections after the positive controls, want 2", l.Addr(), baseline[l])
		}
	}

	guarded := New(Options{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix(site + "/32")},
		Timeout:    3 * time.Second,
		Resolver:   dns.resolver(),
	})
	if _, err := guarded.Get(t.Context(), "http://"+site+"/"); err != nil {
		t.Fatalf("exempted site: %v", err)
	}
	redirect := func(to string) string { return "http://" + site + "/?to=" + url.QueryEscape(to) }
	urls := []string{
		"http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://localhost/", "http://[::1]/",
		"http://0.0.0.0/", "http://0/", "http://[::]/",
		"http://10.0.0.1/", "http://167772161/", "http://0xa.0.0.1/", "http://012.0.0.1/", "http://[::ffff:10.0.0.1]/",
		"http://private.attacker.test/",
		"http://172.16.0.1/", "http://192.168.1.1/", "http://100.64.0.1/",
		"http://169.254.169.254/latest/meta-data/", "http://2852039166/latest/meta-data/",
		"http://[::ffff:169.254.169.254]/", "http://metadata.google.internal/computeMetadata/v1/",
		"http://100.100.100.200/latest/meta-data/", "http://192.0.0.192/opc/v1/", "http://168.63.129.16/",
		"http://[fd00:ec2::254]/latest/meta-data/", "http://meta6.attacker.test/", "http://[fc00::1]/", "http://[fd20:ce::254]/",
		redirect("http://10.0.0.1/"), redirect("http://169.254.169.254/latest/meta-data/"),
		redirect("http://[fd00:ec2::254]/"), redirect("http://127.0.0.1/"), redirect("http://private.attacker.test/"),
		redirect(redirect("http://192.168.1.1/")),
	}
	for _, u := range urls {
		page, err := guarded.Get(t.Context(), u)
		if err == nil {
			t.Errorf("%s: fetched %s", u, page.URL)
			continue
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", u, err)
		}
	}
	for _, l := range listeners {
		l.dialDirect(t) // sentinel
		if got, want := l.n.Load(), baseline[l]+1; got != want {
			t.Errorf("%s accepted %d connections, want %d: a refused request got through", l.Addr(), got, want)
		}
	}
	t.Logf("netns %s: %d attack URLs refused; %d listeners (%v) saw only the control connections",
		ns, len(urls), len(listeners), targets)
}

func netipJoin(addr string, port uint16) string {
	return netip.AddrPortFrom(netip.MustParseAddr(addr), port).String()
}

// listenRetry polls (with a deadline) while a freshly added IPv6 address is
// not yet usable: even with nodad, some kernels (gVisor here) briefly report
// EADDRNOTAVAIL right after `ip addr add`.
func listenRetry(t *testing.T, addr string) (*countingListener, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := listenCounting(t, addr)
		if err == nil || !errors.Is(err, syscall.EADDRNOTAVAIL) || time.Now().After(deadline) {
			return l, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
