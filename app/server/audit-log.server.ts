/**
 * The audit trail of a guideline as its secretaries read it: newest first, a sentence per event.
 * In anonymous guidelines a ballot event never says what was chosen, whatever it recorded: the
 * choice is dropped here, on the server, before anything reaches a page.
 */
import { and, count, desc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { auditEvents, type guidelines, roundItems, rounds, statementRevisions, statements, users } from "@db/schema";
import { msg, type Translate } from "~/i18n";
import { tr } from "./i18n.server";

export const AUDIT_PAGE_SIZE = 50;

type Anonymity = (typeof guidelines.$inferSelect)["anonymity"];
type Details = Record<string, unknown>;

export type AuditEntry = { id: number; at: string; who: string; what: string };

/** Details fit to show: in anonymous guidelines, ballot events lose every choice they carry. */
export function visibleDetails(action: string, details: Details, anonymity: Anonymity): Details {
  if (anonymity === "named" || !action.startsWith("ballot.")) return details;
  return withoutChoices(details) as Details;
}

function withoutChoices(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutChoices);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !/choice/i.test(key))
      .map(([key, v]) => [key, withoutChoices(v)]),
  );
}

const num = (details: Details, key: string) => (typeof details[key] === "number" ? (details[key] as number) : undefined);
const str = (details: Details, key: string) => (typeof details[key] === "string" ? (details[key] as string) : undefined);
const strings = (details: Details, key: string) => {
  const value = details[key];
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined;
};
const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

/** The log's sentences in the request's language: English outside a request (the CLI, tests). */
const inLanguage: Translate = (key, values) => tr(key, values, "publication");

/** Recorded values the sentences name, as keys: a word listed here is translated, any other shown as recorded. */
const WORDS: Record<string, string> = {
  // Roles.
  secretary: msg("secretary"),
  panelist: msg("panelist"),
  observer: msg("observer"),
  // Ballot choices.
  agree: msg("agree"),
  disagree: msg("disagree"),
  abstain: msg("abstain"),
  unable: msg("unable"),
  // Statement statuses, as the log writes them ("not_adopted" reads "not adopted").
  draft: msg("draft"),
  in_round: msg("in round"),
  adopted: msg("adopted"),
  not_adopted: msg("not adopted"),
  retired: msg("retired"),
};

/** Field names: of a guideline's settings (guideline.settings_changed) and of a member (member.updated). */
const FIELDS: Record<string, string> = {
  title: msg("title"),
  description: msg("description"),
  language: msg("language"),
  registration: msg("registration"),
  source: msg("source"),
  anonymity: msg("anonymity"),
  showRunningCounts: msg("showRunningCounts"),
  scale: msg("scale"),
  rule: msg("rule"),
  role: msg("role"),
  discipline: msg("discipline"),
  affiliation: msg("affiliation"),
  group: msg("group"),
};

const word = (value: string, t: Translate) => (Object.hasOwn(WORDS, value) ? t(WORDS[value]!) : value);
const field = (name: string, t: Translate) => (Object.hasOwn(FIELDS, name) ? t(FIELDS[name]!) : name);

type Describe = (d: Details, t: Translate) => string | undefined;

/**
 * A ballot sentence naming the statement by its number (the event records the item's place in
 * its round, mapped when the log is read: statementNumber), else the item; with the choice when
 * the details still carry one (named guidelines only) and the sentence has a place for it.
 */
function ballotSentence(plain: string, withChoice: string | null): Describe {
  return (d, t) => {
    const round = num(d, "round");
    const item = num(d, "item");
    if (round === undefined || item === undefined) return undefined;
    const statement = num(d, "statement");
    const choice = str(d, "choice");
    const what =
      statement === undefined
        ? t("item {{item}} of round {{round}}", { item, round })
        : t("statement {{statement}} in round {{round}}", { statement, round });
    return choice && withChoice ? t(withChoice, { what, choice: word(choice, t) }) : t(plain, { what });
  };
}

/** A sentence about a statement, `key` naming it as {{statement}}. */
function statementSentence(key: string): Describe {
  return (d, t) => (num(d, "statement") === undefined ? undefined : t(key, { statement: num(d, "statement") }));
}

function deadlineSentence(key: string): Describe {
  return (d, t) => {
    const round = num(d, "round");
    if (round === undefined) return undefined;
    const to = str(d, "to");
    return to ? t(key, { round, when: utc(to) }) : t("removed the deadline of round {{round}}", { round });
  };
}

