/// <reference types="node" />
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../App';
import { agentDetail, invalid, json, signedIn, versionBody, visit } from '../test/fakeServer';
import { forgetSchema } from './VersionEditor';

// The schema exactly as GET /core/agent-config-schema serves it (saved from a
// real server; see test/fixtures/README.md). A change to the schema that the
// form can't draw fails these tests.
const servedSchema = JSON.parse(
  // vitest runs in web/console.
  readFileSync(join(process.cwd(), 'test/fixtures/agent-config-schema.json'), 'utf8'),
) as { $defs: Record<string, { properties?: Record<string, { enum?: string[] }> }> };

const id = '0190f3a0-0000-7000-8000-00000000a001';
const base = `/core/agents/${id}/versions`;

const config = {
  instructions: 'You answer the phone for Acme Plumbing.',
  language: 'en-US',
  max_tool_steps: 5,
  noise_cancellation: 'auto',
  interruption: { enabled: true },
  recording: { enabled: false, redact_pii: false },
  tools: [
    {
      name: 'book',
      actions: [
        { type: 'http', method: 'POST', url: 'https://example.com/book' },
        { type: 'play_message', text: 'Booked.' },
      ],
    },
  ],
};

function server(v = versionBody(id, 3, { config, description: 'wip' })) {
  return signedIn()
    .on('GET', `/core/agents/${id}`, () => json(agentDetail({ id, name: 'Support line' })))
    .on('GET', '/core/agent-config-schema', () => json(servedSchema))
    .on('GET', `${base}/${v.version}`, () =>
      new Response(JSON.stringify(v), { headers: { 'Content-Type': 'application/json', ETag: '"v3-1"' } }),
    )
    .on('POST', '/core/agent-config-schema/validate', async (r) => json({ valid: true, config: await r.json() }));
}

async function openEditor(n = 3) {
  visit(`/console/agents/${id}/versions/${n}`);
  render(<App />);
  return screen.findByLabelText(/^Max tool steps/, {}, { timeout: 3000 });
}

/** Every input, select and textarea has a name a screen reader can say. */
function unlabelled(container: HTMLElement): string[] {
  return [...container.querySelectorAll<HTMLElement>('input, select, textarea')]
    .filter((el) => {
      if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
      const labels = (el as HTMLInputElement).labels;
      return !labels || labels.length === 0 || [...labels].every((l) => l.textContent?.trim() === '');
    })
    .map((el) => el.id || el.outerHTML.slice(0, 80));
}

afterEach(() => forgetSchema());

