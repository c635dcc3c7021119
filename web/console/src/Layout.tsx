// The frame of every signed-in page: header, navigation, main.
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { describeError } from './api/client';
import type { Schemas } from './api/client';
import { hasScope, useSession, useSignedIn } from './session';

/** The navigation; an item with a scope shows only to sessions that have it. */
const navItems: { href: string; label: string; scope?: Schemas['Scope'] }[] = [
  { href: '/agents', label: 'Agents' },
  { href: '/phone-numbers', label: 'Phone numbers' },
  { href: '/web-widgets', label: 'Web widgets' },
  { href: '/workflows', label: 'Workflows' },
  { href: '/conversations', label: 'Conversations' },
  { href: '/api-keys', label: 'API keys' },
  { href: '/tokens', label: 'Personal tokens' },
  { href: '/members', label: 'Members' },
  { href: '/audit-log', label: 'Audit log', scope: 'audit_log:read' },
  { href: '/webhooks', label: 'Webhooks', scope: 'webhooks:read' },
];

export function Layout({ children }: { children: ReactNode }) {
  const session = useSignedIn();
  const { signOut } = useSession();
  const [location] = useLocation();
  const [signOutError, setSignOutError] = useState<string>();

  const onSignOut = async () => {
    setSignOutError(undefined);
    try {
      await signOut();
    } catch (err) {
      setSignOutError(describeError(err));
    }
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link href="/agents" className="brand">
          agentplane
        </Link>
        <p className="org">
          <span className="visually-hidden">Organization: </span>
          {session.organization_name}
        </p>
        <div className="header-end">
          {session.kind === 'pat' && <SwitchOrganization />}
          <p className="actor">
            <span className="visually-hidden">Signed in as </span>
            {session.actor.name}
            <span className="muted"> ({session.actor.type === 'user' ? 'personal token' : 'API key'})</span>
          </p>
          <button type="button" className="secondary" onClick={() => void onSignOut()}>
            Sign out
          </button>
        </div>
        {signOutError && (
          <p className="error header-error" role="alert">
            {signOutError}
          </p>
        )}
      </header>
      <nav className="app-nav" aria-label="Main">
        <ul>
          {navItems
            .filter((item) => !item.scope || hasScope(session, item.scope))
            .map((item) => {
              const current = location === item.href || location.startsWith(`${item.href}/`);
              return (
                <li key={item.href}>
                  <Link href={item.href} aria-current={current ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              );
            })}
        </ul>
      </nav>
      <main id="main" className="app-main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** A PAT session's way to another organization it is a member of. */
function SwitchOrganization() {
  const { switchOrganization } = useSession();
  const [organization, setOrganization] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await switchOrganization(organization.trim());
      setOrganization('');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="switch-org">
      <summary>Switch organization</summary>
      <form onSubmit={(e) => void onSubmit(e)}>
        <label htmlFor="switch-org-input">Organization id or slug</label>
        <input
          id="switch-org-input"
          value={organization}
          onChange={(e) => setOrganization(e.target.value)}
          required
          autoComplete="off"
        />
        <button type="submit" disabled={busy}>
          Switch
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}
