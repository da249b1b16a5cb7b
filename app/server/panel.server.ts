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
import { languageOfUser } from "./accounts.server";
import { recordAudit } from "./audit.server";
import { env } from "./env.server";
import { Refusal } from "./errors.server";
import { currentLanguage, translator } from "./i18n.server";
import type { InviteRow } from "./invite-csv";
import { queueMail, type Mail } from "./mail.server";
import { generateSessionToken, hashToken } from "./session-token";
import { formatUtc } from "~/time";
import { PANEL_STATUSES, type PanelStatus } from "~/consensus/values";
import { msg, type Language } from "~/i18n";

/** How long an invitation link works. */
export const INVITATION_DAYS = 14;
const DAY_MS = 86_400_000;

type Invitation = typeof invitations.$inferSelect;
export type InvitationState = "valid" | "expired" | "used" | "revoked";
export type Invitee = {
  email: string;
  role: Role;
  discipline: string | null;
  affiliation: string | null;
  /** The stakeholder group they join with (panelists only); null or absent: their discipline. */
  stakeholderGroup?: string | null;
};
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

/** The role an invitation is for, as its mail names it: "as a panelist". */
const ROLE_PHRASE: Record<Role, string> = {
  secretary: msg("a secretary"),
  panelist: msg("a panelist"),
  observer: msg("an observer"),
};

/** Why an address that is already a member cannot be invited, by the role they have. */
const ALREADY_MEMBER: Record<Role, string> = {
  secretary: msg("{{email}} is already on this guideline as a secretary."),
  panelist: msg("{{email}} is already on this guideline as a panelist."),
  observer: msg("{{email}} is already on this guideline as an observer."),
};

/**
 * The language an invitation's mail is written in: the saved language of the account the
 * address already has, else the language of the request that sends it.
 */
function invitationLanguage(db: Queryable, email: string): Language {
  const user = db.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
  return user ? languageOfUser(db, user.id) : currentLanguage();
}

