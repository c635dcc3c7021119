// How the console writes times, numbers and versions.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp from the API in the reader's locale, or an em dash. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** A share in [0, 1] as a percentage, or an em dash for null. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${(rate * 100).toFixed(1)}%`;
}

/** A version number as "v3", or an em dash for none. */
export function formatVersion(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `v${v}`;
}

/** Epoch milliseconds (credential expiry) as a time, or "never". */
export function formatEpochMillis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'never';
  return dateTime.format(new Date(ms));
}
