import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "@db/client.server";
import { ballots, guidelines, memberships, roundItems, rounds, type Role } from "@db/schema";

export type GuidelineSummary = {
  slug: string;
  title: string;
  role: Role;
  discipline: string | null;
  openRounds: { number: number; closesAt: Date | null; items: number; answered: number }[];
};

/** The guidelines a user belongs to, with their role and any open round (and how much of it they answered). */
export function listGuidelinesForUser({ userId }: { userId: string }): GuidelineSummary[] {
  const db = getDb();
  const rows = db
    .select({
      guidelineId: guidelines.id,
      slug: guidelines.slug,
      title: guidelines.title,
      role: memberships.role,
      discipline: memberships.discipline,
      membershipId: memberships.id,
    })
    .from(memberships)
    .innerJoin(guidelines, eq(guidelines.id, memberships.guidelineId))
    .where(and(eq(memberships.userId, userId), isNull(memberships.removedAt)))
    .orderBy(asc(guidelines.title))
    .all();

  return rows.map((row) => {
    const open = db
      .select({
        number: rounds.number,
        closesAt: rounds.closesAt,
        items: sql<number>`count(${roundItems.id})`,
        answered: sql<number>`count(${ballots.id})`,
      })
      .from(rounds)
      .innerJoin(roundItems, eq(roundItems.roundId, rounds.id))
      .leftJoin(ballots, and(eq(ballots.roundItemId, roundItems.id), eq(ballots.membershipId, row.membershipId)))
      .where(and(eq(rounds.guidelineId, row.guidelineId), eq(rounds.status, "open")))
      .groupBy(rounds.id)
      .orderBy(asc(rounds.number))
      .all();
    return { slug: row.slug, title: row.title, role: row.role, discipline: row.discipline, openRounds: open };
  });
}
