import type { Queryable } from "@db/client.server";
import { auditEvents } from "@db/schema";

/**
 * Appends to the audit trail: who did what, when. In anonymous guidelines callers never pass
 * a ballot's choice here.
 */
export function recordAudit(
  db: Queryable,
  event: { guidelineId: string | null; actorId: string | null; action: string; details?: Record<string, unknown>; at?: Date },
): void {
  db.insert(auditEvents)
    .values({
      guidelineId: event.guidelineId,
      actorId: event.actorId,
      action: event.action,
      details: event.details ?? {},
      createdAt: event.at ?? new Date(),
    })
    .run();
}
