import type Database from "better-sqlite3";
import { INSTANCE_CHAIN, verifyChains, type BrokenLink, type ChainHead, type StoredEvent } from "~/consensus/audit-chain";
import { Refusal } from "./errors";

export type AuditVerification = { events: number; chains: number; broken: (BrokenLink & { label: string })[] };

const EVENTS = `select id, chain, seq, guideline_id as guidelineId, actor_id as actorId, action, details,
  created_at as createdAt, prev_hash as prevHash, hash from audit_events`;

function guidelineChain(sqlite: Database.Database, slug: string): string {
  const id = sqlite.prepare("select id from guidelines where slug = ?").pluck().get(slug) as string | undefined;
  if (id === undefined) throw new Refusal(`There is no guideline "${slug}".`, 404);
  return id;
}

function labels(sqlite: Database.Database): Map<string, string> {
  const rows = sqlite.prepare("select id, slug from guidelines").all() as { id: string; slug: string }[];
  return new Map(rows.map((g) => [g.id, `guideline "${g.slug}"`]));
}

/**
 * Recomputes the audit chains from the stored rows: all of them, or the guideline `slug`'s.
 * Reads the raw columns through a cursor, so it works on any copy of the database, at any size,
 * and in one read transaction, so events appended meanwhile by the server never look inserted.
 */
export function verifyAudit(sqlite: Database.Database, options: { slug?: string } = {}): AuditVerification {
  return sqlite.transaction(() => {
    const only = options.slug === undefined ? null : guidelineChain(sqlite, options.slug);
    const where = only === null ? "" : " where chain = ?";
    const args = only === null ? [] : [only];
    const heads = sqlite.prepare(`select chain, seq, hash from audit_heads${where}`).all(...args) as ChainHead[];
    const events = sqlite.prepare(`${EVENTS}${where} order by chain, seq, id`).iterate(...args) as IterableIterator<StoredEvent>;
    const report = verifyChains(events, heads);
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
