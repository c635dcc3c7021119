// The webhooks page: create with the secret shown once, a refused URL, test
// events and deliveries, redelivery, enable/disable, rotation, deletion, and
// a read-only session.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { fakeServer, invalid, json, noContent, page, problem, session, visit } from '../test/fakeServer';

const id = '0190f3a0-0000-7000-8000-0000000000b1';
const url = 'https://hooks.example.com/in';

function as(scopes: string[]) {
  return fakeServer().on('GET', '/console/api/session', () => json({ ...session, scopes }));
}
const asAdmin = () => as(['agents:read', 'webhooks:manage', 'audit_log:read']);

function webhook(overrides: Record<string, unknown> = {}) {
  return {
    id,
    organization_id: session.organization_id,
    url,
    events: ['*'],
    description: 'Our receiver',
    enabled: true,
    created_at: '2026-01-02T03:04:05.000Z',
    updated_at: '2026-01-02T03:04:05.000Z',
    ...overrides,
  };
}

function delivery(overrides: Record<string, unknown> = {}) {
  return {
    id: '0190f3a0-0000-7000-8000-0000000000e1',
    webhook_id: id,
    event_id: '0190f3a0-0000-7000-8000-0000000000e1',
    event_type: 'webhook.test',
    status: 'pending',
    attempts: 1,
    last_status_code: null,
    last_error: 'dial tcp: lookup hooks.example.com: no such host',
    next_attempt_at: '2026-01-02T03:05:05.000Z',
    delivered_at: null,
    created_at: '2026-01-02T03:04:05.000Z',
    attempt_log: [
      {
        at: '2026-01-02T03:04:06.000Z',
        status_code: null,
        error: 'dial tcp: lookup hooks.example.com: no such host',
        duration_ms: 12,
      },
    ],
    ...overrides,
  };
}

const card = () => screen.findByRole('article', { name: url });

