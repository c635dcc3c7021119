// Webhooks (SPEC §18): endpoints that receive the organization's events,
// signed per Standard Webhooks. Reading them needs webhooks:read; creating,
// changing, testing and deleting them webhooks:manage (both admin only).
import { useId, useRef, useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { EventPicker } from '../components/EventPicker';
import { LoadMore } from '../components/LoadMore';
import { SecretOnce } from '../components/Secret';
import { Time } from '../components/Time';
import { usePagedList, useTitle } from '../hooks';
import { hasScope, useSignedIn } from '../session';
import { Deliveries } from './WebhookDeliveries';
import { DeleteWebhookDialog, EditWebhookDialog, fieldError, RotateSecretDialog } from './WebhookDialogs';

type Webhook = Schemas['Webhook'];

export function WebhooksPage() {
  useTitle('Webhooks');
  const session = useSignedIn();
  return (
    <>
      <h1>Webhooks</h1>
      {hasScope(session, 'webhooks:read') ? (
        <Webhooks canManage={hasScope(session, 'webhooks:manage')} />
      ) : (
        <p className="panel-note">
          Webhooks need the <code>webhooks:read</code> scope, which only the admin role holds.
        </p>
      )}
    </>
  );
}

function Webhooks({ canManage }: { canManage: boolean }) {
  const list = usePagedList(
    (cursor) => unwrap(api.GET('/admin/webhooks', { params: { query: { limit: 50, cursor } } })),
    [],
  );
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [rotating, setRotating] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [secret, setSecret] = useState<Schemas['NewWebhook']>();
  const [notice, setNotice] = useState('');

  return (
    <>
      <p className="muted">
        Each endpoint receives the events it subscribes to as signed POST requests (Standard Webhooks), retried for at
        least a day until it answers 2xx.
      </p>
      {canManage ? (
        <CreateWebhook onCreated={list.reload} />
      ) : (
        <p className="panel-note">
          You can see the webhooks and their deliveries. Adding, changing, testing or deleting them needs the{' '}
          <code>webhooks:manage</code> scope, which only the admin role holds.
        </p>
      )}
      <section aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading">Endpoints</h2>
        <p className="notice" role="status">
          {notice}
        </p>
        {secret && (
          <SecretOnce label="New signing secret" value={secret.secret}>
            <p>
              The secret of <code className="break">{secret.url}</code> was rotated. Copy the new one now: you won’t see
              it again. The previous secret keeps signing beside it for 24 hours.
            </p>
          </SecretOnce>
        )}
        <ErrorMessage error={list.error} />
        {list.items.length === 0 && !list.loading && !list.error && <p>No webhooks.</p>}
        {list.items.map((w) => (
          <WebhookCard
            key={w.id}
            webhook={w}
            canManage={canManage}
            onChanged={list.reload}
            onEdit={() => setEditing(w)}
            onRotate={() => setRotating(w)}
            onDelete={() => setDeleting(w)}
          />
        ))}
        {list.loading && list.items.length === 0 && <p role="status">Loading…</p>}
        <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={list.loadMore} />
      </section>
      <EditWebhookDialog
        webhook={editing}
        onClose={() => setEditing(null)}
        onDone={(w) => {
          setEditing(null);
          setNotice(`Saved the webhook for ${w.url}.`);
          list.reload();
        }}
      />
      <RotateSecretDialog
        webhook={rotating}
        onClose={() => setRotating(null)}
        onDone={(w) => {
          setRotating(null);
          setNotice('');
          setSecret(w);
        }}
      />
      <DeleteWebhookDialog
        webhook={deleting}
        onClose={() => setDeleting(null)}
        onDone={() => {
          setNotice(`Deleted the webhook for ${deleting?.url ?? ''}.`);
          if (secret?.id === deleting?.id) setSecret(undefined);
          setDeleting(null);
          list.reload();
        }}
      />
    </>
  );
}

function CreateWebhook({ onCreated }: { onCreated(): void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['*']);
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<Schemas['NewWebhook']>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const urlInput = useRef<HTMLInputElement>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setCreated(undefined);
    if (events.length === 0) {
      setError('Choose at least one event.');
      return;
    }
    setBusy(true);
    try {
      const body = { url: url.trim(), events, description: description.trim() || undefined };
      setCreated(await unwrap(api.POST('/admin/webhooks', { body })));
      setUrl('');
      setEvents(['*']);
      setDescription('');
      onCreated();
    } catch (err) {
      setError(err);
      if (fieldError(err, 'url')) urlInput.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-webhook-heading" className="panel">
      <h2 id="create-webhook-heading">Add a webhook</h2>
      <form className="stack webhook-form" onSubmit={(e) => void onSubmit(e)}>
        <div className="field">
          <label htmlFor="new-webhook-url">Endpoint URL</label>
          <input
            id="new-webhook-url"
            ref={urlInput}
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            required
            maxLength={2048}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="new-webhook-url-hint"
            aria-invalid={fieldError(error, 'url') ? true : undefined}
          />
          <p id="new-webhook-url-hint" className="hint">
            An http(s) address the server can reach. Loopback, private and cloud metadata addresses and ports other than
            80 and 443 are refused unless the operator allows them.
          </p>
        </div>
        <EventPicker id="new-webhook-event" value={events} onChange={setEvents} />
        <div className="field">
          <label htmlFor="new-webhook-description">Description (optional)</label>
          <input
            id="new-webhook-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={500}
            autoComplete="off"
          />
        </div>
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create webhook'}
          </button>
        </div>
      </form>
      <ErrorMessage error={error} />
      {created && (
        <SecretOnce label="Signing secret" value={created.secret}>
          <p role="status">
            Webhook for <code className="break">{created.url}</code> created. Copy its signing secret now: you won’t see
            it again.
          </p>
        </SecretOnce>
      )}
    </section>
  );
}

interface CardProps {
  webhook: Webhook;
  canManage: boolean;
  onChanged(): void;
  onEdit(): void;
  onRotate(): void;
  onDelete(): void;
}

function WebhookCard({ webhook: w, canManage, onChanged, onEdit, onRotate, onDelete }: CardProps) {
  const headingId = useId();
  const [showDeliveries, setShowDeliveries] = useState(false);
  const [deliveriesKey, setDeliveriesKey] = useState(0);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const act = async (what: () => Promise<string>) => {
    setBusy(true);
    setNotice('');
    setError(undefined);
    try {
      setNotice(await what());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const path = { params: { path: { id: w.id } } };
  const sendTest = () =>
    act(async () => {
      await unwrap(api.POST('/admin/webhooks/{id}/test', path));
      setShowDeliveries(true);
      setDeliveriesKey((k) => k + 1);
      return 'A webhook.test event is queued: follow it in the deliveries below.';
    });
  const setEnabled = (enabled: boolean) =>
    act(async () => {
      await unwrap(api.PATCH('/admin/webhooks/{id}', { ...path, body: { enabled } }));
      onChanged();
      setDeliveriesKey((k) => k + 1);
      return enabled ? 'Enabled: events are sent again.' : 'Disabled: no events are sent, and its pending deliveries are marked failed.';
    });

  return (
    <article className="panel webhook" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <code className="break">{w.url}</code>
      </h3>
      <dl className="meta">
        <div>
          <dt>Status</dt>
          <dd>
            {w.enabled ? (
              <span className="badge live">Enabled</span>
            ) : (
              <>
                <span className="badge">Disabled</span>
                {w.disabled_reason && <span className="small-text"> {describeDisabled(w.disabled_reason)}</span>}
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd>
            {w.events.map((e, i) => (
              <span key={e}>
                {i > 0 && ', '}
                <code>{e}</code>
              </span>
            ))}
          </dd>
        </div>
        {w.description && (
          <div>
            <dt>Description</dt>
            <dd>{w.description}</dd>
          </div>
        )}
        <div>
          <dt>Created</dt>
          <dd>
            <Time value={w.created_at} />
          </dd>
        </div>
      </dl>
      <div className="toolbar">
        {canManage && (
          <>
            <button type="button" onClick={() => void sendTest()} disabled={busy || !w.enabled}>
              Send test event
            </button>
            <button type="button" className="secondary" onClick={() => void setEnabled(!w.enabled)} disabled={busy}>
              {w.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" className="secondary" onClick={onEdit}>
              Edit
            </button>
            <button type="button" className="secondary" onClick={onRotate}>
              Rotate secret
            </button>
            <button type="button" className="danger" onClick={onDelete}>
              Delete
            </button>
          </>
        )}
        <button
          type="button"
          className="secondary"
          aria-expanded={showDeliveries}
          onClick={() => setShowDeliveries((s) => !s)}
        >
          {showDeliveries ? 'Hide deliveries' : 'Show deliveries'}
        </button>
      </div>
      {canManage && !w.enabled && <p className="hint">Enable the webhook to send it events.</p>}
      <p className="notice" role="status">
        {notice}
      </p>
      <ErrorMessage error={error} />
      {showDeliveries && <Deliveries webhook={w} canManage={canManage} refreshKey={deliveriesKey} />}
    </article>
  );
}

function describeDisabled(reason: string): string {
  return reason === 'gone' ? '(the receiver answered 410 Gone)' : `(${reason})`;
}
