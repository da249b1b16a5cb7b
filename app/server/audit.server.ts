import { eq, sql } from "drizzle-orm";
import { prepared, type Queryable } from "@db/client.server";
import { auditEvents, auditHeads } from "@db/schema";
import { chainOf, nextEvent, type ChainHead } from "~/consensus/audit-chain";

type AuditInput = {
  guidelineId: string | null;
  actorId: string | null;
  action: string;
  details?: Record<string, unknown>;
  at?: Date;
};

const headOf = prepared((db) =>
  db
    .select()
    .from(auditHeads)
    .where(eq(auditHeads.chain, sql.placeholder("chain")))
    .prepare(),
);

const insertEvent = prepared((db) =>
  db
    .insert(auditEvents)
    .values({
      chain: sql.placeholder("chain"),
      seq: sql.placeholder("seq"),
      guidelineId: sql.placeholder("guidelineId"),
      actorId: sql.placeholder("actorId"),
      action: sql.placeholder("action"),
      details: sql.placeholder("details"),
      createdAt: sql.placeholder("createdAt"),
      prevHash: sql.placeholder("prevHash"),
      hash: sql.placeholder("hash"),
    })
    .prepare(),
);

const moveHead = prepared((db) =>
  db
    .insert(auditHeads)
    .values({ chain: sql.placeholder("chain"), seq: sql.placeholder("seq"), hash: sql.placeholder("hash") })
    .onConflictDoUpdate({
      target: auditHeads.chain,
      set: { seq: sql`excluded.seq`, hash: sql`excluded.hash` },
    })
    .prepare(),
);

/** The last event of a guideline's chain (the instance's for null), or undefined before its first. */
export function chainHead(db: Queryable, guidelineId: string | null): ChainHead | undefined {
  return headOf(db).get({ chain: chainOf(guidelineId) });
}

function append(db: Queryable, event: AuditInput): void {
  const head = chainHead(db, event.guidelineId);
  // Hashed as it will read back from the database: no undefined, Dates or NaN.
  const details = JSON.parse(JSON.stringify(event.details ?? {})) as Record<string, unknown>;
  const chained = nextEvent(head, {
    guidelineId: event.guidelineId,
    actorId: event.actorId,
    action: event.action,
    details,
    createdAt: event.at ?? new Date(),
  });
  insertEvent(db).run({ ...chained, details });
  moveHead(db).run({ chain: chained.chain, seq: chained.seq, hash: chained.hash });
}

/**
 * Appends to the audit trail: who did what, when, chained to the guideline's previous event
 * (docs/decisions/004-audit-chain.md). Callers that change anything call it inside their
 * transaction; on its own it takes one. In anonymous guidelines callers never pass a ballot's
 * choice here.
 */
export function recordAudit(db: Queryable, event: AuditInput): void {
  if ("$client" in db && !db.$client.inTransaction) {
    db.transaction((tx) => append(tx, event), { behavior: "immediate" });
  } else {
    append(db, event);
  }
}
