import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, noContent, page, problem } from '../test/fakeServer';
import { api, ApiError, CONSOLE_HEADER, onUnauthenticated, sessionApi, unwrap } from './client';

describe('api client', () => {
  it('marks a POST with the console header', async () => {
    const server = fakeServer().on('POST', '/core/agents', () => json({ id: 'a1' }, 201));
    await api.POST('/core/agents', { body: { name: 'Support' } });
    const [request] = server.calls('POST', '/core/agents');
    expect(request?.headers.get(CONSOLE_HEADER)).toBe('1');
    expect(request?.headers.get('Authorization')).toBeNull();
  });

  it('leaves a GET without the console header', async () => {
    const server = fakeServer().on('GET', '/core/agents', () => json(page([])));
    await api.GET('/core/agents', { params: { query: { name: 'sup' } } });
    const [request] = server.calls('GET', '/core/agents');
    expect(request?.headers.has(CONSOLE_HEADER)).toBe(false);
    expect(new URL(request!.url).searchParams.get('name')).toBe('sup');
  });

  it('marks PUT, PATCH and DELETE too', async () => {
    const server = fakeServer()
      .on('PUT', '/core/agents/a1', () => json({}))
      .on('PATCH', '/core/phone-numbers/+15550100', () => json({}))
      .on('DELETE', '/core/agents/a1', () => noContent());
    await api.PUT('/core/agents/{id}', { params: { path: { id: 'a1' } }, body: { name: 'x' } });
    await api.PATCH('/core/phone-numbers/{phone_number}', {
      params: { path: { phone_number: '+15550100' } },
      body: { label: 'x' },
    });
    await api.DELETE('/core/agents/{id}', { params: { path: { id: 'a1' } } });
    expect(server.requests.map((r) => [r.method, r.headers.get(CONSOLE_HEADER)])).toEqual([
      ['PUT', '1'],
      ['PATCH', '1'],
      ['DELETE', '1'],
    ]);
  });

  it('reports a 401 as the end of the session', async () => {
    fakeServer().on('GET', '/core/agents', () => problem(401, 'Session expired', 'unauthenticated'));
    const listener = vi.fn();
    const stop = onUnauthenticated(listener);
    try {
      await expect(unwrap(api.GET('/core/agents'))).rejects.toThrow('Session expired');
      expect(listener).toHaveBeenCalledTimes(1);
    } finally {
      stop();
    }
  });

  it("turns an error body into an ApiError with the API's detail and field errors", async () => {
    fakeServer().on('POST', '/core/agents', () =>
      json(
        {
          detail: 'The request body is invalid.',
          code: 'invalid',
          errors: [{ loc: ['body', 'name'], msg: 'must not be empty', type: 'too_short' }],
        },
        422,
      ),
    );
    const err = await unwrap(api.POST('/core/agents', { body: { name: '' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(422);
    expect((err as ApiError).message).toBe('The request body is invalid.');
    expect((err as ApiError).fieldErrors[0]?.msg).toBe('must not be empty');
  });
});

describe('session api', () => {
  it('signs in with the console header and the JSON body, never storing the credential', async () => {
    const server = fakeServer().on('POST', '/console/api/session', () => noContent());
    await sessionApi.signIn('pat_x.y', 'acme');
    const [request] = server.calls('POST', '/console/api/session');
    expect(request?.headers.get(CONSOLE_HEADER)).toBe('1');
    expect(await request?.json()).toEqual({ credential: 'pat_x.y', organization: 'acme' });
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
  });

  it('reads a 401 on GET as "not signed in"', async () => {
    const server = fakeServer().on('GET', '/console/api/session', () =>
      problem(401, 'Not signed in', 'unauthenticated'),
    );
    expect(await sessionApi.get()).toBeNull();
    expect(server.calls('GET', '/console/api/session')[0]?.headers.has(CONSOLE_HEADER)).toBe(false);
  });
});
