package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// companySite is a small but realistic business website: nav, hero text,
// footer with phone and opening hours, a services page and a contact page
// with mailto/tel links and schema.org JSON-LD.
var companySite = map[string]string{
	"/": `<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>  Acme Plumbing – Fast, Friendly Plumbers in Springfield </title>
<meta name="viewport" content="width=device-width">
<meta name="Description" content="Acme Plumbing provides 24/7 emergency plumbing, drain cleaning and water heater repair in Springfield.">
<meta property="og:description" content="Springfield's friendliest plumbers.">
<link rel="stylesheet" href="/style.css">
<script>var tracking = "noreply@tracker.example";</script>
</head><body>
<header><nav>
  <a href="/">Home</a> <a href="/services">Services</a> <a href="/contact#form">Contact</a>
  <a href="/broken">Careers</a> <a href="/brochure.pdf">Brochure</a>
  <a href="https://facebook.com/acmeplumbing">Facebook</a> <a href="javascript:void(0)">Menu</a>
  <a href="mailto:hello@acmeplumbing.example?subject=Hi">Email us</a>
</nav></header>
<main>
<h1>Acme Plumbing</h1>
<p>Family-owned since 1998, Acme Plumbing has served Springfield homes and businesses for more than
twenty-five years. Our licensed plumbers handle everything from dripping taps to full bathroom
renovations, and we answer emergency calls around the clock.</p>
<h2>Why choose us</h2>
<p>Upfront pricing with no call-out fee, a two-year guarantee on all work, and technicians who
clean up after themselves. We serve Springfield, Shelbyville and Capital City.</p>
<h3>Emergency service</h3>
<p>Burst pipe at 2 a.m.? Call us and a plumber will be at your door within the hour.</p>
</main>
<footer>
<p>Call us: +1 (555) 010-4477</p>
<p>Opening hours:<br>Mon–Fri 8am–6pm<br>Sat 9am–1pm<br>Sun closed</p>
<p>© 2024 Acme Plumbing LLC · 742 Evergreen Terrace, Springfield</p>
</footer>
</body></html>`,
	"/services": `<!DOCTYPE html><html><head><title>Services | Acme Plumbing</title></head><body>
<nav><a href="/">Home</a> <a href="/services">Services</a> <a href="/contact">Contact</a></nav>
<h1>Our services</h1>
<h2>Drain cleaning</h2><p>Hydro-jetting and camera inspection of blocked drains.</p>
<h2>Water heaters</h2><p>Repair and replacement of gas and electric water heaters.</p>
<h2>Leak detection</h2><p>Non-invasive leak detection with thermal imaging.</p>
</body></html>`,
	"/contact": `<!DOCTYPE html><html><head><title>Contact | Acme Plumbing</title>
<meta name="description" content="Get in touch with Acme Plumbing.">
<script type="application/ld+json">
{"@context":"https://schema.org","@type":"Plumber","name":"Acme Plumbing",
 "telephone":"+1-555-010-4477","email":"mailto:office@acmeplumbing.example",
 "openingHoursSpecification":[
  {"@type":"OpeningHoursSpecification","dayOfWeek":["https://schema.org/Monday","https://schema.org/Tuesday","https://schema.org/Wednesday","https://schema.org/Thursday","https://schema.org/Friday"],"opens":"08:00:00","closes":"18:00:00"},
  {"@type":"OpeningHoursSpecification","dayOfWeek":"Saturday","opens":"09:00","closes":"13:00"}]}
</script></head><body>
<nav><a href="/">Home</a> <a href="/services">Services</a></nav>
<h1>Contact us</h1>
<p>Email <a href="mailto:info@acmeplumbing.example">info@acmeplumbing.example</a>
or call <a href="tel:+15550104477">555-010-4477</a>.</p>
<table><tr><td>Monday – Friday</td><td>8:00 – 18:00</td></tr><tr><td>Saturday</td><td>9:00 – 13:00</td></tr></table>
<meta itemprop="openingHours" content="Mo-Fr 08:00-18:00">
<p>Emergency line: +1 555 010 9911</p>
</body></html>`,
}

func companyServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := companySite[r.URL.Path]
		if !ok {
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCrawlCompanySite(t *testing.T) {
	t.Parallel()
	srv := companyServer(t)
	f := exemptFetcher(t, srv, Options{})
	sites, err := f.Crawl(t.Context(), srv.URL+"/", 10)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, s := range sites {
		urls = append(urls, s.URL)
	}
	// Breadth-first; /broken (500) and the PDF are skipped; Facebook is
	// another site.
	if diff := cmp.Diff([]string{srv.URL + "/", srv.URL + "/services", srv.URL + "/contact"}, urls); diff != "" {
		t.Fatalf("crawled pages (-want +got):\n%s", diff)
	}

	home := sites[0]
	if home.Title != "Acme Plumbing – Fast, Friendly Plumbers in Springfield" {
		t.Errorf("Title = %q", home.Title)
	}
	if !strings.HasPrefix(home.Description, "Acme Plumbing provides 24/7 emergency plumbing") {
		t.Errorf("Description = %q", home.Description)
	}
	if diff := cmp.Diff([]string{"Acme Plumbing", "Why choose us", "Emergency service"}, home.Headings); diff != "" {
		t.Errorf("Headings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"hello@acmeplumbing.example"}, home.Emails); diff != "" {
		t.Errorf("Emails (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"+1 (555) 010-4477"}, home.Phones); diff != "" {
		t.Errorf("Phones (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Mon–Fri 8am–6pm", "Sat 9am–1pm", "Sun closed"}, home.Hours); diff != "" {
		t.Errorf("Hours (-want +got):\n%s", diff)
	}
	wantLinks := []string{srv.URL + "/services", srv.URL + "/contact", srv.URL + "/broken", srv.URL + "/brochure.pdf"}
	if diff := cmp.Diff(wantLinks, home.Links); diff != "" {
		t.Errorf("Links (-want +got):\n%s", diff)
	}
	for _, want := range []string{"Family-owned since 1998", "two-year guarantee", "within the hour"} {
		if !strings.Contains(home.Text, want) {
			t.Errorf("Text lacks %q:\n%s", want, home.Text)
		}
	}
	if strings.Contains(home.Text, "tracking") {
		t.Errorf("Text contains script content:\n%s", home.Text)
	}

	services := sites[1]
	if services.Title != "Services | Acme Plumbing" {
		t.Errorf("services Title = %q", services.Title)
	}
	if diff := cmp.Diff([]string{"Our services", "Drain cleaning", "Water heaters", "Leak detection"}, services.Headings); diff != "" {
		t.Errorf("services Headings (-want +got):\n%s", diff)
	}

	contact := sites[2]
	if diff := cmp.Diff([]string{"info@acmeplumbing.example", "office@acmeplumbing.example"}, contact.Emails); diff != "" {
		t.Errorf("contact Emails (-want +got):\n%s", diff)
	}
	// The tel: link and JSON-LD give the same number; the text adds a second.
	if diff := cmp.Diff([]string{"+15550104477", "+1 555 010 9911"}, contact.Phones); diff != "" {
		t.Errorf("contact Phones (-want +got):\n%s", diff)
	}
	for _, want := range []string{
		"Mo-Fr 08:00-18:00",
		"Monday, Tuesday, Wednesday, Thursday, Friday 08:00–18:00",
		"Saturday 09:00–13:00",
		"Monday – Friday 8:00 – 18:00",
		"Saturday 9:00 – 13:00",
	} {
		if !slices.Contains(contact.Hours, want) {
			t.Errorf("contact Hours lacks %q: %q", want, contact.Hours)
		}
	}
	if contact.Description != "Get in touch with Acme Plumbing." {
		t.Errorf("contact Description = %q", contact.Description)
	}

	// maxPages bounds the crawl.
	two, err := f.Crawl(t.Context(), srv.URL+"/", 2)
	if err != nil || len(two) != 2 || two[1].URL != srv.URL+"/services" {
		t.Errorf("Crawl(2) = %d pages, %v", len(two), err)
	}
}

func TestCrawlStartError(t *testing.T) {
	t.Parallel()
	srv := companyServer(t)
	f := exemptFetcher(t, srv, Options{})
	if _, err := f.Crawl(t.Context(), srv.URL+"/broken", 5); !errors.Is(err, ErrStatus) {
		t.Errorf("err = %v, want ErrStatus", err)
	}
	if _, err := f.Crawl(t.Context(), "http://10.0.0.1/", 5); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("err = %v, want ErrForbiddenAddress", err)
	}
}

// TestCrawlStaysOnSite: a same-host link that redirects elsewhere is not
// part of the website, and redirect loops back to known pages are not
// fetched twice.
func TestCrawlStaysOnSite(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<title>elsewhere</title>")
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
		case "/again":
			http.Redirect(w, r, "/", http.StatusFound)
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<title>home</title><a href="/away">a</a><a href="/again">b</a><a href="/ok">c</a>`)
		}
	}))
	defer srv.Close()
	f := New(Options{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		AllowPorts: []int{serverPort(t, srv.URL), serverPort(t, other.URL)},
	})
	sites, err := f.Crawl(t.Context(), srv.URL+"/", 10)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, s := range sites {
		urls = append(urls, s.URL)
	}
	if diff := cmp.Diff([]string{srv.URL + "/", srv.URL + "/ok"}, urls); diff != "" {
		t.Errorf("crawled (-want +got):\n%s", diff)
	}
}

func TestExtractCases(t *testing.T) {
	t.Parallel()
	page := func(ct, body string) *Page {
		return &Page{URL: "https://shop.example/a/b", ContentType: ct, Body: []byte(body)}
	}
	t.Run("latin1 via header", func(t *testing.T) {
		s, err := Extract(page("text/html; charset=iso-8859-1", "<title>Caf\xe9 M\xfcller</title>"))
		if err != nil || s.Title != "Café Müller" {
			t.Errorf("Title = %q, %v", s.Title, err)
		}
	})
	t.Run("latin1 via meta", func(t *testing.T) {
		s, _ := Extract(page("text/html", `<meta charset="windows-1252"><title>Caf`+"\xe9 \x93quoted\x94</title>"))
		if s.Title != "Café “quoted”" {
			t.Errorf("Title = %q", s.Title)
		}
	})
	t.Run("undeclared non-UTF-8", func(t *testing.T) {
		s, _ := Extract(page("text/html", "<title>Caf\xe9</title>"))
		if s.Title != "Café" {
			t.Errorf("Title = %q", s.Title)
		}
	})
	t.Run("og fallback", func(t *testing.T) {
		s, _ := Extract(page("text/html", `<meta property="og:title" content="OG T"><meta property="og:description" content=" OG  D ">`))
		if s.Title != "OG T" || s.Description != "OG D" {
			t.Errorf("Title %q Description %q", s.Title, s.Description)
		}
	})
	t.Run("links", func(t *testing.T) {
		s, _ := Extract(page("text/html", `
			<a href="c">rel</a><a href="/a/c#x">dup with fragment</a><a href="HTTPS://SHOP.EXAMPLE/d?q=1">abs</a>
			<a href="http://shop.example/e">http same host</a><a href="https://shop.example:8443/f">other port</a>
			<a href="https://evil.example/">other host</a><a href="//evil.example/">protocol-relative</a>
			<a href="https://user:pw@shop.example/g">userinfo</a><a href="javascript:alert(1)">js</a>
			<a href="mailto:a@b.example">mail</a><a href="#top">self</a><a href="">self</a><a href="ftp://shop.example/">ftp</a>`))
		want := []string{"https://shop.example/a/c", "https://shop.example/d?q=1", "http://shop.example/e"}
		if diff := cmp.Diff(want, s.Links); diff != "" {
			t.Errorf("Links (-want +got):\n%s", diff)
		}
	})
	t.Run("base href", func(t *testing.T) {
		s, _ := Extract(page("text/html", `<base href="https://shop.example/x/"><a href="y">y</a>`))
		if diff := cmp.Diff([]string{"https://shop.example/x/y"}, s.Links); diff != "" {
			t.Errorf("Links (-want +got):\n%s", diff)
		}
	})
	t.Run("not phones", func(t *testing.T) {
		s, _ := Extract(page("text/html", `<p>Posted 2024-01-15. Open 9.00 - 17.00 daily.</p>
			<p>Server 192.168.100.200, order 1234567, since 1998 - 2024, 1.250.000 customers, logo@2x.png</p>
			<p>Phone: 030 1234 5678</p>`))
		if diff := cmp.Diff([]string{"030 1234 5678"}, s.Phones); diff != "" {
			t.Errorf("Phones (-want +got):\n%s", diff)
		}
		if len(s.Emails) != 0 {
			t.Errorf("Emails = %q", s.Emails)
		}
	})
	t.Run("plain text", func(t *testing.T) {
		s, err := Extract(page("text/plain; charset=utf-8", "Acme\n\nContact: team@acme.example\nTel +44 20 7946 0958\nMonday to Friday 9am to 5pm\n"))
		if err != nil {
			t.Fatal(err)
		}
		if s.Text != "Acme\nContact: team@acme.example\nTel +44 20 7946 0958\nMonday to Friday 9am to 5pm" ||
			!slices.Equal(s.Emails, []string{"team@acme.example"}) || !slices.Equal(s.Phones, []string{"+44 20 7946 0958"}) ||
			!slices.Equal(s.Hours, []string{"Monday to Friday 9am to 5pm"}) {
			t.Errorf("site = %+v", s)
		}
	})
	t.Run("content type", func(t *testing.T) {
		if _, err := Extract(page("image/png", "\x89PNG")); !errors.Is(err, ErrContentType) {
			t.Errorf("err = %v", err)
		}
		if _, err := Extract(nil); err == nil {
			t.Error("nil page: no error")
		}
	})
	t.Run("text cap", func(t *testing.T) {
		body := "<article><h1>Big</h1>" + strings.Repeat("<p>"+strings.Repeat("Wörter sind schön. ", 40)+"</p>", 100) + "</article>"
		s, _ := Extract(page("text/html", body))
		if len(s.Text) > MaxTextBytes || len(s.Text) < MaxTextBytes-8 || !utf8.ValidString(s.Text) {
			t.Errorf("Text: %d bytes, valid UTF-8 %v", len(s.Text), utf8.ValidString(s.Text))
		}
		if !strings.Contains(s.Text, "Wörter sind schön.") {
			t.Errorf("Text mangled: %.100q", s.Text)
		}
	})
}

// FuzzExtract feeds arbitrary bytes to Extract under each accepted content
// type: it must not panic, and its output must stay bounded, valid UTF-8
// and same-site.
func FuzzExtract(f *testing.F) {
	for _, body := range companySite {
		f.Add([]byte(body), uint8(0))
	}
	f.Add([]byte(`<script type="application/ld+json">{"openingHoursSpecification":{"dayOfWeek":[1,"x"],"opens":"1"},"telephone":["+1 2 3 4 5 6 7"],"email":{}}</script>`), uint8(0))
	f.Add([]byte("<meta charset=shift_jis><title>\x82\xa0</title>"), uint8(1))
	f.Add([]byte("\xfe\xff\x00<\x00p\x00>"), uint8(2))
	f.Add([]byte("mail me: a@b.cd, +1 (555) 000-1111, Mon 9am"), uint8(3))
	f.Add([]byte(strings.Repeat("<div>", 5000)), uint8(0))
	f.Add([]byte(`<base href="javascript:x"><a href="//[::1">x</a><a href="http://%zz">y</a>`), uint8(4))
	types := []string{"text/html", "text/html; charset=shift_jis", "application/xhtml+xml", "text/plain", "", "text/html; charset=bogus"}
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		p := &Page{URL: "https://site.example/dir/page", ContentType: types[int(ct)%len(types)], Body: body}
		s, err := Extract(p)
		if err != nil {
			return
		}
		if len(s.Text) > MaxTextBytes {
			t.Errorf("Text %d bytes", len(s.Text))
		}
		all := slices.Concat([]string{s.Title, s.Description, s.Text}, s.Headings, s.Emails, s.Phones, s.Hours, s.Links)
		for _, v := range all {
			if !utf8.ValidString(v) {
				t.Errorf("invalid UTF-8: %q", v)
			}
		}
		for _, l := range s.Links {
			if !strings.HasPrefix(l, "https://site.example/") && !strings.HasPrefix(l, "http://site.example/") {
				t.Errorf("off-site link %q", l)
			}
		}
		if len(s.Emails) > maxContacts || len(s.Phones) > maxContacts || len(s.Hours) > maxHours || len(s.Links) > maxLinks || len(s.Headings) > maxHeadings {
			t.Errorf("unbounded lists: %d %d %d %d %d", len(s.Emails), len(s.Phones), len(s.Hours), len(s.Links), len(s.Headings))
		}
	})
}
