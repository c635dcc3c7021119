import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { SecretOnce } from '../components/Secret';
import { Time } from '../components/Time';
import { formatEpochMillis } from '../format';
import { usePagedList, useTitle } from '../hooks';

type Credential = Schemas['Credential'];

export function ApiKeysPage() {
  useTitle('API keys');
  const list = usePagedList(
    (cursor) => unwrap(api.GET('/admin/organization-pats', { params: { query: { limit: 50, cursor } } })),
    [],
  );
  const [revoking, setRevoking] = useState<Credential | null>(null);

  return (
    <>
      <h1>API keys</h1>
      <p className="muted">
        Organization API keys act for the whole organization. Managing them needs the <code>organizations:manage</code>{' '}
        scope.
      </p>
      <CreateKey onCreated={list.reload} />
      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading">Live keys</h2>
        <ErrorMessage error={list.error} />
        {list.items.length === 0 && !list.loading && !list.error ? (
          <p>No API keys.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((k) => (
                  <tr key={k.key_id}>
                    <th scope="row">{k.name}</th>
                    <td className="scopes">{k.scopes.join(', ')}</td>
                    <td>
                      <Time value={k.created_at} />
                    </td>
                    <td>
                      <Time value={k.last_used_at} />
                    </td>
                    <td>{formatEpochMillis(k.expires_at)}</td>
                    <td>
                      <button type="button" className="danger" onClick={() => setRevoking(k)}>
                        Revoke {k.name}
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
      <RevokeDialog
        credential={revoking}
        onClose={() => setRevoking(null)}
        onDone={() => {
          setRevoking(null);
          list.reload();
        }}
      />
    </>
  );
}

function CreateKey({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Schemas['CreatedCredential']>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setCreated(undefined);
    try {
      setCreated(await unwrap(api.POST('/admin/organization-pats', { body: { name: name.trim() } })));
      setName('');
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-key-heading" className="panel">
      <h2 id="create-key-heading">Create an API key</h2>
      <form className="inline-form" onSubmit={(e) => void onSubmit(e)}>
        <label htmlFor="new-key-name">Name</label>
        <input
          id="new-key-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={200}
          autoComplete="off"
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {created && (
        <SecretOnce label="Secret key" value={created.pat_key}>
          <p role="status">
            Key <strong>{created.name}</strong> created. Copy it now: it is shown only this once.
          </p>
        </SecretOnce>
      )}
    </section>
  );
}

interface RevokeDialogProps {
  credential: Credential | null;
  onClose(): void;
  onDone(): void;
}

function RevokeDialog({ credential, onClose, onDone }: RevokeDialogProps) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const close = () => {
    setError(undefined);
    onClose();
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!credential) return;
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(
        api.DELETE('/admin/organization-pats/{key_id}', { params: { path: { key_id: credential.key_id } } }),
      );
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={credential !== null} title={`Revoke ${credential?.name ?? 'key'}?`} onClose={close}>
      <form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <p>Every request made with this key fails from now on, and console sessions signed in with it end.</p>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="danger" disabled={busy}>
            {busy ? 'Revoking…' : 'Revoke'}
          </button>
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
