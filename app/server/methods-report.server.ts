/**
 * The facts of a guideline's methods report (app/consensus/methods-report.ts), read from what was
 * stored: the guideline and its audit trail, the panel, invitations, declarations and recusals,
 * each closed round's frozen results, and the published version the report is limited to.
 */
import { and, asc, eq, gt, inArray, isNotNull, lte, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { auditEvents, guidelines, invitations, memberships, roundRecusals, rounds, statements, users } from "@db/schema";
import { methodsReport, type ReportFacts, type RoundFacts } from "~/consensus/methods-report";
import { setScale, type RecommendationSet } from "~/consensus/recommendation-set";
import { RuleSchema, sameRule, type Outcome } from "~/consensus/rule";
import { markdownOf, type Doc } from "~/consensus/document";
import pkg from "../../package.json";
import { msg, type Translate } from "~/i18n";
import { Refusal, refusalResponse } from "./errors.server";
import { tr } from "./i18n.server";
import { buildNextSet, findPublished, respondedIn } from "./publications.server";
import { missingVersionMessage } from "./public-api.server";
import { closedRoundResults, groupOfMember } from "./results.server";
import { DOCX_TYPE, wordOf } from "./word.server";

type Round = typeof rounds.$inferSelect;

/** The report's words in the request's language: English outside a request (the CLI). */
const inLanguage: Translate = (key, values) => tr(key, values, "publication");

export const SOFTWARE = { name: "Delphi consensus", version: pkg.version };

/** Outcomes that are a consensus, for or against. */
const CONSENSUS: readonly Outcome[] = ["in", "out", "appropriate", "inappropriate"];

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** The set the report ends with: a published version, or what the closed rounds would publish now. */
function finalSet(db: Queryable, input: { slug: string; version?: number; now: Date }): RecommendationSet {
  if (input.version === undefined) return buildNextSet(db, { slug: input.slug, now: input.now });
  const found = findPublished(db, { slug: input.slug, version: input.version });
  if (!found) throw new Refusal(missingVersionMessage(db, input.slug, input.version), 404);
  return JSON.parse(found.body) as RecommendationSet;
}

function roundFacts(db: Queryable, input: { closed: Round[]; anonymity: "anonymous" | "named" }): RoundFacts[] {
  const seen = new Map<string, number>();
  return input.closed.map((round) => {
    const { items } = closedRoundResults(db, { round, anonymity: input.anonymity });
    let added = 0;
    let carriedOver = 0;
    let revised = 0;
    for (const item of items) {
      const before = seen.get(item.statementId);
      if (before === undefined) added++;
      else if (before === item.revision) carriedOver++;
      else revised++;
      seen.set(item.statementId, item.revision);
    }
    const undecided = items.filter((i) => !CONSENSUS.includes(i.verdict.outcome));
    return {
      number: round.number,
      origin: round.origin,
      openedAt: iso(round.openedAt),
      closedAt: iso(round.closedAt),
      eligible: round.panelSize ?? 0,
      responded: respondedIn(db, round),
      statements: items.length,
      adopted: items.filter((i) => i.verdict.adopted).length,
      notAdopted: items.filter((i) => !i.verdict.adopted).length,
      added,
      carriedOver,
      revised,
      decided: items.length - undecided.length,
      undecided: {
        stable: undecided.filter((i) => i.stability?.stable === true).length,
        unstable: undecided.filter((i) => i.stability?.stable === false).length,
        first: undecided.filter((i) => !i.stability).length,
      },
      comments: items.reduce((n, i) => n + i.comments.length, 0),
      groupsShown: items.some((i) => i.shownGroups.length > 0),
    };
  });
}

/** When the rule and scale were last set before round 1 opened: the guideline's creation, or the last change to either. */
function ruleSetAt(db: Queryable, guidelineId: string, firstOpened: Date): string | null {
  const events = db
    .select({ action: auditEvents.action, details: auditEvents.details, createdAt: auditEvents.createdAt })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.guidelineId, guidelineId),
        inArray(auditEvents.action, ["guideline.created", "guideline.settings_changed"]),
        lte(auditEvents.createdAt, firstOpened),
      ),
    )
    .orderBy(asc(auditEvents.id))
    .all()
    .filter((e) => {
      const fields = e.details.fields;
      return e.action === "guideline.created" || (Array.isArray(fields) && (fields.includes("rule") || fields.includes("scale")));
    });
  return iso(events.at(-1)?.createdAt);
}

