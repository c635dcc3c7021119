package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentplane/agentplane"
)

// Publish is one publish (SPEC §8): pin Pin's slots to the version, clear
// Unpin's slots where they hold a version of the agent, mark the version
// published.
type Publish struct {
	OrganizationID, AgentID string
	Version                 int
	// Pin and Unpin are disjoint, without repeats.
	Pin, Unpin        []string
	Inbound, Outbound bool
	// DraftOnly refuses (409) a version that is already published: the
	// publish of "latest", which names the newest version only while it
	// is a draft, checked under the publish's locks.
	DraftOnly bool
	// RepinOnly is a body that names numbers: such a publish of a version
	// published before moves slots only. Any other publish makes the
	// version live (SPEC §15) and records it in the deployment history.
	// Every publish ends a running rollout (recorded).
	RepinOnly bool
	// Description goes on the version at its first publish and on the
	// deployment record; nil for none.
	Description *string
	Actor       agentplane.Actor
	// DeploymentID and AbortID name the records the publish may append:
	// the publish, and the end of a rollout it stops; PublishVersion makes
	// them when DeploymentID is empty (AbortID first, so the end of the
	// rollout lists below the publish).
	DeploymentID, AbortID string
	Now                   agentplane.Time
	// Record, when set, writes the publish's audit entry and events with
	// r, in the publish's transaction, given the version as the locks
	// found it and the numbers whose slots changed.
	Record func(r Recorder, before agentplane.Version, changed []agentplane.PhoneNumber) error
}

// record calls p.Record if there is one.
func (p Publish) record(r Recorder, before agentplane.Version, changed []agentplane.PhoneNumber) error {
	if p.Record == nil {
		return nil
	}
	return p.Record(r, before, changed)
}

// movesLive reports whether the publish of a version that was (or was
// not) published before makes it live.
func (p Publish) movesLive(wasPublished bool) bool { return !wasPublished || !p.RepinOnly }

// PublishVersion carries out p in one transaction: it locks the agent, the
// version and the numbers (in that order: the agent first, as every writer
// of an agent's versions and pins takes it; numbers sorted, so publishes
// to overlapping sets can't deadlock), refuses a missing agent or version,
// a version that fails agentplane.Version.PublishGate, or else the first
// unregistered number (sorted), and otherwise returns the numbers whose
// slots changed, as they are now, in no particular order. A refused
// publish changes nothing.
//
// On PostgreSQL the whole publish is one round trip. Every round trip
// between a publish's first lock and its commit is time the next publish
// of that agent or those numbers waits, and with the host's cores busy
// each one costs a scheduling delay on both sides: at 100 publishes/s on
// a busy two-core host, five of them queued publishes without bound
// (docs/performance.md). On SQLite statements are calls into this process
// and the publish is an ordinary transaction.
func (s *Store) PublishVersion(ctx context.Context, p Publish) ([]agentplane.PhoneNumber, error) {
	if p.Version < 1 || p.Version > math.MaxInt32 {
		// Past PostgreSQL's integer column: no such version, not an error.
		return nil, s.notFound(ctx, p)
	}
	if p.DeploymentID == "" { // not chosen by the caller: any new ids do
		p.AbortID, p.DeploymentID = agentplane.NewID(), agentplane.NewID()
	}
	if s.engine == Postgres {
		return s.publishPipelined(ctx, p)
	}
	var changed []agentplane.PhoneNumber
	err := s.WithTx(ctx, func(q *Queries) error {
		lock, err := q.lockForPublish(ctx, p)
		if err != nil {
			return err
		}
		if err := lock.refusal(); err != nil {
			return err
		}
		// The agent's detail changes, and so does that of every agent
		// pinned in a slot of the numbers, before (a slot taken) or
		// after (a number it shares).
		if err := q.touch(p.OrganizationID, p.AgentID); err != nil {
			return err
		}
		if err := q.touchNumberOwners(ctx, p.OrganizationID, slices.Concat(p.Pin, p.Unpin)); err != nil {
			return err
		}
		pinned, err := q.PinSlots(ctx, p.OrganizationID, p.Pin, p.Inbound, p.Outbound, lock.version.ID, p.Now)
		if err != nil {
			return err
		}
		unpinned, err := q.UnpinSlots(ctx, p.OrganizationID, p.Unpin, p.Inbound, p.Outbound, p.AgentID, p.Now)
		if err != nil {
			return err
		}
		res, err := q.q.ExecContext(ctx, `UPDATE agent_versions SET published = TRUE, published_at = COALESCE(published_at, $3),
			published_by = CASE WHEN published THEN published_by ELSE $4 END,
			description = CASE WHEN NOT published AND $5 IS NOT NULL THEN $5 ELSE description END,
			updated_at = $3 WHERE organization_id = $1 AND id = $2`, p.OrganizationID, lock.version.ID, p.Now.Millis(),
			actorText(&p.Actor), p.Description)
		if err := affectedOne(res, err, "version not found"); err != nil {
			return err
		}
		changed = slices.Concat(pinned, unpinned)
		if !p.movesLive(lock.version.Published) {
			err = q.EndRollout(ctx, p.OrganizationID, p.AgentID, lock.live, lock.rollout, p.Actor, p.AbortID, p.Now)
		} else {
			err = q.MoveLive(ctx, LiveMove{OrganizationID: p.OrganizationID, AgentID: p.AgentID, Kind: agentplane.DeployPublish,
				Version: p.Version, Previous: lock.live, Rollout: lock.rollout, Description: p.Description, Actor: p.Actor,
				IDs: [2]string{p.AbortID, p.DeploymentID}, Now: p.Now})
		}
		if err != nil {
			return err
		}
		return p.record(q, lock.version, changed)
	})
	return changed, err
}