function invitationMail(input: {
  guideline: { id: string; title: string };
  invitee: Invitee;
  /** Whom to greet, when the secretary gave a name (bulk invitations do). */
  name?: string;
  inviter: Actor;
  link: string;
  expiresAt: Date;
  language: Language;
}): Mail {
  const { guideline, invitee, inviter, language } = input;
  const t = translator(language, "mail");
  const role = t(ROLE_PHRASE[invitee.role]);
  const as = invitee.discipline ? t("{{role}} ({{discipline}})", { role, discipline: invitee.discipline }) : role;
  return {
    guidelineId: guideline.id,
    kind: "invitation",
    to: invitee.email,
    subject: t('Invitation to "{{title}}"', { title: guideline.title }),
    body: [
      input.name ? t("Hello {{name}},", { name: input.name }) : t("Hello,"),
      "",
      t('{{inviter}} invited you to join the guideline "{{title}}" as {{role}}.', {
        inviter: inviter.name,
        title: guideline.title,
        role: as,
      }),
      "",
      t("To accept, open this link (it works once, until {{expiresAt}}):", {
        expiresAt: formatUtc(input.expiresAt, false, language),
      }),
      input.link,
      "",
      t("If you did not expect this invitation, you can ignore this mail."),
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
  if (!guideline) throw new Refusal(msg("No such guideline."), 404);
  return guideline;
}

/**
 * Writes an invitation, its mail and the audit event; inside the caller's transaction, so the
 * three are kept together or not at all. Only the token's hash is stored: the link exists in
 * the mail alone.
 */
export function issueInvitation(
  tx: Queryable,
  input: { guidelineId: string; invitee: Invitee; name?: string; inviter: Actor; origin: string; now: Date },
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
  queueMail(
    tx,
    invitationMail({
      guideline,
      invitee: input.invitee,
      name: input.name,
      inviter: input.inviter,
      link,
      expiresAt,
      language: invitationLanguage(tx, input.invitee.email),
    }),
    input.now,
  );
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
function conflictOf(db: Queryable, input: { guidelineId: string; email: string; now?: Date }): Refusal | null {
  const now = input.now ?? new Date();
  const member = db
    .select({ role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.guidelineId, input.guidelineId), eq(users.email, input.email), isNull(memberships.removedAt)))
    .get();
  if (member) return new Refusal(ALREADY_MEMBER[member.role], 409, { email: input.email });
  const pending = db
    .select()
    .from(invitations)
    .where(and(eq(invitations.guidelineId, input.guidelineId), eq(invitations.email, input.email)))
    .all()
    .find((invitation) => invitationState(invitation, now) === "valid");
  if (pending)
    return new Refusal(msg("{{email}} already has a pending invitation: resend it instead."), 409, { email: input.email });
  return null;
}

/**
 * Why an address cannot be invited now (already a member, or already invited), in the request's
 * language; null when it can be.
 */
export function invitationConflict(db: Queryable, input: { guidelineId: string; email: string; now?: Date }): string | null {
  return conflictOf(db, input)?.text() ?? null;
}

export function inviteMember(
  db: DB,
  input: { guidelineId: string; invitee: Invitee; inviter: Actor; origin: string; now?: Date },
): { invitation: Invitation; token: string } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const conflict = conflictOf(tx, { guidelineId: input.guidelineId, email: input.invitee.email, now });
      if (conflict) throw conflict;
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
  if (!invitation) throw new Refusal(msg("No such invitation in this guideline."), 404);
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
      const email = { email: invitation.email };
      if (state === "used") throw new Refusal(msg("{{email}} has already accepted this invitation."), 409, email);
      if (state === "revoked") throw new Refusal(msg("The invitation to {{email}} was revoked: invite them again."), 409, email);
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
          language: invitationLanguage(tx, renewed.email),
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
      const email = { email: invitation.email };
      if (state === "used")
        throw new Refusal(msg("{{email}} has already accepted this invitation: remove the member instead."), 409, email);
      if (state === "revoked") throw new Refusal(msg("The invitation to {{email}} is already revoked."), 409, email);
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
  if (!member) throw new Refusal(msg("No such member in this guideline."), 404);
  return member;
}

function secretaryCount(db: Queryable, guidelineId: string): number {
  return db
    .select({ n: sql<number>`count(*)` })
    .from(memberships)
    .where(and(eq(memberships.guidelineId, guidelineId), eq(memberships.role, "secretary"), isNull(memberships.removedAt)))
    .get()!.n;
}

/**
 * Removes a member from the guideline. The row stays (removedAt), so ballots already cast keep
 * counting, in closed rounds and in the open one. The last secretary cannot be removed, nor can
 * secretaries remove themselves.
 */
export function removeMember(
  db: DB,
  input: { guidelineId: string; membershipId: string; actorId: string | null; now?: Date },
): typeof memberships.$inferSelect {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const { membership, email } = currentMember(tx, input.guidelineId, input.membershipId);
      if (membership.role === "secretary" && secretaryCount(tx, input.guidelineId) <= 1) {
        throw new Refusal(msg("{{email}} is the last secretary of this guideline and cannot be removed."), 409, { email });
      }
      if (membership.userId === input.actorId) throw new Refusal(msg("You cannot remove yourself: ask another secretary."));
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
  if (!statement) throw new Refusal(msg("No such statement in this guideline."), 404);
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
      if (membership.role !== "panelist") throw new Refusal(msg("Only panelists vote, so only panelists can be recused."), 422);
      const statement = statementOf(tx, input.guidelineId, input.statementId);
      const existing = tx
        .select()
        .from(recusals)
        .where(and(eq(recusals.membershipId, membership.id), eq(recusals.statementId, statement.id)))
        .get();
      if (existing) {
        throw new Refusal(msg("{{email}} is already recused from statement {{number}}."), 409, {
          email,
          number: statement.position,
        });
      }
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
      if (deleted.length === 0) {
        throw new Refusal(msg("{{email}} is not recused from statement {{number}}."), 404, { email, number: statement.position });
      }
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

/** What a secretary may change of a member after they joined. */
export type MemberChanges = { role: Role; discipline: string | null; affiliation: string | null; group: string | null };

/**
 * Changes a member's role, discipline, affiliation and stakeholder group (DESIGN §3.4: a null
 * group is their discipline's; only panelists have one). A round fixes its panel — who votes, with
 * which discipline and group — when it opens, so a change applies from the next round that opens:
 * the open round keeps its snapshot, and a panelist who stops being one keeps the ballots they
 * cast in it but can no longer change them. The last secretary stays one, and secretaries do not
 * change their own role. One audit event lists what changed; a save that changes nothing is
 * not an event.
 */
export function updateMember(
  db: DB,
  input: { guidelineId: string; membershipId: string; changes: MemberChanges; actorId: string | null; now?: Date },
): { changed: boolean } {
  const now = input.now ?? new Date();
  const clean = (value: string | null) => value?.trim() || null;
  const next = {
    role: input.changes.role,
    discipline: clean(input.changes.discipline),
    affiliation: clean(input.changes.affiliation),
    stakeholderGroup: clean(input.changes.group),
  };
  return db.transaction(
    (tx) => {
      const { membership, email } = currentMember(tx, input.guidelineId, input.membershipId);
      if (next.stakeholderGroup !== null && next.role !== "panelist") {
        throw new Refusal(msg("Only panelists vote, so only panelists belong to a stakeholder group."), 422);
      }
      if (membership.role === "secretary" && next.role !== "secretary") {
        if (secretaryCount(tx, input.guidelineId) <= 1) {
          throw new Refusal(msg("{{email}} is the last secretary of this guideline: make another member secretary first."), 409, {
            email,
          });
        }
        if (membership.userId === input.actorId)
          throw new Refusal(msg("You cannot change your own role: ask another secretary."));
      }
      const fields = { role: "role", discipline: "discipline", affiliation: "affiliation", stakeholderGroup: "group" } as const;
      const changes = Object.fromEntries(
        (Object.keys(fields) as (keyof typeof fields)[])
          .filter((key) => membership[key] !== next[key])
          .map((key) => [fields[key], { from: membership[key], to: next[key] }]),
      );
      if (Object.keys(changes).length === 0) return { changed: false };
      tx.update(memberships).set(next).where(eq(memberships.id, membership.id)).run();
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "member.updated",
        details: { membershipId: membership.id, email, changes },
        at: now,
      });
      return { changed: true };
    },
    { behavior: "immediate" },
  );
}

