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

/** A version as the API shows it. */
export function versionBody(agentId: string, n: number, overrides: Record<string, unknown> = {}) {
  return {
    id: `0190f3a0-0000-7000-8000-0000000${String(n).padStart(5, '0')}`,
    agent_id: agentId,
    version: n,
    description: '',
    published: false,
    published_at: null,
    base_version: null,
    config: {},
    instruction_builder_inputs: null,
    instructions_status: 'idle',
    instructions_error: null,
    instructions_dirty: false,
    instructions_manually_edited: false,
    created_by: { type: 'user', id: 'u1', name: 'ada@example.com' },
    published_by: null,
    created_at: '2026-01-02T03:04:05.000Z',
    updated_at: '2026-01-02T03:04:05.000Z',
    ...overrides,
  };
}

/** An agent as GET /core/agents/{id} shows it. */
export function agentDetail(overrides: Record<string, unknown> = {}) {
  return {
    ...agent(overrides),
    versions: [],
    phone_numbers: [],
    web_widgets: [],
    sip_endpoint: { deployed: false, sip_uri: null, deployed_at: null },
    conversation_stats: {
      total: 0,
      inbound: 0,
      outbound: 0,
      by_channel: {},
      by_status: {},
      total_duration_seconds: 0,
      average_duration_seconds: 0,
      last_conversation_at: null,
      completion_rate: null,
    },
    latest_published_version: null,
    ...overrides,
  };
}

/** A 422 as the API sends it. */
export function invalid(errors: { loc: (string | number)[]; msg: string; type?: string }[]): Response {
  return json(
    {
      detail: errors[0]?.msg ?? 'invalid',
      code: 'invalid',
      errors: errors.map((e) => ({ type: 'invalid', ...e })),
    },
    422,
  );
}
