package fetch

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/text/encoding/htmlindex"
)

// metaCharsetRe finds <meta charset=...> and the http-equiv form in the
// first bytes of a document, which is where the HTML standard's prescan
// looks for them.
var metaCharsetRe = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)`)

// toUTF8 decodes body to valid UTF-8. goquery (x/net/html) assumes UTF-8
// input, so a Latin-1 or Shift_JIS page would otherwise turn into garbage
// before any extraction runs. Precedence follows browsers: BOM, then the
// Content-Type charset, then <meta charset>, then UTF-8 if the bytes are
// valid UTF-8, else windows-1252 (the web's legacy default).
func toUTF8(body []byte, contentType string, isHTML bool) string {
	label := ""
	switch {
	case bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")):
		label, body = "utf-8", body[3:]
	case bytes.HasPrefix(body, []byte("\xFE\xFF")):
		label, body = "utf-16be", body[2:]
	case bytes.HasPrefix(body, []byte("\xFF\xFE")):
		label, body = "utf-16le", body[2:]
	}
	if label == "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			label = params["charset"]
		}
	}
	if label == "" && isHTML {
		head := body[:min(len(body), 1024)]
		if m := metaCharsetRe.FindSubmatch(head); m != nil {
			label = string(m[1])
			// A meta tag read by an ASCII prescan cannot truthfully say
			// UTF-16; browsers treat that claim as UTF-8.
			if strings.HasPrefix(strings.ToLower(label), "utf-16") {
				label = "utf-8"
			}
		}
	}
	if label == "" {
		if utf8.Valid(body) {
			return string(body)
		}
		label = "windows-1252"
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return strings.ToValidUTF8(string(body), "\uFFFD")
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return strings.ToValidUTF8(string(body), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// Tags whose content a visitor never reads as text.
var skipTags = map[string]bool{
	"head": true, "script": true, "style": true, "noscript": true, "template": true,
	"svg": true, "math": true, "iframe": true, "object": true, "canvas": true,
	"select": true, "textarea": true,
}

// Tags that end a visual line. Table cells and <dt> only add a space so a
// row like <td>Monday</td><td>9am–5pm</td> stays one line, which is what the
// opening-hours and phone heuristics need.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "body": true,
	"br": true, "dd": true, "details": true, "div": true, "dl": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "form": true, "h1": true,
	"h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hr": true, "html": true, "li": true, "main": true, "nav": true, "ol": true,
	"option": true, "p": true, "pre": true, "section": true, "summary": true,
	"table": true, "tbody": true, "tfoot": true, "thead": true, "tr": true, "ul": true,
}

// visibleLines renders the document roughly as a browser lays it out, one
// string per visual line with whitespace collapsed. The walk is iterative
// because hostile pages can nest elements deeper than is wise to recurse.
func visibleLines(doc *goquery.Document) []string {
	type item struct {
		s   *goquery.Selection
		sep string // non-empty: write this separator (closing marker)
	}
	var b strings.Builder
	stack := []item{{s: doc.Selection}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.s == nil {
			b.WriteString(it.sep)
			continue
		}
		name := goquery.NodeName(it.s)
		switch {
		case name == "#text":
			b.WriteString(it.s.Text())
			continue
		case name == "#document":
		case strings.HasPrefix(name, "#"), skipTags[name]:
			continue
		}
		sep := ""
		switch {
		case blockTags[name]:
			sep = "\n"
		case name == "td", name == "th", name == "dt":
			sep = " "
		}
		b.WriteString(sep)
		stack = append(stack, item{sep: sep})
		var kids []*goquery.Selection
		it.s.Contents().Each(func(_ int, k *goquery.Selection) { kids = append(kids, k) })
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, item{s: kids[i]})
		}
	}
	return splitLines(b.String())
}

// splitLines collapses whitespace within lines and drops empty ones.
func splitLines(s string) []string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		line = collapse(line)
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// collapse trims and folds runs of whitespace (NBSP included) into single
// spaces, and drops the BOM that is prepended for readability's sake.
func collapse(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\uFEFF", "")), " ")
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
