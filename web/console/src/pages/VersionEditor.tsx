// The version editor (SPEC §19): a draft's config as a form generated from
// the served JSON Schema, or as raw JSON; the server checks it as you type
// (POST /core/agent-config-schema/validate) and on save, and its errors show
// beside the fields they are about. A published version opens read-only.
import type { RJSFSchema } from '@rjsf/utils';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { api, ApiError, apiError, unwrap, type FieldError, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { Time } from '../components/Time';
import { ConfigForm, type Config } from '../editor/ConfigForm';
import { describePath, focusField, placeErrors, type PlacedError } from '../editor/errors';
import { formatVersion } from '../format';
import { useResource, useTitle } from '../hooks';

type Version = Schemas['Version'];

let schemaPromise: Promise<RJSFSchema> | undefined;

/** The served AgentConfig schema, asked for once per page load. */
function loadSchema(): Promise<RJSFSchema> {
  schemaPromise ??= unwrap(api.GET('/core/agent-config-schema')).then(
    (s) => s as unknown as RJSFSchema,
    (err: unknown) => {
      schemaPromise = undefined;
      throw err;
    },
  );
  return schemaPromise;
}

/** For tests: forget the cached schema. */
export function forgetSchema(): void {
  schemaPromise = undefined;
}

interface Loaded {
  version: Version;
  etag: string | null;
}

async function loadVersion(id: string, version: string): Promise<Loaded> {
  const { data, error, response } = await api.GET('/core/agents/{id}/versions/{version}', {
    params: { path: { id, version } },
  });
  if (!response.ok || !data) throw apiError(response, error);
  return { version: data, etag: response.headers.get('ETag') };
}

export function VersionEditorPage({ id, version }: { id: string; version: string }) {
  const [, navigate] = useLocation();
  const latest = version === 'latest';
  const agent = useResource(() => unwrap(api.GET('/core/agents/{id}', { params: { path: { id } } })), [id]);
  const schema = useResource(loadSchema, []);
  const loaded = useResource(() => loadVersion(id, version), [id, version]);

  // `latest` names the draft the server returns (creating it if need be):
  // move to its number, so a reload opens the same version.
  useEffect(() => {
    if (latest && loaded.data) {
      navigate(`/agents/${id}/versions/${loaded.data.version.version}`, { replace: true });
    }
  }, [latest, loaded.data, id, navigate]);

  const title = loaded.data ? `${formatVersion(loaded.data.version.version)} of ${agent.data?.name ?? 'agent'}` : 'Version';
  useTitle(title);

  const header = (
    <p className="breadcrumb">
      <Link href="/agents">Agents</Link> › <Link href={`/agents/${id}`}>{agent.data?.name ?? 'Agent'}</Link>
    </p>
  );

  if (!loaded.data || !schema.data || latest) {
    return (
      <>
        {header}
        <h1>{latest ? 'Draft' : `Version ${version}`}</h1>
        <ErrorMessage error={loaded.error ?? schema.error} />
        {!loaded.error && !schema.error && <p role="status">{latest ? 'Opening the draft…' : 'Loading…'}</p>}
      </>
    );
  }

  return (
    <>
      {header}
      <Editor
        key={`${loaded.data.version.id}:${loaded.data.version.updated_at}`}
        agentId={id}
        initial={loaded.data}
        schema={schema.data}
      />
    </>
  );
}

type View = 'form' | 'json';

interface EditorProps {
  agentId: string;
  initial: Loaded;
  schema: RJSFSchema;
}

function Editor({ agentId, initial, schema }: EditorProps) {
  const [, navigate] = useLocation();
  const v = initial.version;
  const readOnly = v.published;
  const [config, setConfig] = useState<Config>(v.config as Config);
  const [saved, setSaved] = useState(() => JSON.stringify(v.config));
  const [description, setDescription] = useState(v.description);
  const [savedDescription, setSavedDescription] = useState(v.description);
  const [etag, setEtag] = useState(initial.etag);
  const [view, setView] = useState<View>('form');
  const [jsonText, setJsonText] = useState(() => JSON.stringify(v.config, null, 2));
  const [jsonProblem, setJsonProblem] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<FieldError[]>([]);
  const [errorPrefix, setErrorPrefix] = useState<(string | number)[]>(['body', 'config']);
  const [saveError, setSaveError] = useState<unknown>();
  const [check, setCheck] = useState<'idle' | 'checking' | 'ok' | 'failed'>('idle');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const summaryRef = useRef<HTMLDivElement>(null);

  const dirty = JSON.stringify(config) !== saved || description !== savedDescription;
  const { errorSchema, placed, other } = useMemo(() => placeErrors(fieldErrors, errorPrefix), [fieldErrors, errorPrefix]);
  const descriptionErrors = other.filter((e) => e.loc[0] === 'body' && e.loc[1] === 'description');

  // Warn before leaving with unsaved changes.
  useEffect(() => {
    if (!dirty || readOnly) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty, readOnly]);

  // The server checks the config a moment after each change.
  const configText = JSON.stringify(config);
  useEffect(() => {
    if (readOnly || configText === saved) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setCheck('checking');
      api
        .POST('/core/agent-config-schema/validate', {
          body: config as Schemas['AgentConfig'],
          signal: controller.signal,
        })
        .then(({ error, response }) => {
          if (response.ok) {
            setFieldErrors([]);
            setCheck('ok');
          } else if (response.status === 422) {
            const err = apiError(response, error);
            setErrorPrefix(['body']);
            setFieldErrors(err.fieldErrors);
            setCheck('failed');
          } else {
            setCheck('idle');
          }
        })
        .catch(() => {
          if (!controller.signal.aborted) setCheck('idle');
        });
    }, 700);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // config changes exactly when configText does.
  }, [configText, readOnly, saved]);

  const switchView = (next: View) => {
    if (next === view) return;
    if (next === 'json') {
      setJsonText(JSON.stringify(config, null, 2));
      setJsonProblem(undefined);
    } else if (jsonProblem) {
      return; // stay: the text is not a config yet
    }
    setView(next);
  };

  const onJsonChange = (text: string) => {
    setJsonText(text);
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        setJsonProblem('The config must be a JSON object ({ … }).');
        return;
      }
      setJsonProblem(undefined);
      setConfig(value as Config);
    } catch (err) {
      setJsonProblem(`Not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    if (readOnly || busy) return;
    if (jsonProblem) {
      setSaveError(new Error('Fix the JSON before saving.'));
      return;
    }
    setBusy(true);
    setSaveError(undefined);
    setNotice('');
    try {
      const { data, error, response } = await api.PUT('/core/agents/{id}/versions/{version}', {
        params: { path: { id: agentId, version: String(v.version) }, header: etag ? { 'If-Match': etag } : undefined },
        body: { config: config as Schemas['AgentConfig'], description },
      });
      if (!response.ok || !data) throw apiError(response, error);
      setEtag(response.headers.get('ETag'));
      setConfig(data.config as Config);
      setSaved(JSON.stringify(data.config));
      setJsonText(JSON.stringify(data.config, null, 2));
      setDescription(data.description);
      setSavedDescription(data.description);
      setFieldErrors([]);
      setCheck('idle');
      setNotice(`Saved ${formatVersion(data.version)} at ${new Date(data.updated_at).toLocaleTimeString()}.`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        setErrorPrefix(['body', 'config']);
        setFieldErrors(err.fieldErrors);
        setSaveError(new ApiError(422, 'The draft was not saved: the server found problems, listed below.', err.code));
        requestAnimationFrame(() => summaryRef.current?.focus());
      } else if (err instanceof ApiError && err.status === 412) {
        setSaveError(
          new Error(
            'This draft changed since you opened it (someone else saved it). Copy your changes from the JSON view, then reload to see the latest.',
          ),
        );
      } else {
        setSaveError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  const newDraft = async () => {
    setBusy(true);
    setSaveError(undefined);
    try {
      const draft = await unwrap(
        api.POST('/core/agents/{id}/versions', {
          params: { path: { id: agentId } },
          body: { base_version: v.version },
        }),
      );
      navigate(`/agents/${agentId}/versions/${draft.version}`);
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };

  const discard = () => {
    const config = JSON.parse(saved) as Config;
    setConfig(config);
    setJsonText(JSON.stringify(config, null, 2));
    setJsonProblem(undefined);
    setDescription(savedDescription);
    setFieldErrors([]);
    setSaveError(undefined);
    setCheck('idle');
    setNotice('Changes discarded.');
  };

  const problems = placed.length + other.filter((e) => !descriptionErrors.includes(e)).length;

  return (
    <>
      <div className="title-row">
        <h1>{formatVersion(v.version)}</h1>
        <ul className="badges" aria-label="Status">
          <li className={v.published ? 'badge live' : 'badge'}>{v.published ? 'Published' : 'Draft'}</li>
          {dirty && !readOnly && <li className="badge canary">Unsaved changes</li>}
        </ul>
      </div>
      <p className="muted">
        Created <Time value={v.created_at} />
        {v.created_by && <> by {v.created_by.name}</>}
        {v.base_version !== null && <> from {formatVersion(v.base_version)}</>}
        {v.published_at && (
          <>
            {' '}
            · published <Time value={v.published_at} />
          </>
        )}
        {' · '}
        <Link href={`/agents/${agentId}/compare?to=${v.version}${v.version > 1 ? `&from=${v.version - 1}` : ''}`}>
          Compare with another version
        </Link>
      </p>

      {readOnly && (
        <div className="panel readonly-note">
          <p>Published versions never change. To change this one, start a new draft from it.</p>
          <p>
            <button type="button" onClick={() => void newDraft()} disabled={busy}>
              {busy ? 'Creating…' : 'New draft from this version'}
            </button>
          </p>
          <ErrorMessage error={saveError} />
        </div>
      )}

      <form className="stack editor-meta" onSubmit={(e) => void save(e)}>
        <div className="field">
          <label htmlFor="version-description">Change note</label>
          <textarea
            id="version-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            rows={2}
            maxLength={2000}
            readOnly={readOnly}
            aria-invalid={descriptionErrors.length > 0 ? true : undefined}
            aria-describedby={descriptionErrors.length > 0 ? 'version-description-errors' : undefined}
          />
          {descriptionErrors.length > 0 && (
            <ul id="version-description-errors" className="field-errors">
              {descriptionErrors.map((e, i) => (
                <li key={i}>{e.msg}</li>
              ))}
            </ul>
          )}
        </div>
      </form>

      <div className="editor-toolbar">
        <div className="segmented" role="group" aria-label="View">
          <button type="button" className="secondary" aria-pressed={view === 'form'} onClick={() => switchView('form')}>
            Form
          </button>
          <button type="button" className="secondary" aria-pressed={view === 'json'} onClick={() => switchView('json')}>
            JSON
          </button>
        </div>
        {!readOnly && (
          <>
            <p className="check-status" role="status">
              {check === 'checking' && 'Checking…'}
              {check === 'ok' && 'The server finds no problem.'}
              {check === 'failed' && `The server finds ${problems} problem${problems === 1 ? '' : 's'}.`}
            </p>
            <button type="button" onClick={() => void save()} disabled={busy}>
              {busy ? 'Saving…' : 'Save draft'}
            </button>
          </>
        )}
      </div>
      <p className="notice" role="status">
        {notice}
      </p>
      {!readOnly && <ErrorMessage error={saveError} />}

      {(placed.length > 0 || other.length > descriptionErrors.length) && (
        <div className="error error-summary" ref={summaryRef} tabIndex={-1} aria-labelledby="error-summary-heading">
          <h2 id="error-summary-heading">
            {problems} problem{problems === 1 ? '' : 's'} in the config
          </h2>
          <ul>
            {placed.map((e, i) => (
              <ErrorLink key={i} error={e} onShow={() => setView('form')} />
            ))}
            {other
              .filter((e) => !descriptionErrors.includes(e))
              .map((e, i) => (
                <li key={`o${i}`}>
                  <code>{describePath(e.loc.filter((p) => p !== 'body'))}</code>: {e.msg}
                </li>
              ))}
          </ul>
        </div>
      )}

      {view === 'form' ? (
        <ConfigForm
          schema={schema}
          value={config}
          onChange={setConfig}
          readOnly={readOnly}
          errors={errorSchema}
          onSubmit={() => void save()}
        />
      ) : (
        <div className="field">
          <label htmlFor="config-json">Config (JSON)</label>
          <textarea
            id="config-json"
            className="code"
            rows={24}
            value={jsonText}
            readOnly={readOnly}
            spellCheck={false}
            onChange={(e) => onJsonChange(e.target.value)}
            aria-invalid={jsonProblem ? true : undefined}
            aria-describedby={jsonProblem ? 'config-json-problem' : undefined}
          />
          {jsonProblem && (
            <p id="config-json-problem" className="field-errors">
              {jsonProblem}
            </p>
          )}
        </div>
      )}
      {!readOnly && (
        <div className="actions editor-bottom">
          <button type="button" onClick={() => void save()} disabled={busy}>
            {busy ? 'Saving…' : 'Save draft'}
          </button>
          <button type="button" className="secondary" onClick={discard} disabled={busy || !dirty}>
            Discard changes
          </button>
        </div>
      )}
    </>
  );
}

function ErrorLink({ error, onShow }: { error: PlacedError; onShow(): void }) {
  return (
    <li>
      <a
        href={`#${error.fieldId}`}
        onClick={(e) => {
          e.preventDefault();
          onShow();
          requestAnimationFrame(() => focusField(error.path));
        }}
      >
        {error.where || 'config'}
      </a>
      : {error.message}
    </li>
  );
}

export default VersionEditorPage;
