import type Database from "better-sqlite3";
import {
  INSTANCE_CHAIN,
  verifyChains,
  type BrokenLink,
  type ChainHead,
  type PublishedHead,
  type StoredEvent,
  type Unrecorded,
} from "~/consensus/audit-chain";
import { msg } from "~/i18n";
import { Refusal } from "./errors.server";

export type AuditVerification = { events: number; chains: number; broken: (BrokenLink & { label: string })[] };

const EVENTS = `select id, chain, seq, guideline_id as guidelineId, actor_id as actorId, action, details,
  created_at as createdAt, prev_hash as prevHash, hash from audit_events`;

function guidelineChain(sqlite: Database.Database, slug: string): string {
  const id = sqlite.prepare("select id from guidelines where slug = ?").pluck().get(slug) as string | undefined;
  if (id === undefined) throw new Refusal(msg('There is no guideline "{{slug}}".'), 404, { slug });
  return id;
}

function labels(sqlite: Database.Database): Map<string, string> {
  const rows = sqlite.prepare("select id, slug from guidelines").all() as { id: string; slug: string }[];
  return new Map(rows.map((g) => [g.id, `guideline "${g.slug}"`]));
}

/** A field of a stored JSON text, or null when the text is not JSON: a tampered row is reported, not an SQL error. */
const field = (column: string, path: string) => `case when json_valid(${column}) then ${column} ->> '${path}' end`;

/** `column = @only` when one guideline is verified (so an index serves it), else true. */
type Scope = (column: string) => string;

/** Rounds and versions without their event, in one pass over the few events that record them. */
const lifecycleGaps = (only: Scope) => `
  with recorded as materialized (
    select chain, action, ${field("details", "$.round")} as round, ${field("details", "$.rounds")} as rounds,
      ${field("details", "$.version")} as version, ${field("details", "$.contentHash")} as contentHash
    from audit_events
    where action in ('round.opened', 'round.closed', 'guideline.imported', 'version.published') and ${only("chain")}
  )
  select guideline_id as chain, 'opened' as kind, number, null as contentHash from rounds r
  where origin = 'online' and status <> 'draft' and ${only("guideline_id")} and not exists
    (select 1 from recorded e where e.chain = r.guideline_id and e.action = 'round.opened' and e.round = r.number)
  union all
  select guideline_id, 'closed', number, null from rounds r
  where status = 'closed' and ${only("guideline_id")} and not exists
    (select 1 from recorded e where e.chain = r.guideline_id and e.action = 'round.closed' and e.round = r.number)
  union all
  select guideline_id, 'imported', rounds, null from (
    select guideline_id, count(*) as rounds from rounds where origin = 'import' and ${only("guideline_id")} group by guideline_id
  ) i where not exists
    (select 1 from recorded e where e.chain = i.guideline_id and e.action = 'guideline.imported' and e.rounds = i.rounds)
  union all
  select guideline_id, 'published', version, content_hash from recommendation_sets s
  where ${only("guideline_id")} and not exists (select 1 from recorded e where e.chain = s.guideline_id
    and e.action = 'version.published' and e.version = s.version and e.contentHash = s.content_hash)
  order by chain, kind, number`;

type LifecycleGap = {
  chain: string;
  kind: "opened" | "closed" | "imported" | "published";
  /** The round's or version's number; for "imported", how many rounds were. */
  number: number;
  contentHash: string | null;
};

function lifecycleMessage(gap: LifecycleGap): string {
  const no = (action: string) => `the audit trail has no "${action}" event`;
  switch (gap.kind) {
    case "opened":
      return `round ${gap.number} was opened but ${no("round.opened")}`;
    case "closed":
      return `round ${gap.number} was closed but ${no("round.closed")}`;
    case "imported": {
      const rounds = gap.number === 1 ? "1 round was" : `${gap.number} rounds were`;
      return `${rounds} imported but ${no("guideline.imported")} with that count`;
    }
    case "published":
      return `version ${gap.number} (${gap.contentHash}) was published but ${no("version.published")} with that content hash`;
  }
}

/**
 * Ballots whose member's latest ballot event on that round and item is missing, a withdrawal, or
 * not at the ballot's last save. The ballot events are grouped once (one sort of them), each
 * ballot looks its group up in an index SQLite builds on the groups, and only the ballots that
 * fail come back. In SQLite the other columns of a query whose one aggregate is max() come from
 * the row holding that maximum. `+` strips the integer affinity of round and position, which
 * otherwise keeps the lookup from using the JSON-derived columns of that index.
 */
