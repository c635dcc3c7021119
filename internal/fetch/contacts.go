package fetch

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Caps keep a hostile page from producing megabytes of "contacts".
const (
	maxContacts = 20
	maxHours    = 30
	maxHoursLen = 160
)

var (
	emailRe     = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,24}`)
	emailFullRe = regexp.MustCompile(`(?i)^[a-z0-9._%+\-]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,24}$`)
	// Asset names such as logo@2x.png look like addresses.
	fileTLDs = map[string]bool{"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true, "css": true, "js": true, "avif": true}

	phoneRe = regexp.MustCompile(`\+?\(?\d[\d()\s.\-]{5,22}\d`)
	// Number shapes that the phone pattern also matches but are not phones.
	notPhoneRes = []*regexp.Regexp{
		regexp.MustCompile(`^\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}$`),                  // dates
		regexp.MustCompile(`^\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2}$`),            // 9.00 - 17.00
		regexp.MustCompile(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$`),                 // IPv4
		regexp.MustCompile(`^\d{4}\s*-\s*\d{4}$`),                                  // 1998 - 2024
		regexp.MustCompile(`^\d{1,3}(?:[.\s]\d{3})+(?:\.\d{2})?$`),                 // 1.250.000
		regexp.MustCompile(`^\d{4}\s*-\s*\d{2}\s*-\s*\d{2}(?:\s+\d{1,2}:\d{2})?$`), // ISO dates
	}

	dayRe  = regexp.MustCompile(`(?i)\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|urday)?\.?(?:\b|$)|\b(?:weekdays?|weekends?|daily)\b`)
	timeRe = regexp.MustCompile(`(?i)\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}[:.]\d{2}\b|\b(?:closed|24/7|24 hours|noon|midnight)\b`)
)

// contacts accumulates deduplicated values in first-seen order.
type contacts struct {
	emails, phones, hours []string
	seen                  map[string]bool
}

func (c *contacts) add(kind string, list *[]string, value string, limit int) {
	key := kind + "\x00" + strings.ToLower(value)
	if kind == "phone" {
		key = kind + "\x00" + phoneKey(value)
		if c.samePhone(value) {
			return
		}
	}
	if value == "" || c.seen[key] || len(*list) >= limit {
		return
	}
	c.seen[key] = true
	*list = append(*list, value)
}

// samePhone reports whether p is already listed, written with or without
// the country code ("+1 555 010 4477" vs "555-010-4477"): one number whose
// digits end the other's, seven digits at least.
func (c *contacts) samePhone(p string) bool {
	d := strings.TrimPrefix(phoneKey(p), "+")
	for _, q := range c.phones {
		e := strings.TrimPrefix(phoneKey(q), "+")
		short, long := d, e
		if len(short) > len(long) {
			short, long = long, short
		}
		if len(short) >= 7 && strings.HasSuffix(long, short) {
			return true
		}
	}
	return false
}

func (c *contacts) addEmail(s string) {
	s = strings.TrimSpace(s)
	if !emailFullRe.MatchString(s) {
		return
	}
	if fileTLDs[strings.ToLower(s[strings.LastIndexByte(s, '.')+1:])] {
		return
	}
	c.add("email", &c.emails, s, maxContacts)
}

// addPhone takes a value that is known to be a phone (tel: link,
// schema.org telephone), so only the digit count is checked.
func (c *contacts) addPhone(s string) {
	s = collapse(s)
	if n := countDigits(s); n < 5 || n > 15 {
		return
	}
	c.add("phone", &c.phones, s, maxContacts)
}

func (c *contacts) addHours(s string) {
	s = collapse(s)
	if len(s) > maxHoursLen {
		return
	}
	c.add("hours", &c.hours, s, maxHours)
}

// scanLine looks for contacts in free text, where false positives are
// likelier than in markup, hence the stricter phone rules.
func (c *contacts) scanLine(line string) {
	for _, m := range emailRe.FindAllString(line, -1) {
		c.addEmail(m)
	}
	for _, m := range phoneRe.FindAllString(line, -1) {
		if p := textPhone(m); p != "" {
			c.add("phone", &c.phones, p, maxContacts)
		}
	}
	if len(line) <= maxHoursLen && dayRe.MatchString(line) && timeRe.MatchString(line) {
		c.addHours(line)
	}
}

