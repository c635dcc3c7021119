// Canary controls on the agent page: start a rollout of a published version
// beside the live one, watch both sides' numbers, retune the share, promote
// the canary or end it.
import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { Time } from '../components/Time';
import { formatRate, formatVersion } from '../format';

type Rollout = Schemas['RolloutView'];

/** Seconds as "1 min 5 s", or an em dash when nothing was counted. */
export function formatDuration(seconds: number, total: number): string {
  if (total === 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}

interface CanaryProps {
  agentId: string;
  liveVersion: number | null;
  rollout: Rollout | null;
  /** Published version numbers, newest first. */
  published: number[];
  onChanged(message: string): void;
}

export function Canary({ agentId, liveVersion, rollout, published, onChanged }: CanaryProps) {
  return (
    <section aria-labelledby="canary-heading">
      <h2 id="canary-heading">Canary rollout</h2>
      {liveVersion === null ? (
        <p>A canary runs beside the live version: publish a version first.</p>
      ) : rollout ? (
        <RunningRollout agentId={agentId} rollout={rollout} onChanged={onChanged} />
      ) : (
        <StartCanary
          agentId={agentId}
          candidates={published.filter((v) => v !== liveVersion)}
          liveVersion={liveVersion}
          onChanged={onChanged}
        />
      )}
    </section>
  );
}

function StartCanary({
  agentId,
  candidates,
  liveVersion,
  onChanged,
}: {
  agentId: string;
  candidates: number[];
  liveVersion: number;
  onChanged(message: string): void;
}) {
  const [version, setVersion] = useState(String(candidates[0] ?? ''));
  const [percent, setPercent] = useState('10');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!candidates.includes(Number(version))) setVersion(String(candidates[0] ?? ''));
  }, [candidates, version]);

  if (candidates.length === 0) {
    return (
      <p>
        No canary runs. Every published version besides the live one ({formatVersion(liveVersion)}) can be tried on a
        share of the callers; there is none yet. To stage a draft, publish it and then roll back: it stays published.
      </p>
    );
  }

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await unwrap(
        api.PUT('/core/agents/{id}/rollout', {
          params: { path: { id: agentId } },
          body: { version: Number(version), percent: Number(percent), description: note.trim() || null },
        }),
      );
      setNote('');
      onChanged(`Canary started: ${formatVersion(r.version)} answers ${r.percent}% of new conversations.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel stack canary-form" onSubmit={(e) => void onSubmit(e)} aria-labelledby="start-canary-heading">
      <h3 id="start-canary-heading">Start a canary</h3>
      <p className="muted">
        The canary answers a share of the new conversations that would reach the live version,{' '}
        {formatVersion(liveVersion)}; compare how they end, then promote it or end it.
      </p>
      <div className="form-row">
        <div className="field">
          <label htmlFor="canary-version">Version</label>
          <select id="canary-version" value={version} onChange={(e) => setVersion(e.target.value)} required>
            {candidates.map((v) => (
              <option key={v} value={v}>
                {formatVersion(v)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="canary-percent">Share of conversations (%)</label>
          <input
            id="canary-percent"
            type="number"
            inputMode="numeric"
            min={1}
            max={99}
            step={1}
            value={percent}
            onChange={(e) => setPercent(e.target.value)}
            required
            aria-describedby="canary-percent-hint"
          />
          <p id="canary-percent-hint" className="hint">
            1 to 99.
          </p>
        </div>
      </div>
      <div className="field">
        <label htmlFor="canary-note">Note (optional)</label>
        <textarea id="canary-note" value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={2000} />
      </div>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Starting…' : 'Start canary'}
        </button>
      </div>
    </form>
  );
}

function RunningRollout({ agentId, rollout, onChanged }: { agentId: string; rollout: Rollout; onChanged(m: string): void }) {
  const [percent, setPercent] = useState(String(rollout.percent));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<'promote' | 'abort' | null>(null);
  const live = rollout.live;
  const canary = rollout.canary;

  useEffect(() => setPercent(String(rollout.percent)), [rollout.percent]);

  const retune = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await unwrap(
        api.PUT('/core/agents/{id}/rollout', {
          params: { path: { id: agentId } },
          body: { version: rollout.version, percent: Number(percent) },
        }),
      );
      onChanged(`The canary now answers ${r.percent}% of new conversations.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const rows: { label: string; value(s: Schemas['ConversationStats']): string }[] = [
    { label: 'Conversations', value: (s) => String(s.total) },
    { label: 'Completion rate', value: (s) => formatRate(s.completion_rate) },
    { label: 'Average duration', value: (s) => formatDuration(s.average_duration_seconds, s.total) },
  ];

  return (
    <div className="stack">
      <p>
        {formatVersion(canary.version)} answers {rollout.percent}% of new conversations, {formatVersion(live.version)}{' '}
        the rest, since <Time value={rollout.started_at} />.
      </p>
      <div className="table-wrap">
        <table className="compare-stats">
          <caption className="visually-hidden">Live and canary since the canary started</caption>
          <thead>
            <tr>
              <td />
              <th scope="col">Live {formatVersion(live.version)}</th>
              <th scope="col">Canary {formatVersion(canary.version)}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td>{r.value(live.stats)}</td>
                <td>{r.value(canary.stats)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="inline-form" onSubmit={(e) => void retune(e)}>
        <label htmlFor="retune-percent">Canary share (%)</label>
        <input
          id="retune-percent"
          type="number"
          inputMode="numeric"
          min={1}
          max={99}
          step={1}
          value={percent}
          onChange={(e) => setPercent(e.target.value)}
          required
        />
        <button type="submit" className="secondary" disabled={busy || Number(percent) === rollout.percent}>
          Change share
        </button>
      </form>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={() => setConfirm('promote')}>
          Promote {formatVersion(canary.version)} to live
        </button>
        <button type="button" className="danger" onClick={() => setConfirm('abort')}>
          End the canary
        </button>
      </div>
      <ConfirmRollout
        kind={confirm}
        agentId={agentId}
        rollout={rollout}
        onClose={() => setConfirm(null)}
        onDone={(m) => {
          setConfirm(null);
          onChanged(m);
        }}
      />
    </div>
  );
}

function ConfirmRollout({
  kind,
  agentId,
  rollout,
  onClose,
  onDone,
}: {
  kind: 'promote' | 'abort' | null;
  agentId: string;
  rollout: Rollout;
  onClose(): void;
  onDone(message: string): void;
}) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const canary = formatVersion(rollout.canary.version);
  const live = formatVersion(rollout.live.version);

  const close = () => {
    setError(undefined);
    onClose();
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (kind === 'promote') {
        const r = await unwrap(api.POST('/core/agents/{id}/rollout/promote', { params: { path: { id: agentId } } }));
        onDone(`Promoted: ${formatVersion(r.live_version)} is live (was ${formatVersion(r.previous_version)}).`);
      } else {
        await unwrap(api.DELETE('/core/agents/{id}/rollout', { params: { path: { id: agentId } } }));
        onDone(`Canary ended: ${live} answers every conversation again.`);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={kind !== null}
      title={kind === 'promote' ? `Promote ${canary} to live?` : 'End the canary?'}
      onClose={close}
    >
      <form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <p>
          {kind === 'promote'
            ? `${canary} becomes the live version in place of ${live}; phone numbers pinned to ${live} move with it.`
            : `${live} answers every conversation again; ${canary} stays published.`}
        </p>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className={kind === 'abort' ? 'danger' : undefined} disabled={busy}>
            {kind === 'promote' ? 'Promote' : 'End canary'}
          </button>
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
