import { useState } from 'react';
import { Link } from 'wouter';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { Time } from '../components/Time';
import { formatVersion } from '../format';
import { usePagedList, useTitle } from '../hooks';

type Status = Schemas['ConversationStatus'];
const statuses: Status[] = [
  'token_created',
  'triggered',
  'ringing',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
  'transferred',
  'unanswered',
];

function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

export function ConversationsPage() {
  useTitle('Conversations');
  const [status, setStatus] = useState<Status | ''>('');
  const list = usePagedList(
    (cursor) =>
      unwrap(api.GET('/core/conversations', { params: { query: { limit: 50, cursor, status: status || undefined } } })),
    [status],
  );

  return (
    <>
      <h1>Conversations</h1>
      <form className="inline-form" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="conversation-status">Status</label>
        <select id="conversation-status" value={status} onChange={(e) => setStatus(e.target.value as Status | '')}>
          <option value="">Any</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s.replace('_', ' ')}
            </option>
          ))}
        </select>
      </form>
      <ErrorMessage error={list.error} />
      {list.items.length === 0 && !list.loading && !list.error ? (
        <p>No conversations.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Agent</th>
                <th scope="col">Channel</th>
                <th scope="col">Direction</th>
                <th scope="col">Status</th>
                <th scope="col">Caller</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Time value={c.created_at} />
                  </td>
                  <td>
                    {c.agent_id ? (
                      <Link href={`/agents/${c.agent_id}`}>
                        {formatVersion(c.version)}
                        {c.rollout ? ' (canary)' : ''}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{c.channel}</td>
                  <td>{c.direction}</td>
                  <td>{c.status.replace('_', ' ')}</td>
                  <td>{c.user_id}</td>
                  <td>{formatDuration(c.duration)}</td>
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
