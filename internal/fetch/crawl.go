package fetch

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// maxQueue bounds the crawl frontier; a page can list thousands of links.
const maxQueue = 1000

// skipExt lists link targets that are almost never HTML; fetching them
// would only end in ErrContentType after spending a request.
var skipExt = map[string]bool{
	".pdf": true, ".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".svg": true,
	".webp": true, ".zip": true, ".gz": true, ".mp3": true, ".mp4": true, ".mov": true,
	".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true,
	".css": true, ".js": true, ".ico": true, ".xml": true, ".json": true, ".woff": true,
	".woff2": true, ".avif": true, ".dmg": true, ".exe": true,
}

// Crawl fetches start and then up to maxPages-1 further pages of the same
// host, breadth-first from the start page's links, each through [Fetcher.Get]
// (so each under the full policy and limits). The site is the host of the
// start page after redirects, so "example.com" → "www.example.com" works.
//
// The start page's error is returned as is. A failing secondary page is
// skipped: one broken link must not cost the whole website. At most
// 3*maxPages secondary fetches are attempted so a site full of broken links
// cannot keep the caller busy. If ctx ends mid-crawl, the pages fetched so
// far are returned together with the context's error.
func (f *Fetcher) Crawl(ctx context.Context, start string, maxPages int) ([]Site, error) {
	if maxPages < 1 {
		maxPages = 1
	}
	page, err := f.Get(ctx, start)
	if err != nil {
		return nil, err
	}
	first, err := Extract(page)
	if err != nil {
		return nil, err
	}
	sites := []Site{first}
	home, err := url.Parse(page.URL)
	if err != nil {
		return sites, nil
	}
	seen := map[string]bool{normalizeURL(home): true}
	if u, err := url.Parse(start); err == nil {
		seen[normalizeURL(u)] = true
	}
	queue := append([]string(nil), first.Links...)
	for attempts := 0; len(queue) > 0 && len(sites) < maxPages && attempts < 3*maxPages; {
		if err := ctx.Err(); err != nil {
			return sites, fmt.Errorf("fetch: crawl %s: %w", start, err)
		}
		next := queue[0]
		queue = queue[1:]
		u, err := url.Parse(next)
		if err != nil || !sameSite(home, u) || skipExt[strings.ToLower(path.Ext(u.Path))] {
			continue
		}
		key := normalizeURL(u)
		if seen[key] {
			continue
		}
		seen[key] = true
		attempts++
		p, err := f.Get(ctx, next)
		if err != nil {
			continue
		}
		final, err := url.Parse(p.URL)
		if err != nil || !sameSite(home, final) {
			continue // redirected off-site: not part of this website
		}
		if fk := normalizeURL(final); fk != key {
			if seen[fk] {
				continue // a redirect to a page we already have
			}
			seen[fk] = true
		}
		s, err := Extract(p)
		if err != nil {
			continue
		}
		sites = append(sites, s)
		for _, l := range s.Links {
			if len(queue) >= maxQueue {
				break
			}
			queue = append(queue, l)
		}
	}
	return sites, nil
}
