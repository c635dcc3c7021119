package store

import (
	"encoding/json"

	"github.com/agentplane/agentplane"
)

// An actor (SPEC §16) is stored as its JSON text: it is written once, with
// the change it names, and only ever read back whole.

// actorText binds a: its JSON, or NULL for none.
func actorText(a *agentplane.Actor) any {
	if a == nil {
		return nil
	}
	b, err := json.Marshal(a)
	if err != nil {
		return nil // three strings always marshal
	}
	return string(b)
}

// actorOf reads a stored actor; NULL (or text that is not one) is nil.
func actorOf(b []byte) *agentplane.Actor {
	if b == nil {
		return nil
	}
	var a agentplane.Actor
	if json.Unmarshal(b, &a) != nil {
		return nil
	}
	return &a
}
