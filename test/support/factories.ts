/**
 * Builders for test data, shared with the demo seed so both make the same, valid shapes.
 * Each takes the database explicitly and returns the inserted row.
 */
import { desc, eq } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import {
  ballots,
  guidelines,
  memberships,
  roundItems,
  rounds,
  statementRevisions,
  statements,
  users,
  type Choice,
  type Role,
} from "@db/schema";
import type { Answer } from "~/consensus/tally";
import { hashPassword } from "~/server/auth.server";
import { openRound } from "~/server/rounds.server";

const passwordHashes = new Map<string, Promise<string>>();

/** argon2 is slow on purpose; a password used for many accounts is hashed once. */
function hashOnce(password: string): Promise<string> {
  let hashed = passwordHashes.get(password);
  if (!hashed) {
    hashed = hashPassword(password);
    passwordHashes.set(password, hashed);
  }
  return hashed;
}

export async function createUser(db: Queryable, input: { email: string; name: string; password?: string; isAdmin?: boolean }) {
  return insertUser(db, { ...input, passwordHash: await hashOnce(input.password ?? "correct horse battery staple") });
}

/** A user whose password was hashed beforehand, so it can be inserted inside a transaction. */
export function insertUser(db: Queryable, input: { email: string; name: string; passwordHash: string; isAdmin?: boolean }) {
  return db
    .insert(users)
    .values({
      email: input.email.toLowerCase(),
      name: input.name,
      passwordHash: input.passwordHash,
      isAdmin: input.isAdmin ?? false,
    })
    .returning()
    .get();
}

export function createGuideline(db: Queryable, input: Partial<typeof guidelines.$inferInsert> & { slug: string; title: string }) {
  return db
    .insert(guidelines)
    .values({
      rule: { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" },
      languages: [input.language ?? "en"],
      ...input,
    })
    .returning()
    .get();
}

export function addMember(
  db: Queryable,
  input: {
    guidelineId: string;
    userId: string;
    role: Role;
    discipline?: string | null;
    stakeholderGroup?: string | null;
    affiliation?: string | null;
    coiText?: string | null;
    coiDeclaredAt?: Date | null;
    createdAt?: Date;
  },
) {
  return db.insert(memberships).values(input).returning().get();
}

export function createStatement(
  db: Queryable,
  input: {
    guidelineId: string;
    position: number;
    section?: string;
    text: string;
    rationale?: string;
    authorId?: string | null;
    status?: (typeof statements.$inferInsert)["status"];
    createdAt?: Date;
  },
) {
  const statement = db
    .insert(statements)
    .values({
      guidelineId: input.guidelineId,
      position: input.position,
      status: input.status ?? "draft",
      createdAt: input.createdAt,
    })
    .returning()
    .get();
  const revision = addRevision(db, {
    statementId: statement.id,
    revision: 1,
    section: input.section ?? "",
    text: input.text,
    rationale: input.rationale,
    authorId: input.authorId,
    createdAt: input.createdAt,
  });
  return { statement, revision };
}

/** A revision of the statement; its section is the latest revision's unless given. */
export function addRevision(
  db: Queryable,
  input: {
    statementId: string;
    revision: number;
    section?: string;
    text: string;
    rationale?: string;
    authorId?: string | null;
    changeNote?: string | null;
    createdAt?: Date;
  },
) {
  const latest = db
    .select({ section: statementRevisions.section })
    .from(statementRevisions)
    .where(eq(statementRevisions.statementId, input.statementId))
    .orderBy(desc(statementRevisions.revision))
    .limit(1)
    .get();
  return db
    .insert(statementRevisions)
    .values({ ...input, section: input.section ?? latest?.section ?? "" })
    .returning()
    .get();
}

/** A draft round over the given revisions, opened (panel and rule snapshotted) when asked. */
export function createRound(
  db: Queryable,
  input: {
    guidelineId: string;
    number: number;
    revisionIds: string[];
    status?: "draft" | "open";
    openedAt?: Date;
    closesAt?: Date | null;
    createdAt?: Date;
    /** Who opens it, for the audit trail. */
    actorId?: string | null;
  },
) {
  const round = db
    .insert(rounds)
    .values({ guidelineId: input.guidelineId, number: input.number, createdAt: input.createdAt })
    .returning()
    .get();
  const items = input.revisionIds.map((revisionId, index) =>
    db
      .insert(roundItems)
      .values({ roundId: round.id, revisionId, position: index + 1 })
      .returning()
      .get(),
  );
  if (input.status === "open") {
    const opened = openRound(db, {
      roundId: round.id,
      actorId: input.actorId ?? null,
      closesAt: input.closesAt,
      now: input.openedAt,
    });
    return { round: opened, items };
  }
  return { round, items };
}

export function castBallot(
  db: Queryable,
  input: { roundItemId: string; membershipId: string; choice: Choice; comment?: string | null; at?: Date },
) {
  const at = input.at ?? new Date();
  return db
    .insert(ballots)
    .values({
      roundItemId: input.roundItemId,
      membershipId: input.membershipId,
      choice: input.choice,
      comment: input.comment ?? null,
      createdAt: at,
      updatedAt: at,
    })
    .returning()
    .get();
}

/** A ballot with any answer: agree / disagree / abstain, a rating 1..N, or "unable" (to score). */
export function castAnswer(
  db: Queryable,
  input: { roundItemId: string; membershipId: string; answer: Answer; comment?: string | null; at?: Date },
) {
  const at = input.at ?? new Date();
  return db
    .insert(ballots)
    .values({
      roundItemId: input.roundItemId,
      membershipId: input.membershipId,
      ...(typeof input.answer === "number" ? { choice: null, rating: input.answer } : { choice: input.answer, rating: null }),
      comment: input.comment ?? null,
      createdAt: at,
      updatedAt: at,
    })
    .returning()
    .get();
}
