// The publish dialog of the agent page (SPEC §8, §15, §19): pin the
// organization's numbers to the version (or unassign numbers that pin a
// version of this agent) in the slot(s) a direction names, with a change note.
import { useId, useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { formatVersion } from '../format';
import { usePagedList } from '../hooks';

type PhoneNumber = Schemas['PhoneNumber'];
type Direction = Schemas['PublishDirection'];

const directions: { value: Direction; label: string }[] = [
  { value: 'inbound', label: 'Inbound' },
  { value: 'outbound', label: 'Outbound' },
  { value: 'both', label: 'Both' },
];

/** The slot(s) a direction names, as words: "inbound", "inbound and outbound". */
export function directionWords(direction: Direction): string {
  return direction === 'both' ? 'inbound and outbound' : direction;
}

/** A number as its checkbox names it: "+14155550123 (Front desk line)". */
export function numberName(n: Pick<PhoneNumber, 'phone_number' | 'label'>): string {
  return n.label ? `${n.phone_number} (${n.label})` : n.phone_number;
}

/** What one slot of a number pins today, seen from agentId. */
function slotText(agentId: string, slotAgent: string | null, version: number | null): string {
  if (slotAgent === null) return 'nothing';
  if (slotAgent === agentId) return `${formatVersion(version)} of this agent`;
  return 'another agent';
}

/** "Inbound: v1 of this agent · Outbound: nothing". */
export function slotsText(agentId: string, n: PhoneNumber): string {
  return `Inbound: ${slotText(agentId, n.inbound_agent_id, n.inbound_version)} · Outbound: ${slotText(
    agentId,
    n.outbound_agent_id,
    n.outbound_version,
  )}`;
}

/** What the publish will do to the live version (SPEC §15). */
export function liveHint(version: number, published: boolean, liveVersion: number | null, namesNumbers: boolean): string {
  const v = formatVersion(version);
  const canary = ' Any running canary rollout ends.';
  if (!published) {
    const instead = liveVersion === null ? '' : ` in place of ${formatVersion(liveVersion)}`;
    return `This is ${v}'s first publish: it becomes the live version${instead}, with or without numbers.${canary}`;
  }
  if (namesNumbers) {
    const stays = liveVersion === null ? 'The agent stays without a live version.' : `The live version stays ${formatVersion(liveVersion)}.`;
    return `${v} is already published: with numbers chosen this only re-pins them. ${stays}${canary}`;
  }
  if (liveVersion === version) {
    return `${v} is already published and live: publishing it again without numbers keeps it live.${canary}`;
  }
  const instead = liveVersion === null ? '' : ` in place of ${formatVersion(liveVersion)}`;
  return `${v} is already published: publishing it again without numbers makes it live again${instead}. To only re-pin numbers, choose them above.${canary}`;
}

const list = (numbers: string[]) => numbers.join(', ');

/** The confirmation after a publish, from what was asked and what changed. */
export function publishMessage(opts: {
  version: number;
  published: boolean;
  liveVersion: number | null;
  pin: string[];
  unassign: string[];
  direction: Direction;
  changed: PhoneNumber[];
}): string {
  const { version, published, liveVersion, pin, unassign, direction, changed } = opts;
  const v = formatVersion(version);
  const names = pin.length + unassign.length > 0;
  const parts: string[] = [];
  if (!published) parts.push(`Published ${v}; it is now live.`);
  else if (!names) parts.push(`Published ${v} again; it is now live.`);
  const changedSet = new Set(changed.map((n) => n.phone_number));
  const pinned = pin.filter((n) => changedSet.has(n));
  const unassigned = unassign.filter((n) => changedSet.has(n));
  const words = directionWords(direction);
  if (pinned.length > 0) parts.push(`Pinned ${list(pinned)} ${words} to ${v}.`);
  if (unassigned.length > 0) parts.push(`Unassigned ${list(unassigned)} ${words} from this agent.`);
  const unchanged = [...pin, ...unassign].filter((n) => !changedSet.has(n));
  if (unchanged.length > 0) parts.push(`Unchanged: ${list(unchanged)}.`);
  if (published && names) {
    parts.push(liveVersion === null ? 'No version is live.' : `The live version stays ${formatVersion(liveVersion)}.`);
  }
  return parts.join(' ');
}

interface PublishDialogProps {
  agentId: string;
  /** The version to publish; null while the dialog is closed. */
  version: number | null;
  /** Whether that version was published before. */
  published: boolean;
  liveVersion: number | null;
  /** Numbers with a slot that pins a version of this agent (the agent's `phone_numbers`). */
  pinned: PhoneNumber[];
  onClose(): void;
  onDone(message: string): void;
}

export function PublishDialog({ version, published, onClose, ...rest }: PublishDialogProps) {
  const title = `${published ? 'Republish' : 'Publish'} ${formatVersion(version)}`;
  return (
    <Dialog open={version !== null} title={title} onClose={onClose}>
      {version !== null && <PublishForm version={version} published={published} onClose={onClose} {...rest} />}
    </Dialog>
  );
}

/** The dialog's form: mounted while the dialog is open, so each opening starts afresh. */
function PublishForm({
  agentId,
  version,
  published,
  liveVersion,
  pinned,
  onClose,
  onDone,
}: Omit<PublishDialogProps, 'version'> & { version: number }) {
  const ids = useId();
  const [pin, setPin] = useState<string[]>([]);
  const [unassign, setUnassign] = useState<string[]>([]);
  const [direction, setDirection] = useState<Direction>('inbound');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const numbers = usePagedList(
    (cursor) => unwrap(api.GET('/core/phone-numbers', { params: { query: { limit: 100, cursor } } })),
    [],
  );

  // A number is pinned or unassigned, never both (the API refuses that).
  const toggle = (number: string, on: boolean, target: 'pin' | 'unassign') => {
    const [set, other] = target === 'pin' ? [setPin, setUnassign] : [setUnassign, setPin];
    set((prev) => (on ? [...prev.filter((n) => n !== number), number] : prev.filter((n) => n !== number)));
    if (on) other((prev) => prev.filter((n) => n !== number));
  };

  const namesNumbers = pin.length + unassign.length > 0;
  const hintId = `${ids}-live`;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body: Schemas['PublishInput'] = {};
    if (pin.length > 0) body.phone_numbers = pin;
    if (unassign.length > 0) body.unassign_phone_numbers = unassign;
    if (namesNumbers) body.direction = direction;
    body.description = note.trim() || null;
    try {
      const changed = await unwrap(
        api.POST('/core/agents/{id}/versions/{version}/publish', {
          params: { path: { id: agentId, version: String(version) } },
          body,
        }),
      );
      setBusy(false);
      onDone(publishMessage({ version, published, liveVersion, pin, unassign, direction, changed: changed ?? [] }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="stack publish-form" onSubmit={(e) => void onSubmit(e)}>
      <fieldset className="choices" aria-describedby={`${ids}-pin-hint`}>
        <legend>Pin phone numbers to {formatVersion(version)}</legend>
        <p id={`${ids}-pin-hint`} className="hint">
          Each number chosen answers with {formatVersion(version)} in the slot(s) the direction below names, whatever
          they pinned before.
        </p>
        {numbers.error && <ErrorMessage error={`The phone numbers could not be loaded: ${numbers.error}`} />}
        {numbers.items.length === 0 && !numbers.loading && !numbers.error && (
          <p>No phone numbers are registered in this organization.</p>
        )}
        {numbers.loading && numbers.items.length === 0 && <p role="status">Loading the phone numbers…</p>}
        {numbers.items.length > 0 && (
          <ul className="choice-list">
            {numbers.items.map((n, i) => (
              <li key={n.phone_number} className="choice">
                <input
                  type="checkbox"
                  id={`${ids}-pin-${i}`}
                  checked={pin.includes(n.phone_number)}
                  onChange={(e) => toggle(n.phone_number, e.target.checked, 'pin')}
                  aria-describedby={`${ids}-pin-${i}-slots`}
                />
                <label htmlFor={`${ids}-pin-${i}`}>{numberName(n)}</label>
                <span id={`${ids}-pin-${i}-slots`} className="choice-hint">
                  {slotsText(agentId, n)}
                </span>
              </li>
            ))}
          </ul>
        )}
        <LoadMore hasMore={numbers.hasMore} loading={numbers.loading} onClick={numbers.loadMore} />
      </fieldset>

      {pinned.length > 0 && (
        <fieldset className="choices" aria-describedby={`${ids}-unassign-hint`}>
          <legend>Unassign phone numbers from this agent</legend>
          <p id={`${ids}-unassign-hint`} className="hint">
            The slot(s) the direction names are cleared where they pin a version of this agent.
          </p>
          <ul className="choice-list">
            {pinned.map((n, i) => (
              <li key={n.phone_number} className="choice">
                <input
                  type="checkbox"
                  id={`${ids}-unassign-${i}`}
                  checked={unassign.includes(n.phone_number)}
                  onChange={(e) => toggle(n.phone_number, e.target.checked, 'unassign')}
                  aria-describedby={`${ids}-unassign-${i}-slots`}
                />
                <label htmlFor={`${ids}-unassign-${i}`}>Unassign {numberName(n)}</label>
                <span id={`${ids}-unassign-${i}-slots`} className="choice-hint">
                  {slotsText(agentId, n)}
                </span>
              </li>
            ))}
          </ul>
        </fieldset>
      )}

      <fieldset className="choices" aria-describedby={`${ids}-direction-hint`}>
        <legend>Direction</legend>
        <p id={`${ids}-direction-hint`} className="hint">
          Which slot of each chosen number changes.
        </p>
        <div className="radio-row">
          {directions.map((d) => (
            <div key={d.value} className="checkbox-field">
              <input
                type="radio"
                id={`${ids}-direction-${d.value}`}
                name={`${ids}-direction`}
                value={d.value}
                checked={direction === d.value}
                onChange={() => setDirection(d.value)}
              />
              <label htmlFor={`${ids}-direction-${d.value}`}>{d.label}</label>
            </div>
          ))}
        </div>
      </fieldset>

      <div className="field">
        <label htmlFor={`${ids}-note`}>Change note (optional)</label>
        <textarea
          id={`${ids}-note`}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={2000}
          rows={3}
          aria-describedby={`${ids}-note-hint`}
        />
        <p id={`${ids}-note-hint`} className="hint">
          Kept on the version at its first publish and in the deployment history when the live version moves.
        </p>
      </div>

      <p id={hintId} className="live-hint">
        {liveHint(version, published, liveVersion, namesNumbers)}
      </p>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" disabled={busy} aria-describedby={hintId}>
          {busy ? 'Publishing…' : 'Publish'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
