import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { getDb, type DB, type Queryable } from "@db/client.server";
import {
  ballots,
  guidelines,
  invitations,
  memberships,
  outboxMails,
  recommendationSets,
  roundItems,
  rounds,
  users,
  type Role,
} from "@db/schema";
import { msg } from "~/i18n";
import type { Anonymity } from "~/consensus/anonymity";
import { describeRule, RuleSchema, sameRule, type Rule } from "~/consensus/rule";
import { describeScale, sameScale, scaleOf, type Scale } from "~/consensus/scale";
import { recordAudit } from "./audit.server";
import { Refusal } from "./errors.server";
import { otherLanguages } from "./translations.server";
import { currentLanguage, translator } from "./i18n.server";
import type { GuidelineFields } from "./guideline-form";
import { invitationState, issueInvitation, resendInvitation, smtpConfigured } from "./panel.server";

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

export const DEFAULT_RULE: Rule = { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" };

type Guideline = typeof guidelines.$inferSelect;
type Actor = { id: string; name: string };

export function slugInUse(db: Queryable, slug: string): boolean {
  return db.select({ id: guidelines.id }).from(guidelines).where(eq(guidelines.slug, slug)).get() !== undefined;
}

/**
 * Every guideline of the instance for admins, newest first: its secretaries, the secretary
 * invitations still open (to resend), its rounds by status and its published versions.
 */
export function listAllGuidelines(db: Queryable, now = new Date()) {
  const secretaries = db
    .select({ guidelineId: memberships.guidelineId, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.role, "secretary"), isNull(memberships.removedAt)))
    .orderBy(asc(users.name))
    .all();
  const invited = db
    .select()
    .from(invitations)
    .where(and(eq(invitations.role, "secretary"), isNull(invitations.usedAt), isNull(invitations.revokedAt)))
    .orderBy(asc(invitations.email))
    .all();
  const roundCounts = db
    .select({ guidelineId: rounds.guidelineId, status: rounds.status, n: sql<number>`count(*)` })
    .from(rounds)
    .groupBy(rounds.guidelineId, rounds.status)
    .all();
  const versions = db
    .select({
      guidelineId: recommendationSets.guidelineId,
      n: sql<number>`count(*)`,
      latest: sql<number>`max(${recommendationSets.version})`,
    })
    .from(recommendationSets)
    .groupBy(recommendationSets.guidelineId)
    .all();
  const roundsOf = (id: string) => {
    const of = (status: string) => roundCounts.find((r) => r.guidelineId === id && r.status === status)?.n ?? 0;
    return { draft: of("draft"), open: of("open"), closed: of("closed") };
  };
  return db
    .select({ id: guidelines.id, slug: guidelines.slug, title: guidelines.title, createdAt: guidelines.createdAt })
    .from(guidelines)
    .orderBy(desc(guidelines.createdAt), asc(guidelines.slug))
    .all()
    .map(({ id, ...guideline }) => {
      const published = versions.find((v) => v.guidelineId === id);
      return {
        ...guideline,
        secretaries: secretaries.filter((s) => s.guidelineId === id).map(({ name, email }) => ({ name, email })),
        invitedSecretaries: invited
          .filter((i) => i.guidelineId === id)
          .map((i) => ({ id: i.id, email: i.email, state: invitationState(i, now) })),
        rounds: roundsOf(id),
        versions: { count: published?.n ?? 0, latest: published?.latest ?? null },
      };
    });
}

/** How many guidelines and accounts the instance has, for the admin's overview. */
function instanceCounts(db: Queryable) {
  const accounts = db
    .select({ total: sql<number>`count(*)`, deactivated: sql<number>`count(${users.deactivatedAt})` })
    .from(users)
    .get()!;
  const guidelineCount = db
    .select({ n: sql<number>`count(*)` })
    .from(guidelines)
    .get()!.n;
  return { guidelines: guidelineCount, users: accounts.total, deactivatedUsers: accounts.deactivated };
}

/**
 * The admin's overview: how many guidelines and accounts there are and, for a guideline just
 * created, the invitation mails not sent yet (when SMTP is not configured the admin passes the
 * links on; they are not a secretary there).
 */
export function adminOverview(db: Queryable, input: { createdSlug?: string | null }) {
  const created = input.createdSlug
    ? db
        .select({ id: guidelines.id, slug: guidelines.slug, title: guidelines.title })
        .from(guidelines)
        .where(eq(guidelines.slug, input.createdSlug))
        .get()
    : undefined;
  const unsentInvitations = created
    ? db
        .select({ id: outboxMails.id, to: outboxMails.to, subject: outboxMails.subject, body: outboxMails.body })
        .from(outboxMails)
        .where(and(eq(outboxMails.guidelineId, created.id), eq(outboxMails.kind, "invitation"), isNull(outboxMails.sentAt)))
        .orderBy(asc(outboxMails.to))
        .all()
    : [];
  return {
    smtpConfigured: smtpConfigured(),
    counts: instanceCounts(db),
    created: created ? { slug: created.slug, title: created.title, unsentInvitations } : null,
  };
}