// textPhone validates a phone-looking match from running text: 7–15 digits,
// written with a "+" or separators (a bare digit run is more often an order
// number), and not one of the date/time/number shapes in notPhoneRes.
func textPhone(m string) string {
	m = strings.Trim(m, " .-")
	if strings.Count(m, "(") != strings.Count(m, ")") {
		m = strings.Trim(m, "()")
	}
	if n := countDigits(m); n < 7 || n > 15 {
		return ""
	}
	if !strings.HasPrefix(m, "+") && !strings.ContainsAny(m, " -.()") {
		return ""
	}
	for _, re := range notPhoneRes {
		if re.MatchString(m) {
			return ""
		}
	}
	return m
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// phoneKey makes "+1 (555) 010-0100" and "+1-555-010-0100" one entry.
func phoneKey(s string) string {
	var b strings.Builder
	if strings.HasPrefix(strings.TrimSpace(s), "+") {
		b.WriteByte('+')
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// scanMarkup collects contacts that the page states explicitly: mailto: and
// tel: links, schema.org microdata and JSON-LD. These come first in the
// result because they are more reliable than text matches.
func (c *contacts) scanMarkup(doc *goquery.Document) {
	doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		href := strings.TrimSpace(s.AttrOr("href", ""))
		scheme, rest, ok := strings.Cut(href, ":")
		if !ok {
			return
		}
		rest, _, _ = strings.Cut(rest, "?")
		if u, err := url.PathUnescape(rest); err == nil {
			rest = u
		}
		switch strings.ToLower(scheme) {
		case "mailto":
			for addr := range strings.SplitSeq(rest, ",") {
				c.addEmail(addr)
			}
		case "tel":
			c.addPhone(rest)
		}
	})
	doc.Find("[itemprop]").Each(func(_ int, s *goquery.Selection) {
		value := func() string {
			for _, attr := range []string{"content", "datetime"} {
				if v, ok := s.Attr(attr); ok {
					return v
				}
			}
			return s.Text()
		}
		for prop := range strings.FieldsSeq(s.AttrOr("itemprop", "")) {
			switch prop {
			case "openingHours":
				c.addHours(value())
			case "telephone":
				c.addPhone(value())
			case "email":
				c.addEmail(strings.TrimPrefix(value(), "mailto:"))
			}
		}
	})
	doc.Find("script[type]").Each(func(_ int, s *goquery.Selection) {
		if !strings.EqualFold(strings.TrimSpace(s.AttrOr("type", "")), "application/ld+json") {
			return
		}
		var v any
		if json.Unmarshal([]byte(s.Text()), &v) == nil {
			c.walkJSONLD(v, 0)
		}
	})
}

// walkJSONLD finds schema.org contact properties at any depth (they usually
// sit in an Organization or LocalBusiness node, possibly inside @graph).
func (c *contacts) walkJSONLD(v any, depth int) {
	if depth > 32 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			c.walkJSONLD(e, depth+1)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys) // map order is random; results must not be
		for _, k := range keys {
			val := x[k]
			switch strings.ToLower(k) {
			case "openinghours":
				for _, s := range jsonStrings(val) {
					c.addHours(s)
				}
			case "openinghoursspecification":
				for _, spec := range jsonObjects(val) {
					c.addHours(formatSpec(spec))
				}
			case "telephone":
				for _, s := range jsonStrings(val) {
					c.addPhone(s)
				}
			case "email":
				for _, s := range jsonStrings(val) {
					c.addEmail(strings.TrimPrefix(s, "mailto:"))
				}
			}
			c.walkJSONLD(val, depth+1)
		}
	}
}

// formatSpec renders an OpeningHoursSpecification as "Monday, Tuesday
// 09:00–17:00".
func formatSpec(spec map[string]any) string {
	var days []string
	for _, d := range jsonStrings(spec["dayOfWeek"]) {
		days = append(days, d[strings.LastIndexByte(d, '/')+1:])
	}
	opens, _ := spec["opens"].(string)
	closes, _ := spec["closes"].(string)
	if len(days) == 0 || opens == "" || closes == "" {
		return ""
	}
	short := func(t string) string {
		if len(t) == 8 && strings.HasSuffix(t, ":00") {
			return t[:5]
		}
		return t
	}
	return strings.Join(days, ", ") + " " + short(opens) + "–" + short(closes)
}

func jsonStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func jsonObjects(v any) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}
