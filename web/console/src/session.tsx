// Who is signed in. The session itself is an HttpOnly cookie the app never
// sees; this context holds what GET /console/api/session says about it.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { describeError, onUnauthenticated, sessionApi, type Schemas, type Session } from './api/client';

export type SessionState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'signed_out' }
  | { status: 'signed_in'; session: Session };

export interface SessionContextValue {
  state: SessionState;
  /** Asks the server again (after sign-in or an org switch). */
  refresh(): Promise<void>;
  signIn(credential: string, organization?: string): Promise<void>;
  switchOrganization(organization: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    try {
      const session = await sessionApi.get();
      setState(session ? { status: 'signed_in', session } : { status: 'signed_out' });
    } catch (err) {
      setState({ status: 'error', message: describeError(err) });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Any 401 from /core or /admin: the session is over.
  useEffect(() => onUnauthenticated(() => setState({ status: 'signed_out' })), []);

  const value = useMemo<SessionContextValue>(
    () => ({
      state,
      refresh,
      async signIn(credential, organization) {
        await sessionApi.signIn(credential, organization);
        await refresh();
      },
      async switchOrganization(organization) {
        await sessionApi.switchOrganization(organization);
        await refresh();
      },
      async signOut() {
        try {
          await sessionApi.signOut();
        } finally {
          setState({ status: 'signed_out' });
        }
      },
    }),
    [state, refresh],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

/** The signed-in session; only for components under the signed-in layout. */
export function useSignedIn(): Session {
  const { state } = useSession();
  if (state.status !== 'signed_in') throw new Error('useSignedIn while not signed in');
  return state.session;
}

/** Whether the session may use scope; a `:manage` scope grants its `:read` (SPEC §2). */
export function hasScope(session: Session, scope: Schemas['Scope']): boolean {
  if (session.scopes.includes(scope)) return true;
  const manage = scope.endsWith(':read') ? `${scope.slice(0, -':read'.length)}:manage` : '';
  return (session.scopes as string[]).includes(manage);
}