/**
 * An admin resends a secretary's invitation, in any guideline (they need not be a member): a new
 * link and expiry, the old link stops working, and the mail is queued. Returns the new link.
 */
export function resendSecretaryInvitation(
  db: DB,
  input: { invitationId: string; admin: Actor; origin: string; now?: Date },
): { email: string; guideline: string; link: string } {
  const found = db
    .select({ guidelineId: invitations.guidelineId, title: guidelines.title })
    .from(invitations)
    .innerJoin(guidelines, eq(guidelines.id, invitations.guidelineId))
    .where(and(eq(invitations.id, input.invitationId), eq(invitations.role, "secretary")))
    .get();
  if (!found) throw new Refusal(msg("No such secretary invitation."), 404);
  const { invitation, token } = resendInvitation(db, {
    guidelineId: found.guidelineId,
    invitationId: input.invitationId,
    actor: input.admin,
    origin: input.origin,
    now: input.now,
  });
  return { email: invitation.email, guideline: found.title, link: `${input.origin}/join/${token}` };
}

/**
 * An admin creates a guideline with the default rule and names its secretaries: an address
 * with an account becomes a secretary at once, any other is invited.
 */
export function createGuideline(
  db: DB,
  input: GuidelineFields & {
    slug: string;
    anonymity: Anonymity;
    secretaryEmails: string[];
    admin: Actor;
    origin: string;
    now?: Date;
  },
): { guideline: Guideline; adminIsSecretary: boolean } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      if (slugInUse(tx, input.slug)) throw new Refusal(msg('The slug "{{slug}}" is already in use.'), 409, { slug: input.slug });
      const guideline = tx
        .insert(guidelines)
        .values({
          slug: input.slug,
          title: input.title,
          description: input.description,
          language: input.language,
          languages: languagesOf(input),
          registration: input.registration,
          source: input.source,
          rule: DEFAULT_RULE,
          anonymity: input.anonymity,
          createdBy: input.admin.id,
          createdAt: now,
        })
        .returning()
        .get();
      const added: string[] = [];
      const invited: string[] = [];
      for (const email of input.secretaryEmails) {
        const user = tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
        if (user) {
          tx.insert(memberships).values({ guidelineId: guideline.id, userId: user.id, role: "secretary", createdAt: now }).run();
          added.push(email);
        } else {
          const invitee = { email, role: "secretary" as const, discipline: null, affiliation: null };
          issueInvitation(tx, { guidelineId: guideline.id, invitee, inviter: input.admin, origin: input.origin, now });
          invited.push(email);
        }
      }
      recordAudit(tx, {
        guidelineId: guideline.id,
        actorId: input.admin.id,
        action: "guideline.created",
        details: { slug: guideline.slug, title: guideline.title, secretaries: added, invitedSecretaries: invited },
        at: now,
      });
      const adminEmail = tx.select({ email: users.email }).from(users).where(eq(users.id, input.admin.id)).get()?.email;
      return { guideline, adminIsSecretary: adminEmail !== undefined && added.includes(adminEmail) };
    },
    { behavior: "immediate" },
  );
}

/** Since when the scale, the rule and anonymity are fixed: the first round that was opened (or imported closed). */
export function ruleLock(db: Queryable, guidelineId: string) {
  const round = db
    .select({ number: rounds.number, openedAt: rounds.openedAt, closedAt: rounds.closedAt })
    .from(rounds)
    .where(and(eq(rounds.guidelineId, guidelineId), inArray(rounds.status, ["open", "closed"])))
    .orderBy(asc(rounds.number))
    .get();
  return round ?? null;
}

function countPanelists(db: Queryable, guidelineId: string): number {
  return db
    .select({ n: sql<number>`count(*)` })
    .from(memberships)
    .where(and(eq(memberships.guidelineId, guidelineId), eq(memberships.role, "panelist"), isNull(memberships.removedAt)))
    .get()!.n;
}

export type GuidelineSettings = GuidelineFields &
  Pick<Guideline, "anonymity" | "showRunningCounts"> & {
    scale: Scale;
    rule: Rule;
  };

/** The guideline's languages as stored: the authoritative one first, then the translations. */
function languagesOf(fields: { language: string; translations: string[] }): string[] {
  return [fields.language, ...fields.translations.filter((language) => language !== fields.language)];
}

/** The fields compared as they are stored: what a save may change besides the scale and the rule. */
const PLAIN_FIELDS = ["title", "description", "language", "registration", "source", "anonymity", "showRunningCounts"] as const;

/** The settings that round 1 fixes: what the panel votes on, under which rule, seen by whom. */
const LOCKED_FIELDS = ["scale", "rule", "anonymity"] as const;

