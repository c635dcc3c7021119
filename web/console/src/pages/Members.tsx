import { api, unwrap } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { Time } from '../components/Time';
import { usePagedList, useTitle } from '../hooks';

export function MembersPage() {
  useTitle('Members');
  const list = usePagedList((cursor) => unwrap(api.GET('/admin/members', { params: { query: { limit: 50, cursor } } })), []);

  return (
    <>
      <h1>Members</h1>
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