const ballotGaps = (only: Scope) => `
  with latest as (
    select chain, actor_id as actor, ${field("details", "$.round")} as round, ${field("details", "$.item")} as item,
      action, created_at as recordedAt, max(seq)
    from audit_events
    where action in ('ballot.cast', 'ballot.changed', 'ballot.withdrawn') and ${only("chain")}
    group by chain, actor, round, item
  )
  select r.guideline_id as chain, r.number as round, i.position as item, m.user_id as actor, b.updated_at as updatedAt,
    l.action, l.recordedAt
  from ballots b
  join round_items i on i.id = b.round_item_id
  join rounds r on r.id = i.round_id
  join memberships m on m.id = b.membership_id
  left join latest l on l.chain = r.guideline_id and l.actor = m.user_id and l.round = +r.number and l.item = +i.position
  where (l.action is null or l.action = 'ballot.withdrawn' or l.recordedAt is not b.updated_at) and ${only("r.guideline_id")}
  order by r.guideline_id, r.number, i.position, m.user_id`;

type BallotGap = {
  chain: string;
  round: number;
  item: number;
  actor: string;
  updatedAt: number;
  action: string | null;
  recordedAt: number | null;
};

function ballotMessage(gap: BallotGap): string {
  const ballot = `the ballot of user ${gap.actor} on round ${gap.round}, item ${gap.item}`;
  if (gap.action === null) return `${ballot} has no "ballot.cast" event in the audit trail`;
  if (gap.action === "ballot.withdrawn") return `${ballot} exists, but its latest event in the audit trail is "ballot.withdrawn"`;
  // A forged event's time may be any value: shown as it is when it is no date.
  const at = (ms: number) => {
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
  };
  return `${ballot} was last saved at ${at(gap.updatedAt)}, but its latest event ("${gap.action}") is at ${at(gap.recordedAt!)}`;
}

/** The heads published sets recorded (`auditHead`); sets published before the field have none. */
const publishedHeads = (only: Scope) => `
  select chain, version, seq, hash from (
    select guideline_id as chain, version,
      ${field("body", "$.auditHead.seq")} as seq, ${field("body", "$.auditHead.hash")} as hash
    from recommendation_sets where ${only("guideline_id")}
  ) where seq is not null
  order by chain, version`;

/**
 * Recomputes the audit chains from the stored rows, all of them or the guideline `slug`'s, and
 * checks them against the rows they record: every guideline has a chain; every opened or closed
 * round, imported round, published version and existing ballot has its event; every head a
 * published set recorded is still in its chain. Reads the events through a cursor and leaves the
 * cross-checks to SQL, so it works on any copy of the database, at any size; in one read
 * transaction, so events appended meanwhile by the server never look inserted.
 */
export function verifyAudit(sqlite: Database.Database, options: { slug?: string } = {}): AuditVerification {
  return sqlite.transaction(() => {
    const guideline = options.slug === undefined ? null : guidelineChain(sqlite, options.slug);
    const only: Scope = (column) => (guideline === null ? "1" : `${column} = @only`);
    const params = guideline === null ? [] : [{ only: guideline }];
    const rows = <T>(sql: string) => sqlite.prepare(sql).iterate(...params) as IterableIterator<T>;
    const heads = [...rows<ChainHead>(`select chain, seq, hash from audit_heads where ${only("chain")}`)];
    const chains = [...rows<{ id: string }>(`select id from guidelines where ${only("id")}`)].map((g) => g.id);
    const published = [...rows<PublishedHead>(publishedHeads(only))];
    const events = rows<StoredEvent>(`${EVENTS} where ${only("chain")} order by chain, seq, id`);
    // Read after the events, one row at a time: a trail stripped of millions of events lists millions of rows.
    function* unrecorded(): Generator<Unrecorded> {
      for (const gap of rows<LifecycleGap>(lifecycleGaps(only))) yield { chain: gap.chain, message: lifecycleMessage(gap) };
      for (const gap of rows<BallotGap>(ballotGaps(only))) yield { chain: gap.chain, message: ballotMessage(gap) };
    }
    const report = verifyChains(events, heads, { chains, published, unrecorded: unrecorded() });
    const named = labels(sqlite);
    const label = (chain: string) => (chain === INSTANCE_CHAIN ? "instance" : (named.get(chain) ?? `chain "${chain}"`));
    return { ...report, broken: report.broken.map((link) => ({ ...link, label: label(link.chain) })) };
  })();
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "N events in M chains". */
export function auditSize(result: AuditVerification): string {
  return `${plural(result.events, "event", "events")} in ${plural(result.chains, "chain", "chains")}`;
}

/** "B of M chains broken (N events)". */
export function brokenSize(result: AuditVerification): string {
  return `${result.broken.length} of ${plural(result.chains, "chain", "chains")} broken (${plural(result.events, "event", "events")})`;
}

/** One line per broken chain: where it first breaks and what that means. */
export function brokenLinks(result: AuditVerification): string[] {
  return result.broken.map((link) => `${link.label}: ${link.message}`);
}