/**
 * The settings page: the saved settings, the lock, and the scale and the rule in plain language
 * (the rule with its thresholds for the current panel).
 */
export function settingsFor(db: Queryable, guideline: Guideline) {
  const rule = RuleSchema.parse(guideline.rule);
  const scale = scaleOf(guideline.scale);
  const panelists = countPanelists(db, guideline.id);
  // The previews in the page's language; the settings themselves are stored as they are.
  const t = translator(currentLanguage(), "rules");
  const settings: GuidelineSettings = {
    title: guideline.title,
    description: guideline.description,
    language: guideline.language,
    translations: otherLanguages(guideline),
    registration: guideline.registration,
    source: guideline.source,
    anonymity: guideline.anonymity,
    showRunningCounts: guideline.showRunningCounts,
    scale,
    rule,
  };
  return {
    settings,
    lock: ruleLock(db, guideline.id),
    panelists,
    preview: describeRule(rule, panelists, t),
    scalePreview: t("{{scale}}.", { scale: describeScale(scale, t) }),
  };
}

function lockRefusal(lock: NonNullable<ReturnType<typeof ruleLock>>): Refusal {
  const when = lock.openedAt ?? lock.closedAt;
  const values = { number: lock.number, ...(when ? { date: { day: when } } : {}) };
  if (lock.openedAt) {
    return new Refusal(
      msg("The ballot scale, the adoption rule and anonymity are locked since round {{number}} opened on {{date}}."),
      409,
      values,
    );
  }
  return new Refusal(
    when
      ? msg("The ballot scale, the adoption rule and anonymity are locked since round {{number}} was imported on {{date}}.")
      : msg("The ballot scale, the adoption rule and anonymity are locked since round {{number}} was imported."),
    409,
    values,
  );
}

/** Why the scale, the rule and anonymity can no longer change (in the request's language), or null while they can. */
export function settingsLock(db: Queryable, guidelineId: string): string | null {
  const lock = ruleLock(db, guidelineId);
  return lock ? lockRefusal(lock).text() : null;
}

/**
 * Saves a guideline's settings. Once a round has opened, the scale, the rule and the anonymity
 * are what the panel voted on and under: changing any of them is refused and nothing is saved.
 */
export function updateSettings(
  db: DB,
  input: { guidelineId: string; actorId: string; settings: GuidelineSettings; now?: Date },
): { changed: (keyof GuidelineSettings)[] } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const saved = tx.select().from(guidelines).where(eq(guidelines.id, input.guidelineId)).get();
      if (!saved) throw new Refusal(msg("No such guideline."), 404);
      // Running counts exist only in named guidelines: an anonymous one keeps what was saved.
      const next = {
        ...input.settings,
        showRunningCounts: input.settings.anonymity === "named" ? input.settings.showRunningCounts : saved.showRunningCounts,
      };
      const changed: (keyof GuidelineSettings)[] = PLAIN_FIELDS.filter((field) => saved[field] !== next[field]);
      if (otherLanguages(saved).join() !== next.translations.filter((l) => l !== next.language).join())
        changed.push("translations");
      if (!sameScale(scaleOf(saved.scale), next.scale)) changed.push("scale");
      if (!sameRule(RuleSchema.parse(saved.rule), next.rule)) changed.push("rule");
      const lock = ruleLock(tx, saved.id);
      if (lock && LOCKED_FIELDS.some((field) => changed.includes(field))) throw lockRefusal(lock);
      // The statements were voted in their language; translations change only between rounds,
      // so a round's panel reads the same languages from its opening to its close.
      if (lock && changed.includes("language")) {
        throw new Refusal(
          msg("The language of the statements is fixed since round {{number}} opened: they were voted in it."),
          409,
          {
            number: lock.number,
          },
        );
      }
      const open = tx
        .select({ number: rounds.number })
        .from(rounds)
        .where(and(eq(rounds.guidelineId, saved.id), eq(rounds.status, "open")))
        .get();
      if (open && changed.includes("translations")) {
        throw new Refusal(msg("Round {{number}} is open: the guideline's languages change only between rounds."), 409, {
          number: open.number,
        });
      }
      if (changed.length === 0) return { changed };
      // Only what changed is written: a stored rule or scale the form spells differently keeps its JSON.
      const { translations: _, ...update } = Object.fromEntries(
        changed.map((field) => [field, next[field]]),
      ) as Partial<GuidelineSettings>;
      tx.update(guidelines)
        .set({ ...update, languages: languagesOf(next) })
        .where(eq(guidelines.id, saved.id))
        .run();
      recordAudit(tx, {
        guidelineId: saved.id,
        actorId: input.actorId,
        action: "guideline.settings_changed",
        details: { fields: changed },
        at: now,
      });
      return { changed };
    },
    { behavior: "immediate" },
  );
}
