// The audit log (SPEC §17): every change made in the organization, newest
// first, filtered by action, resource, agent, actor and time; each entry's
// JSON Patch opens as a table. The filters live in the address, so a
// filtered view can be linked to and survives a reload.
import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { LoadMore } from '../components/LoadMore';
import { PatchDiff } from '../components/PatchDiff';
import { Time } from '../components/Time';
import { auditActions, byResource, humanResource } from '../events';
import { formatTime } from '../format';
import { usePagedList, useTitle } from '../hooks';
import { hasScope, useSignedIn } from '../session';

type Entry = Schemas['AuditEntry'];

const filterNames = ['action', 'resource_type', 'resource_id', 'agent_id', 'actor_id', 'created_after', 'created_before'] as const;
type Filters = Record<(typeof filterNames)[number], string>;

function parseFilters(search: string): Filters {
  const params = new URLSearchParams(search);
  return Object.fromEntries(filterNames.map((n) => [n, params.get(n) ?? ''])) as Filters;
}

/** The filters that are set. */
function applied(filters: Filters): Partial<Filters> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '')) as Partial<Filters>;
}

/** The address of the audit log with these filters (empty ones left out). */
export function auditLogHref(filters: Partial<Filters>): string {
  const params = new URLSearchParams();
  for (const n of filterNames) {
    const v = filters[n]?.trim();
    if (v) params.set(n, v);
  }
  const q = params.toString();
  return `/audit-log${q ? `?${q}` : ''}`;
}

