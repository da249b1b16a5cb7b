import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { DB, Queryable } from "@db/client.server";
import {
  guidelines,
  invitations,
  memberships,
  outboxMails,
  recusals,
  rounds,
  statementRevisions,
  statements,
  users,
  type Role,
} from "@db/schema";
import { recordAudit } from "./audit.server";
import { env } from "./env.server";
import { Refusal } from "./errors";
import { queueMail, type Mail } from "./mail.server";
import { generateSessionToken, hashToken } from "./session-token";
import { formatUtc } from "~/time";

/** How long an invitation link works. */
export const INVITATION_DAYS = 14;
const DAY_MS = 86_400_000;

type Invitation = typeof invitations.$inferSelect;
export type InvitationState = "valid" | "expired" | "used" | "revoked";
export type Invitee = { email: string; role: Role; discipline: string | null; affiliation: string | null };
type Actor = { id: string; name: string };

/** Whether mails go out over SMTP; without it they wait in the outbox for a secretary to copy. */
export function smtpConfigured(): boolean {
  return Boolean(env().SMTP_URL);
}

export function invitationState(invitation: Pick<Invitation, "expiresAt" | "usedAt" | "revokedAt">, now: Date): InvitationState {
  if (invitation.usedAt) return "used";
  if (invitation.revokedAt) return "revoked";
  return invitation.expiresAt.getTime() > now.getTime() ? "valid" : "expired";
}

/** An invitation link's invitation, its guideline and whether the link still works; null for an unknown token. */
export function findInvitationByToken(db: Queryable, token: string, now = new Date()) {
  const row = db
    .select({ invitation: invitations, guideline: { id: guidelines.id, slug: guidelines.slug, title: guidelines.title } })
    .from(invitations)
    .innerJoin(guidelines, eq(guidelines.id, invitations.guidelineId))
    .where(eq(invitations.tokenHash, hashToken(token)))
    .get();
  return row ? { ...row, state: invitationState(row.invitation, now) } : null;
}

const ROLE_PHRASE: Record<Role, string> = { secretary: "a secretary", panelist: "a panelist", observer: "an observer" };

function invitationMail(input: {
  guideline: { id: string; title: string };
  invitee: Invitee;
  inviter: Actor;
  link: string;
  expiresAt: Date;
}): Mail {
  const { guideline, invitee, inviter } = input;
  const as = `${ROLE_PHRASE[invitee.role]}${invitee.discipline ? ` (${invitee.discipline})` : ""}`;
  const expires = formatUtc(input.expiresAt);
  return {
    guidelineId: guideline.id,
    kind: "invitation",
    to: invitee.email,
    subject: `Invitation to "${guideline.title}"`,
    body: [
      "Hello,",
      "",
      `${inviter.name} invited you to join the guideline "${guideline.title}" as ${as}.`,
      "",
      "To accept, open this link (it works once, until " + expires + " UTC):",
      input.link,
      "",
      "If you did not expect this invitation, you can ignore this mail.",
    ].join("\n"),
  };
}

function newToken(now: Date) {
  const token = generateSessionToken();
  return { token, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + INVITATION_DAYS * DAY_MS) };
}

function guidelineOf(db: Queryable, guidelineId: string) {
  const guideline = db
    .select({ id: guidelines.id, title: guidelines.title })
    .from(guidelines)
    .where(eq(guidelines.id, guidelineId))
    .get();
  if (!guideline) throw new Refusal("No such guideline.", 404);
  return guideline;
}

/**
 * Writes an invitation, its mail and the audit event; inside the caller's transaction, so the
 * three are kept together or not at all. Only the token's hash is stored: the link exists in
 * the mail alone.
 */
export function issueInvitation(
  tx: Queryable,
  input: { guidelineId: string; invitee: Invitee; inviter: Actor; origin: string; now: Date },
): { invitation: Invitation; token: string } {
  const guideline = guidelineOf(tx, input.guidelineId);
  const { token, tokenHash, expiresAt } = newToken(input.now);
  const invitation = tx
    .insert(invitations)
    .values({
      guidelineId: guideline.id,
      ...input.invitee,
      tokenHash,
      expiresAt,
      invitedBy: input.inviter.id,
      createdAt: input.now,
    })
    .returning()
    .get();
  const link = `${input.origin}/join/${token}`;
  queueMail(tx, invitationMail({ guideline, invitee: input.invitee, inviter: input.inviter, link, expiresAt }), input.now);
  recordAudit(tx, {
    guidelineId: guideline.id,
    actorId: input.inviter.id,
    action: "member.invited",
    details: { invitationId: invitation.id, email: invitation.email, role: invitation.role },
    at: input.now,
  });
  return { invitation, token };
}

