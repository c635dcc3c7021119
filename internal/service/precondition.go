package service

import "github.com/agentplane/agentplane"

// precondition refuses a write whose ifMatch (the request's If-Match; ""
// when it sent none) no longer matches current (412); without one the
// write proceeds (last writer wins). The writes check it inside their
// transaction, the only place the comparison can't race another writer.
func precondition(ifMatch string, current agentplane.Tagged) error {
	if ifMatch == "" || agentplane.MatchesIfMatch(ifMatch, current.ETag()) {
		return nil
	}
	return agentplane.Errorf(agentplane.EPreconditionFailed, "the object changed since you read it: If-Match does not match its current ETag; read it again")
}
