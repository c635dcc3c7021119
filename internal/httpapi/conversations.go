package httpapi

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/service"
)

func (s *Server) createConversation(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.ConversationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := s.svc.StartConversation(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) updateConversation(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.ConversationUpdate
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.svc.UpdateConversation(r.Context(), callerFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.GetConversation(r.Context(), callerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "conversations", c.OrganizationID, "direction", "channel", "status", "agent_id",
		"agent_version_id", "agent_number", "duration_above", "duration_below")
	f := agentplane.ConversationFilter{
		Direction: lq.oneOf("direction", agentplane.ConversationDirections),
		Channel:   lq.oneOf("channel", agentplane.ConversationChannels),
		Status:    lq.oneOf("status", append(slices.Clone(agentplane.OpenStatuses), agentplane.TerminalStatuses...)),
		AgentID:   lq.id("agent_id"), AgentVersionID: lq.id("agent_version_id"),
		AgentNumber:   lq.phone("agent_number"),
		DurationAbove: lq.float("duration_above"), DurationBelow: lq.float("duration_below"),
	}
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListConversations(r.Context(), c, f, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

// phone reads an optional phone number parameter in any common format. A
// "+" left unescaped in a query string arrives as a space; read it back.
func (lq *listQuery) phone(name string) string {
	v := lq.vals.Get(name)
	if v == "" {
		return ""
	}
	if strings.HasPrefix(v, " ") {
		v = "+" + strings.TrimLeft(v, " ")
	}
	n, ok := service.NormalizeNumber(v)
	if !ok {
		lq.v.Add(name+" is not a valid phone number", "phone_number", "query", name)
		return ""
	}
	return n
}

// float reads an optional number parameter.
func (lq *listQuery) float(name string) *float64 {
	v := lq.vals.Get(name)
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		lq.v.Add(name+" must be a number", "float_parsing", "query", name)
		return nil
	}
	return &f
}

// oneOf reads an optional enum parameter.
func (lq *listQuery) oneOf(name string, allowed []string) string {
	v := lq.vals.Get(name)
	if v != "" && !slices.Contains(allowed, v) {
		lq.v.Add(name+" has an unknown value "+v, "enum", "query", name)
		return ""
	}
	return v
}

// id reads an optional UUID parameter.
func (lq *listQuery) id(name string) string {
	v := lq.vals.Get(name)
	if v != "" && !agentplane.ValidID(v) {
		lq.v.Add(name+" must be a UUID", "uuid", "query", name)
		return ""
	}
	return v
}
