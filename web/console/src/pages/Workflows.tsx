// Workflows: background runs (instructions generation, agents made from a
// website or as a demo) and their steps, polled while they run.
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { Time } from '../components/Time';
import { formatVersion } from '../format';
import { usePagedList, useResource, useTitle } from '../hooks';

type Workflow = Schemas['Workflow'];
type Step = Workflow['steps'][number];

/** How often a page with a running workflow asks again. */
export const POLL_MS = 2000;

const kinds: Record<Workflow['kind'], string> = {
  generate_instructions: 'Generate instructions',
  create_from_website: 'Create an agent from a website',
  create_demo: 'Create a demo agent',
};

const statusText: Record<Workflow['status'] | Step['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  pending: 'Pending',
  skipped: 'Skipped',
};

function active(w: Workflow): boolean {
  return w.status === 'queued' || w.status === 'running';
}

/** Calls tick every ms while on is true. */
function usePoll(on: boolean, tick: () => void, ms = POLL_MS): void {
  useEffect(() => {
    if (!on) return;
    const t = setInterval(tick, ms);
    return () => clearInterval(t);
  }, [on, tick, ms]);
}

function StatusBadge({ status }: { status: Workflow['status'] | Step['status'] }) {
  return <span className={`badge status-${status}`}>{statusText[status] ?? status}</span>;
}

export function WorkflowsPage() {
  useTitle('Workflows');
  const [status, setStatus] = useState('');
  const list = usePagedList(
    (cursor) =>
      unwrap(
        api.GET('/core/workflows', {
          params: { query: { limit: 50, cursor, status: (status || undefined) as Workflow['status'] | undefined } },
        }),
      ),
    [status],
  );
  usePoll(list.items.some(active) && !list.loading, list.reload);

  return (
    <>
      <h1>Workflows</h1>
      <form className="inline-form" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="workflow-status">Status</label>
        <select id="workflow-status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Any</option>
          <option value="queued">Queued</option>
          <option value="running">Running</option>
          <option value="succeeded">Succeeded</option>
          <option value="failed">Failed</option>
        </select>
      </form>
      <ErrorMessage error={list.error} />
      {list.items.length === 0 && !list.loading && !list.error ? (
        <p>No workflows{status ? ' with this status' : ''}.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">Status</th>
                <th scope="col">Steps finished</th>
                <th scope="col">Agent</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((w) => (
                <tr key={w.workflow_id}>
                  <th scope="row">
                    <Link href={`/workflows/${w.workflow_id}`}>{kinds[w.kind] ?? w.kind}</Link>
                  </th>
                  <td>
                    <StatusBadge status={w.status} />
                  </td>
                  <td>
                    {finished(w)} of {w.steps.length}
                  </td>
                  <td>
                    {w.agent_id ? (
                      <Link href={`/agents/${w.agent_id}`}>
                        Agent{w.version !== null ? ` ${formatVersion(w.version)}` : ''}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <Time value={w.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.loading && list.items.length === 0 && <p role="status">Loading…</p>}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={list.loadMore} />
    </>
  );
}

export function WorkflowPage({ id }: { id: string }) {
  const wf = useResource(() => unwrap(api.GET('/core/workflows/{workflow_id}', { params: { path: { workflow_id: id } } })), [id]);
  const w = wf.data;
  useTitle(w ? kinds[w.kind] : 'Workflow');
  usePoll(!!w && active(w) && !wf.loading, wf.reload);

  return (
    <>
      <p className="breadcrumb">
        <Link href="/workflows">Workflows</Link>
      </p>
      <h1>{w ? (kinds[w.kind] ?? w.kind) : 'Workflow'}</h1>
      <ErrorMessage error={wf.error} />
      {!w ? (
        !wf.error && <p role="status">Loading…</p>
      ) : (
        <>
          <p>
            <StatusBadge status={w.status} /> Started <Time value={w.created_at} />, last change <Time value={w.updated_at} />
            {w.agent_id && (
              <>
                {' · '}
                <Link href={`/agents/${w.agent_id}`}>The agent{w.version !== null ? ` (${formatVersion(w.version)})` : ''}</Link>
              </>
            )}
          </p>
          {w.error && (
            <div className="error" role="alert">
              <p>{w.error}</p>
            </div>
          )}
          <Steps workflow={w} />
        </>
      )}
    </>
  );
}

/** Steps that ran to an end: succeeded, failed, or skipped after a failure. */
function finished(w: Workflow): number {
  return w.steps.filter((s) => s.status !== 'pending' && s.status !== 'running').length;
}

function Steps({ workflow }: { workflow: Workflow }) {
  const done = finished(workflow);
  const total = workflow.steps.length;
  return (
    <section aria-labelledby="steps-heading">
      <h2 id="steps-heading">Steps</h2>
      <p role="status" aria-live="polite">
        {done} of {total} step{total === 1 ? '' : 's'} finished
        {active(workflow) ? '; this page updates by itself.' : '.'}
      </p>
      <progress className="workflow-progress" max={total || 1} value={done} aria-label="Steps finished" />
      <ol className="steps">
        {workflow.steps.map((s) => (
          <li key={s.name} className={`step step-${s.status}`} aria-current={s.status === 'running' ? 'step' : undefined}>
            <span className="step-name">{s.name.replaceAll('_', ' ')}</span> <StatusBadge status={s.status} />
            <span className="muted step-time">
              {s.started_at && (
                <>
                  {' '}
                  started <Time value={s.started_at} />
                </>
              )}
              {s.finished_at && (
                <>
                  , finished <Time value={s.finished_at} />
                </>
              )}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
