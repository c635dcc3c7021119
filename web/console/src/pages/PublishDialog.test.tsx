import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { json, page, problem, signedIn } from '../test/fakeServer';
import { liveHint, publishMessage, PublishDialog } from './PublishDialog';

const agentId = '0190f3a0-0000-7000-8000-00000000a001';
const otherAgent = '0190f3a0-0000-7000-8000-00000000a002';
const publishPath = (n: number) => `/core/agents/${agentId}/versions/${n}/publish`;

function number(phone: string, label: string | null, slots: Record<string, unknown> = {}) {
  return {
    phone_number: phone,
    organization_id: '0190f3a0-0000-7000-8000-000000000001',
    label,
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
    ...slots,
  };
}

const frontDesk = number('+14155550123', 'Front desk line');
const sales = number('+14155550124', 'Sales', {
  inbound_agent_id: agentId,
  inbound_version: 1,
  inbound_agent_version_id: 'v1',
});
const support = number('+14155550125', null, { outbound_agent_id: otherAgent, outbound_version: 3 });

/** A server with the organization's numbers on two pages. */
function server() {
  return signedIn().on('GET', '/core/phone-numbers', (req) =>
    new URL(req.url).searchParams.get('cursor') === 'p2'
      ? json(page([support]))
      : json(page([frontDesk, sales], 'p2')),
  );
}

function renderDialog(props: Partial<Parameters<typeof PublishDialog>[0]> = {}) {
  const onDone = vi.fn();
  const onClose = vi.fn();
  render(
    <PublishDialog
      agentId={agentId}
      version={2}
      published={false}
      liveVersion={1}
      pinned={[sales]}
      onClose={onClose}
      onDone={onDone}
      {...props}
    />,
  );
  return { onDone, onClose, dialog: screen.getByRole('dialog', { name: props.published ? 'Republish v2' : 'Publish v2' }) };
}

