package fetch

import (
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
)

// Output caps. The extraction feeds an LLM prompt and a database row, so
// every field is bounded whatever the page contains.
const (
	// MaxTextBytes caps Site.Text.
	MaxTextBytes = 20 << 10
	maxHeadings  = 50
	maxFieldLen  = 300
	maxLinks     = 500
	// Readability is tuned for articles; on a landing page it sometimes
	// keeps only a tagline. Below this length the visible text is used.
	minReadable = 200
)

// Site is what one page says about the business behind it.
type Site struct {
	URL         string   `json:"url"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Headings    []string `json:"headings"`
	// Text is the page's main readable text, at most MaxTextBytes.
	Text   string   `json:"text"`
	Emails []string `json:"emails"`
	Phones []string `json:"phones"`
	// Hours holds opening-hours statements as written on the page (or
	// rendered from schema.org openingHoursSpecification).
	Hours []string `json:"hours"`
	// Links are absolute http(s) links to other pages of the same host,
	// without fragments, deduplicated, excluding the page itself.
	Links []string `json:"links"`
}

// Extract pulls structured facts out of a fetched page. It never touches
// the network: readability gets the bytes (FromReader), never a URL.
func Extract(page *Page) (Site, error) {
	if page == nil {
		return Site{}, errors.New("fetch: nil page")
	}
	mt := "text/html"
	if page.ContentType != "" {
		parsed, _, err := mime.ParseMediaType(page.ContentType)
		if err != nil || !allowedType(page.ContentType) {
			return Site{}, fmt.Errorf("%w: %q", ErrContentType, page.ContentType)
		}
		mt = parsed
	}
	base, err := url.Parse(page.URL)
	if err != nil {
		base = &url.URL{}
	}
	site := Site{URL: page.URL}
	c := &contacts{seen: map[string]bool{}}
	text := toUTF8(page.Body, page.ContentType, mt != "text/plain")

	if mt == "text/plain" {
		lines := splitLines(text)
		for _, l := range lines {
			c.scanLine(l)
		}
		site.Text = truncate(strings.Join(lines, "\n"), MaxTextBytes)
		site.Emails, site.Phones, site.Hours = c.emails, c.phones, c.hours
		return site, nil
	}

	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return Site{}, fmt.Errorf("fetch: parse %s: %w", page.URL, err)
	}
	site.Title = firstNonEmpty(
		doc.Find("head title").First().Text(),
		doc.Find("title").First().Text(),
		metaContent(doc, "og:title"),
		doc.Find("h1").First().Text(),
	)
	site.Description = firstNonEmpty(
		metaContent(doc, "description"),
		metaContent(doc, "og:description"),
		metaContent(doc, "twitter:description"),
	)
	site.Headings = headings(doc)
	site.Links = links(doc, base)

	c.scanMarkup(doc)
	lines := visibleLines(doc)
	for _, l := range lines {
		c.scanLine(l)
	}
	site.Emails, site.Phones, site.Hours = c.emails, c.phones, c.hours

	site.Text = readableText(text, base)
	if len(site.Text) < minReadable {
		site.Text = strings.Join(lines, "\n")
	}
	site.Text = truncate(site.Text, MaxTextBytes)
	return site, nil
}

// readableText runs readability on the already decoded document. The BOM
// is prepended because readability re-sniffs the charset statistically
// (ties between candidates are even broken by goroutine timing); with a
// BOM, valid UTF-8 always wins and our decoding stands.
func readableText(text string, base *url.URL) string {
	art, err := readability.FromReader(strings.NewReader("\uFEFF"+text), base)
	if err != nil || art.Node == nil {
		return ""
	}
	var b strings.Builder
	if err := art.RenderText(&b); err != nil {
		return ""
	}
	return strings.Join(splitLines(b.String()), "\n")
}

// metaContent returns the content of <meta name=key> or <meta
// property=key>, matching the key case-insensitively as sites are sloppy.
func metaContent(doc *goquery.Document, key string) string {
	var out string
	doc.Find("meta[content]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if strings.EqualFold(s.AttrOr("name", ""), key) || strings.EqualFold(s.AttrOr("property", ""), key) {
			out = collapse(s.AttrOr("content", ""))
		}
		return out == ""
	})
	return out
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = collapse(v); v != "" {
			return truncate(v, maxFieldLen)
		}
	}
	return ""
}

// headings returns the h1–h3 outline, the part of a page that names its
// services and sections.
func headings(doc *goquery.Document) []string {
	var out []string
	seen := map[string]bool{}
	doc.Find("h1, h2, h3").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		h := truncate(collapse(s.Text()), maxFieldLen)
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
		return len(out) < maxHeadings
	})
	return out
}

// links returns the same-host page links, which is what Crawl follows.
func links(doc *goquery.Document, page *url.URL) []string {
	base := page
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := page.Parse(strings.TrimSpace(href)); err == nil && (b.Scheme == "http" || b.Scheme == "https") {
			base = b
		}
	}
	self := normalizeURL(page)
	seen := map[string]bool{self: true}
	var out []string
	doc.Find("a[href], area[href]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		u, err := base.Parse(strings.TrimSpace(s.AttrOr("href", "")))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || !sameSite(page, u) {
			return true
		}
		u.Fragment, u.RawFragment = "", ""
		u.Host = strings.ToLower(u.Host)
		if key := normalizeURL(u); !seen[key] {
			seen[key] = true
			out = append(out, u.String())
		}
		return len(out) < maxLinks
	})
	return out
}

// sameSite compares host names (case-insensitively) and effective ports,
// treating http and https as one site: shops routinely mix them.
func sameSite(a, b *url.URL) bool {
	return a.Hostname() != "" && strings.EqualFold(a.Hostname(), b.Hostname()) && sitePort(a) == sitePort(b)
}

// sitePort is the explicit port, or "" for the scheme's default one.
func sitePort(u *url.URL) string {
	p := u.Port()
	if (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		return ""
	}
	return p
}

// normalizeURL is the identity of a page for deduplication: scheme, case
// of the host, default port and fragment do not make a different page.
func normalizeURL(u *url.URL) string {
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	key := strings.ToLower(u.Hostname())
	if p := sitePort(u); p != "" {
		key += ":" + p
	}
	key += path
	if u.RawQuery != "" {
		key += "?" + u.RawQuery
	}
	return key
}
