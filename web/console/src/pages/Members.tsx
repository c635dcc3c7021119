import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { SecretOnce } from '../components/Secret';
import { Time } from '../components/Time';
import { usePagedList, useTitle } from '../hooks';

export function MembersPage() {
  useTitle('Members');
  const list = usePagedList((cursor) => unwrap(api.GET('/admin/members', { params: { query: { limit: 50, cursor } } })), []);

  return (
    <>
      <h1>Members</h1>
      <AddMember onAdded={list.reload} />
      <h2>Current members</h2>
      <ErrorMessage error={list.error} />
      {list.items.length === 0 && !list.loading && !list.error ? (
        <p>No members.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Member since</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr key={m.user_id}>
                  <th scope="row">{m.email}</th>
                  <td>{m.role}</td>
                  <td>
                    <Time value={m.created_at} />
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

/** Adds a member and shows their one-time invitation link (SPEC §19). */
function AddMember({ onAdded }: { onAdded(): void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Schemas['Role']>('viewer');
  const [added, setAdded] = useState<Schemas['Member']>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setAdded(undefined);
    try {
      setAdded(await unwrap(api.POST('/admin/members', { body: { email: email.trim(), role } })));
      setEmail('');
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="add-member-heading" className="panel">
      <h2 id="add-member-heading">Add a member</h2>
      <form className="inline-form" onSubmit={(e) => void onSubmit(e)}>
        <label htmlFor="member-email">Email</label>
        <input
          id="member-email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          maxLength={254}
          autoComplete="off"
        />
        <label htmlFor="member-role">Role</label>
        <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as Schemas['Role'])}>
          <option value="viewer">Viewer</option>
          <option value="admin">Admin</option>
        </select>
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add member'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {added?.invite_url && (
        <SecretOnce label="Invitation link" value={new URL(added.invite_url, window.location.origin).href}>
          <p role="status">
            <strong>{added.email}</strong> is a member. Send them this link, and only them: it lets whoever opens it
            join as them. It works once, for 7 days, and is shown only now.
          </p>
        </SecretOnce>
      )}
    </section>
  );
}
