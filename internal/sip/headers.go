package sip

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agentplane/agentplane"
	gosip "github.com/emiago/sipgo/sip"
)

// The headers the runtime reads (SPEC §22). Any header of the caller
// that starts with headerPrefix, in any letter case, is removed first:
// only agentplane says which conversation and version a call is.
const (
	headerPrefix         = "x-agentplane-"
	HeaderConversationID = "X-Agentplane-Conversation-Id"
	HeaderAgentID        = "X-Agentplane-Agent-Id"
	HeaderVersion        = "X-Agentplane-Version"
	HeaderVersionID      = "X-Agentplane-Version-Id"
)

// maxHeaders bounds the header lines of an INVITE we take. sipgo bounds
// a message at 64 KiB, which could still hold thousands of tiny headers;
// a real INVITE has a few dozen.
const maxHeaders = 128

// maxUserID is the ledger's limit on user_id (SPEC §12).
const maxUserID = 200

// stripAgentplane removes every X-Agentplane-* header of req, whatever
// its case. sipgo's RemoveHeader takes the first header whose name is
// exactly the one given, so the names are collected as spelled first.
func stripAgentplane(req *gosip.Request) {
	var names []string
	for _, h := range req.Headers() {
		if hasPrefixFold(h.Name(), headerPrefix) {
			names = append(names, h.Name())
		}
	}
	for _, n := range names {
		req.RemoveHeader(n)
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// addAgentplane puts the call's conversation and version on req.
func addAgentplane(req *gosip.Request, conv agentplane.Conversation) {
	req.AppendHeader(gosip.NewHeader(HeaderConversationID, conv.ID))
	if conv.AgentID != nil {
		req.AppendHeader(gosip.NewHeader(HeaderAgentID, *conv.AgentID))
	}
	if conv.Version != nil {
		req.AppendHeader(gosip.NewHeader(HeaderVersion, strconv.Itoa(*conv.Version)))
	}
	if conv.AgentVersionID != nil {
		req.AppendHeader(gosip.NewHeader(HeaderVersionID, *conv.AgentVersionID))
	}
}

// callerOf is the conversation's user_id: the From URI's user part (SPEC
// §22), as printable text within the ledger's 200 bytes; "anonymous"
// when there is none. It decides the caller's canary bucket, so the same
// From always gives the same user_id.
func callerOf(req *gosip.Request) string {
	f := req.From()
	if f == nil {
		return "anonymous"
	}
	return userID(f.Address.User)
}

func userID(user string) string {
	if len(user) > 4*maxUserID {
		user = user[:4*maxUserID] // no need to look at the rest
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(user, "") {
		// Control and format characters (bidi overrides, zero-width
		// joiners) would make one caller look like another in a list.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > maxUserID {
			break
		}
		b.WriteRune(r)
	}
	if s := strings.TrimSpace(b.String()); s != "" {
		return s
	}
	return "anonymous"
}

// refusal is the answer to an INVITE the ledger would not start, and the
// reason the rejection is counted under.
func refusal(err error) (code int, text, reason string) {
	switch {
	case agentplane.ErrorCodeOf(err) == agentplane.ENotFound:
		// Unknown agent or number, an agent not deployed as SIP, a
		// number with no inbound slot, another domain.
		return 404, "Not Found", "not_found"
	case agentplane.ErrorCodeOf(err) == agentplane.EConflict:
		// Found, but no published version can answer it now.
		return 480, "Temporarily Unavailable", "no_live_version"
	case agentplane.ErrorCodeOf(err) == agentplane.EUnavailable, errors.Is(err, context.DeadlineExceeded):
		return 503, "Service Unavailable", "unavailable"
	default:
		return 500, "Server Internal Error", "error"
	}
}

// outcome is the ledger status of a call the backend refused with code:
// nobody took it, or something went wrong.
func outcome(code int) string {
	switch code {
	case 408, 480, 486, 600, 603:
		return "unanswered"
	}
	return "failed"
}
