import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, id, timestamp } from "./columns";

export const ROLES = ["secretary", "panelist", "observer"] as const;
export type Role = (typeof ROLES)[number];
export const CHOICES = ["agree", "disagree", "abstain"] as const;
export type Choice = (typeof CHOICES)[number];
/** What a ballot's `choice` may hold: an agreement choice, or "unable" (to score) on a rating scale. */
export const BALLOT_CHOICES = [...CHOICES, "unable"] as const;
export const ANONYMITY = ["anonymous", "named"] as const;
export const ROUND_STATUSES = ["draft", "open", "closed"] as const;
export const STATEMENT_STATUSES = ["draft", "in_round", "adopted", "not_adopted", "retired"] as const;

const inList = (column: string, values: readonly string[]) => sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);

export const users = sqliteTable("users", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  isAdmin: integer("is_admin", { mode: "boolean" }).notNull().default(false),
  /** The interface language the user chose ("en", "zh"); null until they choose one. */
  locale: text("locale"),
  /** A deactivated account cannot log in; its sessions were deleted when it was deactivated. */
  deactivatedAt: timestamp("deactivated_at"),
  createdAt: createdAt(),
});

/** One-time password-reset links an admin issues: the SHA-256 of the token, never the token. */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
    createdBy: text("created_by").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index("password_resets_user_idx").on(t.userId)],
);

