/**
 * The audit trail of a guideline as its secretaries read it: newest first, a sentence per event.
 * In anonymous guidelines a ballot event never says what was chosen, whatever it recorded: the
 * choice is dropped here, on the server, before anything reaches a page.
 */
import { and, count, desc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { auditEvents, type guidelines, roundItems, rounds, statementRevisions, statements, users } from "@db/schema";

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
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

type Describe = (d: Details) => string | undefined;

/**
 * A ballot sentence naming the statement by its number (the event records the item's place in
 * its round, mapped when the log is read: statementNumber), else the item; with the choice when
 * the details still carry one (named guidelines only).
 */
function ballotSentence(d: Details, verb: string, joiner: string): string | undefined {
  const round = num(d, "round");
  const item = num(d, "item");
  if (round === undefined || item === undefined) return undefined;
  const statement = num(d, "statement");
  const choice = str(d, "choice");
  const what = statement === undefined ? `item ${item} of round ${round}` : `statement ${statement} in round ${round}`;
  return `${verb} ${what}${choice ? `${joiner}${choice}` : ""}`;
}

function statementSentence(verb: string, rest: (d: Details) => string = () => ""): Describe {
  return (d) => (num(d, "statement") === undefined ? undefined : `${verb} statement ${num(d, "statement")}${rest(d)}`);
}

function deadlineSentence(verb: string): Describe {
  return (d) => {
    const round = num(d, "round");
    if (round === undefined) return undefined;
    const to = str(d, "to");
    return to ? `${verb} the deadline of round ${round} to ${utc(to)}` : `removed the deadline of round ${round}`;
  };
}

/**
 * Sentences for the actions the app records, keyed by action. Each needs its details; an event
 * missing them is shown by its action name and details instead.
 */
const SENTENCES: Record<string, Describe> = {
  "guideline.created": (d) => {
    const secretaries = [...(strings(d, "secretaries") ?? []), ...(strings(d, "invitedSecretaries") ?? [])];
    return `created the guideline${secretaries.length ? ` with ${secretaries.length === 1 ? "secretary" : "secretaries"} ${secretaries.join(", ")}` : ""}`;
  },
  "guideline.settings_changed": (d) => {
    const fields = strings(d, "fields");
    return fields ? `changed the settings: ${fields.join(", ")}` : undefined;
  },
  "guideline.imported": (d) => {
    const rounds = num(d, "rounds");
    const statements = num(d, "statements");
    if (rounds === undefined || statements === undefined) return undefined;
    return `imported ${plural(rounds, "round")} and ${plural(statements, "statement")} from a consensus record`;
  },
  "member.invited": (d) => (str(d, "email") && str(d, "role") ? `invited ${str(d, "email")} as ${str(d, "role")}` : undefined),
  "invitation.resent": (d) => (str(d, "email") ? `resent the invitation to ${str(d, "email")}` : undefined),
  "invitation.revoked": (d) => (str(d, "email") ? `revoked the invitation to ${str(d, "email")}` : undefined),
  "member.joined": (d) => (str(d, "role") ? `joined as ${str(d, "role")}` : undefined),
  "member.removed": (d) => (str(d, "email") ? `removed ${str(d, "email")} from the guideline` : undefined),
  "member.recused": (d) =>
    str(d, "email") && num(d, "statement") !== undefined
      ? `recused ${str(d, "email")} from statement ${num(d, "statement")}${str(d, "reason") ? `: ${str(d, "reason")}` : ""}`
      : undefined,
  "member.group_changed": (d) => {
    const email = str(d, "email");
    if (!email) return undefined;
    const discipline = str(d, "discipline");
    const named = (group: string | undefined) =>
      group ? `“${group}”` : `their discipline${discipline ? ` (${discipline})` : ""}`;
    return `changed the stakeholder group of ${email} from ${named(str(d, "from"))} to ${named(str(d, "to"))}`;
  },
  "member.updated": (d) => {
    const email = str(d, "email");
    const changes = d.changes;
    if (!email || !changes || typeof changes !== "object") return undefined;
    const named = (field: string, value: unknown) =>
      typeof value === "string" ? `“${value}”` : field === "group" ? "their discipline" : "none";
    const each = Object.entries(changes as Record<string, Details | null>).map(
      ([field, change]) => `${field} from ${named(field, change?.from)} to ${named(field, change?.to)}`,
    );
    return `changed ${email}: ${each.join(", ")}`;
  },
  "member.unrecused": (d) =>
    str(d, "email") && num(d, "statement") !== undefined
      ? `lifted the recusal of ${str(d, "email")} from statement ${num(d, "statement")}`
      : undefined,
  "statement.created": statementSentence("wrote"),
  "statement.revised": (d) => {
    const revision = num(d, "revision");
    if (revision === undefined) return undefined;
    const note = str(d, "changeNote");
    return statementSentence(
      "revised",
      () => ` (r${num(d, "previousRevision") ?? revision - 1} → r${revision})${note ? `: ${note}` : ""}`,
    )(d);
  },
  "statement.edited": statementSentence("edited", (d) =>
    num(d, "revision") === undefined ? "" : ` (r${num(d, "revision")}, not yet voted on)`,
  ),
  "statement.retired": statementSentence("retired"),
  "statement.restored": statementSentence("restored", (d) =>
    str(d, "status") ? ` as ${str(d, "status")!.replace(/_/g, " ")}` : "",
  ),
  "round.created": (d) => {
    const round = num(d, "round");
    const items = num(d, "items");
    if (round === undefined || items === undefined) return undefined;
    const from = num(d, "carriedOverFrom");
    return `drafted round ${round} (${plural(items, "statement")}${from === undefined ? "" : ` carried over from round ${from}`})`;
  },
  "round.items_added": (d) => {
    const round = num(d, "round");
    const items = num(d, "items");
    return round === undefined || items === undefined ? undefined : `added ${plural(items, "statement")} to round ${round}`;
  },
  "round.item_removed": (d) => {
    const round = num(d, "round");
    return round === undefined ? undefined : statementSentence("removed", () => ` from round ${round}`)(d);
  },
  "round.deadline_set": deadlineSentence("set"),
  "round.deadline_extended": deadlineSentence("moved"),
  "round.deleted": (d) => (num(d, "round") === undefined ? undefined : `deleted draft round ${num(d, "round")}`),
  "round.opened": (d) => {
    const round = num(d, "round");
    const items = num(d, "items");
    const eligible = num(d, "eligible");
    if (round === undefined || items === undefined || eligible === undefined) return undefined;
    return `opened round ${round} (${plural(items, "statement")}, ${eligible} eligible)`;
  },
  "round.reminded": (d) => {
    const round = num(d, "round");
    const count = num(d, "count");
    return round === undefined || count === undefined
      ? undefined
      : `reminded ${plural(count, "non-responder")} of round ${round}${
          num(d, "hoursBefore") === undefined ? "" : ` (scheduled ${plural(num(d, "hoursBefore")!, "hour")} before the deadline)`
        }`;
  },
  "round.reminder_scheduled": (d) =>
    num(d, "round") === undefined || num(d, "hoursBefore") === undefined
      ? undefined
      : `scheduled a reminder ${plural(num(d, "hoursBefore")!, "hour")} before the deadline of round ${num(d, "round")}`,
  "round.reminder_unscheduled": (d) =>
    num(d, "round") === undefined || num(d, "hoursBefore") === undefined
      ? undefined
      : `removed the reminder ${plural(num(d, "hoursBefore")!, "hour")} before the deadline of round ${num(d, "round")}`,
  "round.closed": (d) => {
    const round = num(d, "round");
    const items = num(d, "items");
    const adopted = num(d, "adopted");
    if (round === undefined || items === undefined || adopted === undefined) return undefined;
    return `closed round ${round}: ${adopted} of ${items} adopted`;
  },
  "version.published": (d) => (num(d, "version") === undefined ? undefined : `published version ${num(d, "version")}`),
  "ballot.cast": (d) => ballotSentence(d, "voted on", ": "),
  "ballot.changed": (d) => ballotSentence(d, "changed their ballot on", " to "),
  "ballot.withdrawn": (d) => ballotSentence(d, "withdrew their ballot on", ""),
};

/** A sentence for an event, or its action and details as compact JSON when it has none. */
export function describeEvent(action: string, details: Details): string {
  const sentence = SENTENCES[action]?.(details);
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
    who: row.actorId === null ? "system" : (row.actorName ?? "a deleted account"),
    what: describeEvent(
      row.action,
      withStatementNumber(row.action, visibleDetails(row.action, row.details, guideline.anonymity), numbers),
    ),
  }));
  return { entries, page, pages, total };
}
