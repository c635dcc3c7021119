// The personal tokens page: listing, the secret shown once, a narrowed
// token's 403 and the note for organization-key sessions.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { fakeServer, json, noContent, page, problem, session, signedIn, visit } from '../test/fakeServer';

const patSession = {
  ...session,
  kind: 'pat',
  actor: { type: 'user', id: '0190f3a0-0000-7000-8000-0000000000u1', name: 'ada@example.com' },
};

function signedInWithPat() {
  return fakeServer().on('GET', '/console/api/session', () => json(patSession));
}

interface Token {
  key_id: string;
  name: string;
  scopes: string[];
  expires_at: number | null;
  created_at: string;
  last_used_at: string | null;
}

const laptop: Token = {
  key_id: '0190f3a0-0000-7000-8000-00000000c001',
  name: 'laptop',
  scopes: ['agents:read'],
  expires_at: null,
  created_at: '2026-01-02T03:04:05.000Z',
  last_used_at: '2026-01-03T03:04:05.000Z',
};

describe('personal tokens', () => {
  it('lists, creates (secret shown once) and revokes the signed-in user’s tokens', async () => {
    let tokens: Token[] = [laptop];
    const server = signedInWithPat()
      .on('GET', '/admin/user-pats', () => json(page(tokens)))
      .on('POST', '/admin/user-pats', async (req) => {
        const body = (await req.json()) as { name: string; expires_at: number | null };
        const created: Token = { ...laptop, key_id: '0190f3a0-0000-7000-8000-00000000c002', name: body.name, expires_at: body.expires_at };
        tokens = [...tokens, { ...created, last_used_at: null }];
        return json({ ...created, pat_key: 'pat_0190f3a0-0000-7000-8000-00000000c002.s3cret' }, 201);
      })
      .on('DELETE', '/admin/user-pats/0190f3a0-0000-7000-8000-00000000c002', () => {
        tokens = tokens.filter((t) => t.name !== 'ci');
        return noContent();
      });
    visit('/console/tokens');
    render(<App />);

    const table = await screen.findByRole('table');
    expect(await within(table).findByText('laptop')).toBeTruthy();
    expect(within(table).getByText('agents:read')).toBeTruthy();
    expect(within(table).getByText('never')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Personal tokens' }).getAttribute('aria-current')).toBe('page');

    fireEvent.change(screen.getByLabelText('Token name'), { target: { value: ' ci ' } });
    fireEvent.change(screen.getByLabelText('Expires on (optional)'), { target: { value: '2099-12-31' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    const secret = (await screen.findByLabelText('Personal access token')) as HTMLInputElement;
    expect(secret.value).toBe('pat_0190f3a0-0000-7000-8000-00000000c002.s3cret');
    expect(screen.getByText(/shown only this once/)).toBeTruthy();
    const [post] = server.calls('POST', '/admin/user-pats');
    const sent = (await post!.json()) as { name: string; expires_at: number };
    expect(sent.name).toBe('ci');
    expect(new Date(sent.expires_at).getFullYear()).toBe(2099);
    expect(post!.headers.get('X-Agentplane-Console')).toBe('1');
    expect(await within(screen.getByRole('table')).findByText('ci')).toBeTruthy();
    // The secret is nowhere in the list.
    expect(within(screen.getByRole('table')).queryByText(/s3cret/)).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Revoke ci' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke ci?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(within(screen.getByRole('table')).queryByText('ci')).toBeNull());
    expect(server.calls('DELETE', '/admin/user-pats/0190f3a0-0000-7000-8000-00000000c002')).toHaveLength(1);
    expect(within(screen.getByRole('table')).getByText('laptop')).toBeTruthy();
  });

  it('shows the API’s detail instead of the controls when the token may not manage tokens', async () => {
    signedInWithPat().on('GET', '/admin/user-pats', () =>
      problem(403, 'A personal access token with a scope list cannot manage personal tokens.', 'forbidden'),
    );
    visit('/console/tokens');
    render(<App />);
    expect(await screen.findByText('A personal access token with a scope list cannot manage personal tokens.')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Your personal tokens' })).toBeTruthy();
    expect(screen.queryByLabelText('Token name')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Create token' })).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('explains, without calling the API, that an organization-key session has no personal tokens', async () => {
    const server = signedIn();
    visit('/console/tokens');
    render(<App />);
    expect(await screen.findByText(/managed when signed in with a personal token/)).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Your personal tokens' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Create token' })).toBeNull();
    expect(server.calls('GET', '/admin/user-pats')).toHaveLength(0);
  });
});
