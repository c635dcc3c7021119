import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { agentDetail, json, noContent, page, problem, signedIn, versionBody, visit } from '../test/fakeServer';
import { statusBars } from './Agent';
import { formatDuration } from './Canary';

const id = '0190f3a0-0000-7000-8000-00000000a001';

function stats(total: number, completion_rate: number | null, average_duration_seconds: number) {
  return {
    total,
    inbound: total,
    outbound: 0,
    by_channel: {},
    by_status: {},
    total_duration_seconds: total * average_duration_seconds,
    average_duration_seconds,
    last_conversation_at: null,
    completion_rate,
  };
}

const summaries = [3, 2, 1].map((n) => {
  const v = versionBody(id, n, { published: n < 3, published_at: n < 3 ? '2026-01-02T03:04:05.000Z' : null });
  return { id: v.id, version: n, description: '', published: v.published, published_at: v.published_at, created_at: v.created_at, updated_at: v.updated_at };
});

const rollout = {
  id: 'r1',
  version: 2,
  percent: 20,
  started_at: '2026-01-02T03:04:05.000Z',
  live: { version: 1, stats: stats(40, 0.75, 61) },
  canary: { version: 2, stats: stats(10, 0.9, 45) },
};

function server(running: boolean) {
  return signedIn()
    .on('GET', `/core/agents/${id}`, () =>
      json(
        agentDetail({
          id,
          live_version: 1,
          versions: summaries,
          conversation_stats: { ...stats(50, 0.8, 58), by_status: { failed: 2, completed: 40, in_progress: 8 } },
        }),
      ),
    )
    .on('GET', `/core/agents/${id}/versions`, () => json(page([])))
    .on('GET', `/core/agents/${id}/deployments`, () => json(page([])))
    .on('GET', `/core/agents/${id}/rollout`, () =>
      running ? json(rollout) : problem(404, 'No rollout is running.', 'not_found'),
    );
}

async function canarySection() {
  const heading = await screen.findByRole('heading', { name: 'Canary rollout' });
  return heading.parentElement as HTMLElement;
}

describe('canary controls', () => {
  it('start a canary of a published version that is not live', async () => {
    const s = server(false).on('PUT', `/core/agents/${id}/rollout`, () => json(rollout));
    visit(`/console/agents/${id}`);
    render(<App />);
    const section = await canarySection();
    const version = (await within(section).findByLabelText('Version')) as HTMLSelectElement;
    // v2 is published and not live; v1 is live; v3 is a draft.
    expect([...version.options].map((o) => o.textContent)).toEqual(['v2']);
    const percent = within(section).getByLabelText('Share of conversations (%)') as HTMLInputElement;
    expect([percent.min, percent.max, percent.value]).toEqual(['1', '99', '10']);
    fireEvent.change(percent, { target: { value: '20' } });
    fireEvent.change(within(section).getByLabelText('Note (optional)'), { target: { value: 'try the new greeting' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Start canary' }));
    await waitFor(() => expect(s.calls('PUT', `/core/agents/${id}/rollout`)).toHaveLength(1));
    const [put] = s.calls('PUT', `/core/agents/${id}/rollout`);
    expect(await put?.json()).toEqual({ version: 2, percent: 20, description: 'try the new greeting' });
    expect(await screen.findByText('Canary started: v2 answers 20% of new conversations.')).toBeTruthy();
  });

  it('shows a refusal from the server', async () => {
    server(false).on('PUT', `/core/agents/${id}/rollout`, () =>
      json({ detail: 'percent must be between 1 and 99', code: 'invalid', errors: [{ loc: ['body', 'percent'], msg: 'percent must be between 1 and 99', type: 'range' }] }, 422),
    );
    visit(`/console/agents/${id}`);
    render(<App />);
    const section = await canarySection();
    fireEvent.click(await within(section).findByRole('button', { name: 'Start canary' }));
    expect((await within(section).findByRole('alert')).textContent).toContain('percent must be between 1 and 99');
  });

  it('compares live and canary side by side, retunes, promotes and ends', async () => {
    const s = server(true)
      .on('PUT', `/core/agents/${id}/rollout`, () => json({ ...rollout, percent: 35 }))
      .on('POST', `/core/agents/${id}/rollout/promote`, () => json({ live_version: 2, previous_version: 1, phone_numbers: [] }))
      .on('DELETE', `/core/agents/${id}/rollout`, () => noContent());
    visit(`/console/agents/${id}`);
    render(<App />);
    const section = await canarySection();
    const table = await within(section).findByRole('table');
    const cells = [...table.querySelectorAll('tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(cells).toEqual([
      ['', 'Live v1', 'Canary v2'],
      ['Conversations', '40', '10'],
      ['Completion rate', '75.0%', '90.0%'],
      ['Average duration', '1 min 1 s', '45 s'],
    ]);

    const share = within(section).getByLabelText('Canary share (%)');
    expect((share as HTMLInputElement).value).toBe('20');
    fireEvent.change(share, { target: { value: '35' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Change share' }));
    await waitFor(() => expect(s.calls('PUT', `/core/agents/${id}/rollout`)).toHaveLength(1));
    expect(await s.calls('PUT', `/core/agents/${id}/rollout`)[0]?.json()).toEqual({ version: 2, percent: 35 });
    expect(await screen.findByText('The canary now answers 35% of new conversations.')).toBeTruthy();

    fireEvent.click(within(section).getByRole('button', { name: 'Promote v2 to live' }));
    const promote = await screen.findByRole('dialog', { name: 'Promote v2 to live?' });
    expect(s.calls('POST', `/core/agents/${id}/rollout/promote`)).toHaveLength(0);
    fireEvent.click(within(promote).getByRole('button', { name: 'Promote' }));
    expect(await screen.findByText('Promoted: v2 is live (was v1).')).toBeTruthy();
    expect(s.calls('POST', `/core/agents/${id}/rollout/promote`)[0]?.headers.get('X-Agentplane-Console')).toBe('1');

    fireEvent.click(within(section).getByRole('button', { name: 'End the canary' }));
    const end = await screen.findByRole('dialog', { name: 'End the canary?' });
    fireEvent.click(within(end).getByRole('button', { name: 'End canary' }));
    expect(await screen.findByText('Canary ended: v1 answers every conversation again.')).toBeTruthy();
    expect(s.calls('DELETE', `/core/agents/${id}/rollout`)).toHaveLength(1);
  });
});

describe('conversation stats chart', () => {
  it('lists the statuses in a fixed order, with the numbers in a table', async () => {
    expect(statusBars({ in_progress: 8, failed: 2, completed: 40, cancelled: 0, zzz: 1 })).toEqual([
      { label: 'completed', value: 40 },
      { label: 'failed', value: 2 },
      { label: 'in progress', value: 8 },
      { label: 'zzz', value: 1 },
    ]);
    server(false);
    visit(`/console/agents/${id}`);
    render(<App />);
    const table = await screen.findByRole('table', { name: 'Conversations by status' });
    expect([...table.querySelectorAll('tbody tr')].map((tr) => tr.textContent)).toEqual([
      'completed40',
      'failed2',
      'in progress8',
    ]);
    expect(document.querySelector('.chart-canvas')?.getAttribute('aria-hidden')).toBe('true');
  });

  it('writes durations', () => {
    expect(formatDuration(0, 0)).toBe('—');
    expect(formatDuration(59.6, 3)).toBe('1 min');
    expect(formatDuration(125, 3)).toBe('2 min 5 s');
  });
});
