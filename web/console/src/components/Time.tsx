import { formatTime } from '../format';

/** A timestamp from the API, machine-readable in datetime. */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <>—</>;
  return <time dateTime={value}>{formatTime(value)}</time>;
}
