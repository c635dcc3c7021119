// The console's only way to the server. Requests go to the same origin with
// the session cookie (never an Authorization header); every request that
// changes state carries X-Agentplane-Console: 1, which the server demands of
// cookie-authenticated writes (SPEC §19); any 401 means the session is gone.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** The header the server requires on cookie-authenticated writes. */
export const CONSOLE_HEADER = 'X-Agentplane-Console';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request with this method needs {@link CONSOLE_HEADER}. */
export function changesState(method: string): boolean {
  return !safeMethods.has(method.toUpperCase());
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/**
 * Calls fn whenever the server answers 401 (the session expired, was revoked
 * or ended elsewhere). Returns the function that stops calling it.
 */
export function onUnauthenticated(fn: Listener): () => void {
  unauthenticatedListeners.add(fn);
  return () => {
    unauthenticatedListeners.delete(fn);
  };
}

function unauthenticated(): void {
  for (const fn of unauthenticatedListeners) fn();
}

/** The middleware every API request goes through. */
export const consoleMiddleware: Middleware = {
  onRequest({ request }) {
    if (changesState(request.method)) request.headers.set(CONSOLE_HEADER, '1');
    return undefined;
  },
  onResponse({ response }) {
    if (response.status === 401) unauthenticated();
    return undefined;
  },
};

function origin(): string {
  return globalThis.location?.origin ?? '';
}

/** A typed client for the /core and /admin routes of openapi.yaml. */
export function makeClient() {
  const client = createClient<paths>({
    baseUrl: origin(),
    credentials: 'same-origin',
    // Looked up per call, so tests can stub the global fetch.
    fetch: (request) => globalThis.fetch(request),
  });
  client.use(consoleMiddleware);
  return client;
}

export const api = makeClient();

/** A field's validation error, as in the API's error body. */
export interface FieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** A failed API call, carrying the body's human `detail`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: FieldError[];

  constructor(status: number, detail: string, code = '', fieldErrors: FieldError[] = []) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Builds the ApiError for a non-2xx answer from its (parsed) body. */
export function apiError(response: Response, body: unknown): ApiError {
  if (isRecord(body) && typeof body.detail === 'string' && body.detail !== '') {
    const fields = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
    return new ApiError(response.status, body.detail, typeof body.code === 'string' ? body.code : '', fields);
  }
  const text = typeof body === 'string' && body.trim() !== '' && body.length < 300 ? `: ${body.trim()}` : '';
  return new ApiError(response.status, `The server answered ${response.status} ${response.statusText}${text}`.trim());
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The data of an openapi-fetch result, or throws its ApiError:
 * `const agent = await unwrap(api.GET('/core/agents/{id}', …))`.
 */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw apiError(response, error);
  return data as T;
}

/** A human sentence for anything thrown by an API call. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.name === 'AbortError') return 'The request was cancelled.';
  if (err instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The console's session, as GET /console/api/session shows it. */
export type Session = Schemas['ConsoleSession'];

const sessionPath = '/console/api/session';

async function sessionRequest(method: string, body?: unknown): Promise<Response> {
  const headers = new Headers({ Accept: 'application/json' });
  if (changesState(method)) headers.set(CONSOLE_HEADER, '1');
  if (body !== undefined) headers.set('Content-Type', 'application/json');
  const response = await globalThis.fetch(`${origin()}${sessionPath}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    throw apiError(response, parsed);
  }
  return response;
}

/**
 * The session endpoints of SPEC §19. Plain fetch rather than the typed client:
 * a 401 here means "not signed in" or "wrong credential", not "session over".
 */
export const sessionApi = {
  /** The current session, or null when not signed in. */
  async get(): Promise<Session | null> {
    try {
      const response = await sessionRequest('GET');
      return (await response.json()) as Session;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  /** Signs in with an org key, or a PAT plus the organization to act in. */
  async signIn(credential: string, organization?: string): Promise<void> {
    const body: Schemas['SignInInput'] = { credential };
    if (organization) body.organization = organization;
    await sessionRequest('POST', body);
  },
  /** Moves a PAT session to another organization. */
  async switchOrganization(organization: string): Promise<void> {
    const body: Schemas['SessionOrganizationInput'] = { organization };
    await sessionRequest('PUT', body);
  },
  /** Ends the session. */
  async signOut(): Promise<void> {
    await sessionRequest('DELETE');
  },
};
