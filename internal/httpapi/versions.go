package httpapi

import (
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/service"
)

// versionRef reads {version}: a positive integer, or "latest"
// (agentplane.Latest), which every route with a {version} takes (SPEC §16;
// what it names is the service's business).
func versionRef(r *http.Request) (int, error) {
	s := r.PathValue("version")
	if s == "latest" {
		return agentplane.Latest, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || s[0] == '+' {
		var v agentplane.Violations
		v.Add("version must be a positive integer or latest", "int_parsing", "path", "version")
		return 0, v.Err()
	}
	return n, nil
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	agentID := r.PathValue("id")
	lq := s.parseList(r.URL.Query(), "versions:"+agentID, c.OrganizationID, "version", "published")
	f := agentplane.VersionFilter{Published: lq.bool("published"), Version: lq.int("version")}
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListVersions(r.Context(), c, agentID, f, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := versionRef(r)
	if err != nil {
		return err
	}
	v, err := s.svc.GetVersion(r.Context(), callerFrom(r.Context()), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, v, v)
	return nil
}

func (s *Server) createVersion(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.VersionCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.svc.CreateVersion(r.Context(), callerFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusCreated, v, v)
	return nil
}

func (s *Server) updateVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := versionRef(r)
	if err != nil {
		return err
	}
	var in agentplane.VersionUpdate
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.svc.UpdateVersion(r.Context(), callerFrom(r.Context()), r.PathValue("id"), n, ifMatch(r), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, v, v)
	return nil
}

// mergePatchType is the media type PATCH …/versions/{version} takes: a
// JSON merge patch (RFC 7396).
const mergePatchType = "application/merge-patch+json"

// patchVersion applies a merge patch to a draft. Only the merge-patch
// media type is taken (415 otherwise, an absent one included): a PATCH
// body means nothing without it, and a JSON Patch (RFC 6902) sent as
// plain JSON would otherwise be read as a merge patch.
func (s *Server) patchVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := versionRef(r)
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != mergePatchType {
		return agentplane.Errorf(errUnsupportedMedia, "Content-Type must be %s (RFC 7396)", mergePatchType)
	}
	var in agentplane.VersionPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.svc.PatchVersion(r.Context(), callerFrom(r.Context()), r.PathValue("id"), n, ifMatch(r), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, v, v)
	return nil
}

func (s *Server) publishVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := versionRef(r)
	if err != nil {
		return err
	}
	// The body is optional; an empty one publishes without numbers.
	var in service.PublishInput
	if err := decodeOptional(r, &in); err != nil {
		return err
	}
	changed, err := s.svc.PublishVersion(r.Context(), callerFrom(r.Context()), r.PathValue("id"), n, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, changed)
	return nil
}

func (s *Server) diffVersions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lq := &listQuery{}
	if lq.vals = checkParams(&lq.v, q, "from", "to"); len(lq.v) > 0 {
		return lq.err()
	}
	from, to := lq.requiredInt("from"), lq.requiredInt("to")
	if err := lq.err(); err != nil {
		return err
	}
	cmp, err := s.svc.CompareVersions(r.Context(), callerFrom(r.Context()), r.PathValue("id"), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cmp.ConfigPatch)
	return nil
}

func (s *Server) configSchema(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/schema+json")
	_, err := w.Write(s.svc.ConfigSchema())
	return err
}

func (s *Server) validateConfig(w http.ResponseWriter, r *http.Request) error {
	body, err := readJSONBody(r)
	if err != nil {
		return err
	}
	ok, err := s.svc.ValidateConfig(body, "body")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ok)
	return nil
}

// compareInput is the body of POST …/versions/compare.
type compareInput struct {
	FromVersion *int `json:"from_version"`
	ToVersion   *int `json:"to_version"`
}

// compareVersions streams a plain-language summary of what changed.
// Everything that can fail cleanly (body, missing versions, a model that
// can't start) fails before the status line, as a JSON error; once text
// flows the status is 200 and a later failure ends the body with a line
// that says so. A client that hangs up cancels r.Context(), which stops
// the model request.
func (s *Server) compareVersions(w http.ResponseWriter, r *http.Request) error {
	var in compareInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var v agentplane.Violations
	for name, p := range map[string]*int{"from_version": in.FromVersion, "to_version": in.ToVersion} {
		if p == nil {
			v.Add(name+" is required", "missing", "body", name)
		} else if *p < 1 {
			v.Add(name+" must be a positive integer", "greater_than", "body", name)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	cmp, err := s.svc.CompareVersions(r.Context(), callerFrom(r.Context()), r.PathValue("id"), *in.FromVersion, *in.ToVersion)
	if err != nil {
		return err
	}
	flusher, _ := w.(http.Flusher)
	rc := http.NewResponseController(w)
	started := false
	emit := func(chunk string) error {
		// The write deadline is an idle bound here: a slow model keeps
		// the stream, a reader that stopped reading loses it.
		_ = rc.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
		if !started {
			started = true
			h := w.Header()
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			h.Set("X-Accel-Buffering", "no") // proxies: don't hold the stream back
			w.WriteHeader(http.StatusOK)
		}
		if _, err := w.Write([]byte(chunk)); err != nil {
			return err
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	}
	err = s.svc.StreamSummary(r.Context(), cmp, emit)
	switch {
	case err == nil && !started:
		return emit("")
	case err == nil, r.Context().Err() != nil:
		return nil // done, or the client went away: nobody to tell
	case !started:
		return err
	default:
		s.log.WarnContext(r.Context(), "compare stream interrupted", "err", err, "request_id", requestID(r.Context()))
		_ = emit("\n\n[summary interrupted: the language model stopped before finishing; try again]\n")
		return nil
	}
}