/** The members on any reported round's panel, with how they joined and their declarations. */
function panelists(db: Queryable, closed: Round[]) {
  const ids = [...new Set(closed.flatMap((r) => (r.panelSnapshot?.members ?? []).map((m) => m.membershipId)))];
  if (ids.length === 0) return [];
  return db
    .select({
      id: memberships.id,
      name: users.name,
      joinedAt: memberships.createdAt,
      coiDeclaredAt: memberships.coiDeclaredAt,
      invitedAt: sql<number | null>`(select min(i.created_at) from ${invitations} i
        where i.guideline_id = ${memberships.guidelineId} and i.email = ${users.email} and i.used_at is not null)`,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(inArray(memberships.id, ids))
    .all();
}

function recruitment(
  db: Queryable,
  guidelineId: string,
  members: ReturnType<typeof panelists>,
  until: Date,
): ReportFacts["recruitment"] {
  if (members.length === 0) return null;
  const sent = db
    .select({ createdAt: invitations.createdAt })
    .from(invitations)
    .where(and(eq(invitations.guidelineId, guidelineId), eq(invitations.role, "panelist"), lte(invitations.createdAt, until)))
    .orderBy(asc(invitations.createdAt))
    .all();
  const joined = members.map((m) => m.joinedAt).sort((a, b) => a.getTime() - b.getTime());
  const byInvitation = members.filter((m) => m.invitedAt !== null).length;
  return {
    panelists: members.length,
    invited: sent.length,
    firstInvited: iso(sent[0]?.createdAt),
    lastInvited: iso(sent.at(-1)?.createdAt),
    joinedByInvitation: byInvitation,
    addedDirectly: members.length - byInvitation,
    firstJoined: iso(joined[0]),
    lastJoined: iso(joined.at(-1)),
  };
}

function interests(
  db: Queryable,
  input: { members: ReturnType<typeof panelists>; closed: Round[]; anonymity: "anonymous" | "named" },
): ReportFacts["interests"] {
  if (input.members.length === 0) return null;
  const recused = db
    .selectDistinct({ statement: statements.position, membershipId: roundRecusals.membershipId })
    .from(roundRecusals)
    .innerJoin(statements, eq(statements.id, roundRecusals.statementId))
    .where(
      inArray(
        roundRecusals.roundId,
        input.closed.map((r) => r.id),
      ),
    )
    .orderBy(asc(statements.position))
    .all();
  const names = new Map(input.members.map((m) => [m.id, m.name]));
  const byStatement = new Map<number, string[]>();
  for (const r of recused) byStatement.set(r.statement, [...(byStatement.get(r.statement) ?? []), r.membershipId]);
  return {
    panelists: input.members.length,
    declared: input.members.filter((m) => m.coiDeclaredAt !== null).length,
    recusals: [...byStatement].map(([statement, ids]) => ({
      statement,
      members: ids.length,
      ...(input.anonymity === "named"
        ? { names: ids.map((id) => names.get(id) ?? tr("a removed member", undefined, "publication")).sort() }
        : {}),
    })),
  };
}

/** Stakeholder groups, when any member's differs from their discipline. */
function groupsOf(round: Round): Record<string, number> | null {
  const members = round.panelSnapshot?.members ?? [];
  if (!members.some((m) => m.group !== undefined && m.group !== (m.discipline ?? "Unspecified"))) return null;
  const counts: Record<string, number> = {};
  for (const member of members) counts[groupOfMember(member)] = (counts[groupOfMember(member)] ?? 0) + 1;
  return counts;
}

/**
 * The facts of a guideline's methods report: every closed round, or the rounds of published
 * version `version`. Refused (422) before any round has closed; 404 for a version not published.
 */
export function reportFacts(db: Queryable, input: { slug: string; version?: number; now?: Date }): ReportFacts {
  const now = input.now ?? new Date();
  const guideline = db.select().from(guidelines).where(eq(guidelines.slug, input.slug)).get();
  if (!guideline) throw new Refusal(msg('No guideline "{{slug}}".'), 404, { slug: input.slug });
  const set = finalSet(db, { slug: input.slug, version: input.version, now });
  const lastNumber = Math.max(...set.rounds.map((r) => r.number));
  const closed = db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, guideline.id), eq(rounds.status, "closed"), lte(rounds.number, lastNumber)))
    .orderBy(asc(rounds.number))
    .all();
  const first = closed[0]!;
  const last = closed.at(-1)!;
  const rule = RuleSchema.parse(last.ruleSnapshot);
  const members = panelists(db, closed);
  const later =
    input.version === undefined
      ? db
          .select({ number: rounds.number, status: rounds.status })
          .from(rounds)
          .where(and(eq(rounds.guidelineId, guideline.id), gt(rounds.number, lastNumber), isNotNull(rounds.status)))
          .orderBy(asc(rounds.number))
          .get()
      : undefined;
  return {
    software: SOFTWARE,
    generatedAt: now.toISOString(),
    version:
      input.version === undefined ? null : { number: set.version, publishedAt: set.publishedAt, contentHash: set.contentHash },
    guideline: {
      title: guideline.title,
      registration: guideline.registration,
      source: guideline.source,
      anonymity: guideline.anonymity,
    },
    rule,
    ruleText: guideline.ruleText,
    scale: setScale(set),
    ruleSetAt: first.origin === "online" && first.openedAt ? ruleSetAt(db, guideline.id, first.openedAt) : null,
    sameRuleEveryRound: closed.every((r) => sameRule(RuleSchema.parse(r.ruleSnapshot), rule)),
    panel: { size: last.panelSize ?? 0, disciplines: last.panelSnapshot?.disciplines ?? {}, groups: groupsOf(last) },
    recruitment: recruitment(db, guideline.id, members, last.closedAt ?? now),
    interests: interests(db, { members, closed, anonymity: guideline.anonymity }),
    rounds: roundFacts(db, { closed, anonymity: guideline.anonymity }),
    continuing: later && later.status !== "closed" ? { number: later.number, status: later.status } : null,
    recommendations: set.recommendations,
    notAdopted: set.notAdopted,
  };
}

