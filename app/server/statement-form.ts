import { z } from "zod";
import { controlCharacterIn, normalizeLineBreaks } from "~/consensus/characters";

/** Shared by the statement pages and statements.server.ts; safe to load in the browser. */
export const STATEMENT_LIMITS = { section: 200, text: 4000, rationale: 10_000, references: 10_000, changeNote: 2000 } as const;

/** Typed text: no control character but tab and line break; a browser's CRLF line breaks stored as "\n". */
const typed = (what: string, options?: { error: string }) =>
  z
    .string(options)
    .refine((value) => controlCharacterIn(value) === null, {
      error: (iss) =>
        `${what} contains a control character (${controlCharacterIn(String(iss.input))}): only tab and line break are allowed`,
    })
    .overwrite(normalizeLineBreaks)
    .trim();

const optionalText = (max: number, what: string) =>
  typed(what)
    .max(max, `${what} has at most ${max.toLocaleString("en")} characters`)
    .default("");

export const StatementFieldsSchema = z.object({
  section: optionalText(STATEMENT_LIMITS.section, "A section"),
  text: typed("The statement", { error: "Write the statement" })
    .min(1, "Write the statement")
    .max(STATEMENT_LIMITS.text, `A statement has at most ${STATEMENT_LIMITS.text.toLocaleString("en")} characters`),
  rationale: optionalText(STATEMENT_LIMITS.rationale, "The rationale"),
  references: optionalText(STATEMENT_LIMITS.references, "The references"),
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

export function changeNoteMessage(basis: EditBasis): string {
  return basis.votedInRound === null
    ? `Say what changed in revision ${basis.revision}`
    : `Say what changed: revision ${basis.revision} was voted on in round ${basis.votedInRound}`;
}

export function editStatementSchema(basis: EditBasis) {
  const limit = `A change note has at most ${STATEMENT_LIMITS.changeNote.toLocaleString("en")} characters`;
  const changeNote = changeNoteRequired(basis)
    ? typed("A change note", { error: changeNoteMessage(basis) })
        .min(1, changeNoteMessage(basis))
        .max(STATEMENT_LIMITS.changeNote, limit)
    : typed("A change note").max(STATEMENT_LIMITS.changeNote, limit).default("");
  return StatementFieldsSchema.extend({ intent: z.literal("edit"), changeNote });
}

export const RetireSchema = z.object({
  intent: z.literal("retire"),
  confirm: z.literal("on", { error: "Tick the box to confirm that you want to retire this statement" }),
});

export const RestoreSchema = z.object({ intent: z.literal("restore") });

export const MoveSchema = z.object({
  intent: z.literal("move"),
  statementId: z.string().min(1),
  direction: z.enum(["up", "down"]),
});
