// Command webhook-receiver receives agentplane's events: it checks each
// signature with the reference Standard Webhooks verifier, drops repeats
// by webhook-id, and prints what arrived. docs/events.md shows it whole.
package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// receiver verifies, deduplicates and prints events.
func receiver(secret string, out io.Writer) (http.Handler, error) {
	wh, err := standardwebhooks.NewWebhook(secret) // "whsec_…", as POST /admin/webhooks showed it
	if err != nil {
		return nil, err
	}
	var (
		mu   sync.Mutex
		seen = map[string]bool{} // keep these in your database
	)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || wh.Verify(body, r.Header) != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		id := r.Header.Get("webhook-id") // the same on every retry of one event
		mu.Lock()
		repeat := seen[id]
		seen[id] = true
		mu.Unlock()
		if !repeat {
			fmt.Fprintf(out, "%s %s\n", id, body)
		}
		w.WriteHeader(http.StatusNoContent) // any 2xx within 15 s
	}), nil
}

func main() {
	h, err := receiver(os.Getenv("AGENTPLANE_WEBHOOK_SECRET"), os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe("127.0.0.1:8085", h))
}
