// The server's validation errors (a 422 body's `errors[]`) placed in the form.
import type { ErrorSchema } from '@rjsf/utils';
import type { FieldError } from '../api/client';

/** One error, where it is, and the form element that shows it. */
export interface PlacedError {
  /** The path inside the config ([] for the config itself). */
  path: (string | number)[];
  /** "tools[0].actions[1].url", or "" for the whole config. */
  where: string;
  /** The server's message, without a leading repeat of the path. */
  message: string;
  /** The id rjsf gives the field at path. */
  fieldId: string;
}

/** The path of a loc inside the config, or null when it is outside it. */
export function configPath(loc: (string | number)[], prefix: (string | number)[]): (string | number)[] | null {
  if (loc.length < prefix.length) return null;
  for (let i = 0; i < prefix.length; i++) if (loc[i] !== prefix[i]) return null;
  return loc.slice(prefix.length);
}

/** ["tools", 0, "url"] as "tools[0].url". */
export function describePath(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' || /^\d+$/.test(String(p)) ? `[${p}]` : out ? `.${p}` : String(p);
  return out;
}

/** rjsf's id for the field at path. */
export function fieldId(path: (string | number)[]): string {
  return ['root', ...path].join('_');
}

/** The server prefixes some messages with the dotted path; beside the field that is noise. */
function inlineMessage(message: string, path: (string | number)[]): string {
  const dotted = path.join('.');
  for (const prefix of [dotted, String(path[path.length - 1] ?? '')]) {
    if (prefix && message.startsWith(`${prefix}: `)) return message.slice(prefix.length + 2);
  }
  return message;
}

/**
 * Splits the errors of a 422 into those on the config (placed by path, as
 * rjsf's extraErrors) and the rest. prefix is the loc of the config
 * (["body", "config"] for a version, ["body"] for the validate route).
 */
export function placeErrors(
  errors: FieldError[],
  prefix: (string | number)[],
): { errorSchema: ErrorSchema; placed: PlacedError[]; other: FieldError[] } {
  const errorSchema: Record<string, unknown> = {};
  const placed: PlacedError[] = [];
  const other: FieldError[] = [];
  for (const e of errors) {
    const path = configPath(e.loc, prefix);
    if (path === null) {
      other.push(e);
      continue;
    }
    const message = inlineMessage(e.msg, path);
    placed.push({ path, where: describePath(path), message, fieldId: fieldId(path) });
    let node = errorSchema;
    for (const part of path) {
      const key = String(part);
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const list = (node.__errors ??= []) as string[];
    list.push(message);
  }
  return { errorSchema: errorSchema as ErrorSchema, placed, other };
}

/** Focuses the field that shows an error, or its nearest shown ancestor. */
export function focusField(path: (string | number)[]): boolean {
  for (let n = path.length; n >= 0; n--) {
    const id = fieldId(path.slice(0, n));
    const el =
      document.getElementById(id) ??
      document.getElementById(`${id}__oneof_select`) ??
      document.getElementById(`${id}__anyof_select`);
    if (!el) continue;
    const target =
      el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement
        ? el
        : (el.querySelector<HTMLElement>('input, select, textarea, button') ?? el);
    target.focus();
    target.scrollIntoView?.({ block: 'center' });
    return true;
  }
  return false;
}
