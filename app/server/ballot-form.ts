import { z } from "zod";
import { CHOICES, type Choice } from "@db/schema";

export const COMMENT_LIMIT = 2000;

const Ballot = z.object({
  roundItemId: z.string().min(1),
  choice: z.enum(CHOICES, { error: "Choose agree, disagree or abstain" }),
  comment: z
    .string()
    .trim()
    .max(COMMENT_LIMIT, `A comment has at most ${COMMENT_LIMIT} characters`)
    .transform((c) => (c === "" ? null : c)),
});

export type ParsedBallot = { roundItemId: string; choice: Choice; comment: string | null };

export type BallotFormResult =
  | { ok: true; intent: "item" | "all"; ballots: ParsedBallot[] }
  | { ok: false; formErrors: string[]; fieldErrors: Record<string, string[]> };

/**
 * Reads a ballot form: `choice.<itemId>` and `comment.<itemId>` for each statement, and
 * `intent` ("all" from the whole form, "item" when one statement saves on its own). Any other
 * field, such as a member id, is refused: a ballot is always cast as the signed-in panelist.
 * Statements left unanswered are skipped; every error comes back at once.
 */
export function parseBallotForm(form: FormData): BallotFormResult {
  const fieldErrors: Record<string, string[]> = {};
  const formErrors: string[] = [];
  const drafts = new Map<string, { choice?: string; comment?: string }>();
  let intent: "item" | "all" = "all";
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string") {
      formErrors.push(`Unexpected file in field "${name}".`);
      continue;
    }
    if (name === "intent") {
      if (value !== "item" && value !== "all") formErrors.push(`Unknown intent "${value}".`);
      else intent = value;
      continue;
    }
    const match = /^(choice|comment)\.([a-z0-9]{1,64})$/.exec(name);
    if (!match) {
      formErrors.push(`Unexpected field "${name}": a ballot is always cast as yourself, on the open round's statements.`);
      continue;
    }
    const [, kind, itemId] = match as unknown as [string, "choice" | "comment", string];
    const draft = drafts.get(itemId) ?? {};
    draft[kind] = value;
    drafts.set(itemId, draft);
  }
  const ballots: ParsedBallot[] = [];
  for (const [roundItemId, draft] of drafts) {
    const comment = draft.comment ?? "";
    if (draft.choice === undefined && comment.trim() === "") continue;
    const parsed = Ballot.safeParse({ roundItemId, choice: draft.choice, comment });
    if (parsed.success) {
      ballots.push(parsed.data);
      continue;
    }
    for (const issue of parsed.error.issues) {
      const field = `${String(issue.path[0])}.${roundItemId}`;
      (fieldErrors[field] ??= []).push(issue.message);
    }
  }
  if (formErrors.length === 0 && Object.keys(fieldErrors).length === 0 && ballots.length === 0) {
    formErrors.push("Nothing to save: choose agree, disagree or abstain for at least one statement.");
  }
  if (formErrors.length || Object.keys(fieldErrors).length) return { ok: false, formErrors, fieldErrors };
  return { ok: true, intent, ballots };
}