/** Why an address cannot be invited now (already a member, or already invited), or null. */
export function invitationConflict(db: Queryable, input: { guidelineId: string; email: string; now?: Date }): string | null {
  const now = input.now ?? new Date();
  const member = db
    .select({ role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.guidelineId, input.guidelineId), eq(users.email, input.email), isNull(memberships.removedAt)))
    .get();
  if (member) return `${input.email} is already on this guideline as ${ROLE_PHRASE[member.role]}.`;
  const pending = db
    .select()
    .from(invitations)
    .where(and(eq(invitations.guidelineId, input.guidelineId), eq(invitations.email, input.email)))
    .all()
    .find((invitation) => invitationState(invitation, now) === "valid");
  if (pending) return `${input.email} already has a pending invitation: resend it instead.`;
  return null;
}

export function inviteMember(
  db: DB,
  input: { guidelineId: string; invitee: Invitee; inviter: Actor; origin: string; now?: Date },
): { invitation: Invitation; token: string } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const conflict = invitationConflict(tx, { guidelineId: input.guidelineId, email: input.invitee.email, now });
      if (conflict) throw new Refusal(conflict);
      return issueInvitation(tx, { ...input, now });
    },
    { behavior: "immediate" },
  );
}

function invitationOf(db: Queryable, guidelineId: string, invitationId: string): Invitation {
  const invitation = db
    .select()
    .from(invitations)
    .where(and(eq(invitations.id, invitationId), eq(invitations.guidelineId, guidelineId)))
    .get();
  if (!invitation) throw new Refusal("No such invitation in this guideline.", 404);
  return invitation;
}

/** A new link and a new expiry for an unused invitation; the old link stops working. */
export function resendInvitation(
  db: DB,
  input: { guidelineId: string; invitationId: string; actor: Actor; origin: string; now?: Date },
): { invitation: Invitation; token: string } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const invitation = invitationOf(tx, input.guidelineId, input.invitationId);
      const state = invitationState(invitation, now);
      if (state === "used") throw new Refusal(`${invitation.email} has already accepted this invitation.`);
      if (state === "revoked") throw new Refusal(`The invitation to ${invitation.email} was revoked: invite them again.`);
      const { token, tokenHash, expiresAt } = newToken(now);
      const renewed = tx
        .update(invitations)
        .set({ tokenHash, expiresAt })
        .where(eq(invitations.id, invitation.id))
        .returning()
        .get();
      const link = `${input.origin}/join/${token}`;
      queueMail(
        tx,
        invitationMail({
          guideline: guidelineOf(tx, input.guidelineId),
          invitee: renewed,
          inviter: input.actor,
          link,
          expiresAt,
        }),
        now,
      );
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actor.id,
        action: "invitation.resent",
        details: { invitationId: invitation.id, email: invitation.email },
        at: now,
      });
      return { invitation: renewed, token };
    },
    { behavior: "immediate" },
  );
}

export function revokeInvitation(
  db: DB,
  input: { guidelineId: string; invitationId: string; actorId: string | null; now?: Date },
): Invitation {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const invitation = invitationOf(tx, input.guidelineId, input.invitationId);
      const state = invitationState(invitation, now);
      if (state === "used")
        throw new Refusal(`${invitation.email} has already accepted this invitation: remove the member instead.`);
      if (state === "revoked") throw new Refusal(`The invitation to ${invitation.email} is already revoked.`);
      const revoked = tx.update(invitations).set({ revokedAt: now }).where(eq(invitations.id, invitation.id)).returning().get();
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "invitation.revoked",
        details: { invitationId: invitation.id, email: invitation.email },
        at: now,
      });
      return revoked;
    },
    { behavior: "immediate" },
  );
}

function currentMember(db: Queryable, guidelineId: string, membershipId: string) {
  const member = db
    .select({ membership: memberships, email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.id, membershipId), eq(memberships.guidelineId, guidelineId), isNull(memberships.removedAt)))
    .get();
  if (!member) throw new Refusal("No such member in this guideline.", 404);
  return member;
}