describe('publish dialog', () => {
  it('lists the numbers with what their slots pin, page after page', async () => {
    const s = server();
    const { dialog } = renderDialog();
    const pins = within(dialog).getByRole('group', { name: 'Pin phone numbers to v2' });
    const box = await within(pins).findByRole('checkbox', { name: '+14155550123 (Front desk line)' });
    expect(box.getAttribute('aria-describedby')).toBeTruthy();
    expect(within(pins).getByRole('checkbox', { name: '+14155550124 (Sales)' })).toBeTruthy();
    expect(within(pins).getByText('Inbound: v1 of this agent · Outbound: nothing')).toBeTruthy();
    fireEvent.click(within(pins).getByRole('button', { name: 'Load more' }));
    expect(await within(pins).findByRole('checkbox', { name: '+14155550125' })).toBeTruthy();
    expect(within(pins).getByText('Inbound: nothing · Outbound: another agent')).toBeTruthy();
    expect(s.calls('GET', '/core/phone-numbers')).toHaveLength(2);
    // Unassigning offers the numbers that pin this agent.
    const unassign = within(dialog).getByRole('group', { name: 'Unassign phone numbers from this agent' });
    const unassignBoxes = within(unassign).getAllByRole('checkbox') as HTMLInputElement[];
    expect(unassignBoxes.map((c) => c.labels?.[0]?.textContent)).toEqual(['Unassign +14155550124 (Sales)']);
    // Direction: a radio group, inbound by default.
    const direction = within(dialog).getByRole('group', { name: 'Direction' });
    expect((within(direction).getByRole('radio', { name: 'Inbound' }) as HTMLInputElement).checked).toBe(true);
    expect(within(direction).getAllByRole('radio').map((r) => (r as HTMLInputElement).labels?.[0]?.textContent)).toEqual([
      'Inbound',
      'Outbound',
      'Both',
    ]);
  });

  it('sends the numbers, the direction and the note, and reports what changed', async () => {
    const s = server().on('POST', publishPath(2), () =>
      json([{ ...frontDesk, outbound_agent_id: agentId, outbound_version: 2 }, { ...sales, outbound_agent_id: agentId }]),
    );
    const { dialog, onDone } = renderDialog();
    fireEvent.click(await within(dialog).findByRole('checkbox', { name: '+14155550123 (Front desk line)' }));
    fireEvent.click(within(dialog).getByRole('checkbox', { name: '+14155550124 (Sales)' }));
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Outbound' }));
    fireEvent.change(within(dialog).getByLabelText('Change note (optional)'), { target: { value: '  kinder  ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Publish' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    const [post] = s.calls('POST', publishPath(2));
    expect(await post?.json()).toEqual({
      phone_numbers: ['+14155550123', '+14155550124'],
      direction: 'outbound',
      description: 'kinder',
    });
    expect(post?.headers.get('X-Agentplane-Console')).toBe('1');
    expect(onDone).toHaveBeenCalledWith('Published v2; it is now live. Pinned +14155550123, +14155550124 outbound to v2.');
  });

  it('unassigns a number, never pinning and unassigning one number at once', async () => {
    const s = server().on('POST', publishPath(2), () => json([{ ...sales, inbound_agent_id: null, inbound_version: null }]));
    const { dialog, onDone } = renderDialog({ published: true, liveVersion: 2 });
    const pin = await within(dialog).findByRole('checkbox', { name: '+14155550124 (Sales)' });
    const unassign = within(dialog).getByRole('checkbox', { name: 'Unassign +14155550124 (Sales)' });
    fireEvent.click(pin);
    fireEvent.click(unassign);
    expect((pin as HTMLInputElement).checked).toBe(false);
    expect((unassign as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Both' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Publish' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    const [post] = s.calls('POST', publishPath(2));
    expect(await post?.json()).toEqual({
      unassign_phone_numbers: ['+14155550124'],
      direction: 'both',
      description: null,
    });
    expect(onDone).toHaveBeenCalledWith(
      'Unassigned +14155550124 inbound and outbound from this agent. The live version stays v2.',
    );
  });

  it('says what happens to the live version', async () => {
    server();
    const { dialog } = renderDialog({ published: true, liveVersion: 1 });
    const publish = within(dialog).getByRole('button', { name: 'Publish' });
    const hint = () => document.getElementById(publish.getAttribute('aria-describedby')!)!.textContent;
    expect(hint()).toContain('publishing it again without numbers makes it live again in place of v1');
    fireEvent.click(await within(dialog).findByRole('checkbox', { name: '+14155550123 (Front desk line)' }));
    expect(hint()).toContain('with numbers chosen this only re-pins them. The live version stays v1.');
  });

  it('shows the API’s detail when a number is not registered, and stays open', async () => {
    server().on('POST', publishPath(2), () =>
      problem(404, 'phone number +14155550123 is not registered in this organization', 'not_found'),
    );
    const { dialog, onDone } = renderDialog();
    fireEvent.click(await within(dialog).findByRole('checkbox', { name: '+14155550123 (Front desk line)' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Publish' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'phone number +14155550123 is not registered in this organization',
    );
    expect(onDone).not.toHaveBeenCalled();
    expect((within(dialog).getByRole('button', { name: 'Publish' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('still publishes when the numbers cannot be listed', async () => {
    const s = signedIn()
      .on('GET', '/core/phone-numbers', () => problem(403, 'This credential lacks phone_numbers:read.', 'forbidden'))
      .on('POST', publishPath(2), () => json([]));
    const { dialog, onDone } = renderDialog({ pinned: [] });
    expect((await within(dialog).findByRole('alert')).textContent).toContain('lacks phone_numbers:read');
    expect(within(dialog).queryByRole('group', { name: /Unassign/ })).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Publish' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('Published v2; it is now live.'));
    expect(await s.calls('POST', publishPath(2))[0]?.json()).toEqual({ description: null });
  });
});

describe('publish texts', () => {
  it('follow SPEC §15', () => {
    expect(liveHint(2, false, null, true)).toMatch(/^This is v2's first publish: it becomes the live version, with/);
    expect(liveHint(2, true, 2, false)).toMatch(/already published and live/);
    expect(
      publishMessage({
        version: 3,
        published: true,
        liveVersion: 2,
        pin: ['+14155550123'],
        unassign: [],
        direction: 'inbound',
        changed: [],
      }),
    ).toBe('Unchanged: +14155550123. The live version stays v2.');
    expect(
      publishMessage({ version: 1, published: true, liveVersion: 2, pin: [], unassign: [], direction: 'inbound', changed: [] }),
    ).toBe('Published v1 again; it is now live.');
  });
});
