// An invitation link (SPEC §19), opened without a session: the invitee names
// a first personal token, sees it once, and is signed in.
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { api, apiError, ApiError, describeError, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { SecretOnce } from '../components/Secret';
import { Time } from '../components/Time';
import { useResource, useTitle } from '../hooks';
import { useSession } from '../session';

type Invitation = Schemas['Invitation'];
type Created = Schemas['CreatedCredential'];

/** The invitation, or null for the API's 404 (used, expired or unknown). */
async function loadInvitation(token: string): Promise<Invitation | null> {
  const { data, error, response } = await api.GET('/console/api/invitations/{token}', { params: { path: { token } } });
  if (response.status === 404) return null;
  if (!response.ok || !data) throw apiError(response, error);
  return data;
}

const roles: Record<string, string> = {
  admin: 'an administrator',
  viewer: 'a viewer',
};

export function InvitePage({ token }: { token: string }) {
  useTitle('Invitation');
  const invitation = useResource(() => loadInvitation(token), [token]);
  const [created, setCreated] = useState<Created>();
  const [gone, setGone] = useState(false);

  return (
    <main id="main" className="sign-in invite">
      <h1>Join an organization</h1>
      {created ? (
        <Welcome
        created={created}
        organization={invitation.data?.organization_name ?? 'the organization'}
        slug={invitation.data?.organization_slug ?? ''}
      />
      ) : invitation.error ? (
        <ErrorMessage error={invitation.error} />
      ) : invitation.data === undefined ? (
        <p role="status">Loading the invitation…</p>
      ) : invitation.data === null || gone ? (
        <NotValid />
      ) : (
        <Accept token={token} invitation={invitation.data} onCreated={setCreated} onGone={() => setGone(true)} />
      )}
    </main>
  );
}

function NotValid() {
  return (
    <div className="stack">
      <p role="alert" className="error">
        This invitation link can't be used: it was used already, it expired (links last 7 days), or it was never valid.
      </p>
      <p>Ask an administrator of the organization to add you again; they get a new link to send you.</p>
      <p>
        Already a member? <Link href="/sign-in">Sign in</Link>.
      </p>
    </div>
  );
}

function Accept({
  token,
  invitation,
  onCreated,
  onGone,
}: {
  token: string;
  invitation: Invitation;
  onCreated(c: Created): void;
  onGone(): void;
}) {
  const [name, setName] = useState('console');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { data, error: body, response } = await api.POST('/console/api/invitations/{token}', {
        params: { path: { token } },
        body: { name: name.trim() },
      });
      if (response.status === 404) {
        onGone();
        return;
      }
      if (!response.ok || !data) throw apiError(response, body);
      onCreated(data);
    } catch (err) {
      setError(err instanceof ApiError ? err : new Error(describeError(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack">
      <p>
        <strong>{invitation.email}</strong> is invited to <strong>{invitation.organization_name}</strong> (
        <code>{invitation.organization_slug}</code>) as {roles[invitation.role] ?? invitation.role}. The link works
        once, until <Time value={invitation.expires_at} />.
      </p>
      <p>
        You sign in with a personal access token: a secret that acts for you, in the console and from scripts. Name
        your first one; the console shows it once.
      </p>
      <form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <div className="field">
          <label htmlFor="invite-token-name">Name your first personal token</label>
          <input
            id="invite-token-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={200}
            autoComplete="off"
            aria-describedby="invite-token-name-hint"
          />
          <p id="invite-token-name-hint" className="hint">
            Something that says where you use it, like “laptop” or “console”.
          </p>
        </div>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Joining…' : 'Join and create the token'}
        </button>
      </form>
    </div>
  );
}

function Welcome({ created, organization, slug }: { created: Created; organization: string; slug: string }) {
  const { refresh } = useSession();
  const [, navigate] = useLocation();
  const [busy, setBusy] = useState(false);

  const go = async () => {
    setBusy(true);
    await refresh();
    navigate('/agents');
  };

  return (
    <div className="stack">
      <p role="status">You joined {organization} and are signed in.</p>
      <SecretOnce label="Personal access token" value={created.pat_key}>
        <p>
          <strong>Copy your token now and keep it somewhere safe: it is shown only this once.</strong> Sign in to the
          console with it (and the organization{slug ? <> <code>{slug}</code></> : null}), or send it with API calls to
          act as you. Its name is “{created.name}”.
        </p>
      </SecretOnce>
      <p>
        <a
          href="/console/agents"
          className="button-link"
          aria-disabled={busy || undefined}
          onClick={(e) => {
            e.preventDefault();
            if (!busy) void go();
          }}
        >
          Continue to the console
        </a>
      </p>
    </div>
  );
}