/**
 * Removes a member from the guideline. The row stays (removedAt), so ballots already cast keep
 * counting in closed rounds. The last secretary cannot be removed, nor can secretaries remove
 * themselves.
 */
export function removeMember(
  db: DB,
  input: { guidelineId: string; membershipId: string; actorId: string | null; now?: Date },
): typeof memberships.$inferSelect {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const { membership, email } = currentMember(tx, input.guidelineId, input.membershipId);
      if (membership.role === "secretary") {
        const secretaries = tx
          .select({ n: sql<number>`count(*)` })
          .from(memberships)
          .where(
            and(eq(memberships.guidelineId, input.guidelineId), eq(memberships.role, "secretary"), isNull(memberships.removedAt)),
          )
          .get()!.n;
        if (secretaries <= 1) throw new Refusal(`${email} is the last secretary of this guideline and cannot be removed.`);
      }
      if (membership.userId === input.actorId) throw new Refusal("You cannot remove yourself: ask another secretary.");
      const removed = tx.update(memberships).set({ removedAt: now }).where(eq(memberships.id, membership.id)).returning().get();
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "member.removed",
        details: { membershipId: membership.id, email, role: membership.role },
        at: now,
      });
      return removed;
    },
    { behavior: "immediate" },
  );
}

function statementOf(db: Queryable, guidelineId: string, statementId: string) {
  const statement = db
    .select({ id: statements.id, position: statements.position })
    .from(statements)
    .where(and(eq(statements.id, statementId), eq(statements.guidelineId, guidelineId)))
    .get();
  if (!statement) throw new Refusal("No such statement in this guideline.", 404);
  return statement;
}

/** A panelist with a conflict of interest on a statement: not counted for it (DESIGN §2). */
export function recuseMember(
  db: DB,
  input: { guidelineId: string; membershipId: string; statementId: string; reason: string; actorId: string | null; now?: Date },
) {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const { membership, email } = currentMember(tx, input.guidelineId, input.membershipId);
      if (membership.role !== "panelist") throw new Refusal("Only panelists vote, so only panelists can be recused.", 422);
      const statement = statementOf(tx, input.guidelineId, input.statementId);
      const existing = tx
        .select()
        .from(recusals)
        .where(and(eq(recusals.membershipId, membership.id), eq(recusals.statementId, statement.id)))
        .get();
      if (existing) throw new Refusal(`${email} is already recused from statement ${statement.position}.`);
      const recusal = tx
        .insert(recusals)
        .values({ membershipId: membership.id, statementId: statement.id, reason: input.reason, createdAt: now })
        .returning()
        .get();
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "member.recused",
        details: { membershipId: membership.id, email, statementId: statement.id, reason: input.reason },
        at: now,
      });
      return recusal;
    },
    { behavior: "immediate" },
  );
}

export function unrecuseMember(
  db: DB,
  input: { guidelineId: string; membershipId: string; statementId: string; actorId: string | null; now?: Date },
): void {
  const now = input.now ?? new Date();
  db.transaction(
    (tx) => {
      const { membership, email } = currentMember(tx, input.guidelineId, input.membershipId);
      const statement = statementOf(tx, input.guidelineId, input.statementId);
      const deleted = tx
        .delete(recusals)
        .where(and(eq(recusals.membershipId, membership.id), eq(recusals.statementId, statement.id)))
        .returning()
        .all();
      if (deleted.length === 0) throw new Refusal(`${email} is not recused from statement ${statement.position}.`, 404);
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "member.unrecused",
        details: { membershipId: membership.id, email, statementId: statement.id },
        at: now,
      });
    },
    { behavior: "immediate" },
  );
}

/**
 * Sets a panelist's stakeholder group (DESIGN §3.4); null (or empty) puts them back in their
 * discipline's. A round snapshots the groups when it opens, so the change applies from the next
 * round that opens: the open round keeps the groups it opened with. A save that changes nothing
 * is not an event.
 */
export function setStakeholderGroup(
  db: DB,
  input: { guidelineId: string; membershipId: string; group: string | null; actorId: string | null; now?: Date },
): { changed: boolean } {
  const now = input.now ?? new Date();
  const group = input.group?.trim() || null;
  return db.transaction(
    (tx) => {
      const { membership, email } = currentMember(tx, input.guidelineId, input.membershipId);
      if (membership.role !== "panelist") {
        throw new Refusal("Only panelists vote, so only panelists belong to a stakeholder group.", 422);
      }
      if (membership.stakeholderGroup === group) return { changed: false };
      tx.update(memberships).set({ stakeholderGroup: group }).where(eq(memberships.id, membership.id)).run();
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "member.group_changed",
        details: {
          membershipId: membership.id,
          email,
          from: membership.stakeholderGroup,
          to: group,
          discipline: membership.discipline,
        },
        at: now,
      });
      return { changed: true };
    },
    { behavior: "immediate" },
  );
}