// publishSQL is one engine's publish statements, built once: their texts
// never vary with the publish, and rendering them (Sprintf, joins) on every
// call was work on the hot path.
type publishSQL struct {
	lock, pin, unpin string
	write            string // PostgreSQL only: SQLite has no data-modifying WITH
}

var publishStatements = map[Engine]publishSQL{
	SQLite:   newPublishSQL(dialects[SQLite]),
	Postgres: newPublishSQL(dialects[Postgres]),
}

func newPublishSQL(d *dialect) publishSQL {
	return publishSQL{lock: lockSQL(d), pin: pinSQL(d, 2, "$3", 4, 5, 6, ""), unpin: unpinSQL(d, 2, 3, 4, 5, 6, ""),
		write: publishWriteSQL(d)}
}

// publishLock is what a publish's locking statement found.
type publishLock struct {
	found      bool // the agent has the version
	version    agentplane.Version
	live       *int                     // the agent's live version
	rollout    *agentplane.AgentRollout // its running rollout
	registered []string                 // those of the numbers registered in the organization, sorted
	p          Publish
}

// refusal is why the publish must not go ahead, or nil.
func (l publishLock) refusal() error {
	if l.p.DraftOnly && l.version.Published {
		return agentplane.NoDraftToPublish(l.version.Version)
	}
	if err := l.version.PublishGate(); err != nil {
		return err
	}
	for _, num := range slices.Sorted(slices.Values(slices.Concat(l.p.Pin, l.p.Unpin))) {
		if _, ok := slices.BinarySearch(l.registered, num); !ok {
			return agentplane.Errorf(agentplane.ENotFound, "phone number %s is not registered in this organization", num)
		}
	}
	return nil
}

// lockSQL locks the agent and its version and, in a sub-select of that
// row (so only once they are locked), the numbers: $1 organization, $2
// agent, $3 version number, $4 the numbers (listParam). It reads the
// version, the agent's live version and rollout, and the numbers that are
// registered.
func lockSQL(d *dialect) string {
	agg := `json_group_array(phone_number)`
	if d.engine == Postgres {
		agg = `coalesce(json_agg(phone_number), '[]')::text`
	}
	return `WITH av AS (SELECT ` + qualified("v", versionColumns) + `, a.live_version AS live_version,
		a.rollout_id AS rollout_id, a.rollout_version AS rollout_version, a.rollout_percent AS rollout_percent,
		a.rollout_started_at AS rollout_started_at FROM agents a
		JOIN agent_versions v ON v.organization_id = a.organization_id AND v.agent_id = a.id AND v.version = $3
		WHERE a.organization_id = $1 AND a.id = $2` + d.forUpdate + `)
		SELECT av.*, (SELECT ` + agg + ` FROM (SELECT phone_number FROM phone_numbers
			WHERE organization_id = $1 AND ` + d.inList("phone_number", 4) + ` ORDER BY phone_number` + d.forUpdate + `) n)
		FROM av`
}

