// API keys' copy button, web widgets and workflows.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { agent, json, noContent, page, signedIn, versionBody, visit } from '../test/fakeServer';

afterEach(() => {
  vi.useRealTimers();
});

describe('API keys', () => {
  it('shows a new key once with a copy button that falls back to selecting it', async () => {
    signedIn()
      .on('GET', '/admin/organization-pats', () => json(page([])))
      .on('POST', '/admin/organization-pats', () =>
        json(
          {
            key_id: 'k1',
            name: 'ci',
            pat_key: 'ak_k1.s3cret',
            scopes: [],
            created_at: '2026-01-02T03:04:05.000Z',
            expires_at: null,
          },
          201,
        ),
      );
    // No Clipboard API (plain http off localhost): the text gets selected instead.
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    visit('/console/api-keys');
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: 'ci' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    const secret = (await screen.findByLabelText('Secret key')) as HTMLInputElement;
    expect(secret.value).toBe('ak_k1.s3cret');
    fireEvent.click(screen.getByRole('button', { name: 'Copy secret key' }));
    expect(await screen.findByText(/press Ctrl\+C/)).toBeTruthy();
    expect(document.activeElement).toBe(secret);
    expect([secret.selectionStart, secret.selectionEnd]).toEqual([0, secret.value.length]);
  });
});

const agentId = '0190f3a0-0000-7000-8000-00000000a001';

describe('web widgets', () => {
  it('creates a widget for a published version and deletes one', async () => {
    const v1 = versionBody(agentId, 1, { published: true });
    const widget = {
      id: '0190f3a0-0000-7000-8000-0000000000f1',
      organization_id: 'o1',
      name: 'Shop helper',
      agent_id: agentId,
      agent_version_id: v1.id,
      domains: ['https://shop.example.com'],
      published: true,
      config: {},
      created_at: '2026-01-02T03:04:05.000Z',
      updated_at: '2026-01-02T03:04:05.000Z',
    };
    const s = signedIn()
      .on('GET', '/core/web-widgets', () => json(page([widget])))
      .on('GET', '/core/agents', () => json(page([agent({ id: agentId })])))
      .on('GET', `/core/agents/${agentId}/versions`, () => json(page([v1])))
      .on('POST', '/core/web-widgets', () => json({ ...widget, id: 'w2', name: 'Support' }, 201))
      .on('DELETE', `/core/web-widgets/${widget.id}`, () => noContent());
    visit('/console/web-widgets');
    render(<App />);
    const row = (await screen.findByRole('button', { name: 'Delete Shop helper' })).closest('tr')!;
    expect(within(row).getByText('https://shop.example.com')).toBeTruthy();
    expect(within(row).getByRole('link', { name: 'Support line' })).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Support' } });
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: agentId } });
    await waitFor(() => expect((screen.getByLabelText('Published version') as HTMLSelectElement).disabled).toBe(false));
    fireEvent.change(screen.getByLabelText('Allowed origins (optional)'), {
      target: { value: 'example.com, https://shop.example.com\nhttp://localhost:3000' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create widget' }));
    expect(await screen.findByText('Widget Support created.')).toBeTruthy();
    expect(await s.calls('POST', '/core/web-widgets')[0]?.json()).toEqual({
      name: 'Support',
      agent_id: agentId,
      agent_version_id: v1.id,
      domains: ['example.com', 'https://shop.example.com', 'http://localhost:3000'],
      published: true,
    });
    expect(new URL(s.calls('GET', `/core/agents/${agentId}/versions`)[0]!.url).searchParams.get('published')).toBe('true');

    fireEvent.click(within(row).getByRole('button', { name: 'Delete Shop helper' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete Shop helper?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Widget Shop helper deleted.')).toBeTruthy();
    expect(s.calls('DELETE', `/core/web-widgets/${widget.id}`)).toHaveLength(1);
  });
});

describe('workflows', () => {
  const wf = (status: string, steps: [string, string][]) => ({
    workflow_id: '0190f3a0-0000-7000-8000-0000000000e1',
    kind: 'create_from_website',
    status,
    steps: steps.map(([name, s]) => ({
      name,
      status: s,
      started_at: s === 'pending' ? null : '2026-01-02T03:04:05.000Z',
      finished_at: s === 'succeeded' ? '2026-01-02T03:04:06.000Z' : null,
    })),
    agent_id: agentId,
    version: 1,
    error: null,
    created_at: '2026-01-02T03:04:05.000Z',
    updated_at: '2026-01-02T03:04:06.000Z',
  });

  it('lists workflows with their progress', async () => {
    signedIn().on('GET', '/core/workflows', () =>
      json(page([wf('succeeded', [['fetch_website', 'succeeded'], ['write_instructions', 'succeeded']])])),
    );
    visit('/console/workflows');
    render(<App />);
    const row = (await screen.findByRole('link', { name: 'Create an agent from a website' })).closest('tr')!;
    expect(within(row).getByText('Succeeded')).toBeTruthy();
    expect(within(row).getByText('2 of 2')).toBeTruthy();
  });

  it("shows a workflow's steps and asks again while it runs", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const answers = [
      wf('running', [['fetch_website', 'running'], ['write_instructions', 'pending']]),
      wf('running', [['fetch_website', 'succeeded'], ['write_instructions', 'running']]),
      wf('succeeded', [['fetch_website', 'succeeded'], ['write_instructions', 'succeeded']]),
    ];
    let n = 0;
    const path = `/core/workflows/${answers[0]!.workflow_id}`;
    const s = signedIn().on('GET', path, () => json(answers[Math.min(n++, answers.length - 1)]));
    visit(`/console${path.replace('/core', '')}`);
    render(<App />);
    expect(await screen.findByText('0 of 2 steps finished; this page updates by itself.')).toBeTruthy();
    const running = document.querySelector('li[aria-current="step"]');
    expect(running?.textContent).toContain('fetch website');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2100);
    });
    expect(await screen.findByText('1 of 2 steps finished; this page updates by itself.')).toBeTruthy();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2100);
    });
    expect(await screen.findByText('2 of 2 steps finished.')).toBeTruthy();
    const progress = document.querySelector('progress')!;
    expect([progress.getAttribute('value'), progress.getAttribute('max')]).toEqual(['2', '2']);
    // Done: no more asking.
    await act(async () => {
      await vi.advanceTimersByTimeAsync(6000);
    });
    expect(s.calls('GET', path)).toHaveLength(3);
  });
});

describe('members', () => {
  it('adds a member and shows their invitation link once', async () => {
    const s = signedIn()
      .on('GET', '/admin/members', () => json(page([])))
      .on('POST', '/admin/members', () =>
        json(
          {
            user_id: 'u2',
            organization_id: 'o1',
            email: 'ada@example.com',
            role: 'admin',
            created_at: '2026-01-02T03:04:05.000Z',
            updated_at: '2026-01-02T03:04:05.000Z',
            invite_url: '/console/invite/t0ken',
          },
          201,
        ),
      );
    visit('/console/members');
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: ' ada@example.com ' } });
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'admin' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add member' }));
    const link = (await screen.findByLabelText('Invitation link')) as HTMLInputElement;
    expect(link.value).toBe('http://localhost:8080/console/invite/t0ken');
    expect(await s.calls('POST', '/admin/members')[0]?.json()).toEqual({ email: 'ada@example.com', role: 'admin' });
    expect(s.calls('GET', '/admin/members').length).toBeGreaterThan(1);
  });
});
