import { eq } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { auditEvents, auditHeads } from "@db/schema";
import { chainOf, nextEvent, type ChainHead } from "~/consensus/audit-chain";

type AuditInput = {
  guidelineId: string | null;
  actorId: string | null;
  action: string;
  details?: Record<string, unknown>;
  at?: Date;
};

/** The last event of a guideline's chain (the instance's for null), or undefined before its first. */
export function chainHead(db: Queryable, guidelineId: string | null): ChainHead | undefined {
  return db
    .select()
    .from(auditHeads)
    .where(eq(auditHeads.chain, chainOf(guidelineId)))
    .get();
}

function append(db: Queryable, event: AuditInput): void {
  const chain = chainOf(event.guidelineId);
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
  db.insert(auditEvents)
    .values({ ...chained, details })
    .run();
  db.insert(auditHeads)
    .values({ chain, seq: chained.seq, hash: chained.hash })
    .onConflictDoUpdate({ target: auditHeads.chain, set: { seq: chained.seq, hash: chained.hash } })
    .run();
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