func (q *Queries) lockForPublish(ctx context.Context, p Publish) (publishLock, error) {
	l, err := scanLock(q.q.QueryRowContext(ctx, publishStatements[q.d.engine].lock, p.OrganizationID, p.AgentID, p.Version,
		listParam(slices.Concat(p.Pin, p.Unpin))), p)
	if errNoRows(err) {
		return l, q.notFound(ctx, p)
	}
	return l, err
}

// scanLock reads lockSQL's row.
func scanLock(row interface{ Scan(...any) error }, p Publish) (publishLock, error) {
	l := publishLock{p: p}
	var (
		registered         string
		rolloutID          *string
		rolloutV, rolloutP *int
		rolloutAt          *int64
	)
	v, err := scanVersion(scanExtra{row, []any{&l.live, &rolloutID, &rolloutV, &rolloutP, &rolloutAt, &registered}})
	if err != nil {
		return l, err
	}
	l.found, l.version = true, v
	l.rollout = rolloutOf(rolloutID, rolloutV, rolloutP, rolloutAt)
	if err := json.Unmarshal([]byte(registered), &l.registered); err != nil {
		return l, fmt.Errorf("lock for publish: %w", err)
	}
	return l, nil
}

// notFound says which of the agent and its version p names is missing:
// only a failing publish pays for asking.
func (q *Queries) notFound(ctx context.Context, p Publish) error {
	if _, err := q.GetAgent(ctx, p.OrganizationID, p.AgentID); err != nil {
		return err
	}
	return agentplane.Errorf(agentplane.ENotFound, "version %d not found", p.Version)
}

