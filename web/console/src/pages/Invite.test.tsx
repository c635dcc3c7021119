import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { fakeServer, json, problem, session, visit } from '../test/fakeServer';

const token = 'pXma0ZtcvbsEqG5WceF7ferrnDk9BzUE3FaqA0txq7c';
const path = `/console/api/invitations/${token}`;

const invitation = {
  organization_name: 'Acme Inc',
  organization_slug: 'acme',
  email: 'ada@example.com',
  role: 'viewer',
  expires_at: '2026-01-09T03:04:05.000Z',
};

const created = {
  key_id: '0190f3a0-0000-7000-8000-0000000000c1',
  name: 'laptop',
  pat_key: 'pat_0190f3a0-0000-7000-8000-0000000000c1.s3cret',
  scopes: ['agents:read'],
  created_at: '2026-01-02T03:04:05.000Z',
  expires_at: null,
};

describe('invitation page', () => {
  it('names the first token, shows it once with a copy button, and continues signed in', async () => {
    let signedIn = false;
    const s = fakeServer()
      .on('GET', '/console/api/session', () =>
        signedIn
          ? json({ ...session, kind: 'pat', actor: { type: 'user', id: 'u1', name: 'ada@example.com' } })
          : problem(401, 'Not signed in.', 'unauthenticated'),
      )
      .on('GET', path, () => json(invitation))
      .on('POST', path, () => {
        signedIn = true; // the answer sets the session cookie
        return json(created, 201);
      })
      .on('GET', '/core/agents', () => json({ data: [], pagination: { limit: 50, next_cursor: null } }));
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });

    visit(`/console/invite/${token}`);
    render(<App />);
    expect(await screen.findByText('ada@example.com')).toBeTruthy();
    expect(screen.getByText('Acme Inc')).toBeTruthy();
    const name = screen.getByLabelText('Name your first personal token');
    fireEvent.change(name, { target: { value: 'laptop' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join and create the token' }));

    const secret = (await screen.findByLabelText('Personal access token')) as HTMLInputElement;
    expect(secret.value).toBe(created.pat_key);
    expect(secret.readOnly).toBe(true);
    expect(screen.getByText(/shown only this once/)).toBeTruthy();
    const [post] = s.calls('POST', path);
    expect(await post?.json()).toEqual({ name: 'laptop' });
    expect(post?.headers.get('X-Agentplane-Console')).toBe('1');
    expect(post?.headers.get('Authorization')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: /^Copy/ }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(created.pat_key));
    expect(await screen.findByText('Copied to the clipboard.')).toBeTruthy();

    fireEvent.click(screen.getByRole('link', { name: 'Continue to the console' }));
    await waitFor(() => expect(window.location.pathname).toBe('/console/agents'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Agents' })).toBeTruthy();
    expect(screen.getByText('ada@example.com')).toBeTruthy();
  });

  it('says clearly when the link is used, expired or unknown', async () => {
    fakeServer()
      .on('GET', '/console/api/session', () => problem(401, 'Not signed in.', 'unauthenticated'))
      .on('GET', path, () => problem(404, 'Not found.', 'not_found'));
    visit(`/console/invite/${token}`);
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/used already, it expired/);
    expect(screen.queryByLabelText('Name your first personal token')).toBeNull();
    expect(window.location.pathname).toBe(`/console/invite/${token}`);
  });

  it('says so when the link was used meanwhile, and shows other refusals', async () => {
    let answer = () => json({ detail: 'name must not be blank', code: 'invalid', errors: [] }, 422);
    fakeServer()
      .on('GET', '/console/api/session', () => problem(401, 'Not signed in.', 'unauthenticated'))
      .on('GET', path, () => json(invitation))
      .on('POST', path, () => answer());
    visit(`/console/invite/${token}`);
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Join and create the token' }));
    expect((await screen.findByRole('alert')).textContent).toContain('name must not be blank');
    answer = () => problem(404, 'Not found.', 'not_found');
    fireEvent.click(screen.getByRole('button', { name: 'Join and create the token' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/can't be used/);
  });
});
