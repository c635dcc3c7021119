import { useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { ErrorMessage } from '../components/ErrorMessage';
import { useTitle } from '../hooks';
import { useSession } from '../session';

/** Sign-in with an organization API key, or a personal token plus an organization. */
export function SignInPage() {
  useTitle('Sign in');
  const { signIn } = useSession();
  const [, navigate] = useLocation();
  const [credential, setCredential] = useState('');
  const [organization, setOrganization] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(credential.trim(), organization.trim() || undefined);
      setCredential('');
      navigate('/agents', { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to agentplane</h1>
      <form onSubmit={(e) => void onSubmit(e)} className="stack">
        <div className="field">
          <label htmlFor="credential">API key or personal access token</label>
          <input
            id="credential"
            type="password"
            value={credential}
            onChange={(e) => setCredential(e.target.value)}
            required
            autoComplete="off"
            spellCheck={false}
            aria-describedby="credential-hint"
          />
          <p id="credential-hint" className="hint">
            An organization key starts with <code>ak_</code>, a personal token with <code>pat_</code>. It is sent
            once and never stored in the browser.
          </p>
        </div>
        <div className="field">
          <label htmlFor="organization">Organization (optional)</label>
          <input
            id="organization"
            value={organization}
            onChange={(e) => setOrganization(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="organization-hint"
          />
          <p id="organization-hint" className="hint">
            Its id or slug; needed with a personal access token.
          </p>
        </div>
        <ErrorMessage error={error} />
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </main>
  );
}
