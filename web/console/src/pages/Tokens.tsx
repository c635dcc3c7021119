// The signed-in user's personal access tokens (SPEC §19). Only a console
// session opened with a personal access token can manage them, and only one
// created without a scope list; the server answers 403 otherwise.
import { useCallback, useState, type FormEvent } from 'react';
import { api, ApiError, unwrap, type Schemas } from '../api/client';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { SecretOnce } from '../components/Secret';
import { Time } from '../components/Time';
import { formatEpochMillis } from '../format';
import { usePagedList, useTitle } from '../hooks';
import { useSignedIn } from '../session';

type Credential = Schemas['Credential'];

export function TokensPage() {
  useTitle('Personal tokens');
  const session = useSignedIn();
  return (
    <>
      <h1>Personal tokens</h1>
      {session.kind === 'pat' ? (
        <PersonalTokens />
      ) : (
        <p className="panel-note">
          Personal access tokens are managed when signed in with a personal token. This session uses an
          organization API key.
        </p>
      )}
    </>
  );
}

/** The YYYY-MM-DD date input value of today in the reader's time zone. */
function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The end of a YYYY-MM-DD day in the reader's time zone, as epoch milliseconds. */
function endOfDay(date: string): number {
  return new Date(`${date}T23:59:59.999`).getTime();
}

function PersonalTokens() {
  const [forbidden, setForbidden] = useState<string>();
  const loadPage = useCallback(async (cursor: string | undefined) => {
    try {
      const page = await unwrap(api.GET('/admin/user-pats', { params: { query: { limit: 50, cursor } } }));
      setForbidden(undefined);
      return page;
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) setForbidden(err.message);
      throw err;
    }
  }, []);
  const list = usePagedList(loadPage, []);
  const [revoking, setRevoking] = useState<Credential | null>(null);

  if (forbidden !== undefined) {
    return (
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Your personal tokens</h2>
        <p className="panel-note">{forbidden}</p>
      </section>
    );
  }

  return (
    <>
      <p className="muted">
        Personal access tokens act as you, in every organization you are a member of. Each secret is shown only once,
        when the token is created.
      </p>
      <CreateToken onCreated={list.reload} />
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Your personal tokens</h2>
        <ErrorMessage error={list.error} />
        {list.items.length === 0 && !list.loading && !list.error ? (
          <p>No personal tokens.</p>
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
                    <td className="scopes">{k.scopes.length > 0 ? k.scopes.join(', ') : '—'}</td>
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

function CreateToken({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<Schemas['CreatedCredential']>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setCreated(undefined);
    try {
      const body = { name: name.trim(), expires_at: expires ? endOfDay(expires) : null };
      setCreated(await unwrap(api.POST('/admin/user-pats', { body })));
      setName('');
      setExpires('');
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-token-heading" className="panel">
      <h2 id="create-token-heading">Create a personal token</h2>
      <form className="inline-form" onSubmit={(e) => void onSubmit(e)}>
        <label htmlFor="new-token-name">Token name</label>
        <input
          id="new-token-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={200}
          autoComplete="off"
        />
        <label htmlFor="new-token-expires">Expires on (optional)</label>
        <input
          id="new-token-expires"
          type="date"
          min={today()}
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
          aria-describedby="new-token-expires-hint"
        />
        <span id="new-token-expires-hint" className="hint">
          Leave empty for a token that never expires.
        </span>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {created && (
        <SecretOnce label="Personal access token" value={created.pat_key}>
          <p role="status">
            Token <strong>{created.name}</strong> created. Copy it now: it is shown only this once.
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
      await unwrap(api.DELETE('/admin/user-pats/{key_id}', { params: { path: { key_id: credential.key_id } } }));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={credential !== null} title={`Revoke ${credential?.name ?? 'token'}?`} onClose={close}>
      <form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <p>
          Every request made with this token fails from now on, and console sessions signed in with it end. If this
          session uses it, you will be signed out.
        </p>
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
