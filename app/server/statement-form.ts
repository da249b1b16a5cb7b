import { z } from "zod";
import { controlCharacterIn, normalizeLineBreaks } from "~/consensus/characters";
import { msg, type Translate } from "~/i18n";
import { english } from "~/locales/english";

/** Shared by the statement pages and statements.server.ts; safe to load in the browser. */
export const STATEMENT_LIMITS = { section: 200, text: 4000, rationale: 10_000, references: 10_000, changeNote: 2000 } as const;

/**
 * Typed text: no control character but tab and line break; a browser's CRLF line breaks stored as "\n".
 * `what` is a translation key; `t` translates the message where the schema is built for one language.
 */
const typed = (what: string, options?: { error: string }, t: Translate = english) =>
  z
    .string(options)
    .refine((value) => controlCharacterIn(value) === null, {
      error: (iss) =>
        t("{{what}} contains a control character ({{character}}): only tab and line break are allowed", {
          what: t(what),
          character: controlCharacterIn(String(iss.input)),
        }),
    })
    .overwrite(normalizeLineBreaks)
    .trim();

/** A limit's message: a translation key naming the limit as written, checked against it so the two cannot drift. */
function atMost<K extends string>(max: number, key: K): K {
  if (!key.includes(` ${max.toLocaleString("en")} `)) throw new Error(`"${key}" does not name the limit ${max}`);
  return key;
}

const optionalText = (max: number, what: string, tooLong: string) => typed(what).max(max, atMost(max, tooLong)).default("");

export const StatementFieldsSchema = z.object({
  section: optionalText(STATEMENT_LIMITS.section, msg("A section"), msg("A section has at most 200 characters")),
  text: typed(msg("The statement"), { error: msg("Write the statement") })
    .min(1, msg("Write the statement"))
    .max(STATEMENT_LIMITS.text, atMost(STATEMENT_LIMITS.text, msg("A statement has at most 4,000 characters"))),
  rationale: optionalText(STATEMENT_LIMITS.rationale, msg("The rationale"), msg("The rationale has at most 10,000 characters")),
  references: optionalText(
    STATEMENT_LIMITS.references,
    msg("The references"),
    msg("The references has at most 10,000 characters"),
  ),
});

export type StatementFields = z.infer<typeof StatementFieldsSchema>;

/** What an edit starts from: the latest revision, and whether a round has voted on it. */
export type EditBasis = {
  revision: number;
  text: string;
  rationale: string;
  references: string;
  /** The number of the round that voted on the latest revision, null if none has. */
  votedInRound: number | null;
};

/**
 * Every revision after the first says what changed, and so does every edit of a voted statement:
 * the history can be read without the diff.
 */
export function changeNoteRequired(basis: EditBasis): boolean {
  return basis.votedInRound !== null || basis.revision >= 2;
}

/** Why a change note is needed, translated by `t` (English by default). */
export function changeNoteMessage(basis: EditBasis, t: Translate = english): string {
  return basis.votedInRound === null
    ? t("Say what changed in revision {{revision}}", { revision: basis.revision })
    : t("Say what changed: revision {{revision}} was voted on in round {{round}}", {
        revision: basis.revision,
        round: basis.votedInRound,
      });
}

/** The edit form's schema; `t` writes the messages that name a revision or a round (English by default). */
export function editStatementSchema(basis: EditBasis, t: Translate = english) {
  const limit = atMost(STATEMENT_LIMITS.changeNote, msg("A change note has at most 2,000 characters"));
  const changeNote = changeNoteRequired(basis)
    ? typed(msg("A change note"), { error: changeNoteMessage(basis, t) }, t)
        .min(1, changeNoteMessage(basis, t))
        .max(STATEMENT_LIMITS.changeNote, limit)
    : typed(msg("A change note"), undefined, t).max(STATEMENT_LIMITS.changeNote, limit).default("");
  return StatementFieldsSchema.extend({ intent: z.literal("edit"), changeNote });
}

export const RetireSchema = z.object({
  intent: z.literal("retire"),
  confirm: z.literal("on", { error: msg("Tick the box to confirm that you want to retire this statement") }),
});

export const RestoreSchema = z.object({ intent: z.literal("restore") });

export const MoveSchema = z.object({
  intent: z.literal("move"),
  statementId: z.string().min(1),
  direction: z.enum(["up", "down"]),
});

/** A statement's text and rationale in one other language, as typed on the statement forms. */
const TranslationFieldsSchema = z.object({
  text: typed(msg("A translation")).max(
    STATEMENT_LIMITS.text,
    atMost(STATEMENT_LIMITS.text, msg("A translation has at most 4,000 characters")),
  ),
  rationale: typed(msg("A translated rationale")).max(
    STATEMENT_LIMITS.rationale,
    atMost(STATEMENT_LIMITS.rationale, msg("A translated rationale has at most 10,000 characters")),
  ),
});

/** The form field of a translation: `translation.zh.text`, `translation.zh.rationale`. */
export const translationField = (language: string, part: "text" | "rationale") => `translation.${language}.${part}`;

/**
 * The translations a statement form sent, one per language of the guideline that has fields on
 * it (a language left out of the form is left as it is); errors keyed by field name.
 */
export function readTranslations(
  form: FormData,
  languages: string[],
):
  | { ok: true; translations: Record<string, { text: string; rationale: string }> }
  | { ok: false; errors: Record<string, string[]> } {
  const translations: Record<string, { text: string; rationale: string }> = {};
  const errors: Record<string, string[]> = {};
  for (const language of languages) {
    const text = form.get(translationField(language, "text"));
    if (typeof text !== "string") continue;
    const rationale = form.get(translationField(language, "rationale"));
    const parsed = TranslationFieldsSchema.safeParse({ text, rationale: typeof rationale === "string" ? rationale : "" });
    if (parsed.success && parsed.data.text === "" && parsed.data.rationale !== "") {
      errors[translationField(language, "text")] = [msg("Write the translated statement, or leave its rationale empty too")];
    } else if (parsed.success) translations[language] = parsed.data;
    else
      for (const issue of parsed.error.issues)
        (errors[translationField(language, issue.path[0] as "text" | "rationale")] ??= []).push(issue.message);
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, translations };
}
