import { dictionary } from "@zxcvbn-ts/language-common";
import { msg } from "~/i18n";

// zxcvbn-ts's list of the ~49,000 most common passwords (breach corpora), kept in one Set on
// the server only: the browser checks length, the server also checks this list.
const common = new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));

/** A translation key: the password forms show it translated. */
export const COMMON_PASSWORD = msg("This is one of the most common passwords: choose another");

export function isCommonPassword(password: string): boolean {
  return common.has(password.toLowerCase());
}
