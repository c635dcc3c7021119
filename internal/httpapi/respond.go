package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/agentplane/agentplane"
)

// encodeJSON is the body every JSON answer has: v and a newline, HTML
// characters left as they are (an API, not a page: keep "<key>" readable).
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeJSON writes v with status. Encoding is done before the header so a
// value that can't be encoded becomes a clean 500, not half a body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := encodeJSON(v)
	if err != nil {
		b, status = []byte(`{"detail":"internal error","code":"internal"}`+"\n"), http.StatusInternalServerError
	}
	writeBody(w, status, b)
}

// writeBody writes a JSON body encoded already.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeTagged writes a single object with its ETag (SPEC §1), so a client
// can send it back in If-Match.
func writeTagged(w http.ResponseWriter, status int, v any, tagOf agentplane.Tagged) {
	setETag(w, tagOf.ETag())
	writeJSON(w, status, v)
}

// writeEncoded writes a body encoded already with its ETag.
func writeEncoded(w http.ResponseWriter, status int, etag string, b []byte) {
	setETag(w, etag)
	writeBody(w, status, b)
}

// setETag is Header.Set("ETag", etag) without canonicalizing the
// mixed-case key anew on every answer.
func setETag(w http.ResponseWriter, etag string) { w.Header()["Etag"] = []string{etag} }

// pagination is the paging part of the list envelope (SPEC §1).
type pagination struct {
	Limit      int     `json:"limit"`
	NextCursor *string `json:"next_cursor"`
}

// writeList writes one page with a cursor signed for the same list.
func (s *Server) writeList(w http.ResponseWriter, lq listQuery, items any, next *agentplane.Cursor) {
	var nc *string
	if next != nil {
		c := s.cursors.encode(lq.list, lq.scope, *next)
		nc = &c
	}
	writeJSON(w, http.StatusOK, struct {
		Data       any        `json:"data"`
		Pagination pagination `json:"pagination"`
	}{items, pagination{Limit: lq.page.Limit, NextCursor: nc}})
}

// ifMatch is the request's If-Match header ("" without one), which the
// service checks inside a write's transaction (SPEC §1).
func ifMatch(r *http.Request) string { return r.Header.Get("If-Match") }
