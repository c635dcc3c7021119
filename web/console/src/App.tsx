// The console's routes. Every path lives under /console (the server serves
// index.html for any unknown /console/ path asked for as HTML).
import { lazy, Suspense, type ReactNode } from 'react';
import { Redirect, Route, Router, Switch, useRoute } from 'wouter';
import { Layout } from './Layout';
import { AgentPage } from './pages/Agent';
import { AgentsPage } from './pages/Agents';
import { ApiKeysPage } from './pages/ApiKeys';
import { AuditLogPage } from './pages/AuditLog';
import { ConversationsPage } from './pages/Conversations';
import { InvitePage } from './pages/Invite';
import { MembersPage } from './pages/Members';
import { NotFoundPage } from './pages/NotFound';
import { PhoneNumbersPage } from './pages/PhoneNumbers';
import { SignInPage } from './pages/SignIn';
import { TokensPage } from './pages/Tokens';
import { WebhooksPage } from './pages/Webhooks';
import { WebWidgetsPage } from './pages/WebWidgets';
import { WorkflowPage, WorkflowsPage } from './pages/Workflows';
import { SessionProvider, useSession } from './session';

// The editor (rjsf) and the diff load when first opened, not with the app.
const VersionEditorPage = lazy(() => import('./pages/VersionEditor'));
const ComparePage = lazy(() => import('./pages/Compare'));

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<p role="status">Loading…</p>}>{children}</Suspense>;
}

/** Where the console is mounted; matches vite.config.ts's base. */
export const BASE = '/console';

export function App() {
  return (
    <Router base={BASE}>
      <SessionProvider>
        <Routes />
      </SessionProvider>
    </Router>
  );
}

function Routes() {
  const { state, refresh } = useSession();
  // An invitation link works signed in or not (SPEC §19).
  const [invite, inviteParams] = useRoute('/invite/:token');
  if (invite) return <InvitePage token={inviteParams.token} />;

  switch (state.status) {
    case 'loading':
      return (
        <main id="main" className="centered">
          <p role="status">Loading…</p>
        </main>
      );
    case 'error':
      return (
        <main id="main" className="centered">
          <h1>The console could not start</h1>
          <p role="alert">{state.message}</p>
          <button type="button" onClick={() => void refresh()}>
            Try again
          </button>
        </main>
      );
    case 'signed_out':
      return (
        <Switch>
          <Route path="/sign-in" component={SignInPage} />
          <Route>
            <Redirect to="/sign-in" replace />
          </Route>
        </Switch>
      );
    case 'signed_in':
      return (
        <Switch>
          <Route path="/sign-in">
            <Redirect to="/agents" replace />
          </Route>
          <Route path="/">
            <Redirect to="/agents" replace />
          </Route>
          <Route>
            <Layout>
              <Switch>
                <Route path="/agents" component={AgentsPage} />
                <Route path="/agents/:id">{(params) => <AgentPage key={params.id} id={params.id} />}</Route>
                <Route path="/agents/:id/versions/:version">
                  {(params) => (
                    <Lazy>
                      <VersionEditorPage key={`${params.id}/${params.version}`} id={params.id} version={params.version} />
                    </Lazy>
                  )}
                </Route>
                <Route path="/agents/:id/compare">
                  {(params) => (
                    <Lazy>
                      <ComparePage key={params.id} id={params.id} />
                    </Lazy>
                  )}
                </Route>
                <Route path="/phone-numbers" component={PhoneNumbersPage} />
                <Route path="/web-widgets" component={WebWidgetsPage} />
                <Route path="/workflows" component={WorkflowsPage} />
                <Route path="/workflows/:id">{(params) => <WorkflowPage key={params.id} id={params.id} />}</Route>
                <Route path="/conversations" component={ConversationsPage} />
                <Route path="/api-keys" component={ApiKeysPage} />
                <Route path="/tokens" component={TokensPage} />
                <Route path="/members" component={MembersPage} />
                <Route path="/audit-log" component={AuditLogPage} />
                <Route path="/webhooks" component={WebhooksPage} />
                <Route component={NotFoundPage} />
              </Switch>
            </Layout>
          </Route>
        </Switch>
      );
  }
}
