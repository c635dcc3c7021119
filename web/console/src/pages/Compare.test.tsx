import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { canonicalJson, fold, sideBySide } from '../compare/sideBySide';
import { agentDetail, json, page, problem, signedIn, versionBody, visit } from '../test/fakeServer';

const id = '0190f3a0-0000-7000-8000-00000000a001';
const base = `/core/agents/${id}/versions`;

/** A response body the test writes into piece by piece. */
function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const bytes = new TextEncoder();
  return {
    response: () => new Response(stream, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } }),
    write: (b: Uint8Array | string) => controller.enqueue(typeof b === 'string' ? bytes.encode(b) : b),
    close: () => controller.close(),
  };
}

function server() {
  return signedIn()
    .on('GET', `/core/agents/${id}`, () => json(agentDetail({ id, live_version: 1 })))
    .on('GET', base, () =>
      json(page([versionBody(id, 2), versionBody(id, 1, { published: true, published_at: '2026-01-02T03:04:05.000Z' })])),
    )
    .on('GET', `${base}/1`, () => json(versionBody(id, 1, { config: { language: 'en-US', max_tool_steps: 5, instructions: 'Hi.' } })))
    .on('GET', `${base}/2`, () => json(versionBody(id, 2, { config: { instructions: 'Hello.', max_tool_steps: 5, language: 'en-US' } })));
}

describe('compare page', () => {
  it('shows the summary as it streams in, then the side-by-side diff', async () => {
    const body = controlledStream();
    const s = server().on('POST', `${base}/compare`, () => body.response());
    visit(`/console/agents/${id}/compare?from=1&to=2`);
    render(<App />);

    const heading = await screen.findByRole('heading', { name: 'Summary of the changes from v1 to v2' });
    const region = heading.parentElement!.querySelector('[aria-live]')!;
    expect(region.getAttribute('aria-live')).toBe('polite');
    await waitFor(() => expect(s.calls('POST', `${base}/compare`)).toHaveLength(1));
    const [post] = s.calls('POST', `${base}/compare`);
    expect(await post?.json()).toEqual({ from_version: 1, to_version: 2 });
    expect(post?.headers.get('X-Agentplane-Console')).toBe('1');

    body.write('Instructions changed (3 ');
    await waitFor(() => expect(region.textContent).toBe('Instructions changed (3 '));
    expect(region.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    // "→" is three bytes: split across two chunks it still reads as one character.
    const arrow = new TextEncoder().encode('→ 6 characters).');
    body.write(arrow.slice(0, 1));
    body.write(arrow.slice(1));
    body.close();
    await waitFor(() => expect(region.textContent).toBe('Instructions changed (3 → 6 characters).'));
    await waitFor(() => expect(region.getAttribute('aria-busy')).toBe('false'));
    expect(screen.getByRole('button', { name: 'Summarize again' })).toBeTruthy();

    const table = await screen.findByRole('table');
    const removed = table.querySelectorAll('td.diff-text.diff-removed');
    const added = table.querySelectorAll('td.diff-text.diff-added');
    expect([...removed].map((td) => td.textContent)).toEqual(['−Removed:   "instructions": "Hi.",']);
    expect([...added].map((td) => td.textContent)).toEqual(['+Added:   "instructions": "Hello.",']);
    // Both sides line up: the changed line sits on one row.
    expect(removed[0]!.parentElement).toBe(added[0]!.parentElement);
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['v1', 'v2']);
  });

  it('says why the summary failed, and lets the reader pick other versions', async () => {
    server().on('POST', `${base}/compare`, () => problem(503, 'The language model is unavailable.', 'unavailable'));
    visit(`/console/agents/${id}/compare?from=1&to=2`);
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toContain('The language model is unavailable.');
    const from = screen.getByLabelText('From') as HTMLSelectElement;
    expect([...from.options].map((o) => o.textContent)).toEqual(['Choose a version', 'v2 (draft)', 'v1 (live)']);
    fireEvent.click(screen.getByRole('button', { name: 'Swap' }));
    await waitFor(() => expect(window.location.search).toBe('?from=2&to=1'));
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2' } });
    await waitFor(() => expect(window.location.search).toBe('?from=2&to=2'));
    expect(await screen.findByText('Choose two different versions.')).toBeTruthy();
  });
});

describe('side by side', () => {
  it('pairs a removed run with the added run that replaced it', () => {
    const rows = sideBySide('a\nb\nc\nd\n', 'a\nB\nc\nd\ne\n');
    expect(rows.map((r) => [r.left?.kind ?? '', r.left?.text ?? '', r.right?.kind ?? '', r.right?.text ?? ''])).toEqual([
      ['same', 'a', 'same', 'a'],
      ['removed', 'b', 'added', 'B'],
      ['same', 'c', 'same', 'c'],
      ['same', 'd', 'same', 'd'],
      ['', '', 'added', 'e'],
    ]);
    expect(rows.map((r) => [r.left?.number, r.right?.number])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [undefined, 5],
    ]);
  });

  it('folds long unchanged runs, keeping context around changes', () => {
    const from = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const to = from.replace('line 10', 'line ten');
    const blocks = fold(sideBySide(from, to), 2);
    expect(blocks.map((b) => `${b.kind}:${b.rows.length}`)).toEqual(['fold:8', 'rows:5', 'fold:7']);
  });

  it('writes canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}',
    );
  });
});
