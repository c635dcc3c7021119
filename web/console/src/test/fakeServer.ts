// A stand-in for the agentplane server: tests register answers by method and
// path, and read back the requests the app made.
import { vi } from 'vitest';

export type Handler = (request: Request) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

export function problem(status: number, detail: string, code: string): Response {
  return json({ detail, code }, status);
}

export interface FakeServer {
  /** Answers method + path (without the query) with handler; later calls win. */
  on(method: string, path: string, handler: Handler): FakeServer;
  /** Every request the app made, in order. */
  requests: Request[];
  /** The requests made to method + path. */
  calls(method: string, path: string): Request[];
}

/** Replaces the global fetch for the current test (vitest unstubs it after). */
export function fakeServer(): FakeServer {
  const routes = new Map<string, Handler>();
  const requests: Request[] = [];
  const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), window.location.href), init);
    requests.push(request.clone());
    const path = new URL(request.url).pathname;
    const handler = routes.get(key(request.method, path));
    if (!handler) return problem(404, `no fake answer for ${request.method} ${path}`, 'not_found');
    return handler(request);
  });
  vi.stubGlobal('fetch', fetchFn);

  const server: FakeServer = {
    on(method, path, handler) {
      routes.set(key(method, path), handler);
      return server;
    },
    requests,
    calls(method, path) {
      return requests.filter((r) => r.method === method.toUpperCase() && new URL(r.url).pathname === path);
    },
  };
  return server;
}

export const session = {
  kind: 'org_key',
  organization_id: '0190f3a0-0000-7000-8000-000000000001',
  organization_slug: 'acme',
  organization_name: 'Acme Inc',
  actor: { type: 'org_key', id: '0190f3a0-0000-7000-8000-000000000002', name: 'ci key' },
  scopes: ['agents:read', 'agents:manage'],
  created_at: '2026-01-02T03:04:05.000Z',
  expires_at: '2026-01-09T03:04:05.000Z',
};

/** A server with a signed-in org-key session. */
export function signedIn(): FakeServer {
  return fakeServer().on('GET', '/console/api/session', () => json(session));
}

export function page<T>(data: T[], next_cursor: string | null = null) {
  return { data, pagination: { limit: 50, next_cursor } };
}

export function agent(overrides: Record<string, unknown> = {}) {
  return {
    id: '0190f3a0-0000-7000-8000-00000000a001',
    organization_id: session.organization_id,
    name: 'Support line',
    description: '',
    active: true,
    is_demo: false,
    metadata: {},
    live_version: 2,
    created_at: '2026-01-02T03:04:05.000Z',
    updated_at: '2026-01-02T03:04:05.000Z',
    ...overrides,
  };
}

/** Puts the browser at a console path before the app renders. */
export function visit(path: string): void {
  window.history.replaceState(null, '', path);
}
