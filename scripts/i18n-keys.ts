/**
 * Which translation keys the code uses, and which are missing or unused in either language.
 * Used by `npm run i18n` (prints the report) and by test/unit/i18n-keys.test.ts (fails on it).
 *
 * A key is the first argument of `t(...)`, `tr(...)` or `msg(...)` when it is a string literal.
 * A call with `count` in its options is plural: English needs `_one` and `_other`, Chinese `_other`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { LANGUAGES, NAMESPACES, type Language } from "../app/i18n";

const CALLEES = new Set(["t", "tr", "msg"]);

/**
 * `namespaces`: where the key must be found — the namespaces of the file's `useTranslation(...)`,
 * besides common and errors (the browser holds only the page's namespaces, and falls back to
 * those two); null where any namespace will do: `msg`, `tr` and the server's translators (which
 * search them all), and files that name none.
 */
export type KeyUse = { key: string; plural: boolean; file: string; namespaces: string[] | null };

const FALLBACK = ["common", "errors"];

/** The namespaces a file's components translate in: its useTranslation calls. */
function fileNamespaces(source: ts.SourceFile): string[] {
  const found = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      const first = node.arguments[0];
      if (name === "useTranslation" && first) {
        const listed = ts.isArrayLiteralExpression(first) ? [...first.elements] : [first];
        for (const element of listed) if (ts.isStringLiteral(element)) found.add(element.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function calleeName(expression: ts.Expression): string | null {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return null;
}

export function keysUsed(root: string): KeyUse[] {
  const uses: KeyUse[] = [];
  for (const file of sourceFiles(join(root, "app"))) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const own = fileNamespaces(source);
    const visit = (node: ts.Node) => {
      const callee = ts.isCallExpression(node) ? calleeName(node.expression) : null;
      if (ts.isCallExpression(node) && CALLEES.has(callee ?? "")) {
        const [first, second] = node.arguments;
        if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) {
          const plural =
            !!second &&
            ts.isObjectLiteralExpression(second) &&
            second.properties.some(
              (p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name.getText() === "count",
            );
          const namespaces = callee === "msg" || callee === "tr" || own.length === 0 ? null : [...own, ...FALLBACK];
          uses.push({ key: first.text, plural, file: relative(root, file), namespaces });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return uses;
}

type Resources = Record<Language, Record<string, Record<string, string>>>;

export function readResources(root: string): Resources {
  const read = (language: Language) =>
    Object.fromEntries(
      NAMESPACES.map((ns) => [
        ns,
        JSON.parse(readFileSync(join(root, "app/locales", language, `${ns}.json`), "utf8")) as Record<string, string>,
      ]),
    );
  return Object.fromEntries(LANGUAGES.map((language) => [language, read(language)])) as Resources;
}

const PLURAL_FORMS: Record<Language, string[]> = { en: ["_one", "_other"], zh: ["_other"] };

/** The resource entries a use needs in one language. */
function entriesFor(use: Pick<KeyUse, "key" | "plural">, language: Language): string[] {
  return use.plural ? PLURAL_FORMS[language].map((suffix) => use.key + suffix) : [use.key];
}

/**
 * `english`: what keeps app/locales/english.ts (the plural forms only) right — an English text
 * that is not its key, plural forms that disagree between namespaces, or en-plurals.json out of date.
 */
export type Report = { missing: string[]; unused: string[]; empty: string[]; english: string[] };

const PLURALS_FILE = "app/locales/en-plurals.json";

/** Every English plural form, from every namespace: what english.ts needs besides the keys themselves. */
export function englishPlurals(resources: Resources): { plurals: Record<string, string>; conflicts: string[] } {
  const plurals: Record<string, string> = {};
  const conflicts: string[] = [];
  for (const ns of NAMESPACES) {
    for (const [entry, value] of Object.entries(resources.en[ns]!)) {
      if (!/_(one|other)$/.test(entry)) continue;
      if (entry in plurals && plurals[entry] !== value)
        conflicts.push(`en/${ns}: ${JSON.stringify(entry)} differs from another namespace's`);
      plurals[entry] = value;
    }
  }
  return { plurals: Object.fromEntries(Object.entries(plurals).sort(([a], [b]) => (a < b ? -1 : 1))), conflicts };
}

function pluralsJson(plurals: Record<string, string>): string {
  return JSON.stringify(plurals, null, 2) + "\n";
}

export function checkKeys(root: string): Report {
  const uses = keysUsed(root);
  const resources = readResources(root);
  const missing: string[] = [];
  const needed = new Map<Language, Set<string>>(LANGUAGES.map((l) => [l, new Set()]));
  const seen = new Set<string>();
  for (const use of uses) {
    for (const language of LANGUAGES) {
      for (const entry of entriesFor(use, language)) {
        needed.get(language)!.add(entry);
        const where = `${language}: ${JSON.stringify(entry)} (${use.file})`;
        if (seen.has(where)) continue;
        seen.add(where);
        if (!(use.namespaces ?? NAMESPACES).some((ns) => entry in resources[language][ns]!)) {
          missing.push(use.namespaces ? `${where} [in ${use.namespaces.join(", ")}]` : where);
        }
      }
    }
  }
  const unused: string[] = [];
  const empty: string[] = [];
  for (const language of LANGUAGES) {
    for (const ns of NAMESPACES) {
      for (const [entry, value] of Object.entries(resources[language][ns]!)) {
        if (!needed.get(language)!.has(entry)) unused.push(`${language}/${ns}: ${JSON.stringify(entry)}`);
        if (typeof value !== "string" || value.trim() === "") empty.push(`${language}/${ns}: ${JSON.stringify(entry)}`);
      }
      // A namespace translates the same keys in both languages.
      const base = (entry: string) => entry.replace(/_(one|other)$/, "");
      const other = LANGUAGES.find((l) => l !== language)!;
      for (const entry of Object.keys(resources[language][ns]!)) {
        const bare = base(entry);
        const there = Object.keys(resources[other][ns]!).some((e) => base(e) === bare);
        if (!there) missing.push(`${other}/${ns}: ${JSON.stringify(bare)} (present in ${language}/${ns})`);
      }
    }
  }
  const english: string[] = [];
  for (const ns of NAMESPACES) {
    for (const [entry, value] of Object.entries(resources.en[ns]!)) {
      if (!/_(one|other)$/.test(entry) && value !== entry)
        english.push(`en/${ns}: ${JSON.stringify(entry)} is written ${JSON.stringify(value)}`);
    }
  }
  const { plurals, conflicts } = englishPlurals(resources);
  english.push(...conflicts);
  const stored = readFileSync(join(root, PLURALS_FILE), "utf8");
  if (stored !== pluralsJson(plurals)) english.push(`${PLURALS_FILE} is out of date: run npm run i18n -- --plurals`);
  return { missing: [...new Set(missing)], unused, empty, english };
}

/**
 * `npm run i18n -- --add NS FILE...`: the keys those files use that no namespace has yet are added
 * to NS, in English as written (both plural forms alike) and in Chinese empty, to be translated.
 */
function addMissing(root: string, ns: string, files: string[]): number {
  const resources = readResources(root);
  const wanted = new Set(files.map((f) => relative(root, join(root, f))));
  let added = 0;
  for (const use of keysUsed(root).filter((u) => wanted.has(u.file))) {
    for (const language of LANGUAGES) {
      for (const entry of entriesFor(use, language)) {
        if ((use.namespaces ?? NAMESPACES).some((n) => entry in resources[language][n]!)) continue;
        resources[language][ns]![entry] = language === "en" ? use.key : "";
        added++;
      }
    }
  }
  for (const language of LANGUAGES) {
    writeFileSync(join(root, "app/locales", language, `${ns}.json`), JSON.stringify(resources[language][ns], null, 2) + "\n");
  }
  return added;
}

if (process.argv[1]?.endsWith("i18n-keys.ts")) {
  const [flag, ns, ...files] = process.argv.slice(2);
  if (flag === "--plurals") {
    writeFileSync(join(process.cwd(), PLURALS_FILE), pluralsJson(englishPlurals(readResources(process.cwd())).plurals));
  }
  if (flag === "--add") {
    if (!ns || !(NAMESPACES as readonly string[]).includes(ns))
      throw new Error(`--add needs a namespace: ${NAMESPACES.join(", ")}`);
    console.log(`Added ${addMissing(process.cwd(), ns, files)} entries to ${ns}.`);
  }
  const report = checkKeys(process.cwd());
  for (const [name, list] of Object.entries(report)) {
    if (list.length) console.log(`${name} (${list.length}):\n  ${list.join("\n  ")}`);
  }
  const failed = report.missing.length + report.unused.length + report.empty.length + report.english.length;
  console.log(failed ? `${failed} problem(s).` : `Every key is translated in ${LANGUAGES.join(" and ")}.`);
  process.exit(failed ? 1 : 0);
}
