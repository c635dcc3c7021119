import { lazy, Suspense, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { api, apiError, unwrap, type Schemas } from '../api/client';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { Time } from '../components/Time';
import { formatRate, formatVersion } from '../format';
import { usePagedList, useResource, useTitle } from '../hooks';
import { hasScope, useSignedIn } from '../session';
import { auditLogHref } from './AuditLog';
import { Canary } from './Canary';
import { PublishDialog } from './PublishDialog';

// uPlot and its stylesheet load with the first chart, not with the app.
const BarChart = lazy(() => import('../components/BarChart'));

type Version = Schemas['Version'];
type Rollout = Schemas['RolloutView'];

const deploymentKinds: Record<Schemas['DeploymentKind'], string> = {
  publish: 'Publish',
  rollback: 'Rollback',
  rollout_started: 'Canary started',
  rollout_promoted: 'Canary promoted',
  rollout_aborted: 'Canary ended',
};

/** The running rollout, or null when none runs (the API's 404). */
async function loadRollout(id: string): Promise<Rollout | null> {
  const { data, error, response } = await api.GET('/core/agents/{id}/rollout', { params: { path: { id } } });
  if (response.status === 404) return null;
  if (!response.ok) throw apiError(response, error);
  return data ?? null;
}

export function AgentPage({ id }: { id: string }) {
  const agent = useResource(() => unwrap(api.GET('/core/agents/{id}', { params: { path: { id } } })), [id]);
  const rollout = useResource(() => loadRollout(id), [id]);
  const versions = usePagedList(
    (cursor) => unwrap(api.GET('/core/agents/{id}/versions', { params: { path: { id }, query: { limit: 50, cursor } } })),
    [id],
  );
  const deployments = usePagedList(
    (cursor) =>
      unwrap(api.GET('/core/agents/{id}/deployments', { params: { path: { id }, query: { limit: 20, cursor } } })),
    [id],
  );
  const [notice, setNotice] = useState('');
  const canAudit = hasScope(useSignedIn(), 'audit_log:read');
  useTitle(agent.data?.name ?? 'Agent');

  const reloadAll = (message: string) => {
    setNotice(message);
    agent.reload();
    rollout.reload();
    versions.reload();
    deployments.reload();
  };

  if (!agent.data) {
    return (
      <>
        <h1>Agent</h1>
        {agent.error ? <ErrorMessage error={agent.error} /> : <p role="status">Loading…</p>}
        <p>
          <Link href="/agents">Back to the agents</Link>
        </p>
      </>
    );
  }

  const a = agent.data;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/agents">Agents</Link>
      </p>
      <div className="title-row">
        <h1>{a.name}</h1>
        <ul className="badges" aria-label="Status">
          <li className={a.live_version === null ? 'badge' : 'badge live'}>
            {a.live_version === null ? 'Not live' : `Live ${formatVersion(a.live_version)}`}
          </li>
          {rollout.data && (
            <li className="badge canary">
              Canary {formatVersion(rollout.data.version)} at {rollout.data.percent}%
            </li>
          )}
          {!a.active && <li className="badge">Inactive</li>}
          {a.is_demo && <li className="badge">Demo</li>}
        </ul>
      </div>
      {a.description && <p className="description">{a.description}</p>}
      <ErrorMessage error={agent.error ?? rollout.error} />
      <p className="notice" role="status">
        {notice}
      </p>
      {a.live_version !== null && <Rollback agentId={a.id} onDone={reloadAll} />}

      <ConversationStats stats={a.conversation_stats} />

      <Canary
        agentId={a.id}
        liveVersion={a.live_version}
        rollout={rollout.data ?? null}
        published={a.versions
          .filter((v) => v.published)
          .map((v) => v.version)
          .sort((x, y) => y - x)}
        onChanged={reloadAll}
      />

      <section aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions</h2>
        <p className="toolbar">
          <Link href={`/agents/${a.id}/versions/latest`} className="button-link">
            Edit the draft
          </Link>
          {versions.items.length > 1 && (
            <Link
              href={`/agents/${a.id}/compare?from=${versions.items[1]!.version}&to=${versions.items[0]!.version}`}
              className="button-link secondary"
            >
              Compare versions
            </Link>
          )}
        </p>
        <ErrorMessage error={versions.error} />
        {versions.items.length === 0 && !versions.loading && !versions.error ? (
          <p>No versions yet.</p>
        ) : (
          <VersionsTable
            agentId={a.id}
            liveVersion={a.live_version}
            versions={versions.items}
            pinned={a.phone_numbers}
            onPublished={reloadAll}
          />
        )}
        <LoadMore hasMore={versions.hasMore} loading={versions.loading} onClick={versions.loadMore} />
      </section>

      <PhoneNumbers numbers={a.phone_numbers} agentId={a.id} />

      <section aria-labelledby="deployments-heading">
        <h2 id="deployments-heading">Deployment history</h2>
        <ErrorMessage error={deployments.error} />
        {deployments.items.length === 0 && !deployments.loading && !deployments.error ? (
          <p>Nothing deployed yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">What</th>
                  <th scope="col">Version</th>
                  <th scope="col">Percent</th>
                  <th scope="col">Note</th>
                  <th scope="col">By</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {deployments.items.map((d) => (
                  <tr key={d.id}>
                    <td>{deploymentKinds[d.kind] ?? d.kind}</td>
                    <td>
                      {d.previous_version === null
                        ? formatVersion(d.version)
                        : `${formatVersion(d.previous_version)} → ${formatVersion(d.version)}`}
                    </td>
                    <td>{d.percent === null ? '—' : `${d.percent}%`}</td>
                    <td>{d.description || '—'}</td>
                    <td>{d.actor?.name ?? '—'}</td>
                    <td>
                      <Time value={d.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore hasMore={deployments.hasMore} loading={deployments.loading} onClick={deployments.loadMore} />
        {canAudit && (
          <p>
            <Link href={auditLogHref({ agent_id: a.id })}>Every change to this agent, in the audit log</Link>
          </p>
        )}
      </section>
    </>
  );
}

const statusOrder: Schemas['ConversationStatus'][] = [
  'completed',
  'transferred',
  'failed',
  'cancelled',
  'unanswered',
  'in_progress',
  'ringing',
  'triggered',
  'token_created',
];

/** by_status as bars in a fixed order, statuses with no conversation left out. */
export function statusBars(byStatus: Record<string, number>) {
  const known = statusOrder.filter((st) => (byStatus[st] ?? 0) > 0);
  const other = Object.keys(byStatus)
    .filter((st) => !statusOrder.includes(st as Schemas['ConversationStatus']) && (byStatus[st] ?? 0) > 0)
    .sort();
  return [...known, ...other].map((st) => ({ label: st.replaceAll('_', ' '), value: byStatus[st] ?? 0 }));
}

function ConversationStats({ stats }: { stats: Schemas['ConversationStats'] }) {
  const bars = statusBars(stats.by_status);
  return (
    <section aria-labelledby="stats-heading">
      <h2 id="stats-heading">Conversations</h2>
      <dl className="stats">
        <div>
          <dt>Total</dt>
          <dd>{stats.total}</dd>
        </div>
        <div>
          <dt>Completion rate</dt>
          <dd>{formatRate(stats.completion_rate)}</dd>
        </div>
        <div>
          <dt>Last conversation</dt>
          <dd>
            <Time value={stats.last_conversation_at} />
          </dd>
        </div>
      </dl>
      {bars.length > 0 && (
        <Suspense fallback={<p role="status">Loading the chart…</p>}>
          <BarChart
            bars={bars}
            caption="Conversations by status"
            categoryLabel="Status"
            valueLabel="Conversations"
          />
        </Suspense>
      )}
    </section>
  );
}

interface VersionsTableProps {
  agentId: string;
  liveVersion: number | null;
  versions: Version[];
  /** Numbers with a slot that pins a version of this agent. */
  pinned: Schemas['PhoneNumber'][];
  onPublished(message: string): void;
}

function VersionsTable({ agentId, liveVersion, versions, pinned, onPublished }: VersionsTableProps) {
  const [publishing, setPublishing] = useState<Version | null>(null);
  return (
    <>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Note</th>
              <th scope="col">Status</th>
              <th scope="col">Published</th>
              <th scope="col">Created by</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.id}>
                <th scope="row">
                  <Link href={`/agents/${agentId}/versions/${v.version}`}>
                    {formatVersion(v.version)}
                    <span className="visually-hidden">{v.published ? ' (view)' : ' (edit)'}</span>
                  </Link>
                  {v.version === liveVersion && <span className="badge live small">live</span>}
                </th>
                <td>{v.description || '—'}</td>
                <td>{v.published ? 'Published' : 'Draft'}</td>
                <td>
                  <Time value={v.published_at} />
                </td>
                <td>{v.created_by?.name ?? '—'}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => setPublishing(v)}>
                    {v.published ? 'Republish' : 'Publish'} {formatVersion(v.version)}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <PublishDialog
        agentId={agentId}
        version={publishing?.version ?? null}
        published={publishing?.published ?? false}
        liveVersion={liveVersion}
        pinned={pinned}
        onClose={() => setPublishing(null)}
        onDone={(message) => {
          setPublishing(null);
          onPublished(message);
        }}
      />
    </>
  );
}

function Rollback({ agentId, onDone }: { agentId: string; onDone(message: string): void }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const close = () => {
    setOpen(false);
    setNote('');
    setError(undefined);
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await unwrap(
        api.POST('/core/agents/{id}/rollback', {
          params: { path: { id: agentId } },
          body: { description: note.trim() || null },
        }),
      );
      close();
      onDone(
        `Rolled back: ${formatVersion(result.live_version)} is live again (was ${formatVersion(result.previous_version)}).`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="toolbar">
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Roll back
      </button>
      <Dialog open={open} title="Roll back the live version?" onClose={close}>
        <form className="stack" onSubmit={(e) => void onSubmit(e)}>
          <p>
            The version that was live before the current one becomes live again, phone numbers pinned to the current
            version move with it, and a running canary rollout ends.
          </p>
          <div className="field">
            <label htmlFor="rollback-note">Note (optional)</label>
            <textarea
              id="rollback-note"
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={2000}
              rows={3}
            />
          </div>
          <ErrorMessage error={error} />
          <div className="actions">
            <button type="submit" className="danger" disabled={busy}>
              {busy ? 'Rolling back…' : 'Roll back'}
            </button>
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

function PhoneNumbers({ numbers, agentId }: { numbers: Schemas['PhoneNumber'][]; agentId: string }) {
  const slot = (agent: string | null, version: number | null) =>
    agent === agentId ? formatVersion(version) : agent === null ? '—' : 'another agent';
  return (
    <section aria-labelledby="numbers-heading">
      <h2 id="numbers-heading">Phone numbers</h2>
      {numbers.length === 0 ? (
        <p>No phone number is pinned to this agent.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Label</th>
                <th scope="col">Inbound</th>
                <th scope="col">Outbound</th>
              </tr>
            </thead>
            <tbody>
              {numbers.map((n) => (
                <tr key={n.phone_number}>
                  <th scope="row">{n.phone_number}</th>
                  <td>{n.label || '—'}</td>
                  <td>{slot(n.inbound_agent_id, n.inbound_version)}</td>
                  <td>{slot(n.outbound_agent_id, n.outbound_version)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