/** The rows of an upload with what only the database knows added to their problems: already a member, already invited. */
export function checkInvitations(db: Queryable, input: { guidelineId: string; rows: InviteRow[]; now?: Date }) {
  const now = input.now ?? new Date();
  const rows = input.rows.map((row) => {
    const conflict = row.email === "" ? null : invitationConflict(db, { guidelineId: input.guidelineId, email: row.email, now });
    return conflict ? { ...row, problems: [...row.problems, conflict] } : row;
  });
  const ready = rows.filter((row) => row.problems.length === 0);
  return { rows, ready: ready.length, readyRows: ready.map((row) => row.row).join(",") };
}

export type InvitationCheck = ReturnType<typeof checkInvitations>;

/**
 * Invites every row of an upload that can be invited, each exactly as a single invitation is
 * (its link, mail and audit event), all in one transaction; rows with a problem are left out.
 * The rows are checked again here: when the rows ready differ from the `expected` ones the
 * secretary saw in the preview (their row numbers: someone joined or was invited since), nothing
 * is sent and the fresh check comes back instead.
 */
export function sendInvitations(
  db: DB,
  input: { guidelineId: string; rows: InviteRow[]; expected: string; inviter: Actor; origin: string; now?: Date },
): { sent: number } | { changed: InvitationCheck } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const check = checkInvitations(tx, { guidelineId: input.guidelineId, rows: input.rows, now });
      if (check.readyRows !== input.expected) return { changed: check };
      if (check.ready === 0) throw new Refusal(msg("No row of this list can be invited: correct it and preview it again."), 422);
      for (const row of check.rows) {
        if (row.problems.length > 0 || row.role === null) continue;
        issueInvitation(tx, {
          guidelineId: input.guidelineId,
          invitee: {
            email: row.email,
            role: row.role,
            discipline: row.discipline,
            affiliation: row.affiliation,
            stakeholderGroup: row.group,
          },
          name: row.name,
          inviter: input.inviter,
          origin: input.origin,
          now,
        });
      }
      return { sent: check.ready };
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
 * Where a person stands with the guideline, as the panel lists them: a member (`joined`), invited
 * and not joined yet (`invited`: the link works; `expired`: it no longer does), or `removed`.
 */
export type PanelFilter = { q: string; status: PanelStatus | "all" };

/** Lower case without accents, so "muller" finds "Müller". */
const folded = (text: string) => text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

/** Whether a row matches every word of the search in its name, e-mail, discipline, group or affiliation. */
function matches(row: PanelRow, q: string): boolean {
  const words = folded(q).split(/\s+/).filter(Boolean);
  const haystack = folded([row.name, row.email, row.discipline, row.stakeholderGroup, row.affiliation].filter(Boolean).join(" "));
  return words.every((word) => haystack.includes(word));
}

type Recusal = { statementId: string; position: number; reason: string; createdAt: Date };

