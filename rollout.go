package agentplane

import (
	"crypto/sha256"
	"encoding/binary"
)

// Actor is who made a change (SPEC §16): a user acting with a personal
// access token, an organization API key, or the server itself.
type Actor struct {
	Type string `json:"type"` // user | org_key | system
	ID   string `json:"id"`
	Name string `json:"name"`
}

// The actor types.
const (
	ActorUser   = "user"
	ActorOrgKey = "org_key"
	ActorSystem = "system"
)

// Actor is the caller as the author of a change: a PAT's user (named by
// email), an org key (named by its name), or the server.
func (c *Caller) Actor() Actor {
	switch c.Kind {
	case KindPAT:
		return Actor{Type: ActorUser, ID: c.UserID, Name: c.Name}
	case KindOrgKey:
		return Actor{Type: ActorOrgKey, ID: c.CredentialID, Name: c.Name}
	}
	return Actor{Type: ActorSystem, ID: "system", Name: "agentplane"}
}

// AgentRollout is a canary rollout running on an agent (SPEC §15): new
// conversations that would reach the live version reach Version instead
// with probability Percent/100.
type AgentRollout struct {
	ID        string
	Version   int
	Percent   int
	StartedAt Time
}

// Canary reports whether userID's conversations go to the rollout's
// version: a stable hash of the user, the agent and the rollout, so one
// caller keeps one version for the rollout's life, and a new rollout (a
// new id) deals every caller again. The bucket is the first 8 bytes of the
// SHA-256 of the three, each preceded by its length as 4 bytes (big
// endian), as an unsigned big-endian integer modulo 100; the canary
// answers buckets below Percent. (FNV-1a, tried first, dealt two rollouts
// whose ids differ in one late character 44/56 instead of 50/50: too
// little mixing for ids that share most of their bytes.)
func (r AgentRollout) Canary(userID, agentID string) bool {
	h := sha256.New()
	var n [4]byte
	for _, s := range []string{userID, agentID, r.ID} {
		// Lengths first: ("ab","c") and ("a","bc") hash apart.
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	var sum [sha256.Size]byte
	return int(binary.BigEndian.Uint64(h.Sum(sum[:0])[:8])%100) < r.Percent
}

// Deployment kinds (SPEC §15).
const (
	DeployPublish         = "publish"
	DeployRollback        = "rollback"
	DeployRolloutStarted  = "rollout_started"
	DeployRolloutPromoted = "rollout_promoted"
	DeployRolloutAborted  = "rollout_aborted"
)

// DeploymentKinds lists the kinds of the deployment history.
var DeploymentKinds = []string{DeployPublish, DeployRollback, DeployRolloutStarted, DeployRolloutPromoted, DeployRolloutAborted}

// Deployment is one record of an agent's deployment history: a change of
// its live version, or a rollout starting or ending. Records never change.
type Deployment struct {
	ID              string  `json:"id"`
	AgentID         string  `json:"agent_id"`
	Kind            string  `json:"kind"`
	Version         int     `json:"version"`
	PreviousVersion *int    `json:"previous_version"`
	Percent         *int    `json:"percent"`
	Description     *string `json:"description"`
	Actor           *Actor  `json:"actor"`
	CreatedAt       Time    `json:"created_at"`
}

// Aborted is the history record of the end of rollout r without a
// promotion: live is the agent's live version, actor who ended it.
func (r AgentRollout) Aborted(id, agentID string, live *int, actor Actor, at Time) Deployment {
	percent := r.Percent
	return Deployment{ID: id, AgentID: agentID, Kind: DeployRolloutAborted, Version: r.Version, PreviousVersion: live,
		Percent: &percent, Actor: &actor, CreatedAt: at}
}

// DeploymentFilter is the filters of GET /core/agents/{id}/deployments.
type DeploymentFilter struct {
	Kind string // "" for any
}

// RollbackInput is the body of POST /core/agents/{id}/rollback.
type RollbackInput struct {
	ToVersion   *int    `json:"to_version"`
	Description *string `json:"description"`
}

// Validate checks the input.
func (in RollbackInput) Validate() error {
	var v Violations
	if in.ToVersion != nil && *in.ToVersion < 1 {
		v.Add("to_version must be a version number (1 or more)", "greater_than_equal", "body", "to_version")
	}
	CheckVersionDescription(&v, in.Description)
	return v.Err()
}

// Rollback is the answer of a rollback or a promotion: the live version
// now and before, and the numbers whose slots moved.
type Rollback struct {
	LiveVersion     int           `json:"live_version"`
	PreviousVersion int           `json:"previous_version"`
	PhoneNumbers    []PhoneNumber `json:"phone_numbers"`
}

// RolloutInput is the body of PUT /core/agents/{id}/rollout.
type RolloutInput struct {
	Version     *int    `json:"version"`
	Percent     *int    `json:"percent"`
	Description *string `json:"description"`
}

// Validate checks the input.
func (in RolloutInput) Validate() error {
	var v Violations
	if in.Version == nil {
		v.Add("version is required", "missing", "body", "version")
	} else if *in.Version < 1 {
		v.Add("version must be a version number (1 or more)", "greater_than_equal", "body", "version")
	}
	if in.Percent == nil {
		v.Add("percent is required", "missing", "body", "percent")
	} else if *in.Percent < 1 || *in.Percent > 99 {
		v.Add("percent must be between 1 and 99", "range", "body", "percent")
	}
	CheckVersionDescription(&v, in.Description)
	return v.Err()
}

// RolloutArm is one side of a running rollout: a version and the
// statistics of the conversations it answered since the rollout started.
type RolloutArm struct {
	Version int               `json:"version"`
	Stats   ConversationStats `json:"stats"`
}

// RolloutView is GET /core/agents/{id}/rollout.
type RolloutView struct {
	ID        string     `json:"id"`
	Version   int        `json:"version"`
	Percent   int        `json:"percent"`
	StartedAt Time       `json:"started_at"`
	Live      RolloutArm `json:"live"`
	Canary    RolloutArm `json:"canary"`
}
