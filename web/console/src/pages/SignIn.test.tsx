import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { fakeServer, json, noContent, page, problem, session, visit } from '../test/fakeServer';

describe('sign-in', () => {
  it('sends whoever is signed out to the sign-in page', async () => {
    fakeServer().on('GET', '/console/api/session', () => problem(401, 'Not signed in', 'unauthenticated'));
    visit('/console/agents');
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to agentplane' })).toBeTruthy();
    expect(window.location.pathname).toBe('/console/sign-in');
  });

  it("shows the API's detail when the credential is refused", async () => {
    const server = fakeServer()
      .on('GET', '/console/api/session', () => problem(401, 'Not signed in', 'unauthenticated'))
      .on('POST', '/console/api/session', () =>
        problem(401, 'The API key or token is invalid, expired or revoked.', 'unauthenticated'),
      );
    visit('/console/sign-in');
    render(<App />);
    const credential = await screen.findByLabelText('API key or personal access token');
    expect((credential as HTMLInputElement).type).toBe('password');
    fireEvent.change(credential, { target: { value: 'ak_bad.secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The API key or token is invalid, expired or revoked.');
    expect(window.location.pathname).toBe('/console/sign-in');
    expect(await server.calls('POST', '/console/api/session')[0]?.json()).toEqual({ credential: 'ak_bad.secret' });
  });

  it('shows a 429 detail too', async () => {
    fakeServer()
      .on('GET', '/console/api/session', () => problem(401, 'Not signed in', 'unauthenticated'))
      .on('POST', '/console/api/session', () => problem(429, 'Too many failed sign-ins; try again in a minute.', 'rate_limited'));
    visit('/console/sign-in');
    render(<App />);
    fireEvent.change(await screen.findByLabelText('API key or personal access token'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Too many failed sign-ins');
  });

  it('goes to the agents after a 204, sending the organization with a PAT', async () => {
    let signedIn = false;
    const server = fakeServer()
      .on('GET', '/console/api/session', () =>
        signedIn ? json({ ...session, kind: 'pat' }) : problem(401, 'Not signed in', 'unauthenticated'),
      )
      .on('POST', '/console/api/session', () => {
        signedIn = true;
        return noContent();
      })
      .on('GET', '/core/agents', () => json(page([])));
    visit('/console/sign-in');
    render(<App />);
    fireEvent.change(await screen.findByLabelText('API key or personal access token'), {
      target: { value: 'pat_good.secret' },
    });
    fireEvent.change(screen.getByLabelText('Organization (optional)'), { target: { value: 'acme' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Agents' })).toBeTruthy();
    await waitFor(() => expect(window.location.pathname).toBe('/console/agents'));
    expect(screen.getByText('Acme Inc')).toBeTruthy();
    expect(await server.calls('POST', '/console/api/session')[0]?.json()).toEqual({
      credential: 'pat_good.secret',
      organization: 'acme',
    });
  });

  it('signs out and returns to the sign-in page', async () => {
    let signedIn = true;
    const server = fakeServer()
      .on('GET', '/console/api/session', () =>
        signedIn ? json(session) : problem(401, 'Not signed in', 'unauthenticated'),
      )
      .on('DELETE', '/console/api/session', () => {
        signedIn = false;
        return noContent();
      })
      .on('GET', '/core/agents', () => json(page([])));
    visit('/console/agents');
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to agentplane' })).toBeTruthy();
    expect(server.calls('DELETE', '/console/api/session')[0]?.headers.get('X-Agentplane-Console')).toBe('1');
  });
});