/** A person in the panel's list: a membership (joined or removed) or an invitation not taken up. */
export type PanelRow = {
  key: string;
  status: PanelStatus;
  membershipId: string | null;
  invitationId: string | null;
  userId: string | null;
  /** Null for an invitation: the name comes with the account. */
  name: string | null;
  email: string;
  role: Role;
  discipline: string | null;
  stakeholderGroup: string | null;
  affiliation: string | null;
  coiText: string | null;
  coiDeclaredAt: Date | null;
  /** Until when an invitation's link works, since when it does not, or when the member was removed. */
  statusAt: Date | null;
  recusals: Recusal[];
};

/**
 * The panel page: current members with their declarations, stakeholder groups and recusals; the
 * panel's list of people (members, invitations not taken up, removed members) filtered by a
 * search and a status, with the count of each status; every invitation; the statements to recuse
 * from; the open round (which keeps the panel it opened with); and whether invitations go out by
 * SMTP or wait in the outbox.
 */
export function listPanel(db: Queryable, input: { guidelineId: string; filter?: PanelFilter; now?: Date }) {
  const now = input.now ?? new Date();
  const filter = input.filter ?? { q: "", status: "all" };
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
  const recusalsOf = (membershipId: string): Recusal[] =>
    recusalRows
      .filter((r) => r.membershipId === membershipId)
      .map((r) => ({
        statementId: r.statementId,
        position: byStatement.get(r.statementId)?.position ?? 0,
        reason: r.reason,
        createdAt: r.createdAt,
      }))
      .sort((a, b) => a.position - b.position);
  const everyMembership = db
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
      removedAt: memberships.removedAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.guidelineId, input.guidelineId))
    .all()
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name));
  const members = everyMembership
    .filter((m) => m.removedAt === null)
    .map(({ removedAt: _removedAt, ...member }) => ({ ...member, recusals: recusalsOf(member.id) }));
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
      stakeholderGroup: invitation.stakeholderGroup,
      affiliation: invitation.affiliation,
      expiresAt: invitation.expiresAt,
      createdAt: invitation.createdAt,
      state: invitationState(invitation, now),
    }));

  // One row a person: a member; else their newest invitation, while it is not used or revoked; else a removed membership.
  const rows: PanelRow[] = members.map((m) => ({
    ...m,
    key: `m-${m.id}`,
    status: "joined",
    membershipId: m.id,
    invitationId: null,
    statusAt: null,
  }));
  const shown = new Set(members.map((m) => m.email));
  const seen = new Set<string>();
  for (const invitation of invitationRows) {
    if (shown.has(invitation.email) || seen.has(invitation.email)) continue;
    seen.add(invitation.email);
    if (invitation.state !== "valid" && invitation.state !== "expired") continue;
    shown.add(invitation.email);
    rows.push({
      key: `i-${invitation.id}`,
      status: invitation.state === "valid" ? "invited" : "expired",
      membershipId: null,
      invitationId: invitation.id,
      userId: null,
      name: null,
      email: invitation.email,
      role: invitation.role,
      discipline: invitation.discipline,
      stakeholderGroup: invitation.stakeholderGroup,
      affiliation: invitation.affiliation,
      coiText: null,
      coiDeclaredAt: null,
      statusAt: invitation.expiresAt,
      recusals: [],
    });
  }
  for (const m of everyMembership) {
    if (m.removedAt === null || shown.has(m.email)) continue;
    rows.push({
      ...m,
      key: `m-${m.id}`,
      status: "removed",
      membershipId: m.id,
      invitationId: null,
      statusAt: m.removedAt,
      recusals: recusalsOf(m.id),
    });
  }
  const statusOrder = (row: PanelRow) => PANEL_STATUSES.indexOf(row.status);
  const sortName = (row: PanelRow) => row.name ?? row.email;
  rows.sort(
    (a, b) =>
      statusOrder(a) - statusOrder(b) ||
      (a.status === "joined" ? ROLE_ORDER[a.role] - ROLE_ORDER[b.role] : 0) ||
      sortName(a).localeCompare(sortName(b)),
  );
  const statusCounts = Object.fromEntries(
    PANEL_STATUSES.map((status) => [status, rows.filter((row) => row.status === status).length]),
  ) as Record<PanelStatus, number>;

  return {
    members,
    people: rows.filter((row) => (filter.status === "all" || row.status === filter.status) && matches(row, filter.q)),
    peopleTotal: rows.length,
    statusCounts,
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
