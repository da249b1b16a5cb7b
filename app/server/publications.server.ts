import { and, asc, desc, eq, max, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { guidelines, recommendationSets, roundItems, roundResults, rounds, statements } from "@db/schema";
import {
  assembleSet,
  entryOf,
  sameContent,
  serializeSet,
  type AuditHead,
  type Entry,
  type RecommendationSet,
} from "~/consensus/recommendation-set";
import { RuleSchema, type Rule } from "~/consensus/rule";
import { scaleOf, type Scale } from "~/consensus/scale";
import { chainHead, recordAudit } from "./audit.server";
import { msg } from "~/i18n";
import { Refusal } from "./errors.server";
import { closedRoundResults, type ItemResult } from "./results.server";
import { otherLanguages, publishedTranslations } from "./translations.server";

type Guideline = typeof guidelines.$inferSelect;

function findGuideline(db: Queryable, slug: string): Guideline {
  const guideline = db.select().from(guidelines).where(eq(guidelines.slug, slug)).get();
  if (!guideline) throw new Refusal(msg('No guideline "{{slug}}".'), 404, { slug });
  return guideline;
}

/** Drops keys whose value is undefined, so the published JSON says only what is set. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function latestSet(db: Queryable, guidelineId: string): RecommendationSet | null {
  const row = db
    .select({ body: recommendationSets.body })
    .from(recommendationSets)
    .where(eq(recommendationSets.guidelineId, guidelineId))
    .orderBy(desc(recommendationSets.version))
    .limit(1)
    .get();
  return row ? (JSON.parse(row.body) as RecommendationSet) : null;
}

/**
 * The next version of a guideline's recommendation set, from its closed rounds: for each
 * statement that is not retired, the latest closed round that voted on it gives its text,
 * tallies and verdict; `auditHead` is recorded when publishing. Nothing is written.
 */
export function buildNextSet(db: Queryable, input: { slug: string; now?: Date; auditHead?: AuditHead }): RecommendationSet {
  const now = input.now ?? new Date();
  const guideline = findGuideline(db, input.slug);
  const closed = db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, guideline.id), eq(rounds.status, "closed")))
    .orderBy(asc(rounds.number))
    .all();
  const last = closed.at(-1);
  if (!last) {
    throw new Refusal(msg('"{{slug}}" has no closed round yet: there is nothing to publish.'), 422, { slug: input.slug });
  }

  // The latest closed round that voted on each statement decides it: its frozen result, as is.
  const decidedBy = new Map<string, { round: (typeof closed)[number]; item: ItemResult; scale: Scale; rule: Rule }>();
  for (const round of [...closed].reverse()) {
    const results = closedRoundResults(db, { round, anonymity: guideline.anonymity });
    for (const item of results.items) {
      if (!decidedBy.has(item.statementId))
        decidedBy.set(item.statementId, { round, item, scale: results.scale, rule: results.rule });
    }
  }
  const order = db
    .select({ id: statements.id, status: statements.status })
    .from(statements)
    .where(eq(statements.guidelineId, guideline.id))
    .orderBy(asc(statements.position), asc(statements.createdAt))
    .all();
  const translated = publishedTranslations(db, {
    decided: [...decidedBy.values()].map(({ item }) => item),
    languages: otherLanguages(guideline),
  });
  const decided: Entry[] = [];
  const retired: string[] = [];
  for (const statement of order) {
    const decision = decidedBy.get(statement.id);
    if (!decision) continue;
    if (statement.status === "retired") {
      retired.push(statement.id);
      continue;
    }
    const { item, round, scale } = decision;
    const results = new Map((item.verdict.groupResults ?? []).map((g) => [g.name, g]));
    decided.push(
      entryOf({
        statement: {
          statementId: item.statementId,
          revision: item.revision,
          section: item.section,
          text: item.text,
          ...(translated.has(item.statementId) ? { translations: translated.get(item.statementId) } : {}),
          round: round.number,
        },
        scale,
        tally: item.tally,
        verdict: item.verdict,
        explanation: item.explanation,
        groups: item.shownGroups.flatMap((tally) =>
          results.has(tally.name) ? [{ tally, result: results.get(tally.name)! }] : [],
        ),
        stability: item.stability,
      }),
    );
  }

  const previous = latestSet(db, guideline.id);
  return assembleSet({
    guideline: defined({
      slug: guideline.slug,
      title: guideline.title,
      language: guideline.language,
      languages: guideline.languages.length > 1 ? guideline.languages : undefined,
      registration: guideline.registration ?? undefined,
      source: guideline.source ?? undefined,
    }),
    version: (previous?.version ?? 0) + 1,
    publishedAt: now.toISOString(),
    ...(last.scaleSnapshot ? { scale: scaleOf(last.scaleSnapshot) } : {}),
    rule: defined(RuleSchema.parse(last.ruleSnapshot)),
    ...(guideline.ruleText ? { ruleText: guideline.ruleText } : {}),
    panel: { size: last.panelSize ?? 0, disciplines: last.panelSnapshot?.disciplines ?? {} },
    rounds: closed.map((round) => ({
      number: round.number,
      eligible: round.panelSize ?? 0,
      responded: respondedIn(db, round),
      closedAt: round.closedAt!.toISOString(),
    })),
    decided,
    retired,
    previous,
    ...(input.auditHead ? { auditHead: input.auditHead } : {}),
  });
}

