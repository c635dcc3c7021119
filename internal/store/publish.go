package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/agentplane/agentplane"
)

// A publish locks its agent, version and numbers, then moves slots and
// marks the version published. On PostgreSQL each statement is a round
// trip, and every round trip between the first lock and the commit is time
// other publishes of the agent (or of its numbers) wait: with the host's
// cores busy each one costs a scheduling delay on both sides, and at 100
// publishes/s eight of them queued publishes without bound (docs/
// performance.md). So a publish locks everything in one statement and
// writes everything in one more; on SQLite, where statements are calls
// into the same process, the writes stay separate statements.

// qualified prefixes every column of a column list with table alias t.
func qualified(t, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = t + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// PublishLock is what LockForPublish found.
type PublishLock struct {
	Version agentplane.Version
	// Unregistered is ENotFound naming the first number (in sorted order)
	// not registered in the organization; nil when every one is.
	Unregistered error
}

// LockForPublish locks orgID's agent, its version n and those of numbers
// registered in the organization for the rest of the transaction, in that
// order (the agent first, as every writer of an agent's versions and pins
// takes it; numbers sorted, so publishes to overlapping sets can't
// deadlock), in one statement. A missing agent or version is ENotFound.
func (q *Queries) LockForPublish(ctx context.Context, orgID, agentID string, n int, numbers []string) (PublishLock, error) {
	if n < 1 || n > math.MaxInt32 {
		// Past PostgreSQL's integer column: no such version, not an error.
		return PublishLock{}, q.versionNotFound(ctx, orgID, agentID, n)
	}
	// The numbers are read in a sub-select of the agent's row, so they are
	// locked only once the agent and version are.
	agg := `json_group_array(phone_number)`
	if q.d.engine == Postgres {
		agg = `coalesce(json_agg(phone_number), '[]')::text`
	}
	row := q.q.QueryRowContext(ctx, `WITH av AS (SELECT `+qualified("v", versionColumns)+` FROM agents a
		JOIN agent_versions v ON v.organization_id = a.organization_id AND v.agent_id = a.id AND v.version = $3
		WHERE a.organization_id = $1 AND a.id = $2`+q.d.forUpdate+`)
		SELECT av.*, (SELECT `+agg+` FROM (SELECT phone_number FROM phone_numbers
			WHERE organization_id = $1 AND `+q.d.inList("phone_number", 4)+` ORDER BY phone_number`+q.d.forUpdate+`) n)
		FROM av`, orgID, agentID, n, listParam(numbers))
	var (
		lock  PublishLock
		found string
	)
	v, err := scanVersion(scanExtra{row, []any{&found}})
	if errNoRows(err) {
		return lock, q.versionNotFound(ctx, orgID, agentID, n)
	} else if err != nil {
		return lock, err
	}
	lock.Version = v
	var registered []string
	if err := json.Unmarshal([]byte(found), &registered); err != nil {
		return lock, fmt.Errorf("lock for publish: %w", err)
	}
	for _, num := range slices.Sorted(slices.Values(numbers)) {
		if _, ok := slices.BinarySearch(registered, num); !ok {
			lock.Unregistered = agentplane.Errorf(agentplane.ENotFound, "phone number %s is not registered in this organization", num)
			break
		}
	}
	return lock, nil
}

// versionNotFound says which of the agent and its version n is missing:
// only a failing publish pays for asking.
func (q *Queries) versionNotFound(ctx context.Context, orgID, agentID string, n int) error {
	if _, err := q.LockAgent(ctx, orgID, agentID); err != nil {
		return err
	}
	return agentplane.Errorf(agentplane.ENotFound, "version %d not found", n)
}

// scanExtra scans a row into a scanner's destinations followed by extra
// ones, so a scan function can read a row with more columns after its own.
type scanExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// PublishSlots is one publish's slot changes (after LockForPublish).
type PublishSlots struct {
	OrganizationID, AgentID, VersionID string
	// Pin numbers get VersionID in the slots named; Unpin numbers have
	// those slots cleared where they hold a version of AgentID.
	Pin, Unpin        []string
	Inbound, Outbound bool
	Now               agentplane.Time
}

// Publish moves the slots of p and marks its version published
// (published_at set the first time only), and returns the numbers whose
// slots changed, as they are now: on PostgreSQL in one statement, on
// SQLite in up to three.
func (q *Queries) Publish(ctx context.Context, p PublishSlots) ([]agentplane.PhoneNumber, error) {
	if q.d.engine == Postgres {
		return q.publishOne(ctx, p)
	}
	pinned, err := q.PinSlots(ctx, p.OrganizationID, p.Pin, p.Inbound, p.Outbound, p.VersionID, p.Now)
	if err != nil {
		return nil, err
	}
	unpinned, err := q.UnpinSlots(ctx, p.OrganizationID, p.Unpin, p.Inbound, p.Outbound, p.AgentID, p.Now)
	if err != nil {
		return nil, err
	}
	if err := q.markPublished(ctx, p.OrganizationID, p.VersionID, p.Now); err != nil {
		return nil, err
	}
	return append(pinned, unpinned...), nil
}

// markPublishedSQL renders the version's half of a publish with its
// parameters at the positions given ($1 is the organization).
func markPublishedSQL(version, now int) string {
	return fmt.Sprintf(`UPDATE agent_versions SET published = TRUE, published_at = COALESCE(published_at, $%[2]d),
		updated_at = $%[2]d WHERE organization_id = $1 AND id = $%[1]d`, version, now)
}

func (q *Queries) markPublished(ctx context.Context, orgID, versionID string, now agentplane.Time) error {
	res, err := q.q.ExecContext(ctx, markPublishedSQL(2, 3), orgID, versionID, now.Millis())
	return affectedOne(res, err, "version not found")
}

// publishOne is Publish on PostgreSQL: the statements of PinSlots,
// UnpinSlots and markPublished as data-modifying WITH queries of one
// statement (pin and unpin touch disjoint numbers, so no row is updated
// twice). Its snapshot is taken after LockForPublish's locks were granted,
// so every version its RETURNING looks up is visible to it.
func (q *Queries) publishOne(ctx context.Context, p PublishSlots) ([]agentplane.PhoneNumber, error) {
	rows, err := q.q.QueryContext(ctx, `WITH pin AS (`+pinSQL(q.d, 2, 3, 4, 5, 6)+`),
		unpin AS (`+unpinSQL(q.d, 7, 8, 4, 9, 10)+`),
		published AS (`+markPublishedSQL(3, 4)+` RETURNING id)
		SELECT * FROM pin UNION ALL SELECT * FROM unpin`,
		p.OrganizationID, listParam(p.Pin), p.VersionID, p.Now.Millis(), p.Inbound, p.Outbound,
		listParam(p.Unpin), p.AgentID, p.Inbound, p.Outbound)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	return collect(rows, scanPhone)
}
