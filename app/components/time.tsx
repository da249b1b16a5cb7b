import { formatUtc } from "~/time";

/** A moment shown the same way to everyone (UTC), machine-readable for assistive tools. */
export function Time({ value, dateOnly = false }: { value: string | Date; dateOnly?: boolean }) {
  const date = new Date(value);
  return <time dateTime={date.toISOString()}>{formatUtc(date, dateOnly)}</time>;
}
