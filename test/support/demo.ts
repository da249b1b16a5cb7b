import { and, asc, eq, inArray } from "drizzle-orm";
import type { DB } from "@db/client.server";
import { guidelines, memberships, roundItems, rounds, users } from "@db/schema";
import { publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import { DEMO_ACCOUNTS, DEMO_SLUG } from "../../scripts/seed-demo";
import { castBallot } from "./factories";

/**
 * The IMT demo's second edition: ten late experts oppose round 2's new immunotherapy statement,
 * round 2 closes, and version 2 is published (statement 8 revised, the new one not adopted).
 */
export function publishDemoSecondEdition(db: DB): { version: number } {
  const round2 = db
    .select({ id: rounds.id })
    .from(rounds)
    .innerJoin(guidelines, eq(guidelines.id, rounds.guidelineId))
    .where(and(eq(guidelines.slug, DEMO_SLUG), eq(rounds.number, 2), eq(rounds.status, "open")))
    .get()!;
  const [, immunotherapy] = db
    .select()
    .from(roundItems)
    .where(eq(roundItems.roundId, round2.id))
    .orderBy(asc(roundItems.position))
    .all();
  const late = db
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      inArray(
        users.email,
        Array.from({ length: 10 }, (_, i) => DEMO_ACCOUNTS.panelist(i + 1)),
      ),
    )
    .all();
  for (const member of late) castBallot(db, { roundItemId: immunotherapy!.id, membershipId: member.id, choice: "disagree" });
  closeRound(db, { roundId: round2.id, actorId: null });
  return publish(db, { slug: DEMO_SLUG, actorId: null });
}
