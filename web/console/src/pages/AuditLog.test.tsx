// The audit log page: entries with their JSON Patch as a table, filters in
// the request and the address, paging, and the scope it needs.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { agentDetail, fakeServer, json, page, session, signedIn, visit } from '../test/fakeServer';

const adminSession = { ...session, scopes: ['agents:read', 'agents:manage', 'audit_log:read'] };
const agentId = '0190f3a0-0000-7000-8000-00000000a001';

function asAdmin() {
  return fakeServer().on('GET', '/console/api/session', () => json(adminSession));
}

function entry(overrides: Record<string, unknown> = {}) {
  return {
    id: '0190f3a0-0000-7000-8000-0000000000d1',
    organization_id: session.organization_id,
    occurred_at: '2026-01-02T03:04:05.000Z',
    actor: { type: 'org_key', id: '0190f3a0-0000-7000-8000-000000000002', name: 'ci key' },
    credential_id: '0190f3a0-0000-7000-8000-000000000002',
    action: 'agent.updated',
    resource_type: 'agent',
    resource_id: agentId,
    agent_id: agentId,
    request_id: 'req-123',
    ip: '203.0.113.7',
    via: 'api',
    changes: [
      { op: 'replace', path: '/name', value: 'Front desk' },
      { op: 'remove', path: '/metadata/team' },
      { op: 'add', path: '/description', value: 'Answers the phone' },
    ],
    ...overrides,
  };
}

const created = entry({
  id: '0190f3a0-0000-7000-8000-0000000000d2',
  action: 'webhook.created',
  resource_type: 'webhook',
  resource_id: '0190f3a0-0000-7000-8000-0000000000w1',
  agent_id: null,
  actor: { type: 'user', id: 'u1', name: 'ada@example.com' },
  via: 'cli',
  request_id: null,
  changes: [{ op: 'add', path: '', value: { url: 'https://hooks.example.com/in', events: ['*'] } }],
});