export type ReportFormat = "md" | "docx";

export function methodsReportDoc(db: Queryable, input: { slug: string; version?: number; now?: Date }): Doc {
  return methodsReport(reportFacts(db, input), inLanguage);
}

/** The report as Markdown text or as a Word file. */
export async function renderReport(doc: Doc, format: ReportFormat): Promise<string | Buffer> {
  return format === "md" ? markdownOf(doc) : wordOf(doc);
}

/** `?version=N` of a report's URL: the version, undefined for every closed round, or a refusal naming the problem. */
export function reportVersion(url: URL): number | undefined {
  const value = url.searchParams.get("version");
  if (value === null || value === "") return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(value)) {
    throw new Refusal(msg('version must be a published version number (1, 2, …), not "{{value}}".'), 400, { value });
  }
  return Number(value);
}

/** The methods report as a download (Markdown shown in the browser, Word saved), or a JSON error naming the problem. */
export async function reportResponse(db: Queryable, input: { slug: string; url: URL; format: ReportFormat }): Promise<Response> {
  let version: number | undefined;
  let doc: Doc;
  try {
    version = reportVersion(input.url);
    doc = methodsReportDoc(db, { slug: input.slug, version });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return refusalResponse(error, { "Cache-Control": "no-store" });
  }
  const filename = `${input.slug}-methods${version === undefined ? "" : `-v${version}`}.${input.format}`;
  const body = await renderReport(doc, input.format);
  return new Response(typeof body === "string" ? body : new Uint8Array(body), {
    headers: {
      "Content-Type": input.format === "md" ? "text/markdown; charset=utf-8" : DOCX_TYPE,
      "Content-Disposition": `${input.format === "md" ? "inline" : "attachment"}; filename="${filename}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
