// The webhooks page's dialogs: edit, rotate the secret, delete.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, unwrap, type Schemas } from '../api/client';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { EventPicker } from '../components/EventPicker';

type Webhook = Schemas['Webhook'];

/** The message of a 422's error about body.<field>, if any. */
export function fieldError(err: unknown, field: string): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  return err.fieldErrors.find((f) => f.loc.filter((p) => p !== 'body').join('.') === field)?.msg;
}

interface ConfirmProps {
  open: boolean;
  title: string;
  submit: string;
  busyLabel: string;
  danger?: boolean;
  onClose(): void;
  run(): Promise<void>;
  children: ReactNode;
}

/** A dialog that asks before doing something, showing why it failed if it did. */
function Confirm({ open, title, submit, busyLabel, danger, onClose, run, children }: ConfirmProps) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const close = () => {
    setError(undefined);
    onClose();
  };
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await run();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={title} onClose={close}>
      <form className="stack" onSubmit={(e) => void onSubmit(e)}>
        {children}
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className={danger ? 'danger' : undefined} disabled={busy}>
            {busy ? busyLabel : submit}
          </button>
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface DialogProps<T> {
  webhook: Webhook | null;
  onClose(): void;
  onDone(result: T): void;
}

export function DeleteWebhookDialog({ webhook, onClose, onDone }: DialogProps<void>) {
  return (
    <Confirm
      open={webhook !== null}
      title="Delete this webhook?"
      submit="Delete"
      busyLabel="Deleting…"
      danger
      onClose={onClose}
      run={async () => {
        if (!webhook) return;
        await unwrap(api.DELETE('/admin/webhooks/{id}', { params: { path: { id: webhook.id } } }));
        onDone();
      }}
    >
      <p>
        <code className="break">{webhook?.url}</code> receives no more events, and its deliveries are deleted with it.
      </p>
    </Confirm>
  );
}

export function RotateSecretDialog({ webhook, onClose, onDone }: DialogProps<Schemas['NewWebhook']>) {
  return (
    <Confirm
      open={webhook !== null}
      title="Rotate the signing secret?"
      submit="Rotate secret"
      busyLabel="Rotating…"
      onClose={onClose}
      run={async () => {
        if (!webhook) return;
        onDone(await unwrap(api.POST('/admin/webhooks/{id}/rotate-secret', { params: { path: { id: webhook.id } } })));
      }}
    >
      <p>
        A new secret signs the events sent to <code className="break">{webhook?.url}</code>. For 24 hours the current one
        keeps signing beside it, so the receiver can switch over without losing an event. The new secret is shown only
        once.
      </p>
    </Confirm>
  );
}

export function EditWebhookDialog({ webhook, onClose, onDone }: DialogProps<Webhook>) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!webhook) return;
    setUrl(webhook.url);
    setEvents(webhook.events);
    setDescription(webhook.description);
    setError(undefined);
  }, [webhook]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!webhook) return;
    if (events.length === 0) {
      setError('Choose at least one event.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const body = { url: url.trim(), events, description };
      onDone(await unwrap(api.PATCH('/admin/webhooks/{id}', { params: { path: { id: webhook.id } }, body })));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={webhook !== null} title="Edit webhook" onClose={onClose}>
      <form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <div className="field">
          <label htmlFor="edit-webhook-url">Endpoint URL</label>
          <input
            id="edit-webhook-url"
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            required
            maxLength={2048}
            autoComplete="off"
            aria-invalid={fieldError(error, 'url') ? true : undefined}
          />
        </div>
        <EventPicker id="edit-webhook-event" value={events} onChange={setEvents} />
        <div className="field">
          <label htmlFor="edit-webhook-description">Description (optional)</label>
          <input
            id="edit-webhook-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={500}
            autoComplete="off"
          />
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
