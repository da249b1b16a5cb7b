import { z } from "zod";
import { COMMENT_LIMIT } from "~/consensus/ballot";
import { answerProblem, type Scale } from "~/consensus/scale";
import type { Answer } from "~/consensus/tally";
import type { Translate } from "~/i18n";
import { english } from "~/locales/english";

/** A form field's value as an answer on the scale: a rating is a number, anything else stays as typed. */
function answerFrom(scale: Scale, value: string): unknown {
  return scale.kind === "rating" && /^\d{1,3}$/.test(value) ? Number(value) : value;
}

/** Each language's ballot schemas, by scale: built once, not on every ballot. */
const schemas = new WeakMap<Translate, Map<string, ReturnType<typeof buildBallotSchema>>>();

/** One statement of the form on the ballot's scale: a choice or rating that fits it (scale.ts answerProblem) and an optional comment. */
function ballotSchema(scale: Scale, t: Translate) {
  let byScale = schemas.get(t);
  if (!byScale) {
    byScale = new Map();
    schemas.set(t, byScale);
  }
  const key = JSON.stringify(scale);
  let schema = byScale.get(key);
  if (!schema) {
    schema = buildBallotSchema(scale, t);
    byScale.set(key, schema);
  }
  return schema;
}

function buildBallotSchema(scale: Scale, t: Translate) {
  return z.object({
    roundItemId: z.string().min(1),
    choice: z.string({ error: answerProblem(scale, undefined) ?? undefined }).transform((value, ctx): Answer => {
      const answer = answerFrom(scale, value);
      const problem = answerProblem(scale, answer);
      if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
        return z.NEVER;
      }
      return answer as Answer;
    }),
    comment: z
      .string()
      .trim()
      .max(COMMENT_LIMIT, t("A comment has at most {{limit}} characters", { limit: COMMENT_LIMIT }))
      .transform((c) => (c === "" ? null : c)),
  });
}

/** A statement's ballot as cast (ballots.server.ts BallotInput): a choice, a rating or "unable", and a comment. */
export type ParsedBallot = { roundItemId: string; answer: Answer; comment: string | null };

/** What the panelist typed for one statement, kept to show it again when it could not be saved. */
export type BallotDraft = { choice: string | null; comment: string };

export type BallotForm = {
  /** "all" from the whole form, "item" when one statement saves (or is withdrawn) on its own. */
  intent: "item" | "all";
  /** The statements that can be saved. */
  ballots: ParsedBallot[];
  /** The statement whose ballot is withdrawn, if any. */
  withdraw: string | null;
  /** Problems with single statements: `choice.<id>` or `comment.<id>` → messages. */
  fieldErrors: Record<string, string[]>;
  /** Every statement answered in the form, as typed. */
  drafts: Record<string, BallotDraft>;
};

export type BallotFormResult =
  ({ ok: true } & BallotForm) | { ok: false; formErrors: string[]; drafts: Record<string, BallotDraft> };

const ITEM_ID = /^[a-z0-9]{1,64}$/;

/**
 * Reads a ballot form on the round's scale: `choice.<itemId>` (agree, disagree or abstain; or a
 * rating "1".."N", or "unable" where the scale has it) and `comment.<itemId>` for each statement,
 * `intent` ("all" or "item") and optionally `withdraw=<itemId>`. Any other field, such as a
 * member id, refuses the whole form: a ballot is always cast as the signed-in panelist.
 * Statements left unanswered are skipped; an invalid statement is reported (every problem at
 * once) without stopping the valid ones. The problems are written with `t` (a server action
 * passes the request's language).
 */
export function parseBallotForm(form: FormData, scale: Scale, t: Translate = english): BallotFormResult {
  const formErrors: string[] = [];
  const drafts: Record<string, { choice?: string; comment?: string }> = {};
  let intent: "item" | "all" = "all";
  let withdraw: string | null = null;
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string") {
      formErrors.push(t('Unexpected file in field "{{name}}".', { name }));
      continue;
    }
    if (name === "intent") {
      if (value !== "item" && value !== "all") formErrors.push(t('Unknown intent "{{intent}}".', { intent: value }));
      else intent = value;
      continue;
    }
    if (name === "withdraw") {
      if (ITEM_ID.test(value)) withdraw = value;
      else formErrors.push(t("Choose the statement whose answer you withdraw."));
      continue;
    }
    const match = /^(choice|comment)\.(.*)$/.exec(name);
    if (!match || !ITEM_ID.test(match[2]!)) {
      formErrors.push(
        t('Unexpected field "{{name}}": a ballot is always cast as yourself, on the open round\'s statements.', { name }),
      );
      continue;
    }
    const [, kind, itemId] = match as unknown as [string, "choice" | "comment", string];
    (drafts[itemId] ??= {})[kind] = value;
  }
  const typed = Object.fromEntries(
    Object.entries(drafts)
      .filter(([id, d]) => id !== withdraw && (d.choice !== undefined || (d.comment ?? "").trim() !== ""))
      .map(([id, d]) => [id, { choice: d.choice ?? null, comment: d.comment ?? "" }]),
  );
  if (formErrors.length) return { ok: false, formErrors, drafts: typed };

  const Ballot = ballotSchema(scale, t);
  const ballots: ParsedBallot[] = [];
  const fieldErrors: Record<string, string[]> = {};
  for (const [roundItemId, draft] of Object.entries(typed)) {
    const parsed = Ballot.safeParse({ roundItemId, choice: draft.choice ?? undefined, comment: draft.comment });
    if (parsed.success) {
      ballots.push({ roundItemId, answer: parsed.data.choice, comment: parsed.data.comment });
      continue;
    }
    for (const issue of parsed.error.issues) (fieldErrors[`${String(issue.path[0])}.${roundItemId}`] ??= []).push(issue.message);
  }
  if (ballots.length === 0 && withdraw === null && Object.keys(fieldErrors).length === 0) {
    const nothing =
      scale.kind === "rating"
        ? t("Nothing to save: rate at least one statement.")
        : t("Nothing to save: choose agree, disagree or abstain for at least one statement.");
    return { ok: false, formErrors: [nothing], drafts: typed };
  }
  return { ok: true, intent, ballots, withdraw, fieldErrors, drafts: typed };
}