// publishWriteSQL is the publish's writes as one statement, for
// PostgreSQL: the UPDATEs of PinSlots, UnpinSlots and the version as
// data-modifying WITH queries (pin and unpin touch disjoint numbers, so no
// row is updated twice), each guarded by ok, which holds the version's id
// only if the publish may go ahead: the version passes the gate (the rule
// of agentplane.Version.PublishGate, which publishPipelined then applies to
// the locked row to say why not, and checks the two agree) and every
// number is registered. $1 organization, $2 agent, $3 version number, $4
// now, $5 pin list, $6 unpin list, $7 inbound, $8 outbound, $9 how many
// numbers there are, $10 draft only (Publish.DraftOnly), $11 repin only
// (Publish.RepinOnly), $12 and $13 the ids of the publish's deployment
// record and of the end of a rollout, $14 the actor (JSON), $15 the
// description. The first column counts the versions published (0 or 1);
// the rest is a changed number, NULL when none changed.
//
// prev has the agent's row as it was and whether the publish makes the
// version live (Publish.movesLive). Then it sets the live version and
// appends a publish record, and in any case ends a running rollout with a
// record of that: what MoveLive and EndRollout do on SQLite, with
// created_at as InsertDeployment sets it. All sub-statements see the
// snapshot taken before any of them ran, so prev and ok read the rows as
// the locks found them.
//
// It also moves the revisions (revisions.go) of the agent and of every
// agent pinned in a slot of the numbers as they were: what WithTx's
// flushTouches does on SQLite, here last in the transaction as there, in
// agent id order, while the numbers are locked.
func publishWriteSQL(d *dialect) string {
	const (
		version = `(SELECT id FROM ok)`
		guard   = ` AND EXISTS (SELECT 1 FROM ok)`
	)
	return `WITH ok AS (SELECT id, published FROM agent_versions
			WHERE organization_id = $1 AND agent_id = $2 AND version = $3
			AND instructions_status <> 'generating' AND NOT (instructions_dirty AND NOT instructions_manually_edited)
			AND NOT (published AND $10)
			AND (SELECT count(*) FROM phone_numbers WHERE organization_id = $1
				AND (` + d.inList("phone_number", 5) + ` OR ` + d.inList("phone_number", 6) + `)) = $9),
		prev AS (SELECT live_version, rollout_id, rollout_version, rollout_percent,
				(SELECT NOT ok.published OR NOT $11::boolean FROM ok) AS moves,
				greatest($4, (SELECT coalesce(max(created_at), 0) + 1 FROM agent_deployments
					WHERE organization_id = $1 AND agent_id = $2)) AS at
			FROM agents
			WHERE organization_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM ok)),
		pin AS (` + pinSQL(d, 5, version, 4, 7, 8, guard) + `),
		unpin AS (` + unpinSQL(d, 6, 2, 4, 7, 8, guard) + `),
		published AS (UPDATE agent_versions SET published = TRUE, published_at = COALESCE(published_at, $4),
			published_by = CASE WHEN published THEN published_by ELSE $14::text END,
			description = CASE WHEN NOT published AND $15::text IS NOT NULL THEN $15::text ELSE description END,
			updated_at = $4
			WHERE organization_id = $1 AND id = ` + version + ` RETURNING id),
		live AS (UPDATE agents SET live_version = CASE WHEN (SELECT moves FROM prev) THEN $3 ELSE live_version END,
			rollout_id = NULL, rollout_version = NULL, rollout_percent = NULL, rollout_started_at = NULL
			WHERE organization_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM prev WHERE moves OR rollout_id IS NOT NULL)),
		ended AS (INSERT INTO agent_deployments (id, organization_id, agent_id, kind, version, previous_version, percent, actor, created_at)
			SELECT $13::uuid, $1, $2, 'rollout_aborted', rollout_version, live_version, rollout_percent, $14::text, at
			FROM prev WHERE rollout_id IS NOT NULL),
		deployed AS (INSERT INTO agent_deployments (id, organization_id, agent_id, kind, version, previous_version, description, actor, created_at)
			SELECT $12::uuid, $1, $2, 'publish', $3, live_version, $15::text, $14::text,
				at + CASE WHEN rollout_id IS NULL THEN 0 ELSE 1 END FROM prev WHERE moves),
		touched AS (INSERT INTO agent_revisions (agent_id, organization_id, revision)
			SELECT a, $1, 1 FROM (SELECT $2 AS a UNION SELECT jsonb_array_elements_text((` +
		slotOwners(d, 1, d.inList("p.phone_number", 5)+` OR `+d.inList("p.phone_number", 6)) + `)::jsonb)::uuid) t
			WHERE EXISTS (SELECT 1 FROM ok) ORDER BY a
			ON CONFLICT (agent_id) DO UPDATE SET revision = agent_revisions.revision + 1)
		SELECT n.n, c.* FROM (SELECT count(*) AS n FROM published) n
		LEFT JOIN (SELECT * FROM pin UNION ALL SELECT * FROM unpin) c ON TRUE`
}

// publishPipelined is PublishVersion on PostgreSQL: BEGIN, the locking
// statement and the guarded writes go to the server together, as one
// pipeline, so the locks are taken and used in one round trip. The
// writes' snapshot is taken after the locks were granted, so they see
// every number and version as the locks found them. A second pipeline
// then writes the audit entry and events (built from what the first one
// locked and changed) and commits; a refusal rolls back instead.
func (s *Store) publishPipelined(ctx context.Context, p Publish) ([]agentplane.PhoneNumber, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	defer conn.Close()
	var (
		lock      publishLock
		published int64
		changed   []agentplane.PhoneNumber
		woken     []wakeUp
		refusal   error
	)
	err = conn.Raw(func(dc any) (err error) {
		pc := dc.(*stdlib.Conn).Conn()
		open := true
		defer func() {
			if open {
				// Whatever went wrong, the connection leaves the
				// transaction; if even that fails it is discarded.
				if _, rerr := pc.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
					err = errors.Join(err, driver.ErrBadConn)
				}
			}
		}()
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue(publishStatements[s.engine].lock, p.OrganizationID, p.AgentID, p.Version, listParam(slices.Concat(p.Pin, p.Unpin)))
		b.Queue(publishStatements[s.engine].write, p.OrganizationID, p.AgentID, p.Version, p.Now.Millis(),
			listParam(p.Pin), listParam(p.Unpin), p.Inbound, p.Outbound, len(p.Pin)+len(p.Unpin), p.DraftOnly,
			p.RepinOnly, p.DeploymentID, p.AbortID, actorText(&p.Actor), p.Description)
		s.counter.Add(int64(b.Len()))
		if err := readPublish(ctx, pc.SendBatch(ctx, b), p, &lock, &published, &changed); err != nil {
			return err
		}
		if !lock.found {
			return nil
		}
		refusal = lock.refusal()
		switch {
		case refusal != nil && published == 0:
			return nil
		case refusal != nil || published != 1:
			// The SQL's guard and gate disagree: a bug, never a client's fault.
			return fmt.Errorf("publish: the statement published %d versions, the gate says %v", published, refusal)
		}
		rec := &batchRecorder{b: &pgx.Batch{}}
		if err := p.record(rec, lock.version, changed); err != nil {
			return err
		}
		rec.b.Queue("COMMIT")
		s.counter.Add(int64(rec.b.Len()))
		if err := pc.SendBatch(ctx, rec.b).Close(); err != nil {
			return err
		}
		open = false
		woken = rec.woken
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("publish: %w", mapErr(err))
	}
	if !lock.found {
		return nil, s.notFound(ctx, p)
	}
	if refusal != nil {
		return nil, refusal
	}
	for _, w := range woken {
		s.jobs.wake(w.orgID, w.ids)
	}
	return changed, nil
}

