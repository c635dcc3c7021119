import { ApiError, describeError } from '../api/client';

/** An error sentence read out by screen readers, with any field errors. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === undefined || error === null || error === '') return null;
  const message = typeof error === 'string' ? error : describeError(error);
  const fields = error instanceof ApiError ? error.fieldErrors : [];
  return (
    <div className="error" role="alert">
      <p>{message}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f, i) => (
            <li key={i}>
              <code>{f.loc.filter((p) => p !== 'body').join('.')}</code>: {f.msg}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
