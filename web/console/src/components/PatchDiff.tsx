// A JSON Patch (RFC 6902) — an audit entry's `changes` — as a table people
// can read: one row per operation, additions in green, removals in red,
// replacements with their new value in amber. The colour is never the only
// sign: each row names its operation in words.
import type { Schemas } from '../api/client';

type PatchOp = Schemas['PatchOp'];

const kinds: Record<PatchOp['op'], { word: string; mark: string; className: string }> = {
  add: { word: 'Added', mark: '+', className: 'diff-added' },
  remove: { word: 'Removed', mark: '−', className: 'diff-removed' },
  replace: { word: 'Replaced', mark: '~', className: 'diff-replaced' },
  move: { word: 'Moved', mark: '→', className: 'diff-moved' },
};

/** A JSON Pointer for people: "" is the whole resource. */
export function describePath(path: string): string {
  return path === '' ? '(the whole resource)' : path;
}

function Value({ op }: { op: PatchOp }) {
  if (op.op === 'move') {
    return (
      <>
        from <code>{describePath(op.from ?? '')}</code>
      </>
    );
  }
  if (op.op === 'remove' || !('value' in op)) return <span className="muted">—</span>;
  const text = JSON.stringify(op.value, null, 2) ?? 'null';
  return (
    <pre className="patch-value">
      <code>{text}</code>
    </pre>
  );
}

export function PatchDiff({ changes, caption }: { changes: PatchOp[]; caption: string }) {
  if (changes.length === 0) return <p className="muted">No recorded field changes.</p>;
  return (
    <div className="table-wrap">
      <table className="patch">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Change</th>
            <th scope="col">Path</th>
            <th scope="col">New value</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((op, i) => {
            const kind = kinds[op.op] ?? { word: op.op, mark: ' ', className: '' };
            return (
              <tr key={i} className={kind.className}>
                <td className="patch-op">
                  <span className="diff-mark" aria-hidden="true">
                    {kind.mark}
                  </span>
                  {kind.word}
                </td>
                <td className="patch-path">
                  <code>{describePath(op.path)}</code>
                </td>
                <td>
                  <Value op={op} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
