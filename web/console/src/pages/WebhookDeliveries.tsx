// One webhook's deliveries (SPEC §18): each event sent to it, its status and
// attempts, the attempt log on demand, and redelivery.
import { Fragment, useId, useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { Time } from '../components/Time';
import { usePagedList } from '../hooks';

type Delivery = Schemas['WebhookDelivery'];

interface DeliveriesProps {
  webhook: Schemas['Webhook'];
  canManage: boolean;
  /** Changes when the deliveries should be asked for again (a test event was sent). */
  refreshKey: number;
}

export function Deliveries({ webhook, canManage, refreshKey }: DeliveriesProps) {
  const headingId = useId();
  const id = webhook.id;
  const list = usePagedList(
    (cursor) =>
      unwrap(api.GET('/admin/webhooks/{id}/deliveries', { params: { path: { id }, query: { limit: 20, cursor } } })),
    [id, refreshKey],
  );
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();

  const redeliver = async (d: Delivery) => {
    setBusy(d.id);
    setNotice('');
    setError(undefined);
    try {
      await unwrap(
        api.POST('/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver', {
          params: { path: { id, delivery_id: d.id } },
        }),
      );
      setNotice(`The ${d.event_type} event is queued to be sent again.`);
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="deliveries" aria-labelledby={headingId}>
      <div className="title-row">
        <h4 id={headingId}>Deliveries</h4>
        <button type="button" className="secondary small" onClick={list.reload} disabled={list.loading}>
          Refresh<span className="visually-hidden"> deliveries</span>
        </button>
      </div>
      <p className="notice" role="status">
        {notice}
      </p>
      <ErrorMessage error={error ?? list.error} />
      {list.items.length === 0 && !list.loading && !list.error ? (
        <p>No deliveries yet.</p>
      ) : (
        <DeliveryTable
          deliveries={list.items}
          canRedeliver={canManage && webhook.enabled}
          busy={busy}
          onRedeliver={(d) => void redeliver(d)}
        />
      )}
      {list.loading && list.items.length === 0 && <p role="status">Loading…</p>}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={list.loadMore} />
    </section>
  );
}

interface DeliveryTableProps {
  deliveries: Delivery[];
  canRedeliver: boolean;
  busy: string | undefined;
  onRedeliver(d: Delivery): void;
}

function DeliveryTable({ deliveries, canRedeliver, busy, onRedeliver }: DeliveryTableProps) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <div className="table-wrap">
      <table className="deliveries-table">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last status code</th>
            <th scope="col">Last error</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Delivered</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => {
            const expanded = open.has(d.id);
            const logId = `attempts-${d.id}`;
            return (
              <Fragment key={d.id}>
                <tr>
                  <th scope="row">
                    <code>{d.event_type}</code>
                    <span className="block muted small-text">
                      <span className="visually-hidden">event id </span>
                      {d.event_id}
                    </span>
                  </th>
                  <td>
                    <span className={`badge status-${d.status}`}>{d.status}</span>
                  </td>
                  <td>{d.attempts}</td>
                  <td>{d.last_status_code ?? '—'}</td>
                  <td className="small-text">{d.last_error ?? '—'}</td>
                  <td>
                    <Time value={d.next_attempt_at} />
                  </td>
                  <td>
                    <Time value={d.delivered_at} />
                  </td>
                  <td>
                    <div className="row-actions">
                      {d.attempt_log.length > 0 && (
                        <button
                          type="button"
                          className="secondary small"
                          aria-expanded={expanded}
                          aria-controls={expanded ? logId : undefined}
                          onClick={() => toggle(d.id)}
                        >
                          {expanded ? 'Hide attempts' : 'Show attempts'}
                          <span className="visually-hidden"> of {d.event_type} {d.event_id}</span>
                        </button>
                      )}
                      {canRedeliver && (
                        <button
                          type="button"
                          className="secondary small"
                          disabled={busy === d.id}
                          onClick={() => onRedeliver(d)}
                        >
                          Redeliver<span className="visually-hidden"> {d.event_type} {d.event_id}</span>
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
                {expanded && (
                  <tr id={logId} className="detail-row">
                    <td colSpan={8}>
                      <AttemptLog delivery={d} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function AttemptLog({ delivery }: { delivery: Delivery }) {
  return (
    <table className="attempts">
      <caption className="visually-hidden">Attempts to deliver {delivery.event_type} {delivery.event_id}</caption>
      <thead>
        <tr>
          <th scope="col">Attempted</th>
          <th scope="col">Status code</th>
          <th scope="col">Error</th>
          <th scope="col">Took</th>
        </tr>
      </thead>
      <tbody>
        {delivery.attempt_log.map((a, i) => (
          <tr key={i}>
            <td>
              <Time value={a.at} />
            </td>
            <td>{a.status_code ?? '—'}</td>
            <td className="small-text">{a.error ?? '—'}</td>
            <td>{a.duration_ms} ms</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
