import { useState } from 'react';
import { Link } from 'wouter';
import { api, unwrap } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { Time } from '../components/Time';
import { formatVersion } from '../format';
import { useDebounced, usePagedList, useTitle } from '../hooks';

function Slot({ agentId, version }: { agentId: string | null; version: number | null }) {
  if (agentId === null) return <>—</>;
  return <Link href={`/agents/${agentId}`}>Agent {formatVersion(version)}</Link>;
}

export function PhoneNumbersPage() {
  useTitle('Phone numbers');
  const [search, setSearch] = useState('');
  const number = useDebounced(search.trim(), 250);
  const list = usePagedList(
    (cursor) =>
      unwrap(
        api.GET('/core/phone-numbers', {
          params: { query: { limit: 50, cursor, phone_number: number || undefined } },
        }),
      ),
    [number],
  );

  return (
    <>
      <h1>Phone numbers</h1>
      <form role="search" className="inline-form" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="number-search">Search by number</label>
        <input
          id="number-search"
          type="search"
          inputMode="tel"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </form>
      <ErrorMessage error={list.error} />
      {list.items.length === 0 && !list.loading && !list.error ? (
        <p>{number ? 'No number matches.' : 'No phone numbers registered yet.'}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Label</th>
                <th scope="col">Trunk</th>
                <th scope="col">Inbound</th>
                <th scope="col">Outbound</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((n) => (
                <tr key={n.phone_number}>
                  <th scope="row">{n.phone_number}</th>
                  <td>{n.label || '—'}</td>
                  <td>{n.trunk_id ?? '—'}</td>
                  <td>
                    <Slot agentId={n.inbound_agent_id} version={n.inbound_version} />
                  </td>
                  <td>
                    <Slot agentId={n.outbound_agent_id} version={n.outbound_version} />
                  </td>
                  <td>
                    <Time value={n.created_at} />
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