/**
 * Sentences for the actions the app records, keyed by action. Each needs its details; an event
 * missing them is shown by its action name and details instead.
 */
const SENTENCES: Record<string, Describe> = {
  "guideline.created": (d, t) => {
    const secretaries = [...(strings(d, "secretaries") ?? []), ...(strings(d, "invitedSecretaries") ?? [])];
    return secretaries.length
      ? t("created the guideline with secretaries {{secretaries}}", {
          count: secretaries.length,
          secretaries: secretaries.join(t(", ")),
        })
      : t("created the guideline");
  },
  "guideline.settings_changed": (d, t) => {
    const fields = strings(d, "fields");
    return fields ? t("changed the settings: {{fields}}", { fields: fields.map((f) => field(f, t)).join(t(", ")) }) : undefined;
  },
  "guideline.imported": (d, t) => {
    const rounds = num(d, "rounds");
    const statements = num(d, "statements");
    if (rounds === undefined || statements === undefined) return undefined;
    return t("imported {{rounds}} and {{statements}} from a consensus record", {
      rounds: t("{{count}} rounds", { count: rounds }),
      statements: t("{{count}} statements", { count: statements }),
    });
  },
  "member.invited": (d, t) =>
    str(d, "email") && str(d, "role")
      ? t("invited {{email}} as {{role}}", { email: str(d, "email"), role: word(str(d, "role")!, t) })
      : undefined,
  "invitation.resent": (d, t) =>
    str(d, "email") ? t("resent the invitation to {{email}}", { email: str(d, "email") }) : undefined,
  "invitation.revoked": (d, t) =>
    str(d, "email") ? t("revoked the invitation to {{email}}", { email: str(d, "email") }) : undefined,
  "mail.resent": (d, t) =>
    str(d, "email") ? t("sent the failed mail to {{email}} again", { email: str(d, "email") }) : undefined,
  "member.joined": (d, t) => (str(d, "role") ? t("joined as {{role}}", { role: word(str(d, "role")!, t) }) : undefined),
  "member.removed": (d, t) =>
    str(d, "email") ? t("removed {{email}} from the guideline", { email: str(d, "email") }) : undefined,
  "member.recused": (d, t) => {
    const email = str(d, "email");
    const statement = num(d, "statement");
    if (!email || statement === undefined) return undefined;
    const reason = str(d, "reason");
    return reason
      ? t("recused {{email}} from statement {{statement}}: {{reason}}", { email, statement, reason })
      : t("recused {{email}} from statement {{statement}}", { email, statement });
  },
  "member.group_changed": (d, t) => {
    const email = str(d, "email");
    if (!email) return undefined;
    const discipline = str(d, "discipline");
    const named = (group: string | undefined) =>
      group ? `“${group}”` : discipline ? t("their discipline ({{discipline}})", { discipline }) : t("their discipline");
    return t("changed the stakeholder group of {{email}} from {{from}} to {{to}}", {
      email,
      from: named(str(d, "from")),
      to: named(str(d, "to")),
    });
  },
  "member.updated": (d, t) => {
    const email = str(d, "email");
    const changes = d.changes;
    if (!email || !changes || typeof changes !== "object") return undefined;
    const named = (name: string, value: unknown) =>
      typeof value === "string"
        ? `“${name === "role" ? word(value, t) : value}”`
        : name === "group"
          ? t("their discipline")
          : t("none");
    const each = Object.entries(changes as Record<string, Details | null>).map(([name, change]) =>
      t("{{field}} from {{from}} to {{to}}", {
        field: field(name, t),
        from: named(name, change?.from),
        to: named(name, change?.to),
      }),
    );
    return t("changed {{email}}: {{changes}}", { email, changes: each.join(t(", ")) });
  },
  "member.unrecused": (d, t) =>
    str(d, "email") && num(d, "statement") !== undefined
      ? t("lifted the recusal of {{email}} from statement {{statement}}", {
          email: str(d, "email"),
          statement: num(d, "statement"),
        })
      : undefined,
  "statement.created": statementSentence(msg("wrote statement {{statement}}")),
  "statement.revised": (d, t) => {
    const statement = num(d, "statement");
    const revision = num(d, "revision");
    if (statement === undefined || revision === undefined) return undefined;
    const note = str(d, "changeNote");
    const values = { statement, previous: num(d, "previousRevision") ?? revision - 1, revision, note };
    return note
      ? t("revised statement {{statement}} (r{{previous}} → r{{revision}}): {{note}}", values)
      : t("revised statement {{statement}} (r{{previous}} → r{{revision}})", values);
  },
  "statement.edited": (d, t) => {
    const statement = num(d, "statement");
    if (statement === undefined) return undefined;
    const revision = num(d, "revision");
    return revision === undefined
      ? t("edited statement {{statement}}", { statement })
      : t("edited statement {{statement}} (r{{revision}}, not yet voted on)", { statement, revision });
  },
  "statement.retired": statementSentence(msg("retired statement {{statement}}")),
  "statement.restored": (d, t) => {
    const statement = num(d, "statement");
    if (statement === undefined) return undefined;
    const status = str(d, "status");
    return status
      ? t("restored statement {{statement}} as {{status}}", { statement, status: word(status, t).replace(/_/g, " ") })
      : t("restored statement {{statement}}", { statement });
  },
  "round.created": (d, t) => {
    const round = num(d, "round");
    const items = num(d, "items");
    if (round === undefined || items === undefined) return undefined;
    const from = num(d, "carriedOverFrom");
    return from === undefined
      ? t("drafted round {{round}} ({{count}} statements)", { round, count: items })
      : t("drafted round {{round}} ({{count}} statements carried over from round {{from}})", { round, count: items, from });
  },
  "round.items_added": (d, t) => {
    const round = num(d, "round");
    const items = num(d, "items");
    return round === undefined || items === undefined
      ? undefined
      : t("added {{count}} statements to round {{round}}", { count: items, round });
  },
  "round.item_removed": (d, t) => {
    const round = num(d, "round");
    const statement = num(d, "statement");
    return round === undefined || statement === undefined
      ? undefined
      : t("removed statement {{statement}} from round {{round}}", { statement, round });
  },
  "round.deadline_set": deadlineSentence(msg("set the deadline of round {{round}} to {{when}}")),
  "round.deadline_extended": deadlineSentence(msg("moved the deadline of round {{round}} to {{when}}")),
  "round.deleted": (d, t) =>
    num(d, "round") === undefined ? undefined : t("deleted draft round {{round}}", { round: num(d, "round") }),
  "round.opened": (d, t) => {
    const round = num(d, "round");
    const items = num(d, "items");
    const eligible = num(d, "eligible");
    if (round === undefined || items === undefined || eligible === undefined) return undefined;
    return t("opened round {{round}} ({{count}} statements, {{eligible}} eligible)", { round, count: items, eligible });
  },
  "round.reminded": (d, t) => {
    const round = num(d, "round");
    const count = num(d, "count");
    if (round === undefined || count === undefined) return undefined;
    const hoursBefore = num(d, "hoursBefore");
    return hoursBefore === undefined
      ? t("reminded {{count}} non-responders of round {{round}}", { count, round })
      : t("reminded {{count}} non-responders of round {{round}} (scheduled {{hours}} before the deadline)", {
          count,
          round,
          hours: t("{{count}} hours", { count: hoursBefore }),
        });
  },
  "round.reminder_scheduled": (d, t) =>
    num(d, "round") === undefined || num(d, "hoursBefore") === undefined
      ? undefined
      : t("scheduled a reminder {{count}} hours before the deadline of round {{round}}", {
          count: num(d, "hoursBefore"),
          round: num(d, "round"),
        }),
  "round.reminder_unscheduled": (d, t) =>
    num(d, "round") === undefined || num(d, "hoursBefore") === undefined
      ? undefined
      : t("removed the reminder {{count}} hours before the deadline of round {{round}}", {
          count: num(d, "hoursBefore"),
          round: num(d, "round"),
        }),
  "round.closed": (d, t) => {
    const round = num(d, "round");
    const items = num(d, "items");
    const adopted = num(d, "adopted");
    if (round === undefined || items === undefined || adopted === undefined) return undefined;
    return t("closed round {{round}}: {{adopted}} of {{items}} adopted", { round, adopted, items });
  },
  "version.published": (d, t) =>
    num(d, "version") === undefined ? undefined : t("published version {{version}}", { version: num(d, "version") }),
  "ballot.cast": ballotSentence(msg("voted on {{what}}"), msg("voted on {{what}}: {{choice}}")),
  "ballot.changed": ballotSentence(
    msg("changed their ballot on {{what}}"),
    msg("changed their ballot on {{what}} to {{choice}}"),
  ),
  "ballot.withdrawn": ballotSentence(msg("withdrew their ballot on {{what}}"), null),
};

