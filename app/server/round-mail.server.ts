/**
 * The mails a round sends its panel: that it is open (with the deadline and the link to vote).
 * Kept in the outbox, delivered by mail.server.ts.
 */
import { eq, inArray } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { guidelines, memberships, type rounds, users } from "@db/schema";
import { formatUtc } from "~/time";
import { queueMail } from "./mail.server";

type Round = typeof rounds.$inferSelect;

/** Mails every panelist of a just-opened round's snapshot that it is open. */
export function announceOpening(db: Queryable, input: { round: Round; voteUrl: string; now?: Date }): void {
  const { round } = input;
  const guideline = db.select({ title: guidelines.title }).from(guidelines).where(eq(guidelines.id, round.guidelineId)).get()!;
  const ids = round.panelSnapshot?.members.map((m) => m.membershipId) ?? [];
  const panelists = db
    .select({ name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(inArray(memberships.id, ids.length ? ids : [""]))
    .all();
  const deadline = round.closesAt ? `It closes on ${formatUtc(round.closesAt)}.` : "It has no fixed deadline yet.";
  for (const panelist of panelists) {
    queueMail(
      db,
      {
        guidelineId: round.guidelineId,
        kind: "round-opened",
        to: panelist.email,
        subject: `Round ${round.number} of "${guideline.title}" is open for your vote`,
        body:
          `Dear ${panelist.name},\n\n` +
          `Round ${round.number} of "${guideline.title}" is open. ${deadline}\n\n` +
          `Vote here: ${input.voteUrl}\n\n` +
          "You can change your answers until the round closes. Your votes are anonymous to the other panelists.\n",
      },
      input.now,
    );
  }
}
