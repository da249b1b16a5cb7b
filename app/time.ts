/** Moments as committees read them, always in UTC so everyone sees the same deadline. */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** "12 Mar 2026, 09:30 UTC", or "12 March 2026" with `dateOnly`. */
export function formatUtc(value: Date | string, dateOnly = false): string {
  const date = new Date(value);
  return dateOnly
    ? date.toLocaleDateString("en-GB", { dateStyle: "long", timeZone: "UTC" })
    : `${date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC`;
}

/** The value a datetime-local input shows for a moment, read as UTC: "2026-03-12T09:30". */
export function toDatetimeLocal(value: Date | string | null): string {
  return value ? new Date(value).toISOString().slice(0, 16) : "";
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** "closes in 3 days", computed on the server so the page reads the same with or without JavaScript. */
export function timeLeft(closesAt: Date, now: Date): string {
  const left = closesAt.getTime() - now.getTime();
  if (left <= 0) return "deadline passed";
  if (left >= DAY) return `closes in ${plural(Math.floor(left / DAY), "day")}`;
  if (left >= HOUR) return `closes in ${plural(Math.floor(left / HOUR), "hour")}`;
  return `closes in ${plural(Math.max(1, Math.floor(left / MINUTE)), "minute")}`;
}