/** An instant as a datetime-local value in the reader's time zone. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the reader's time zone) as an RFC 3339 instant. */
function fromLocalInput(value: string): string {
  const d = new Date(value);
  return !value || Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

const actorKinds: Record<Entry['actor']['type'], string> = {
  user: 'member',
  org_key: 'API key',
  system: 'the server',
};

export function AuditLogPage() {
  useTitle('Audit log');
  const session = useSignedIn();
  return (
    <>
      <h1>Audit log</h1>
      {hasScope(session, 'audit_log:read') ? (
        <AuditLog />
      ) : (
        <p className="panel-note">
          Reading the audit log needs the <code>audit_log:read</code> scope, which only the admin role holds.
        </p>
      )}
    </>
  );
}

function AuditLog() {
  const search = useSearch();
  const filters = parseFilters(search);
  const list = usePagedList(
    (cursor) => unwrap(api.GET('/admin/audit-log', { params: { query: { limit: 50, cursor, ...applied(filters) } } })),
    [search],
  );

  return (
    <>
      <p className="muted">
        Every change made in this organization — through the API, the console or the command line — newest first.
        Entries are never changed or deleted; the server drops them after its retention period.
      </p>
      <FilterForm filters={filters} />
      <section aria-labelledby="entries-heading">
        <h2 id="entries-heading">Entries</h2>
        <ErrorMessage error={list.error} />
        {list.items.length === 0 && !list.loading && !list.error ? (
          <p>No entries{search ? ' match these filters' : ''}.</p>
        ) : (
          <EntryTable entries={list.items} />
        )}
        {list.loading && list.items.length === 0 && <p role="status">Loading…</p>}
        <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={list.loadMore} />
      </section>
    </>
  );
}

function FilterForm({ filters }: { filters: Filters }) {
  const [, navigate] = useLocation();
  const [draft, setDraft] = useState(filters);
  const applied = auditLogHref(filters);
  // Back and forward (or a link) change the filters: show them.
  useEffect(() => setDraft(parseFilters(applied.split('?')[1] ?? '')), [applied]);

  const set = (name: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [name]: e.target.value }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    navigate(auditLogHref(draft));
  };
  const groups = byResource(auditActions);

  return (
    <form className="panel filters" aria-label="Filter the audit log" onSubmit={onSubmit}>
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <select id="audit-action" value={draft.action} onChange={set('action')}>
          <option value="">Any action</option>
          {groups.map(([resource, actions]) => (
            <optgroup key={resource} label={humanResource(resource)}>
              <option value={`${resource}.*`}>{`${resource}.* (every ${humanResource(resource)} action)`}</option>
              {actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-resource-type">Resource type</label>
        <select id="audit-resource-type" value={draft.resource_type} onChange={set('resource_type')}>
          <option value="">Any resource</option>
          {groups.map(([resource]) => (
            <option key={resource} value={resource}>
              {humanResource(resource)}
            </option>
          ))}
        </select>
      </div>
      <TextFilter id="audit-resource-id" label="Resource id" value={draft.resource_id} onChange={set('resource_id')} />
      <TextFilter id="audit-agent-id" label="Agent id" value={draft.agent_id} onChange={set('agent_id')} />
      <TextFilter id="audit-actor-id" label="Actor id" value={draft.actor_id} onChange={set('actor_id')} />
      <div className="field">
        <label htmlFor="audit-after">From</label>
        <input
          id="audit-after"
          type="datetime-local"
          value={toLocalInput(draft.created_after)}
          onChange={(e) => setDraft((d) => ({ ...d, created_after: fromLocalInput(e.target.value) }))}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-before">Before</label>
        <input
          id="audit-before"
          type="datetime-local"
          value={toLocalInput(draft.created_before)}
          onChange={(e) => setDraft((d) => ({ ...d, created_before: fromLocalInput(e.target.value) }))}
        />
      </div>
      <div className="actions filter-actions">
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={() => navigate('/audit-log')}>
          Clear
        </button>
      </div>
    </form>
  );
}

interface TextFilterProps {
  id: string;
  label: string;
  value: string;
  onChange(e: { target: { value: string } }): void;
}

function TextFilter({ id, label, value, onChange }: TextFilterProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={onChange} autoComplete="off" spellCheck={false} />
    </div>
  );
}

function EntryTable({ entries }: { entries: Entry[] }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <div className="table-wrap">
      <table className="audit">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Resource</th>
            <th scope="col">Via</th>
            <th scope="col">Request id</th>
            <th scope="col">
              <span className="visually-hidden">Changes</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const expanded = open.has(e.id);
            const detailId = `audit-entry-${e.id}`;
            return (
              <Fragment key={e.id}>
                <tr>
                  <td>
                    <Time value={e.occurred_at} />
                  </td>
                  <td>
                    {e.actor.name}
                    <span className="muted small-text"> ({actorKinds[e.actor.type] ?? e.actor.type})</span>
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    <Resource entry={e} />
                  </td>
                  <td>{e.via}</td>
                  <td className="small-text">{e.request_id ? <code>{e.request_id}</code> : '—'}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary small"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailId : undefined}
                      onClick={() => toggle(e.id)}
                    >
                      {expanded ? 'Hide changes' : 'Show changes'}
                      <span className="visually-hidden">
                        {' '}
                        of {e.action} at {formatTime(e.occurred_at)}
                      </span>
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr id={detailId} className="detail-row">
                    <td colSpan={7}>
                      <EntryDetail entry={e} />
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

function Resource({ entry: e }: { entry: Entry }) {
  const id = <code className="small-text">{e.resource_id}</code>;
  return (
    <>
      {humanResource(e.resource_type)}{' '}
      {e.agent_id && e.agent_id === e.resource_id && e.action !== 'agent.deleted' ? (
        <Link href={`/agents/${e.agent_id}`}>{id}</Link>
      ) : (
        id
      )}
      {e.agent_id && e.agent_id !== e.resource_id && (
        <span className="small-text">
          {' '}
          of <Link href={`/agents/${e.agent_id}`}>agent {e.agent_id}</Link>
        </span>
      )}
    </>
  );
}

function EntryDetail({ entry: e }: { entry: Entry }) {
  return (
    <div className="entry-detail">
      <PatchDiff changes={e.changes} caption={`Changes of ${e.action} on ${e.resource_type} ${e.resource_id}`} />
      <dl className="meta">
        <div>
          <dt>Actor id</dt>
          <dd>
            <code>{e.actor.id}</code> — <Link href={auditLogHref({ actor_id: e.actor.id })}>only this actor’s changes</Link>
          </dd>
        </div>
        {e.agent_id && (
          <div>
            <dt>Agent</dt>
            <dd>
              <Link href={auditLogHref({ agent_id: e.agent_id })}>everything about this agent</Link>
            </dd>
          </div>
        )}
        <div>
          <dt>Credential</dt>
          <dd>{e.credential_id ? <code>{e.credential_id}</code> : '—'}</dd>
        </div>
        <div>
          <dt>Address</dt>
          <dd>{e.ip ?? '—'}</dd>
        </div>
        <div>
          <dt>Entry id</dt>
          <dd>
            <code>{e.id}</code>
          </dd>
        </div>
      </dl>
    </div>
  );
}
