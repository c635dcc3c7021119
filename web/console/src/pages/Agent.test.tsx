import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { agent, json, page, problem, signedIn, visit } from '../test/fakeServer';

const id = '0190f3a0-0000-7000-8000-00000000a001';
const stats = {
  total: 12,
  inbound: 10,
  outbound: 2,
  by_channel: {},
  by_status: {},
  total_duration_seconds: 600,
  average_duration_seconds: 50,
  last_conversation_at: null,
  completion_rate: 0.75,
};

function detail() {
  return {
    ...agent({ id, live_version: 1 }),
    versions: [],
    phone_numbers: [],
    web_widgets: [],
    sip_endpoint: { deployed: false, sip_uri: null, deployed_at: null },
    conversation_stats: stats,
    latest_published_version: 1,
  };
}

function version(n: number, published: boolean) {
  return {
    id: `0190f3a0-0000-7000-8000-00000000b00${n}`,
    agent_id: id,
    version: n,
    description: published ? 'first cut' : '',
    published,
    published_at: published ? '2026-01-02T03:04:05.000Z' : null,
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
  };
}

function server() {
  return signedIn()
    .on('GET', `/core/agents/${id}`, () => json(detail()))
    .on('GET', `/core/agents/${id}/versions`, () => json(page([version(2, false), version(1, true)])))
    .on('GET', `/core/agents/${id}/deployments`, () =>
      json(
        page([
          {
            id: 'd1',
            agent_id: id,
            kind: 'publish',
            version: 1,
            previous_version: null,
            percent: null,
            description: 'launch',
            actor: { type: 'user', id: 'u1', name: 'ada@example.com' },
            created_at: '2026-01-02T03:04:05.000Z',
          },
        ]),
      ),
    )
    .on('GET', `/core/agents/${id}/rollout`, () => problem(404, 'No rollout is running.', 'not_found'))
    .on('GET', '/core/phone-numbers', () => json(page([frontDesk])));
}

const frontDesk = {
  phone_number: '+14155550123',
  organization_id: '0190f3a0-0000-7000-8000-000000000001',
  label: 'Front desk line',
  trunk_id: null,
  outbound_shareable: false,
  inbound_agent_version_id: null,
  outbound_agent_version_id: null,
  inbound_agent_id: null,
  inbound_version: null,
  outbound_agent_id: null,
  outbound_version: null,
  created_at: '2026-01-02T03:04:05.000Z',
  updated_at: '2026-01-02T03:04:05.000Z',
};

describe('agent page', () => {
  it('shows the live badge, versions, stats and history', async () => {
    server();
    visit(`/console/agents/${id}`);
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Support line' })).toBeTruthy();
    expect(screen.getByText('Live v1')).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Status' })).queryByText(/Canary/)).toBeNull();
    expect(screen.getByText('75.0%')).toBeTruthy();
    expect(screen.getByText('12')).toBeTruthy();
    const versions = await screen.findByRole('button', { name: 'Publish v2' });
    expect(versions).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Publish v1' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Republish v1' })).toBeTruthy();
    const history = (await screen.findByText('launch')).closest('tr')!;
    expect(within(history).getByText('Publish')).toBeTruthy();
    expect(within(history).getByText('ada@example.com')).toBeTruthy();
  });

  it('shows the canary badge when a rollout runs', async () => {
    server().on('GET', `/core/agents/${id}/rollout`, () =>
      json({
        id: 'r1',
        version: 2,
        percent: 10,
        started_at: '2026-01-02T03:04:05.000Z',
        live: { version: 1, stats },
        canary: { version: 2, stats },
      }),
    );
    visit(`/console/agents/${id}`);
    render(<App />);
    expect(await screen.findByText('Canary v2 at 10%')).toBeTruthy();
  });

  it('publishes a draft with its note', async () => {
    const s = server().on('POST', `/core/agents/${id}/versions/2/publish`, () => json([]));
    visit(`/console/agents/${id}`);
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Publish v2' }));
    const dialog = await screen.findByRole('dialog', { name: 'Publish v2' });
    fireEvent.change(within(dialog).getByLabelText('Change note (optional)'), { target: { value: 'shorter greeting' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Publish' }));
    await waitFor(() => expect(s.calls('POST', `/core/agents/${id}/versions/2/publish`)).toHaveLength(1));
    const [post] = s.calls('POST', `/core/agents/${id}/versions/2/publish`);
    expect(await post?.json()).toEqual({ description: 'shorter greeting' });
    expect(post?.headers.get('X-Agentplane-Console')).toBe('1');
    expect(await screen.findByText('Published v2; it is now live.')).toBeTruthy();
  });

  it('pins a number inbound through the dialog and reloads the page', async () => {
    const s = server().on('POST', `/core/agents/${id}/versions/2/publish`, () =>
      json([{ ...frontDesk, inbound_agent_id: id, inbound_version: 2 }]),
    );
    visit(`/console/agents/${id}`);
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Publish v2' }));
    const dialog = await screen.findByRole('dialog', { name: 'Publish v2' });
    const agentLoads = s.calls('GET', `/core/agents/${id}`).length;
    fireEvent.click(await within(dialog).findByRole('checkbox', { name: '+14155550123 (Front desk line)' }));
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Inbound' }));
    fireEvent.change(within(dialog).getByLabelText('Change note (optional)'), { target: { value: 'Kinder' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Publish' }));
    expect(await screen.findByText('Published v2; it is now live. Pinned +14155550123 inbound to v2.')).toBeTruthy();
    const [post] = s.calls('POST', `/core/agents/${id}/versions/2/publish`);
    expect(await post?.json()).toEqual({ phone_numbers: ['+14155550123'], direction: 'inbound', description: 'Kinder' });
    await waitFor(() => expect(s.calls('GET', `/core/agents/${id}`).length).toBeGreaterThan(agentLoads));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('rolls back after confirmation and shows a refusal', async () => {
    const s = server().on('POST', `/core/agents/${id}/rollback`, () =>
      problem(409, 'There is no earlier live version to roll back to.', 'conflict'),
    );
    visit(`/console/agents/${id}`);
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Roll back' }));
    const dialog = await screen.findByRole('dialog', { name: 'Roll back the live version?' });
    expect(s.calls('POST', `/core/agents/${id}/rollback`)).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'There is no earlier live version to roll back to.',
    );
  });
});

describe('unknown pages', () => {
  it('shows a 404 page inside the layout', async () => {
    signedIn();
    visit('/console/no-such-page');
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(screen.getAllByRole('main')).toHaveLength(1);
  });
});
