import { and, eq } from "drizzle-orm";
import type { DB, Queryable } from "@db/client.server";
import { invitations, memberships, users } from "@db/schema";
import { recordAudit } from "./audit.server";
import { Refusal } from "./errors";
import { findInvitationByToken, type InvitationState } from "./panel.server";

const WHY: Record<Exclude<InvitationState, "valid">, string> = {
  expired: "This invitation link has expired.",
  used: "This invitation link has already been used.",
  revoked: "This invitation was withdrawn by the guideline's secretary.",
};

/** Whether someone already has an account with this address (the join page then asks only to accept). */
export function hasAccount(db: Queryable, email: string): boolean {
  return db.select({ id: users.id }).from(users).where(eq(users.email, email)).get() !== undefined;
}

export function invitationRefusal(state: InvitationState | null): string | null {
  if (state === "valid") return null;
  return state ? WHY[state] : "This invitation link is not valid: check that it was copied whole.";
}

/**
 * Accepts an invitation: creates the account (or uses the signed-in one whose address was
 * invited), records the membership — with the invitation's role, discipline, stakeholder group
 * and affiliation, and the conflict-of-interest declaration — and spends the link, all in one
 * transaction. Returns the user to sign in and the guideline to open.
 */
export function acceptInvitation(
  db: DB,
  input: {
    token: string;
    account: { existingUserId: string } | { name: string; passwordHash: string };
    coiText: string;
    now?: Date;
  },
): { userId: string; slug: string } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const found = findInvitationByToken(tx, input.token, now);
      const refusal = invitationRefusal(found?.state ?? null);
      if (refusal || !found) throw new Refusal(refusal ?? "Invalid invitation.", 410);
      const { invitation, guideline } = found;

      const existing = tx.select().from(users).where(eq(users.email, invitation.email)).get();
      let userId: string;
      if ("existingUserId" in input.account) {
        if (!existing || existing.id !== input.account.existingUserId) {
          throw new Refusal(`This invitation is for ${invitation.email}: log in with that account to accept it.`, 403);
        }
        userId = existing.id;
      } else {
        if (existing)
          throw new Refusal(`An account for ${invitation.email} already exists: log in to accept the invitation.`, 409);
        userId = tx
          .insert(users)
          .values({ email: invitation.email, name: input.account.name, passwordHash: input.account.passwordHash, createdAt: now })
          .returning({ id: users.id })
          .get().id;
      }

      const membership = {
        role: invitation.role,
        discipline: invitation.discipline,
        stakeholderGroup: invitation.stakeholderGroup,
        affiliation: invitation.affiliation,
        coiText: input.coiText,
        coiDeclaredAt: now,
      };
      const current = tx
        .select()
        .from(memberships)
        .where(and(eq(memberships.guidelineId, guideline.id), eq(memberships.userId, userId)))
        .get();
      if (current && !current.removedAt) throw new Refusal(`You are already on "${guideline.title}".`, 409);
      if (current) {
        tx.update(memberships)
          .set({ ...membership, removedAt: null })
          .where(eq(memberships.id, current.id))
          .run();
      } else {
        tx.insert(memberships)
          .values({ guidelineId: guideline.id, userId, createdAt: now, ...membership })
          .run();
      }
      tx.update(invitations).set({ usedAt: now }).where(eq(invitations.id, invitation.id)).run();
      recordAudit(tx, {
        guidelineId: guideline.id,
        actorId: userId,
        action: "member.joined",
        details: { role: invitation.role, email: invitation.email },
        at: now,
      });
      return { userId, slug: guideline.slug };
    },
    { behavior: "immediate" },
  );
}
