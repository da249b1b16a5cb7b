import { config } from "zod";
import { en, zhCN } from "zod/locales";
import type { Language } from "~/i18n";

// zod 4 probes `new Function` to compile fast parsers when a schema is built. In the browser the
// CSP forbids eval and reports the probe as a violation, so schemas are built without it there.
// Imported first by root.tsx: Remix evaluates the root route before any other route module.
if (typeof document !== "undefined") config({ jitless: true });

const LOCALES = { en: en(), zh: zhCN() };

/**
 * zod's own messages (a value too long, a wrong type) follow the interface language, asked of
 * `language()` at each failure: the request's on the server, the page's in the browser. Messages a
 * schema names itself are translation keys, translated where they are shown.
 */
export function zodMessagesIn(language: () => Language): void {
  config({ localeError: (issue) => LOCALES[language()].localeError(issue) });
}
