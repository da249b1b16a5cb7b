/** Moments as committees read them, always in UTC so everyone sees the same deadline. */
import type { Language, Translate } from "~/i18n";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** How each interface language writes dates: English as in Britain, Chinese in Simplified script. */
const DATE_LOCALES: Record<Language, string> = { en: "en-GB", zh: "zh-Hans-CN" };

/**
 * "12 Mar 2026, 09:30 UTC", or "12 March 2026" with `dateOnly`; in Chinese "2026年3月12日 09:30 UTC"
 * and "2026年3月12日".
 */
export function formatUtc(value: Date | string, dateOnly = false, language: Language = "en"): string {
  const date = new Date(value);
  const locale = DATE_LOCALES[language];
  return dateOnly
    ? date.toLocaleDateString(locale, { dateStyle: "long", timeZone: "UTC" })
    : `${date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC`;
}

/** The value a datetime-local input shows for a moment, read as UTC: "2026-03-12T09:30". */
export function toDatetimeLocal(value: Date | string | null): string {
  return value ? new Date(value).toISOString().slice(0, 16) : "";
}

/** "closes in 3 days", computed on the server so the page reads the same with or without JavaScript. */
export function timeLeft(closesAt: Date, now: Date, t: Translate): string {
  const left = closesAt.getTime() - now.getTime();
  if (left <= 0) return t("deadline passed");
  if (left >= DAY) return t("closes in {{count}} days", { count: Math.floor(left / DAY) });
  if (left >= HOUR) return t("closes in {{count}} hours", { count: Math.floor(left / HOUR) });
  return t("closes in {{count}} minutes", { count: Math.max(1, Math.floor(left / MINUTE)) });
}
