import { formatUtc } from "~/time";
import { useLanguage } from "./translations";

/** A moment shown the same way to everyone (UTC), machine-readable for assistive tools. */
export function Time({ value, dateOnly = false }: { value: string | Date; dateOnly?: boolean }) {
  const date = new Date(value);
  return <time dateTime={date.toISOString()}>{formatUtc(date, dateOnly, useLanguage())}</time>;
}
