package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/agentplane/agentplane"
)

// idemWait is how long a duplicate waits for the first request with its
// key to finish before answering 409: long enough that a client's eager
// retry (or a burst of them) gets the first one's answer, short enough
// not to hold connections.
const idemWait = 10 * time.Second

// idemCapture passes the response through while keeping a copy of status,
// content type and body to store.
type idemCapture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *idemCapture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *idemCapture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// idempotent runs a POST under its Idempotency-Key (SPEC §1): the first
// request with a key runs and its outcome is stored; a later one with the
// same key and body gets the stored status and body with
// Idempotent-Replayed: true; a different body is 422; one that arrives
// while the first is running waits for it (up to idemWait), then 409. A
// 5xx is not stored, so the client's retry runs again.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, c *agentplane.Caller, key string, next func(http.ResponseWriter, *http.Request) error) error {
	if len(key) > 255 {
		var v agentplane.Violations
		v.Add("Idempotency-Key must be at most 255 characters", "string_length", "header", "Idempotency-Key")
		return v.Err()
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return agentplane.Errorf(agentplane.EPayloadTooLarge, "request body is larger than the limit")
		}
		return agentplane.Errorf(agentplane.EBadRequest, "could not read the request body")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
	hash := hex.EncodeToString(sum[:])
	scope := c.OrganizationID
	if scope == "" {
		scope = "user:" + c.UserID
	}
	ctx := r.Context()
	claimed, rec, err := s.svc.ClaimIdempotencyKey(ctx, scope, key, hash)
	if err != nil {
		return err
	}
	if !claimed {
		if rec.RequestHash != hash {
			var v agentplane.Violations
			v.Add("this Idempotency-Key was used with a different request", "idempotency_mismatch", "header", "Idempotency-Key")
			return v.Err()
		}
		deadline := time.Now().Add(idemWait)
		for rec.Status == 0 {
			if time.Now().After(deadline) {
				return agentplane.Errorf(agentplane.EConflict, "a request with this Idempotency-Key is still running; retry later")
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(25 * time.Millisecond):
			}
			if rec, err = s.svc.IdempotencyRecord(ctx, scope, key); err != nil {
				if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
					// The first request failed and released the key.
					return agentplane.Errorf(agentplane.EConflict, "the first request with this Idempotency-Key failed; retry")
				}
				return err
			}
		}
		h := w.Header()
		if rec.ContentType != "" {
			h.Set("Content-Type", rec.ContentType)
		}
		h.Set("Idempotent-Replayed", "true")
		w.WriteHeader(rec.Status)
		_, err := w.Write(rec.Body)
		return err
	}

	capture := &idemCapture{ResponseWriter: w}
	done := false
	defer func() {
		if !done { // a panic: forget the claim so a retry can run
			_ = s.svc.ReleaseIdempotencyKey(context.WithoutCancel(ctx), scope, key)
		}
	}()
	herr := next(capture, r)
	if herr != nil {
		// Written by the caller of this function; store what it will be.
		writeError(capture, r, s.log, herr)
	}
	done = true
	bg := context.WithoutCancel(ctx)
	if capture.status >= 500 || capture.status == 0 {
		return s.svc.ReleaseIdempotencyKey(bg, scope, key)
	}
	return s.svc.CompleteIdempotencyKey(bg, scope, key, capture.status, capture.Header().Get("Content-Type"), capture.body.Bytes())
}
