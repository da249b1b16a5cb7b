import { and, eq } from "drizzle-orm";
import type { DB, Queryable } from "@db/client.server";
import { invitations, memberships, users } from "@db/schema";
import { recordAudit } from "./audit.server";
import { msg } from "~/i18n";
import { Refusal } from "./errors.server";
import { findInvitationByToken, type InvitationState } from "./panel.server";

const WHY: Record<Exclude<InvitationState, "valid">, string> = {
  expired: msg("This invitation link has expired."),
  used: msg("This invitation link has already been used."),
  revoked: msg("This invitation was withdrawn by the guideline's secretary."),
};

/** Whether someone already has an account with this address (the join page then asks only to accept). */
export function hasAccount(db: Queryable, email: string): boolean {
  return db.select({ id: users.id }).from(users).where(eq(users.email, email)).get() !== undefined;
}

/** Why an invitation link cannot be used, as a translation key (the English text), or null when it can. */
export function invitationRefusal(state: InvitationState | null): string | null {
  if (state === "valid") return null;
  return state ? WHY[state] : msg("This invitation link is not valid: check that it was copied whole.");
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
      if (refusal || !found) throw new Refusal(refusal ?? msg("Invalid invitation."), 410);
      const { invitation, guideline } = found;

      const existing = tx.select().from(users).where(eq(users.email, invitation.email)).get();
      let userId: string;
      if ("existingUserId" in input.account) {
        if (!existing || existing.id !== input.account.existingUserId) {
          throw new Refusal(msg("This invitation is for {{email}}: log in with that account to accept it."), 403, {
            email: invitation.email,
          });
        }
        userId = existing.id;
      } else {
        if (existing) {
          throw new Refusal(msg("An account for {{email}} already exists: log in to accept the invitation."), 409, {
            email: invitation.email,
          });
        }
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
      if (current && !current.removedAt)
        throw new Refusal(msg('You are already on "{{title}}".'), 409, { title: guideline.title });
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
