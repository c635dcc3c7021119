// Compare two versions (SPEC §19): their configs side by side as canonical
// JSON with the changed lines marked, and the server's plain-language
// summary, shown as it streams in.
import { Fragment, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, apiError, describeError, unwrap, type Schemas } from '../api/client';
import { canonicalJson, fold, sideBySide, type Row, type Side } from '../compare/sideBySide';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatVersion } from '../format';
import { useResource, useTitle } from '../hooks';

type VersionSummary = Schemas['Version'];

function parseVersion(v: string | null): number | null {
  if (!v || !/^[1-9][0-9]{0,8}$/.test(v)) return null;
  return Number(v);
}

/**
 * Streams POST …/versions/compare, calling onText with each piece of text as
 * it arrives. Rejects with the API's error for a refusal before any text.
 */
export async function streamSummary(
  agentId: string,
  from: number,
  to: number,
  signal: AbortSignal,
  onText: (text: string) => void,
): Promise<void> {
  const { data, error, response } = await api.POST('/core/agents/{id}/versions/compare', {
    params: { path: { id: agentId } },
    body: { from_version: from, to_version: to },
    parseAs: 'stream',
    signal,
  });
  if (!response.ok) throw apiError(response, error);
  if (!data) return;
  const reader = (data as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text) onText(text);
    }
    const rest = decoder.decode();
    if (rest) onText(rest);
  } finally {
    reader.releaseLock();
  }
}