describe('audit log', () => {
  it('lists entries newest first and shows an entry’s changes as a diff', async () => {
    asAdmin().on('GET', '/admin/audit-log', () => json(page([entry(), created])));
    visit('/console/audit-log');
    render(<App />);

    await screen.findByText('req-123');
    const table = screen.getByRole('table');
    expect(screen.getByRole('link', { name: 'Audit log' }).getAttribute('aria-current')).toBe('page');
    const [, first, second] = within(table).getAllByRole('row');
    expect(within(first!).getByText('agent.updated')).toBeTruthy();
    expect(within(first!).getByText('(API key)')).toBeTruthy();
    expect(within(first!).getByRole('link', { name: agentId }).getAttribute('href')).toBe(`/console/agents/${agentId}`);
    expect(within(first!).getByText('req-123')).toBeTruthy();
    expect(within(second!).getByText('webhook.created')).toBeTruthy();
    expect(within(second!).getByText('(member)')).toBeTruthy();
    expect(within(second!).getByText('cli')).toBeTruthy();
    expect(within(second!).queryByRole('link')).toBeNull();

    const show = within(first!).getByRole('button', { name: /^Show changes/ });
    expect(show.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(show);
    expect(show.getAttribute('aria-expanded')).toBe('true');
    const diff = screen.getByRole('table', { name: `Changes of agent.updated on agent ${agentId}` });
    const rows = within(diff).getAllByRole('row').slice(1);
    expect(rows.map((r) => [r.className, r.textContent])).toEqual([
      ['diff-replaced', '~Replaced/name"Front desk"'],
      ['diff-removed', '−Removed/metadata/team—'],
      ['diff-added', '+Added/description"Answers the phone"'],
    ]);
    expect(show.getAttribute('aria-controls')).toBe(diff.closest('tr.detail-row')!.id);
    expect(screen.getByRole('link', { name: 'only this actor’s changes' }).getAttribute('href')).toBe(
      '/console/audit-log?actor_id=0190f3a0-0000-7000-8000-000000000002',
    );

    // A creation adds the whole resource at "".
    fireEvent.click(within(second!).getByRole('button', { name: /^Show changes/ }));
    const whole = screen.getByRole('table', { name: /^Changes of webhook.created/ });
    expect(within(whole).getByText('(the whole resource)')).toBeTruthy();
    expect(within(whole).getByText(/"url": "https:\/\/hooks.example.com\/in"/)).toBeTruthy();

    fireEvent.click(within(first!).getByRole('button', { name: /^Hide changes/ }));
    expect(screen.queryByRole('table', { name: /^Changes of agent.updated/ })).toBeNull();
  });

  it('sends the filters as the query, keeps them in the address and pages on', async () => {
    const s = asAdmin().on('GET', '/admin/audit-log', (req) => {
      const q = new URL(req.url).searchParams;
      if (q.get('cursor') === 'p2') return json(page([entry({ id: 'older', action: 'webhook.updated' })]));
      if (q.get('action')) return json(page([created], 'p2'));
      return json(page([entry()]));
    });
    visit('/console/audit-log');
    render(<App />);
    await within(await screen.findByRole('table')).findByText('agent.updated');
    const action = screen.getByLabelText('Action') as HTMLSelectElement;
    expect([...action.options].some((o) => o.value === 'webhook.*')).toBe(true);
    fireEvent.change(action, { target: { value: 'webhook.created' } });
    fireEvent.change(screen.getByLabelText('Actor id'), { target: { value: ' u1 ' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-01-02T00:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));

    expect(await within(screen.getByRole('table')).findByText('webhook.created')).toBeTruthy();
    const q = new URL(s.calls('GET', '/admin/audit-log').at(-1)!.url).searchParams;
    expect(q.get('action')).toBe('webhook.created');
    expect(q.get('actor_id')).toBe('u1');
    expect(q.get('created_after')).toBe(new Date('2026-01-02T00:00').toISOString());
    expect(q.get('agent_id')).toBeNull();
    expect(new URLSearchParams(window.location.search).get('action')).toBe('webhook.created');
    expect(window.location.pathname).toBe('/console/audit-log');

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await within(screen.getByRole('table')).findByText('webhook.updated')).toBeTruthy();
    const more = new URL(s.calls('GET', '/admin/audit-log').at(-1)!.url).searchParams;
    expect([more.get('cursor'), more.get('action')]).toEqual(['p2', 'webhook.created']);

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(window.location.search).toBe(''));
    expect(await within(screen.getByRole('table')).findByText('agent.updated')).toBeTruthy();
    expect((screen.getByLabelText('Action') as HTMLSelectElement).value).toBe('');
  });

  it('reads filters from the address', async () => {
    const s = asAdmin().on('GET', '/admin/audit-log', () => json(page([])));
    visit(`/console/audit-log?agent_id=${agentId}&action=agent.*`);
    render(<App />);
    expect(await screen.findByText('No entries match these filters.')).toBeTruthy();
    const q = new URL(s.calls('GET', '/admin/audit-log')[0]!.url).searchParams;
    expect([q.get('agent_id'), q.get('action')]).toEqual([agentId, 'agent.*']);
    expect((screen.getByLabelText('Agent id') as HTMLInputElement).value).toBe(agentId);
    expect((screen.getByLabelText('Action') as HTMLSelectElement).value).toBe('agent.*');
  });

  it('is linked from an agent’s page', async () => {
    asAdmin()
      .on('GET', `/core/agents/${agentId}`, () => json(agentDetail({ id: agentId })))
      .on('GET', `/core/agents/${agentId}/versions`, () => json(page([])))
      .on('GET', `/core/agents/${agentId}/deployments`, () => json(page([])));
    visit(`/console/agents/${agentId}`);
    render(<App />);
    const link = await screen.findByRole('link', { name: 'Every change to this agent, in the audit log' });
    expect(link.getAttribute('href')).toBe(`/console/audit-log?agent_id=${agentId}`);
  });

  it('is not offered without audit_log:read', async () => {
    const s = signedIn();
    visit('/console/audit-log');
    render(<App />);
    expect(await screen.findByText(/needs the/)).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Audit log' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Webhooks' })).toBeNull();
    expect(s.calls('GET', '/admin/audit-log')).toHaveLength(0);
  });
});
