package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	secret bool // the response carries a secret: never store it
}

// carriesSecret marks the response being written as one that holds a
// secret shown once (a new credential's key): its body is never stored
// for an Idempotency-Key replay (SPEC §24), which answers 409 instead.
func carriesSecret(w http.ResponseWriter) {
	if c, ok := w.(*idemCapture); ok {
		c.secret = true
	}
}

// secretReplay is what a replay of a secret-carrying response stores and
// answers in its place.
var secretReplay = errorBody{
	Detail: "the response to this request carried a secret, shown only once, so it is not replayed; list the resource to see what was created",
	Code:   string(agentplane.EConflict),
}

// validIdempotencyKey reports whether key is 1–255 visible ASCII
// characters. Anything else (control bytes, invalid UTF-8, which a
// PostgreSQL text column refuses) is a client error, not a storage one.
func validIdempotencyKey(key string) bool {
	if len(key) == 0 || len(key) > 255 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
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

// idempotent runs a POST under its Idempotency-Key (SPEC §1, §24): the
// first request with a key runs and its outcome is stored; a later one
// from the same credential with the same key and body gets the stored
// status and body with Idempotent-Replayed: true; a different body is 422;
// one that arrives while the first is running waits for it (up to
// idemWait), then 409. Keys belong to the credential that sent them, so
// the same key from another credential is an unrelated request and a
// stored answer is never served to anyone else. A 5xx is not stored, so
// the client's retry runs again; an answer that carries a secret is not
// stored either, and its replay is 409.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, c *agentplane.Caller, key string, next func(http.ResponseWriter, *http.Request) error) error {
	if !validIdempotencyKey(key) {
		var v agentplane.Violations
		v.Add("Idempotency-Key must be 1 to 255 visible ASCII characters", "string_pattern", "header", "Idempotency-Key")
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
	ctx := r.Context()
	claimed, rec, err := s.svc.ClaimIdempotencyKey(ctx, c, key, hash)
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
			if rec, err = s.svc.IdempotencyRecord(ctx, c, key); err != nil {
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
			_ = s.svc.ReleaseIdempotencyKey(context.WithoutCancel(ctx), c, key)
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
		return s.svc.ReleaseIdempotencyKey(bg, c, key)
	}
	if capture.secret {
		body, err := json.Marshal(secretReplay)
		if err != nil {
			return err
		}
		return s.svc.CompleteIdempotencyKey(bg, c, key, http.StatusConflict, "application/json; charset=utf-8", body)
	}
	return s.svc.CompleteIdempotencyKey(bg, c, key, capture.status, capture.Header().Get("Content-Type"), capture.body.Bytes())
}