/** A sentence for an event, or its action and details as compact JSON when it has none; in `t`'s language. */
export function describeEvent(action: string, details: Details, t: Translate = inLanguage): string {
  const sentence = SENTENCES[action]?.(details, t);
  if (sentence) return sentence;
  return Object.keys(details).length === 0 ? action : `${action} ${JSON.stringify(details)}`;
}

/** The position of each statement the events name by id, as the committee numbers them. */
function statementNumbers(db: Queryable, guidelineId: string, details: Details[]): Map<string, number> {
  const ids = [...new Set(details.map((d) => str(d, "statementId")).filter((id) => id !== undefined))];
  if (ids.length === 0) return new Map();
  const rows = db
    .select({ id: statements.id, position: statements.position })
    .from(statements)
    .where(and(eq(statements.guidelineId, guidelineId), inArray(statements.id, ids)))
    .all();
  return new Map(rows.map((row) => [row.id, row.position]));
}

const itemKey = (round: number, item: number) => `${round}:${item}`;

/**
 * The statement number of each round item that ballot events name by round and place ("item"),
 * read from the rounds: ballot events stay as recorded (audit:verify matches ballots by them).
 */
function itemNumbers(db: Queryable, guidelineId: string, events: { action: string; details: Details }[]): Map<string, number> {
  const wanted = new Set(
    events
      .filter(
        (e) => e.action.startsWith("ballot.") && num(e.details, "round") !== undefined && num(e.details, "item") !== undefined,
      )
      .map((e) => num(e.details, "round")!),
  );
  if (wanted.size === 0) return new Map();
  const rows = db
    .select({ round: rounds.number, item: roundItems.position, number: statements.position })
    .from(roundItems)
    .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
    .where(and(eq(rounds.guidelineId, guidelineId), inArray(rounds.number, [...wanted])))
    .all();
  return new Map(rows.map((row) => [itemKey(row.round, row.item), row.number]));
}

