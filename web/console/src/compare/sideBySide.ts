// Two texts as side-by-side rows of a line diff.
import { diffLines } from 'diff';

export type Side = { number: number; text: string; kind: 'same' | 'removed' | 'added' } | null;

export interface Row {
  left: Side;
  right: Side;
}

/** A value as canonical JSON: object keys sorted, two-space indent. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2);
}

function lines(value: string): string[] {
  const out = value.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * The rows of a side-by-side diff: unchanged lines on both sides, a removed
 * run beside the added run that replaced it, blanks where one side has none.
 */
export function sideBySide(from: string, to: string): Row[] {
  const rows: Row[] = [];
  let l = 1;
  let r = 1;
  const changes = diffLines(from.endsWith('\n') ? from : `${from}\n`, to.endsWith('\n') ? to : `${to}\n`);
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (!c.added && !c.removed) {
      for (const text of lines(c.value)) rows.push({ left: { number: l++, text, kind: 'same' }, right: { number: r++, text, kind: 'same' } });
      continue;
    }
    const removed = c.removed ? lines(c.value) : [];
    let added: string[] = c.added ? lines(c.value) : [];
    const next = changes[i + 1];
    if (c.removed && next?.added) {
      added = lines(next.value);
      i++;
    }
    const n = Math.max(removed.length, added.length);
    for (let k = 0; k < n; k++) {
      rows.push({
        left: k < removed.length ? { number: l++, text: removed[k]!, kind: 'removed' } : null,
        right: k < added.length ? { number: r++, text: added[k]!, kind: 'added' } : null,
      });
    }
  }
  return rows;
}

export type Block = { kind: 'rows'; rows: Row[] } | { kind: 'fold'; rows: Row[] };

/** Unchanged runs longer than 2×context+1 fold, keeping context lines beside each change. */
export function fold(rows: Row[], context = 3): Block[] {
  const changed = rows.map((row) => row.left?.kind !== 'same' || row.right?.kind !== 'same');
  const keep = rows.map((_, i) => {
    for (let d = -context; d <= context; d++) if (changed[i + d]) return true;
    return false;
  });
  const blocks: Block[] = [];
  let i = 0;
  while (i < rows.length) {
    const k = keep[i];
    let j = i;
    while (j < rows.length && keep[j] === k) j++;
    const run = rows.slice(i, j);
    blocks.push(!k && run.length > 1 ? { kind: 'fold', rows: run } : { kind: 'rows', rows: run });
    i = j;
  }
  return blocks;
}