/** Lucia's session design: the id is the SHA-256 of the cookie token, never the token. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at").notNull(),
    absoluteExpiresAt: timestamp("absolute_expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const guidelines = sqliteTable(
  "guidelines",
  {
    id: id(),
    slug: text("slug").notNull().unique(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    /** The authoritative language: statements are written, voted and published in it first. */
    language: text("language").notNull().default("en"),
    /** Every language the statements are read in, the authoritative one first (JSON array). */
    languages: text("languages", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'["en"]'`),
    registration: text("registration"),
    source: text("source"),
    /** The adoption rule (DESIGN §3) as JSON; locked once round 1 opens. */
    rule: text("rule", { mode: "json" }).notNull(),
    /** The rule in the committee's own words, shown beside it. */
    ruleText: text("rule_text"),
    anonymity: text("anonymity", { enum: ANONYMITY }).notNull().default("anonymous"),
    /** The ballot scale (DESIGN §3.1) as JSON; locked with the rule once round 1 opens. */
    scale: text("scale", { mode: "json" })
      .notNull()
      .default(sql`'{"kind":"agreement"}'`),
    /** Whether secretaries see the running counts of an open round (never who chose what). */
    showRunningCounts: integer("show_running_counts", { mode: "boolean" }).notNull().default(true),
    createdBy: text("created_by").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    check("guidelines_slug_format", sql`${t.slug} glob '[a-z0-9]*' and ${t.slug} not glob '*[^a-z0-9-]*'`),
    check("guidelines_anonymity", inList("anonymity", ANONYMITY)),
  ],
);

export const memberships = sqliteTable(
  "memberships",
  {
    id: id(),
    guidelineId: text("guideline_id")
      .notNull()
      .references(() => guidelines.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    role: text("role", { enum: ROLES }).notNull(),
    discipline: text("discipline"),
    /** The stakeholder group (DESIGN §3.4); null means the discipline. */
    stakeholderGroup: text("stakeholder_group"),
    affiliation: text("affiliation"),
    coiText: text("coi_text"),
    coiDeclaredAt: timestamp("coi_declared_at"),
    /** Removed members keep their row: their past ballots still count in closed rounds. */
    removedAt: timestamp("removed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("memberships_guideline_user_unique").on(t.guidelineId, t.userId),
    index("memberships_user_idx").on(t.userId),
    check("memberships_role", inList("role", ROLES)),
  ],
);

export const statements = sqliteTable(
  "statements",
  {
    id: id(),
    guidelineId: text("guideline_id")
      .notNull()
      .references(() => guidelines.id),
    /** Order of the guideline's statements; published numbers follow it. */
    position: integer("position").notNull(),
    status: text("status", { enum: STATEMENT_STATUSES }).notNull().default("draft"),
    createdAt: createdAt(),
  },
  (t) => [
    index("statements_guideline_idx").on(t.guidelineId, t.position),
    check("statements_status", inList("status", STATEMENT_STATUSES)),
  ],
);

export const statementRevisions = sqliteTable(
  "statement_revisions",
  {
    id: id(),
    statementId: text("statement_id")
      .notNull()
      .references(() => statements.id),
    revision: integer("revision").notNull(),
    /** Part of what a round votes on, like the text: a voted revision's section never changes. */
    section: text("section").notNull().default(""),
    text: text("text").notNull(),
    rationale: text("rationale").notNull().default(""),
    references: text("references").notNull().default(""),
    authorId: text("author_id").references(() => users.id),
    changeNote: text("change_note"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("statement_revisions_unique").on(t.statementId, t.revision),
    check("statement_revisions_number", sql`${t.revision} >= 1`),
  ],
);

/**
 * A revision's text and rationale in another of the guideline's languages. `confirmed` is false
 * while the translation may no longer match the authoritative wording (it was carried over from
 * an earlier wording); a round opens only on confirmed translations, and a voted revision's
 * translations never change.
 */
export const statementTranslations = sqliteTable(
  "statement_translations",
  {
    revisionId: text("revision_id")
      .notNull()
      .references(() => statementRevisions.id),
    language: text("language").notNull(),
    text: text("text").notNull(),
    rationale: text("rationale").notNull().default(""),
    confirmed: integer("confirmed", { mode: "boolean" }).notNull().default(true),
    updatedBy: text("updated_by").references(() => users.id),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.revisionId, t.language] })],
);

export const recusals = sqliteTable(
  "recusals",
  {
    membershipId: text("membership_id")
      .notNull()
      .references(() => memberships.id),
    statementId: text("statement_id")
      .notNull()
      .references(() => statements.id),
    reason: text("reason").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.membershipId, t.statementId] })],
);

/**
 * Who may vote in a round, fixed when it opens: the members (none for an imported round, whose
 * record gives only totals) and the panel's disciplines with their counts.
 */
export type PanelSnapshot = {
  /** `group` is the member's stakeholder group when the round opened (absent in rounds opened before groups: the discipline). */
  members: { membershipId: string; discipline: string | null; group?: string }[];
  disciplines: Record<string, number>;
};

export const rounds = sqliteTable(
  "rounds",
  {
    id: id(),
    guidelineId: text("guideline_id")
      .notNull()
      .references(() => guidelines.id),
    number: integer("number").notNull(),
    status: text("status", { enum: ROUND_STATUSES }).notNull().default("draft"),
    /** `online` rounds are voted here; `import` rounds carry totals from a consensus record. */
    origin: text("origin", { enum: ["online", "import"] })
      .notNull()
      .default("online"),
    closesAt: timestamp("closes_at"),
    openedAt: timestamp("opened_at"),
    closedAt: timestamp("closed_at"),
    panelSize: integer("panel_size"),
    panelSnapshot: text("panel_snapshot", { mode: "json" }).$type<PanelSnapshot>(),
    ruleSnapshot: text("rule_snapshot", { mode: "json" }),
    /** The scale the round is voted on, fixed when it opens (null: the agreement scale). */
    scaleSnapshot: text("scale_snapshot", { mode: "json" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("rounds_guideline_number_unique").on(t.guidelineId, t.number),
    check("rounds_status", inList("status", ROUND_STATUSES)),
    check("rounds_origin", sql`${t.origin} in ('online', 'import')`),
    check("rounds_number", sql`${t.number} >= 1`),
  ],
);

export const roundItems = sqliteTable(
  "round_items",
  {
    id: id(),
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id),
    revisionId: text("revision_id")
      .notNull()
      .references(() => statementRevisions.id),
    position: integer("position").notNull(),
    /** Eligible voters for this item when it differs from the round's panel (recusals, imports). */
    eligible: integer("eligible"),
  },
  (t) => [
    uniqueIndex("round_items_revision_unique").on(t.roundId, t.revisionId),
    uniqueIndex("round_items_position_unique").on(t.roundId, t.position),
  ],
);

export const ballots = sqliteTable(
  "ballots",
  {
    id: id(),
    roundItemId: text("round_item_id")
      .notNull()
      .references(() => roundItems.id),
    membershipId: text("membership_id")
      .notNull()
      .references(() => memberships.id),
    /** agree, disagree or abstain on the agreement scale; "unable" (to score) on a rating scale; null with a rating. */
    choice: text("choice", { enum: BALLOT_CHOICES }),
    /** 1..N on a rating scale. */
    rating: integer("rating"),
    comment: text("comment"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at")
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [
    uniqueIndex("ballots_item_member_unique").on(t.roundItemId, t.membershipId),
    index("ballots_member_idx").on(t.membershipId),
    // The few ballots with a comment, so that reading a round's comments does not read all its ballots.
    index("ballots_commented_idx")
      .on(t.roundItemId)
      .where(sql`trim(coalesce(${t.comment}, '')) <> ''`),
    check("ballots_choice", inList("choice", BALLOT_CHOICES)),
    check(
      "ballots_answer",
      sql`(${t.choice} is null) <> (${t.rating} is null) and (${t.rating} is null or ${t.rating} between 1 and 10)`,
    ),
  ],
);

/**
 * A round item's tally and verdict, frozen when the round closes: nothing reads a closed round's
 * outcome any other way (app/server/results.server.ts).
 */
export const roundResults = sqliteTable(
  "round_results",
  {
    roundItemId: text("round_item_id")
      .primaryKey()
      .references(() => roundItems.id),
    eligible: integer("eligible").notNull(),
    /** The counts: `{ agree, disagree, abstain }`, or `{ ratings: [n for 1, …, n for N], unable }`. */
    tally: text("tally", { mode: "json" }).notNull(),
    /** The tallies of every stakeholder group (null for rounds closed before groups). */
    groups: text("groups", { mode: "json" }),
    adopted: integer("adopted", { mode: "boolean" }).notNull(),
    /** The whole verdict (app/consensus/rule.ts FrozenVerdict); set once for results frozen before verdicts were. */
    verdict: text("verdict", { mode: "json" }),
  },
  (t) => [check("round_results_json", sql`json_valid(${t.tally}) and (${t.groups} is null or json_valid(${t.groups}))`)],
);

/**
 * Each respondent's pseudonym in a guideline's analysis exports (DESIGN §4): random, given when
 * a round they answered in closes, the same in every round, never derived from the account.
 */
export const respondentCodes = sqliteTable(
  "respondent_codes",
  {
    membershipId: text("membership_id")
      .primaryKey()
      .references(() => memberships.id),
    guidelineId: text("guideline_id")
      .notNull()
      .references(() => guidelines.id),
    code: text("code").notNull(),
  },
  (t) => [uniqueIndex("respondent_codes_guideline_code_unique").on(t.guidelineId, t.code)],
);

/**
 * How many ballots each member has in each round, kept by triggers on `ballots` (migration 0010)
 * so that a round's progress reads one row per member instead of counting its ballots: derived
 * data, without foreign keys, never written by the application.
 */
export const roundResponses = sqliteTable(
  "round_responses",
  {
    roundId: text("round_id").notNull(),
    membershipId: text("membership_id").notNull(),
    ballots: integer("ballots").notNull(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.membershipId] })],
);

/**
 * The recusals a round closed with, so that its ballots can be read back exactly as they were
 * counted however recusals change later.
 */
export const roundRecusals = sqliteTable(
  "round_recusals",
  {
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id),
    membershipId: text("membership_id")
      .notNull()
      .references(() => memberships.id),
    statementId: text("statement_id")
      .notNull()
      .references(() => statements.id),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.membershipId, t.statementId] })],
);

export const recommendationSets = sqliteTable(
  "recommendation_sets",
  {
    id: id(),
    guidelineId: text("guideline_id")
      .notNull()
      .references(() => guidelines.id),
    version: integer("version").notNull(),
    publishedAt: timestamp("published_at").notNull(),
    publishedBy: text("published_by").references(() => users.id),
    /** The published JSON exactly as served (DESIGN §5). */
    body: text("body").notNull(),
    contentHash: text("content_hash").notNull(),
  },
  (t) => [
    uniqueIndex("recommendation_sets_version_unique").on(t.guidelineId, t.version),
    check("recommendation_sets_version", sql`${t.version} >= 1`),
  ],
);

/**
 * The audit trail, one hash chain per guideline plus one for the instance (docs/decisions/004):
 * each event's hash covers its content and the previous event's hash.
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** The guideline's id, or "instance" for events of no guideline. */
    chain: text("chain").notNull(),
    seq: integer("seq").notNull(),
    guidelineId: text("guideline_id").references(() => guidelines.id),
    actorId: text("actor_id").references(() => users.id),
    action: text("action").notNull(),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    prevHash: text("prev_hash"),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("audit_events_guideline_idx").on(t.guidelineId, t.id),
    uniqueIndex("audit_events_chain_seq_unique").on(t.chain, t.seq),
    check("audit_events_seq", sql`${t.seq} >= 1`),
  ],
);

/** Each chain's last event, written with it, so deleting the newest events shows too. */
export const auditHeads = sqliteTable("audit_heads", {
  chain: text("chain").primaryKey(),
  seq: integer("seq").notNull(),
  hash: text("hash").notNull(),
});

export const invitations = sqliteTable(
  "invitations",
  {
    id: id(),
    guidelineId: text("guideline_id")
      .notNull()
      .references(() => guidelines.id),
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    discipline: text("discipline"),
    affiliation: text("affiliation"),
    /** The stakeholder group the member joins with (null: their discipline). */
    stakeholderGroup: text("stakeholder_group"),
    /** SHA-256 of the single-use link token. */
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
    revokedAt: timestamp("revoked_at"),
    invitedBy: text("invited_by").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index("invitations_guideline_idx").on(t.guidelineId), check("invitations_role", inList("role", ROLES))],
);

/** Mails waiting for SMTP, or kept for the secretary to copy when SMTP is not configured. */
export const outboxMails = sqliteTable(
  "outbox_mails",
  {
    id: id(),
    guidelineId: text("guideline_id").references(() => guidelines.id),
    kind: text("kind").notNull(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
    sentAt: timestamp("sent_at"),
    /** SMTP attempts so far; a transient failure is retried at `nextAttemptAt`. */
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at"),
    /** The last failure as the SMTP server or the connection reported it. */
    lastError: text("last_error"),
    /** Given up on: a permanent refusal, too many attempts, or a delivery a restart interrupted. */
    failedAt: timestamp("failed_at"),
    /** Claimed by a delivery before the SMTP call, so no mail is ever sent twice. */
    sendingAt: timestamp("sending_at"),
  },
  (t) => [
    index("outbox_mails_guideline_idx").on(t.guidelineId),
    // What a delivery looks for: the mails still to send, however large the outbox grows.
    index("outbox_mails_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.sentAt} is null and ${t.failedAt} is null`),
  ],
);

/**
 * Reminders a secretary scheduled for an open round: sent by the server's tick to whoever has
 * not answered, `hoursBefore` the round's deadline, once.
 */
export const reminderSchedules = sqliteTable(
  "reminder_schedules",
  {
    id: id(),
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id),
    hoursBefore: integer("hours_before").notNull(),
    sentAt: timestamp("sent_at"),
    /** How many were reminded when it went out. */
    recipients: integer("recipients"),
    createdBy: text("created_by").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("reminder_schedules_round_hours_unique").on(t.roundId, t.hoursBefore),
    check("reminder_schedules_hours", sql`${t.hoursBefore} between 1 and 720`),
  ],
);