function withStatementNumber(
  action: string,
  details: Details,
  numbers: { byId: Map<string, number>; byItem: Map<string, number> },
): Details {
  if (num(details, "statement") !== undefined) return details;
  const id = str(details, "statementId");
  const round = num(details, "round");
  const item = num(details, "item");
  const number =
    id !== undefined
      ? numbers.byId.get(id)
      : action.startsWith("ballot.") && round !== undefined && item !== undefined
        ? numbers.byItem.get(itemKey(round, item))
        : undefined;
  return number === undefined ? details : { ...details, statement: number };
}

/** One page of a guideline's audit trail, newest first; a page past the end shows the last. */
export function readAuditLog(
  db: Queryable,
  input: { guideline: { id: string; anonymity: Anonymity }; page: number },
): { entries: AuditEntry[]; page: number; pages: number; total: number } {
  const { guideline } = input;
  const total = db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.guidelineId, guideline.id)).get()?.n ?? 0;
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const page = Math.min(Math.max(1, input.page), pages);
  const rows = db
    .select({
      id: auditEvents.id,
      action: auditEvents.action,
      details: auditEvents.details,
      createdAt: auditEvents.createdAt,
      actorId: auditEvents.actorId,
      actorName: users.name,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(eq(auditEvents.guidelineId, guideline.id))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((page - 1) * AUDIT_PAGE_SIZE)
    .all();
  const numbers = {
    byId: statementNumbers(
      db,
      guideline.id,
      rows.map((row) => row.details),
    ),
    byItem: itemNumbers(db, guideline.id, rows),
  };
  const entries = rows.map((row) => ({
    id: row.id,
    at: row.createdAt.toISOString(),
    who:
      row.actorId === null
        ? tr("system", undefined, "publication")
        : (row.actorName ?? tr("a deleted account", undefined, "publication")),
    what: describeEvent(
      row.action,
      withStatementNumber(row.action, visibleDetails(row.action, row.details, guideline.anonymity), numbers),
    ),
  }));
  return { entries, page, pages, total };
}
