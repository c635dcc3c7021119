// Web widgets: an agent's published version embedded on web pages.
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { api, unwrap, type Schemas } from '../api/client';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { Time } from '../components/Time';
import { formatVersion } from '../format';
import { usePagedList, useResource, useTitle } from '../hooks';

type Widget = Schemas['WebWidget'];

export function WebWidgetsPage() {
  useTitle('Web widgets');
  const list = usePagedList(
    (cursor) => unwrap(api.GET('/core/web-widgets', { params: { query: { limit: 50, cursor } } })),
    [],
  );
  const agents = useResource(() => unwrap(api.GET('/core/agents', { params: { query: { limit: 200 } } })), []);
  const [deleting, setDeleting] = useState<Widget | null>(null);
  const [notice, setNotice] = useState('');
  const agentName = (id: string) => agents.data?.data.find((a) => a.id === id)?.name ?? 'Agent';

  return (
    <>
      <h1>Web widgets</h1>
      <p className="muted">A widget puts an agent's published version on your web pages, for the origins you list.</p>
      <CreateWidget
        agents={agents.data?.data ?? []}
        onCreated={(w) => {
          setNotice(`Widget ${w.name} created.`);
          list.reload();
        }}
      />
      <p className="notice" role="status">
        {notice}
      </p>
      <section aria-labelledby="widgets-heading">
        <h2 id="widgets-heading">Widgets</h2>
        <ErrorMessage error={list.error} />
        {list.items.length === 0 && !list.loading && !list.error ? (
          <p>No web widgets yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Allowed origins</th>
                  <th scope="col">Published</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((w) => (
                  <tr key={w.id}>
                    <th scope="row">
                      {w.name}
                      <div className="muted small-text">
                        <code>{w.id}</code>
                      </div>
                    </th>
                    <td>
                      <Link href={`/agents/${w.agent_id}`}>{agentName(w.agent_id)}</Link>
                    </td>
                    <td>{w.domains.length === 0 ? 'Any' : w.domains.join(', ')}</td>
                    <td>{w.published ? 'Yes' : 'No'}</td>
                    <td>
                      <Time value={w.created_at} />
                    </td>
                    <td>
                      <button type="button" className="danger" onClick={() => setDeleting(w)}>
                        Delete<span className="visually-hidden"> {w.name}</span>
                      </button>
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
      <DeleteWidget
        widget={deleting}
        onClose={() => setDeleting(null)}
        onDone={(w) => {
          setDeleting(null);
          setNotice(`Widget ${w.name} deleted.`);
          list.reload();
        }}
      />
    </>
  );
}

function CreateWidget({ agents, onCreated }: { agents: Schemas['Agent'][]; onCreated(w: Widget): void }) {
  const [name, setName] = useState('');
  const [agentId, setAgentId] = useState('');
  const [versionId, setVersionId] = useState('');
  const [domains, setDomains] = useState('');
  const [published, setPublished] = useState(true);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const versions = useResource(
    () =>
      agentId
        ? unwrap(
            api.GET('/core/agents/{id}/versions', {
              params: { path: { id: agentId }, query: { published: true, limit: 200 } },
            }),
          )
        : Promise.resolve(null),
    [agentId],
  );
  const published_ = versions.data?.data ?? [];

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const w = await unwrap(
        api.POST('/core/web-widgets', {
          body: {
            name: name.trim(),
            agent_id: agentId,
            agent_version_id: versionId || published_[0]?.id || '',
            domains: domains
              .split(/[\s,]+/)
              .map((d) => d.trim())
              .filter(Boolean),
            published,
          },
        }),
      );
      setName('');
      setDomains('');
      onCreated(w);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-widget-heading" className="panel">
      <h2 id="create-widget-heading">Create a widget</h2>
      <form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <div className="form-row">
          <div className="field">
            <label htmlFor="widget-name">Name</label>
            <input id="widget-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          </div>
          <div className="field">
            <label htmlFor="widget-agent">Agent</label>
            <select
              id="widget-agent"
              value={agentId}
              onChange={(e) => {
                setAgentId(e.target.value);
                setVersionId('');
              }}
              required
            >
              <option value="">Choose an agent</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="widget-version">Published version</label>
            <select
              id="widget-version"
              value={versionId || published_[0]?.id || ''}
              onChange={(e) => setVersionId(e.target.value)}
              required
              disabled={!agentId || published_.length === 0}
              aria-describedby="widget-version-hint"
            >
              {published_.length === 0 && <option value="">—</option>}
              {published_.map((v) => (
                <option key={v.id} value={v.id}>
                  {formatVersion(v.version)}
                </option>
              ))}
            </select>
            <p id="widget-version-hint" className="hint">
              {agentId && !versions.loading && published_.length === 0
                ? 'This agent has no published version yet.'
                : 'A widget serves one published version.'}
            </p>
          </div>
        </div>
        <div className="field">
          <label htmlFor="widget-domains">Allowed origins (optional)</label>
          <textarea
            id="widget-domains"
            value={domains}
            onChange={(e) => setDomains(e.target.value)}
            rows={2}
            aria-describedby="widget-domains-hint"
          />
          <p id="widget-domains-hint" className="hint">
            Domains or origins, separated by spaces, commas or new lines (example.com, https://shop.example.com). None
            allows any origin.
          </p>
        </div>
        <div className="checkbox-field">
          <input
            id="widget-published"
            type="checkbox"
            checked={published}
            onChange={(e) => setPublished(e.target.checked)}
          />
          <label htmlFor="widget-published">Published (pages can load it)</label>
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create widget'}
          </button>
        </div>
      </form>
    </section>
  );
}

function DeleteWidget({ widget, onClose, onDone }: { widget: Widget | null; onClose(): void; onDone(w: Widget): void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const close = () => {
    setError(undefined);
    onClose();
  };
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!widget) return;
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.DELETE('/core/web-widgets/{id}', { params: { path: { id: widget.id } } }));
      onDone(widget);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={widget !== null} title={`Delete ${widget?.name ?? 'widget'}?`} onClose={close}>
      <form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <p>Pages that embed it stop loading it.</p>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="danger" disabled={busy}>
            {busy ? 'Deleting…' : 'Delete'}
          </button>
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