describe('version editor', () => {
  it('draws every field of the served schema, each labelled', async () => {
    server();
    await openEditor();
    for (const label of [/^Instructions/, /^Language/, /^Noise cancellation/, /^Max tool steps/, /^Name/, /^Method/, /^URL/, /^Text/]) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
    expect((screen.getByLabelText(/^Instructions/) as HTMLTextAreaElement).value).toBe(config.instructions);
    expect((screen.getByLabelText(/^URL/) as HTMLInputElement).value).toBe('https://example.com/book');
    // Optional objects wait behind an "Add" button rather than showing empty required fields.
    for (const name of ['Add voice', 'Add LLM', 'Add STT', 'Add channel overrides']) {
      expect(screen.getByRole('button', { name })).toBeTruthy();
    }
    // A tool action's kind is a labelled choice among every kind the schema knows.
    const kinds = servedSchema.$defs.Action?.properties?.type?.enum ?? [];
    expect(kinds.length).toBeGreaterThan(10);
    const kind = screen.getByLabelText(/Action 1 Type/) as HTMLSelectElement;
    expect(kind.options).toHaveLength(kinds.length);
    expect(kind.selectedOptions[0]?.textContent).toBe('HTTP');
    expect((screen.getByLabelText(/Action 2 Type/) as HTMLSelectElement).selectedOptions[0]?.textContent).toBe(
      'Play message',
    );
    // Nullable values (a starting message) are a labelled choice with "None".
    const starting = screen.getByLabelText('Starting message') as HTMLSelectElement;
    expect(starting.selectedOptions[0]?.textContent).toBe('None');
    expect(unlabelled(document.body)).toEqual([]);
    expect(document.querySelectorAll('[style]')).toHaveLength(0);
  });

  it('edits every kind of tool action and the channel overrides', async () => {
    server();
    await openEditor();
    const kinds = servedSchema.$defs.Action?.properties?.type?.enum ?? [];
    const select = () => screen.getByLabelText(/Action 2 Type/) as HTMLSelectElement;
    for (const kind of kinds) {
      const option = [...select().options].find((o) => o.textContent?.toLowerCase().replaceAll(' ', '_') === kind);
      expect(option, `no option for ${kind}`).toBeTruthy();
      fireEvent.change(select(), { target: { value: option!.value } });
      await waitFor(() => expect(select().value).toBe(option!.value));
      // The kind's own required fields appear, labelled.
      expect(unlabelled(document.body)).toEqual([]);
    }
    // Fields of the kind left behind go: from a play message to a wait.
    fireEvent.change(select(), { target: { value: [...select().options].find((o) => o.textContent === 'Play message')!.value } });
    fireEvent.change(await screen.findByLabelText(/^Text/), { target: { value: 'Hold on.' } });
    fireEvent.change(select(), { target: { value: [...select().options].find((o) => o.textContent === 'Wait')!.value } });
    expect(await screen.findByLabelText(/^Seconds/)).toBeTruthy();
    expect(screen.queryByLabelText(/^Text/)).toBeNull();
    // A map of per-channel overrides: add the object, then one channel, then its field.
    fireEvent.click(screen.getByRole('button', { name: 'Add channel overrides' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Add telephone' }));
    const mode = (await screen.findByLabelText(/^Instructions mode/)) as HTMLSelectElement;
    expect([...mode.options].map((o) => o.textContent)).toEqual(['append', 'replace']);
    expect(unlabelled(document.body)).toEqual([]);
  });

  it('saves the draft with If-Match and shows the server errors beside their fields', async () => {
    const s = server().on('PUT', `${base}/3`, () =>
      invalid([
        { loc: ['body', 'config', 'max_tool_steps'], msg: 'max_tool_steps: maximum: got 500, want 100' },
        { loc: ['body', 'config', 'tools', 0, 'actions', 0, 'url'], msg: 'url must be an http(s) URL' },
        { loc: ['body', 'config', 'voice'], msg: 'unknown field voice' },
        { loc: ['body', 'description'], msg: 'description is too long' },
      ]),
    );
    const steps = await openEditor();
    fireEvent.change(steps, { target: { value: '500' } });
    fireEvent.change(screen.getByLabelText('Change note'), { target: { value: 'more steps' } });
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
    fireEvent.click(screen.getAllByRole('button', { name: 'Save draft' })[0]!);

    await screen.findByRole('heading', { name: '3 problems in the config' });
    const [put] = s.calls('PUT', `${base}/3`);
    expect(put?.headers.get('If-Match')).toBe('"v3-1"');
    expect(put?.headers.get('X-Agentplane-Console')).toBe('1');
    const body = (await put?.json()) as { config: typeof config; description: string };
    expect(body.description).toBe('more steps');
    expect(body.config.max_tool_steps).toBe(500);
    expect(body.config.tools[0]?.actions[0]?.url).toBe('https://example.com/book');

    // Beside the field, described by it, without repeating the path.
    const stepsInput = screen.getByLabelText(/^Max tool steps/);
    const stepsError = within(stepsInput.closest('.form-field') as HTMLElement).getByText('maximum: got 500, want 100');
    expect(stepsInput.getAttribute('aria-describedby')).toContain(stepsError.closest('ul')!.id);
    const url = screen.getByLabelText(/^URL/);
    expect(within(url.closest('.form-field') as HTMLElement).getByText('url must be an http(s) URL')).toBeTruthy();
    const note = screen.getByLabelText('Change note');
    expect(note.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(note.getAttribute('aria-describedby')!)?.textContent).toBe('description is too long');

    // The summary lists each config error with its place, and leads to the field.
    const summary = screen.getByRole('heading', { name: '3 problems in the config' }).parentElement!;
    const links = within(summary).getAllByRole('link');
    expect(links.map((l) => l.textContent)).toEqual(['max_tool_steps', 'tools[0].actions[0].url', 'voice']);
    expect(summary.textContent).toContain('unknown field voice');
    fireEvent.click(links[1]!);
    await waitFor(() => expect(document.activeElement).toBe(url));
  });

  it('checks the config with the server as it changes', async () => {
    const s = server().on('POST', '/core/agent-config-schema/validate', () =>
      invalid([{ loc: ['body', 'max_tool_steps'], msg: 'max_tool_steps: maximum: got 101, want 100' }]),
    );
    const steps = await openEditor();
    expect(s.calls('POST', '/core/agent-config-schema/validate')).toHaveLength(0);
    fireEvent.change(steps, { target: { value: '101' } });
    expect(await screen.findByText('maximum: got 101, want 100', {}, { timeout: 3000 })).toBeTruthy();
    expect(screen.getByText('The server finds 1 problem.')).toBeTruthy();
    const [check] = s.calls('POST', '/core/agent-config-schema/validate');
    expect(((await check?.json()) as { max_tool_steps: number }).max_tool_steps).toBe(101);
  });

  it('saves from the JSON view, and keeps bad JSON out of the form', async () => {
    let saved: unknown;
    server().on('PUT', `${base}/3`, async (r) => {
      saved = await r.json();
      const body = saved as { config: object; description: string };
      return json(versionBody(id, 3, { ...body, updated_at: '2026-01-02T04:00:00.000Z' }));
    });
    await openEditor();
    fireEvent.click(screen.getByRole('button', { name: 'JSON' }));
    const text = screen.getByLabelText('Config (JSON)') as HTMLTextAreaElement;
    expect(JSON.parse(text.value)).toEqual(config);
    fireEvent.change(text, { target: { value: '{"max_tool_steps": ' } });
    expect(screen.getByText(/^Not valid JSON/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Form' }));
    expect(screen.getByLabelText('Config (JSON)')).toBeTruthy(); // stays until the JSON parses
    fireEvent.change(text, { target: { value: JSON.stringify({ ...config, max_tool_steps: 9 }) } });
    fireEvent.click(screen.getByRole('button', { name: 'Form' }));
    expect((await screen.findByLabelText(/^Max tool steps/) as HTMLInputElement).value).toBe('9');
    fireEvent.click(screen.getAllByRole('button', { name: 'Save draft' })[0]!);
    expect(await screen.findByText(/^Saved v3/)).toBeTruthy();
    expect(saved).toEqual({ config: { ...config, max_tool_steps: 9 }, description: 'wip' });
    expect(screen.queryByText('Unsaved changes')).toBeNull();
  });

  it('opens a published version read-only and starts a new draft from it', async () => {
    const s = server(versionBody(id, 1, { config, published: true, published_at: '2026-01-02T03:04:05.000Z' }))
      .on('POST', base, () => json(versionBody(id, 4, { config, base_version: 1 }), 201))
      .on('GET', `${base}/4`, () => json(versionBody(id, 4, { config, base_version: 1 })));
    const steps = await openEditor(1);
    expect(steps.hasAttribute('readonly') || steps.hasAttribute('disabled')).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save draft' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Remove/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'New draft from this version' }));
    await waitFor(() => expect(window.location.pathname).toBe(`/console/agents/${id}/versions/4`));
    expect(await s.calls('POST', base)[0]?.json()).toEqual({ base_version: 1 });
    expect(await screen.findByRole('heading', { level: 1, name: 'v4' })).toBeTruthy();
    expect(screen.getAllByRole('button', { name: 'Save draft' }).length).toBeGreaterThan(0);
  });

  it('opens latest as the draft it names', async () => {
    server()
      .on('GET', `${base}/latest`, () => json(versionBody(id, 3, { config })))
      .on('GET', `${base}/3`, () => json(versionBody(id, 3, { config })));
    visit(`/console/agents/${id}/versions/latest`);
    render(<App />);
    await waitFor(() => expect(window.location.pathname).toBe(`/console/agents/${id}/versions/3`));
    expect(await screen.findByRole('heading', { level: 1, name: 'v3' })).toBeTruthy();
  });
});
