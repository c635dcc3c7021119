import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { api, unwrap } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { Time } from '../components/Time';
import { formatVersion } from '../format';
import { useDebounced, usePagedList, useTitle } from '../hooks';

const pageSize = 50;

export function AgentsPage() {
  useTitle('Agents');
  const [search, setSearch] = useState('');
  const name = useDebounced(search.trim(), 250);
  const list = usePagedList(
    (cursor) =>
      unwrap(
        api.GET('/core/agents', {
          params: { query: { limit: pageSize, cursor, name: name || undefined } },
        }),
      ),
    [name],
  );

  return (
    <>
      <h1>Agents</h1>
      <CreateAgent />
      <section aria-labelledby="agents-list-heading">
        <h2 id="agents-list-heading">All agents</h2>
        <form role="search" className="inline-form" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor="agent-search">Search by name</label>
          <input id="agent-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </form>
        <ErrorMessage error={list.error} />
        {list.items.length === 0 && !list.loading && !list.error ? (
          <p>{name ? `No agent's name contains “${name}”.` : 'No agents yet. Create one above.'}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Live version</th>
                  <th scope="col">Active</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((agent) => (
                  <tr key={agent.id}>
                    <th scope="row">
                      <Link href={`/agents/${agent.id}`}>{agent.name}</Link>
                    </th>
                    <td>{formatVersion(agent.live_version)}</td>
                    <td>{agent.active ? 'Yes' : 'No'}</td>
                    <td>
                      <Time value={agent.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {list.loading && list.items.length === 0 && <p role="status">Loading…</p>}
        <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={list.loadMore} />
      </section>
    </>
  );
}

function CreateAgent() {
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const agent = await unwrap(api.POST('/core/agents', { body: { name: name.trim() } }));
      navigate(`/agents/${agent.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-agent-heading" className="panel">
      <h2 id="create-agent-heading">Create an agent</h2>
      <form className="inline-form" onSubmit={(e) => void onSubmit(e)}>
        <label htmlFor="new-agent-name">Name</label>
        <input
          id="new-agent-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={200}
          autoComplete="off"
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create agent'}
        </button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}