/** Each statement with its newest wording, in guideline order. */
function statementsWithText(db: Queryable, guidelineId: string) {
  return db
    .select({
      id: statements.id,
      position: statements.position,
      section: statementRevisions.section,
      status: statements.status,
      text: statementRevisions.text,
    })
    .from(statements)
    .innerJoin(statementRevisions, eq(statementRevisions.statementId, statements.id))
    .where(
      and(
        eq(statements.guidelineId, guidelineId),
        eq(
          statementRevisions.revision,
          sql`(select max(r.revision) from ${statementRevisions} r where r.statement_id = ${statements.id})`,
        ),
      ),
    )
    .orderBy(asc(statements.position))
    .all();
}

const ROLE_ORDER: Record<Role, number> = { secretary: 0, panelist: 1, observer: 2 };

/**
 * The panel page: current members with their declarations, stakeholder groups and recusals, every
 * invitation, the statements to recuse from, the open round (which keeps the groups it opened
 * with), and whether invitations go out by SMTP or wait in the outbox.
 */
export function listPanel(db: Queryable, input: { guidelineId: string; now?: Date }) {
  const now = input.now ?? new Date();
  const statementRows = statementsWithText(db, input.guidelineId);
  const byStatement = new Map(statementRows.map((s) => [s.id, s]));
  const recusalRows = db
    .select({
      membershipId: recusals.membershipId,
      statementId: recusals.statementId,
      reason: recusals.reason,
      createdAt: recusals.createdAt,
    })
    .from(recusals)
    .innerJoin(memberships, eq(memberships.id, recusals.membershipId))
    .where(eq(memberships.guidelineId, input.guidelineId))
    .all();
  const members = db
    .select({
      id: memberships.id,
      userId: memberships.userId,
      name: users.name,
      email: users.email,
      role: memberships.role,
      discipline: memberships.discipline,
      stakeholderGroup: memberships.stakeholderGroup,
      affiliation: memberships.affiliation,
      coiText: memberships.coiText,
      coiDeclaredAt: memberships.coiDeclaredAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.guidelineId, input.guidelineId), isNull(memberships.removedAt)))
    .all()
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name))
    .map((member) => ({
      ...member,
      recusals: recusalRows
        .filter((r) => r.membershipId === member.id)
        .map((r) => ({
          statementId: r.statementId,
          position: byStatement.get(r.statementId)?.position ?? 0,
          reason: r.reason,
          createdAt: r.createdAt,
        }))
        .sort((a, b) => a.position - b.position),
    }));
  const invitationRows = db
    .select()
    .from(invitations)
    .where(eq(invitations.guidelineId, input.guidelineId))
    .orderBy(desc(invitations.createdAt), desc(sql`rowid`))
    .all()
    .map((invitation) => ({
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      discipline: invitation.discipline,
      affiliation: invitation.affiliation,
      expiresAt: invitation.expiresAt,
      createdAt: invitation.createdAt,
      state: invitationState(invitation, now),
    }));
  return {
    members,
    invitations: invitationRows,
    statements: statementRows
      .filter((s) => s.status !== "retired")
      .map(({ id, position, section, text }) => ({ id, position, section, text })),
    openRound:
      db
        .select({ number: rounds.number })
        .from(rounds)
        .where(and(eq(rounds.guidelineId, input.guidelineId), eq(rounds.status, "open")))
        .orderBy(asc(rounds.number))
        .get()?.number ?? null,
    smtpConfigured: smtpConfigured(),
  };
}

/** The guideline's mails, newest first, and whether SMTP sends them or they are only kept here. */
export function listOutbox(db: Queryable, input: { guidelineId: string }) {
  const mails = db
    .select()
    .from(outboxMails)
    .where(eq(outboxMails.guidelineId, input.guidelineId))
    .orderBy(desc(outboxMails.createdAt), desc(sql`rowid`))
    .all();
  return { smtpConfigured: smtpConfigured(), mails };
}
