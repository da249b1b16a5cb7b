/**
 * A closed round at a glance, as every member of the guideline may see it once it closed: each
 * statement's number, text, counts and verdict — never a group's result, never anyone's ballot.
 * The results index shows it to everyone, and a panelist's overview shows the latest closed round
 * beside the latest published version.
 */
import type { Queryable } from "@db/client.server";
import type { guidelines, rounds } from "@db/schema";
import type { FrozenVerdict, Rule } from "~/consensus/rule";
import type { Tally } from "~/consensus/tally";
import { closedRounds } from "./ballots.server";
import { listVersions } from "./publications.server";
import { frozenResults } from "./results.server";

type Guideline = typeof guidelines.$inferSelect;
type Round = typeof rounds.$inferSelect;

export type OutcomeLine = {
  /** The statement's number (statements.position). */
  number: number;
  section: string;
  text: string;
  tally: Tally;
  /** The verdict without its groups: a group's result is shown only where its size allows (results pages). */
  verdict: Pick<FrozenVerdict, "adopted" | "outcome" | "agreePercent" | "median" | "denominator" | "participants" | "eligible">;
};

export type RoundOutcome = { number: number; closedAt: Date | null; rule: Rule; items: OutcomeLine[] };

/** A closed round's statements in voting order, each with its frozen counts and verdict. */
export function roundOutcome(db: Queryable, round: Round): RoundOutcome {
  const frozen = frozenResults(db, round);
  return {
    number: round.number,
    closedAt: round.closedAt,
    rule: frozen.rule,
    items: frozen.items.map(({ number, section, text, tally, verdict }) => ({
      number,
      section,
      text,
      tally,
      verdict: {
        adopted: verdict.adopted,
        outcome: verdict.outcome,
        agreePercent: verdict.agreePercent,
        median: verdict.median ?? null,
        denominator: verdict.denominator,
        participants: verdict.participants,
        eligible: verdict.eligible,
      },
    })),
  };
}

/** What a panelist's overview shows of finished work: the latest closed round's outcome, the latest published version. */
export function panelistOutcome(
  db: Queryable,
  input: { guideline: Guideline },
): { lastClosed: RoundOutcome | null; latestVersion: { version: number; publishedAt: Date } | null } {
  const last = closedRounds(db, input.guideline.id)[0];
  const latest = listVersions(db, { slug: input.guideline.slug }).at(-1);
  return {
    lastClosed: last ? roundOutcome(db, last) : null,
    latestVersion: latest ? { version: latest.version, publishedAt: latest.publishedAt } : null,
  };
}