// readPublish reads the results of the first publish pipeline.
func readPublish(_ context.Context, br pgx.BatchResults, p Publish, lock *publishLock, published *int64, changed *[]agentplane.PhoneNumber) error {
	defer br.Close()
	if _, err := br.Exec(); err != nil { // BEGIN
		return err
	}
	var err error
	if *lock, err = scanLock(br.QueryRow(), p); err != nil && !errNoRows(err) {
		return err
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		ph, err := scanPublished(rows, published)
		if err != nil {
			return err
		}
		if ph != nil {
			*changed = append(*changed, *ph)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return br.Close()
}

// batchRecorder queues a publish's audit entry and events into the
// pipeline that commits it, and notes the endpoints to wake.
type batchRecorder struct {
	b     *pgx.Batch
	woken []wakeUp
}

func (r *batchRecorder) AppendAudit(_ context.Context, e agentplane.AuditEntry) error {
	r.b.Queue(appendAuditSQL, auditArgs(e)...)
	return nil
}

func (r *batchRecorder) EnqueueEvents(_ context.Context, orgID string, at int64, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	doc, err := json.Marshal(evs)
	if err != nil {
		return err
	}
	r.b.Queue(enqueueSQL[Postgres], orgID, at, string(doc)).Query(func(rows pgx.Rows) error {
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if len(ids) > 0 {
			r.woken = append(r.woken, wakeUp{orgID, ids})
		}
		return err
	})
	return nil
}

// scanPublished reads a row of publishWriteSQL: the count of versions
// published into *published and the changed number, nil when the row has
// none.
func scanPublished(row interface{ Scan(...any) error }, published *int64) (*agentplane.PhoneNumber, error) {
	var (
		p                       agentplane.PhoneNumber
		number, org             sql.NullString
		shareable               sql.NullBool
		inAgent, outAgent       *string
		inVersion, outVersion   *int
		created, upd            sql.NullInt64
		label, trunk, inV, outV *string
	)
	if err := row.Scan(published, &number, &org, &label, &trunk, &shareable, &inV, &outV,
		&inAgent, &inVersion, &outAgent, &outVersion, &created, &upd); err != nil {
		return nil, err
	}
	if !number.Valid {
		return nil, nil
	}
	p = agentplane.PhoneNumber{PhoneNumber: number.String, OrganizationID: org.String, Label: label, TrunkID: trunk,
		OutboundShareable: shareable.Bool, InboundAgentVersionID: inV, OutboundAgentVersionID: outV,
		InboundAgentID: inAgent, InboundVersion: inVersion, OutboundAgentID: outAgent, OutboundVersion: outVersion,
		CreatedAt: agentplane.TimeFromMillis(created.Int64), UpdatedAt: agentplane.TimeFromMillis(upd.Int64)}
	return &p, nil
}

// qualified prefixes every column of a column list with table alias t.
func qualified(t, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = t + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// scanExtra scans a row into a scanner's destinations followed by extra
// ones, so a scan function can read a row with more columns after its own.
type scanExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }
