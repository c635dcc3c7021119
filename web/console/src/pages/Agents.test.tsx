import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { agent, json, page, problem, session, signedIn, visit } from '../test/fakeServer';

describe('agents list', () => {
  it('renders a row per agent from the API', async () => {
    signedIn().on('GET', '/core/agents', () =>
      json(
        page([
          agent(),
          agent({ id: '0190f3a0-0000-7000-8000-00000000a002', name: 'Sales', live_version: null, active: false }),
        ]),
      ),
    );
    visit('/console/agents');
    render(<App />);
    const link = await screen.findByRole('link', { name: 'Support line' });
    expect(link.getAttribute('href')).toBe('/console/agents/0190f3a0-0000-7000-8000-00000000a001');
    const rows = within(screen.getByRole('table')).getAllByRole('row');
    expect(rows).toHaveLength(3); // header + 2
    expect(rows[1]?.textContent).toContain('v2');
    expect(rows[1]?.textContent).toContain('Yes');
    expect(rows[2]?.textContent).toContain('Sales');
    expect(rows[2]?.textContent).toContain('—');
    expect(rows[2]?.textContent).toContain('No');
    expect(screen.getByRole('link', { name: 'Agents' }).getAttribute('aria-current')).toBe('page');
  });

  it('searches by name', async () => {
    const server = signedIn().on('GET', '/core/agents', (req) => {
      const name = new URL(req.url).searchParams.get('name');
      return json(page(name === 'sal' ? [agent({ name: 'Sales' })] : [agent()]));
    });
    visit('/console/agents');
    render(<App />);
    await screen.findByRole('link', { name: 'Support line' });
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search by name' }), { target: { value: 'sal' } });
    expect(await screen.findByRole('link', { name: 'Sales' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Support line' })).toBeNull();
    const last = server.calls('GET', '/core/agents').at(-1);
    expect(new URL(last!.url).searchParams.get('name')).toBe('sal');
  });

  it('creates an agent and opens it', async () => {
    const created = agent({ id: '0190f3a0-0000-7000-8000-00000000a003', name: 'New one', live_version: null });
    const server = signedIn()
      .on('GET', '/core/agents', () => json(page([])))
      .on('POST', '/core/agents', () => json(created, 201))
      .on('GET', `/core/agents/${created.id}`, () => problem(404, 'Not found', 'not_found'));
    visit('/console/agents');
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: '  New one ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await waitFor(() => expect(window.location.pathname).toBe(`/console/agents/${created.id}`));
    const [post] = server.calls('POST', '/core/agents');
    expect(await post?.json()).toEqual({ name: 'New one' });
    expect(post?.headers.get('X-Agentplane-Console')).toBe('1');
  });

  it('sends the user to sign-in when a list call answers 401', async () => {
    let signedInNow = true;
    signedIn()
      .on('GET', '/console/api/session', () =>
        signedInNow ? json(session) : problem(401, 'Not signed in', 'unauthenticated'),
      )
      .on('GET', '/core/agents', () => {
        signedInNow = false;
        return problem(401, 'Session expired', 'unauthenticated');
      });
    visit('/console/agents');
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to agentplane' })).toBeTruthy();
  });
});