describe('webhooks', () => {
  it('creates a webhook and shows its secret once', async () => {
    let hooks: ReturnType<typeof webhook>[] = [];
    const s = asAdmin()
      .on('GET', '/admin/webhooks', () => json(page(hooks)))
      .on('POST', '/admin/webhooks', async (req) => {
        const body = (await req.json()) as { events: string[] };
        hooks = [webhook({ events: body.events })];
        return json({ ...hooks[0], secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' }, 201);
      });
    visit('/console/webhooks');
    render(<App />);
    expect(await screen.findByText('No webhooks.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Webhooks' }).getAttribute('aria-current')).toBe('page');

    fireEvent.change(screen.getByLabelText('Endpoint URL'), { target: { value: ` ${url} ` } });
    // From everything to every agent event and one version event.
    fireEvent.click(screen.getByLabelText('All events (*)'));
    fireEvent.click(screen.getByLabelText('Every agent event (agent.*)'));
    expect(screen.queryByLabelText('agent.created')).toBeNull();
    fireEvent.click(screen.getByLabelText('version.published'));
    fireEvent.change(screen.getByLabelText('Description (optional)'), { target: { value: 'Our receiver' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create webhook' }));

    const secret = (await screen.findByLabelText('Signing secret')) as HTMLInputElement;
    expect(secret.value).toBe('whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0');
    expect(screen.getByText(/you won’t see it again/)).toBeTruthy();
    const post = s.calls('POST', '/admin/webhooks')[0]!;
    expect(await post.json()).toEqual({ url, events: ['agent.*', 'version.published'], description: 'Our receiver' });
    expect(post.headers.get('X-Agentplane-Console')).toBe('1');

    const article = await card();
    expect(within(article).getByText('agent.*')).toBeTruthy();
    expect(within(article).getByText('Enabled')).toBeTruthy();
    expect(within(article).queryByText(/whsec_/)).toBeNull();
    // The form is ready for another: back to every event.
    expect((screen.getByLabelText('All events (*)') as HTMLInputElement).checked).toBe(true);
  });

  it('shows a refused URL at its field, and the server’s 503', async () => {
    const s = asAdmin()
      .on('GET', '/admin/webhooks', () => json(page([])))
      .on('POST', '/admin/webhooks', () =>
        invalid([{ loc: ['body', 'url'], msg: 'url is not allowed: 127.0.0.1 is a loopback address' }]),
      );
    visit('/console/webhooks');
    render(<App />);
    const field = await screen.findByLabelText('Endpoint URL');
    fireEvent.change(field, { target: { value: 'http://127.0.0.1/in' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create webhook' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('url')).toBeTruthy();
    expect(alert.textContent).toContain('127.0.0.1 is a loopback address');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field);
    expect(screen.queryByLabelText('Signing secret')).toBeNull();

    s.on('POST', '/admin/webhooks', () =>
      problem(503, 'Webhook secrets need AGENTPLANE_SECRET_KEY on PostgreSQL.', 'unavailable'),
    );
    fireEvent.change(field, { target: { value: url } });
    fireEvent.click(screen.getByRole('button', { name: 'Create webhook' }));
    expect(await screen.findByText('Webhook secrets need AGENTPLANE_SECRET_KEY on PostgreSQL.')).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBeNull();
  });

  it('sends a test event, lists deliveries with their attempts and redelivers one', async () => {
    let deliveries = [delivery({ id: 'old', event_id: 'old', event_type: 'agent.created', status: 'failed' })];
    const s = asAdmin()
      .on('GET', '/admin/webhooks', () => json(page([webhook()])))
      .on('POST', `/admin/webhooks/${id}/test`, () => {
        const d = delivery({ status: 'pending', attempts: 0, last_error: null, attempt_log: [] });
        deliveries = [d, ...deliveries];
        return json(d, 202);
      })
      .on('GET', `/admin/webhooks/${id}/deliveries`, () => json(page(deliveries)))
      .on('POST', `/admin/webhooks/${id}/deliveries/old/redeliver`, () => json(deliveries[1], 202));
    visit('/console/webhooks');
    render(<App />);
    const article = await card();
    expect(s.calls('GET', `/admin/webhooks/${id}/deliveries`)).toHaveLength(0);

    fireEvent.click(within(article).getByRole('button', { name: 'Send test event' }));
    expect(await within(article).findByText(/A webhook.test event is queued/)).toBeTruthy();
    expect(s.calls('POST', `/admin/webhooks/${id}/test`)[0]!.headers.get('X-Agentplane-Console')).toBe('1');
    const panel = within(article).getByRole('region', { name: 'Deliveries' });
    const testRow = (await within(panel).findByText('webhook.test')).closest('tr')!;
    expect(within(testRow).getByText('pending')).toBeTruthy();
    expect(within(article).getByRole('button', { name: 'Hide deliveries' }).getAttribute('aria-expanded')).toBe('true');

    // The first attempt failed: refresh shows it, and its log.
    deliveries[0] = delivery();
    fireEvent.click(within(panel).getByRole('button', { name: 'Refresh deliveries' }));
    await waitFor(() => expect(within(testRow).getByText('dial tcp: lookup hooks.example.com: no such host')).toBeTruthy());
    fireEvent.click(within(panel).getByRole('button', { name: /^Show attempts of webhook.test/ }));
    const log = within(panel).getByRole('table', { name: /^Attempts to deliver webhook.test/ });
    expect(within(log).getByText('12 ms')).toBeTruthy();

    fireEvent.click(within(panel).getByRole('button', { name: 'Redeliver agent.created old' }));
    expect(await within(panel).findByText('The agent.created event is queued to be sent again.')).toBeTruthy();
    expect(s.calls('POST', `/admin/webhooks/${id}/deliveries/old/redeliver`)).toHaveLength(1);
  });

  it('disables, rotates the secret of and deletes a webhook', async () => {
    let current = webhook();
    const s = asAdmin()
      .on('GET', '/admin/webhooks', () => json(page(current ? [current] : [])))
      .on('PATCH', `/admin/webhooks/${id}`, async (req) => {
        current = { ...current, ...((await req.json()) as object) };
        return json(current);
      })
      .on('POST', `/admin/webhooks/${id}/rotate-secret`, () => json({ ...current, secret: 'whsec_bmV3bmV3bmV3' }))
      .on('DELETE', `/admin/webhooks/${id}`, () => {
        current = undefined as unknown as typeof current;
        return noContent();
      });
    visit('/console/webhooks');
    render(<App />);
    const article = await card();

    fireEvent.click(within(article).getByRole('button', { name: 'Disable' }));
    expect(await within(article).findByRole('button', { name: 'Enable' })).toBeTruthy();
    expect(await s.calls('PATCH', `/admin/webhooks/${id}`)[0]!.json()).toEqual({ enabled: false });
    expect(within(article).getByText('Disabled')).toBeTruthy();
    expect((within(article).getByRole('button', { name: 'Send test event' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(within(article).getByRole('button', { name: 'Rotate secret' }));
    const rotate = await screen.findByRole('dialog', { name: 'Rotate the signing secret?' });
    fireEvent.click(within(rotate).getByRole('button', { name: 'Rotate secret' }));
    const secret = (await screen.findByLabelText('New signing secret')) as HTMLInputElement;
    expect(secret.value).toBe('whsec_bmV3bmV3bmV3');
    expect(s.calls('POST', `/admin/webhooks/${id}/rotate-secret`)).toHaveLength(1);

    fireEvent.click(within(article).getByRole('button', { name: 'Delete' }));
    const del = await screen.findByRole('dialog', { name: 'Delete this webhook?' });
    fireEvent.click(within(del).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('No webhooks.')).toBeTruthy();
    expect(s.calls('DELETE', `/admin/webhooks/${id}`)).toHaveLength(1);
    expect(screen.queryByLabelText('New signing secret')).toBeNull();
  });

  it('edits the URL, events and description', async () => {
    const s = asAdmin()
      .on('GET', '/admin/webhooks', () => json(page([webhook()])))
      .on('PATCH', `/admin/webhooks/${id}`, () => json(webhook({ events: ['version.*'] })));
    visit('/console/webhooks');
    render(<App />);
    fireEvent.click(within(await card()).getByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit webhook' });
    expect((within(dialog).getByLabelText('Endpoint URL') as HTMLInputElement).value).toBe(url);
    fireEvent.click(within(dialog).getByLabelText('All events (*)'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('Choose at least one event.')).toBeTruthy();
    fireEvent.click(within(dialog).getByLabelText('Every version event (version.*)'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(`Saved the webhook for ${url}.`)).toBeTruthy();
    expect(await s.calls('PATCH', `/admin/webhooks/${id}`)[0]!.json()).toEqual({
      url,
      events: ['version.*'],
      description: 'Our receiver',
    });
  });

  it('shows webhooks and deliveries without write controls to a session without webhooks:manage', async () => {
    const s = as(['agents:read', 'webhooks:read'])
      .on('GET', '/admin/webhooks', () => json(page([webhook()])))
      .on('GET', `/admin/webhooks/${id}/deliveries`, () => json(page([delivery()])));
    visit('/console/webhooks');
    render(<App />);
    const article = await card();
    expect(screen.getByText(/needs the/).textContent).toContain('webhooks:manage');
    expect(screen.queryByLabelText('Endpoint URL')).toBeNull();
    for (const name of ['Send test event', 'Disable', 'Edit', 'Rotate secret', 'Delete']) {
      expect(within(article).queryByRole('button', { name })).toBeNull();
    }
    fireEvent.click(within(article).getByRole('button', { name: 'Show deliveries' }));
    await within(article).findByText('webhook.test');
    expect(within(article).queryByRole('button', { name: /^Redeliver/ })).toBeNull();
    expect(within(article).getByRole('button', { name: /^Show attempts/ })).toBeTruthy();
    expect(s.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    // No audit_log:read: no audit log in the navigation.
    expect(screen.queryByRole('link', { name: 'Audit log' })).toBeNull();
  });

  it('explains, without calling the API, that webhooks need webhooks:read', async () => {
    const s = as(['agents:read']);
    visit('/console/webhooks');
    render(<App />);
    expect(await screen.findByText(/Webhooks need the/)).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Webhooks' })).toBeNull();
    await waitFor(() => expect(s.calls('GET', '/admin/webhooks')).toHaveLength(0));
  });
});