export function ComparePage({ id }: { id: string }) {
  const [, navigate] = useLocation();
  const params = new URLSearchParams(useSearch());
  const from = parseVersion(params.get('from'));
  const to = parseVersion(params.get('to'));
  const agent = useResource(() => unwrap(api.GET('/core/agents/{id}', { params: { path: { id } } })), [id]);
  const versions = useResource(
    () => unwrap(api.GET('/core/agents/{id}/versions', { params: { path: { id }, query: { limit: 200 } } })),
    [id],
  );
  useTitle(`Compare versions of ${agent.data?.name ?? 'agent'}`);

  const choose = (which: 'from' | 'to', value: string) => {
    const next = new URLSearchParams();
    const f = which === 'from' ? value : from === null ? '' : String(from);
    const t = which === 'to' ? value : to === null ? '' : String(to);
    if (f) next.set('from', f);
    if (t) next.set('to', t);
    const q = next.toString();
    navigate(`/agents/${id}/compare${q ? `?${q}` : ''}`, { replace: true });
  };

  const list = versions.data?.data ?? [];
  const live = agent.data?.live_version ?? null;
  const label = (v: { version: number; published: boolean }) =>
    `${formatVersion(v.version)}${v.version === live ? ' (live)' : v.published ? '' : ' (draft)'}`;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/agents">Agents</Link> › <Link href={`/agents/${id}`}>{agent.data?.name ?? 'Agent'}</Link>
      </p>
      <h1>Compare versions</h1>
      <ErrorMessage error={agent.error ?? versions.error} />
      <form className="inline-form" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="compare-from">From</label>
        <select id="compare-from" value={from ?? ''} onChange={(e) => choose('from', e.target.value)}>
          <option value="">Choose a version</option>
          {list.map((v) => (
            <option key={v.id} value={v.version}>
              {label(v)}
            </option>
          ))}
        </select>
        <label htmlFor="compare-to">To</label>
        <select id="compare-to" value={to ?? ''} onChange={(e) => choose('to', e.target.value)}>
          <option value="">Choose a version</option>
          {list.map((v) => (
            <option key={v.id} value={v.version}>
              {label(v)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="secondary"
          disabled={from === null || to === null}
          onClick={() => navigate(`/agents/${id}/compare?from=${to}&to=${from}`, { replace: true })}
        >
          Swap
        </button>
      </form>
      {from === null || to === null ? (
        <p>Choose the two versions to compare.</p>
      ) : from === to ? (
        <p>Choose two different versions.</p>
      ) : (
        <Comparison key={`${from}-${to}`} agentId={id} from={from} to={to} />
      )}
    </>
  );
}

function Comparison({ agentId, from, to }: { agentId: string; from: number; to: number }) {
  const load = (n: number) =>
    unwrap(api.GET('/core/agents/{id}/versions/{version}', { params: { path: { id: agentId, version: String(n) } } }));
  const pair = useResource(() => Promise.all([load(from), load(to)]), [agentId, from, to]);
  return (
    <>
      <Summary agentId={agentId} from={from} to={to} />
      <section aria-labelledby="diff-heading">
        <h2 id="diff-heading">Config changes</h2>
        <ErrorMessage error={pair.error} />
        {pair.data ? <Diff from={pair.data[0]} to={pair.data[1]} /> : !pair.error && <p role="status">Loading…</p>}
      </section>
    </>
  );
}

function Summary({ agentId, from, to }: { agentId: string; from: number; to: number }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'streaming' | 'done' | 'stopped' | 'failed'>('streaming');
  const [error, setError] = useState<string>();
  const [run, setRun] = useState(0);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => {
    const c = new AbortController();
    controller.current = c;
    setText('');
    setError(undefined);
    setState('streaming');
    streamSummary(agentId, from, to, c.signal, (piece) => setText((t) => t + piece)).then(
      () => {
        if (!c.signal.aborted) setState('done');
      },
      (err: unknown) => {
        if (c.signal.aborted) return;
        setError(describeError(err));
        setState('failed');
      },
    );
    return () => c.abort();
  }, [agentId, from, to, run]);

  const stop = () => {
    controller.current?.abort();
    setState('stopped');
  };

  return (
    <section aria-labelledby="summary-heading">
      <h2 id="summary-heading">
        Summary of the changes from {formatVersion(from)} to {formatVersion(to)}
      </h2>
      <div className="summary" aria-live="polite" aria-busy={state === 'streaming'}>
        {text || (state === 'done' ? 'No differences.' : '')}
      </div>
      <p className="muted" role="status">
        {state === 'streaming' && 'Writing the summary…'}
        {state === 'stopped' && 'Stopped.'}
      </p>
      {error && <ErrorMessage error={error} />}
      <div className="actions">
        {state === 'streaming' ? (
          <button type="button" className="secondary" onClick={stop}>
            Stop
          </button>
        ) : (
          <button type="button" className="secondary" onClick={() => setRun((n) => n + 1)}>
            Summarize again
          </button>
        )}
      </div>
    </section>
  );
}

function Diff({ from, to }: { from: VersionSummary; to: VersionSummary }) {
  const rows = sideBySide(canonicalJson(from.config), canonicalJson(to.config));
  const changed = rows.filter((r) => r.left?.kind !== 'same' || r.right?.kind !== 'same').length;
  const [open, setOpen] = useState<Set<number>>(new Set());
  if (changed === 0) return <p>The two configs are the same.</p>;
  const blocks = fold(rows);
  return (
    <>
      <p className="muted">
        {changed} changed line{changed === 1 ? '' : 's'}. Removed lines are marked − on the left, added lines + on the
        right.
      </p>
      <div className="table-wrap">
        <table className="diff">
          <caption className="visually-hidden">
            Config of {formatVersion(from.version)} beside config of {formatVersion(to.version)}
          </caption>
          <colgroup>
            <col className="diff-num-col" />
            <col />
            <col className="diff-num-col" />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col" colSpan={2}>
                {formatVersion(from.version)}
              </th>
              <th scope="col" colSpan={2}>
                {formatVersion(to.version)}
              </th>
            </tr>
          </thead>
          <tbody>
            {blocks.map((b, i) =>
              b.kind === 'fold' && !open.has(i) ? (
                <tr key={i} className="diff-fold">
                  <td colSpan={4}>
                    <button type="button" className="link" onClick={() => setOpen((s) => new Set(s).add(i))}>
                      Show {b.rows.length} unchanged lines
                    </button>
                  </td>
                </tr>
              ) : (
                <Fragment key={i}>
                  {b.rows.map((row, k) => (
                    <DiffRow key={k} row={row} />
                  ))}
                </Fragment>
              ),
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}

function DiffRow({ row }: { row: Row }) {
  return (
    <tr>
      <Cell side={row.left} />
      <Cell side={row.right} />
    </tr>
  );
}

const marks = { same: ' ', removed: '−', added: '+' } as const;
const spoken = { same: '', removed: 'Removed: ', added: 'Added: ' } as const;

function Cell({ side }: { side: Side }) {
  if (!side) {
    return (
      <>
        <td className="diff-num diff-empty" />
        <td className="diff-text diff-empty" />
      </>
    );
  }
  return (
    <>
      <td className={`diff-num diff-${side.kind}`}>{side.number}</td>
      <td className={`diff-text diff-${side.kind}`}>
        <span className="diff-mark" aria-hidden="true">
          {marks[side.kind]}
        </span>
        {spoken[side.kind] && <span className="visually-hidden">{spoken[side.kind]}</span>}
        <code>{side.text}</code>
      </td>
    </>
  );
}

export default ComparePage;