/** Members who cast at least one ballot; for an imported round, its largest item turnout. */
export function respondedIn(db: Queryable, round: typeof rounds.$inferSelect): number {
  if (round.origin === "import") {
    const row = db
      .select({ n: sql<number | null>`max(json_extract(${roundResults.verdict}, '$.participants'))` })
      .from(roundResults)
      .innerJoin(roundItems, eq(roundItems.id, roundResults.roundItemId))
      .where(eq(roundItems.roundId, round.id))
      .get();
    return row?.n ?? 0;
  }
  const row = db.get<{ n: number }>(sql`
    select count(distinct b.membership_id) as n
    from ballots b join round_items i on i.id = b.round_item_id
    where i.round_id = ${round.id}`);
  return row?.n ?? 0;
}

/**
 * Publishes the next version. Versions are numbered 1, 2, 3 … and never reused; a set with
 * nothing new since the previous version is refused.
 */
export function publish(
  db: Queryable,
  input: { slug: string; actorId: string | null; now?: Date },
): { version: number; contentHash: string; set: RecommendationSet } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const guideline = findGuideline(tx, input.slug);
      // The head before this version's own event, which carries the set's hash.
      const head = chainHead(tx, guideline.id);
      const set = buildNextSet(tx, { slug: input.slug, now, auditHead: head && { seq: head.seq, hash: head.hash } });
      const previous = latestSet(tx, guideline.id);
      if (previous && sameContent(previous, set)) {
        throw new Refusal(msg("Nothing has changed since version {{version}}: no new version was published."), 409, {
          version: previous.version,
        });
      }
      tx.insert(recommendationSets)
        .values({
          guidelineId: guideline.id,
          version: set.version,
          publishedAt: now,
          publishedBy: input.actorId,
          body: serializeSet(set),
          contentHash: set.contentHash,
        })
        .run();
      recordAudit(tx, {
        guidelineId: guideline.id,
        actorId: input.actorId,
        action: "version.published",
        details: { version: set.version, contentHash: set.contentHash },
        at: now,
      });
      return { version: set.version, contentHash: set.contentHash, set };
    },
    { behavior: "immediate" },
  );
}

export type PublishedVersion = { version: number; publishedAt: Date; contentHash: string; body: string };

/** A published version exactly as stored (the canonical JSON served and exported), or null. */
export function findPublished(db: Queryable, input: { slug: string; version: number | "latest" }): PublishedVersion | null {
  const query = db
    .select({
      version: recommendationSets.version,
      publishedAt: recommendationSets.publishedAt,
      contentHash: recommendationSets.contentHash,
      body: recommendationSets.body,
    })
    .from(recommendationSets)
    .innerJoin(guidelines, eq(guidelines.id, recommendationSets.guidelineId));
  return (
    (input.version === "latest"
      ? query.where(eq(guidelines.slug, input.slug)).orderBy(desc(recommendationSets.version)).limit(1).get()
      : query.where(and(eq(guidelines.slug, input.slug), eq(recommendationSets.version, input.version))).get()) ?? null
  );
}

export function listVersions(db: Queryable, input: { slug: string }) {
  return db
    .select({
      version: recommendationSets.version,
      publishedAt: recommendationSets.publishedAt,
      contentHash: recommendationSets.contentHash,
    })
    .from(recommendationSets)
    .innerJoin(guidelines, eq(guidelines.id, recommendationSets.guidelineId))
    .where(eq(guidelines.slug, input.slug))
    .orderBy(asc(recommendationSets.version))
    .all();
}

/** Guidelines with at least one published version, and their latest. */
export function listPublishedGuidelines(db: Queryable) {
  return db
    .select({
      slug: guidelines.slug,
      title: guidelines.title,
      language: guidelines.language,
      latestVersion: max(recommendationSets.version).mapWith(Number),
      latestPublishedAt: max(recommendationSets.publishedAt).mapWith((v: number) => new Date(v)),
    })
    .from(guidelines)
    .innerJoin(recommendationSets, eq(recommendationSets.guidelineId, guidelines.id))
    .groupBy(guidelines.id)
    .orderBy(asc(guidelines.slug))
    .all();
}
