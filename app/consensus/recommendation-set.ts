/**
 * The published recommendation set (DESIGN §5): its shape, how a version is assembled from the
 * decided statements, the changes against the previous version, and its CSV and Markdown forms.
 * Pure: no Remix, no database. The field names are a contract with other tools: add, never rename.
 */
import { canonicalJson, contentHash } from "./canonical";
import type { Reason, Rule } from "./rule";

export const SET_FORMAT = "recommendation-set/1";

export type Votes = { agree: number; disagree: number; abstain: number };

export type Entry = {
  statementId: string;
  revision: number;
  section: string;
  text: string;
  /** The round that decided the statement: the latest closed round it was voted in. */
  round: number;
  votes: Votes;
  participants: number;
  eligible: number;
  agreePercent: number | null;
  disagreePercent: number | null;
  adopted: boolean;
  reasons: Reason[];
  explanation: string;
};

export type Recommendation = Entry & { number: number };

export type Changes = {
  previousVersion: number | null;
  added: { statementId: string; revision: number }[];
  revised: { statementId: string; revision: number; previousRevision: number }[];
  retired: { statementId: string; previousRevision: number }[];
};

/** An audit chain's last event: its place and its hash (docs/decisions/004-audit-chain.md). */
export type AuditHead = { seq: number; hash: string };

export type RecommendationSet = {
  format: typeof SET_FORMAT;
  guideline: { slug: string; title: string; language: string; registration?: string; source?: string };
  version: number;
  publishedAt: string;
  rule: Rule;
  ruleText?: string;
  panel: { size: number; disciplines: Record<string, number> };
  rounds: { number: number; eligible: number; responded: number; closedAt: string }[];
  recommendations: Recommendation[];
  notAdopted: Entry[];
  changes: Changes;
  /**
   * The guideline's audit chain just before this version's `version.published` event (which
   * carries the content hash, so the set cannot hold its own event). Sets published before this
   * field existed lack it, and stored sets are never rewritten.
   */
  auditHead?: AuditHead;
  contentHash: string;
};

export type SetInput = Omit<RecommendationSet, "format" | "recommendations" | "notAdopted" | "changes" | "contentHash"> & {
  /** Every decided, non-retired statement in the guideline's statement order. */
  decided: Entry[];
  /** Statements retired since they were last published. */
  retired: string[];
  previous: RecommendationSet | null;
};

function entriesOf(set: RecommendationSet): Entry[] {
  return [...set.recommendations.map(({ number: _number, ...entry }) => entry), ...set.notAdopted];
}

/** What changed against the previous version, by stable statement identity. */
export function changesSince(previous: RecommendationSet | null, current: Entry[], retired: string[]): Changes {
  const before = new Map(previous ? entriesOf(previous).map((e) => [e.statementId, e.revision]) : []);
  const changes: Changes = { previousVersion: previous?.version ?? null, added: [], revised: [], retired: [] };
  for (const entry of current) {
    const previousRevision = before.get(entry.statementId);
    if (previousRevision === undefined) {
      changes.added.push({ statementId: entry.statementId, revision: entry.revision });
    } else if (previousRevision !== entry.revision) {
      changes.revised.push({ statementId: entry.statementId, revision: entry.revision, previousRevision });
    }
  }
  for (const statementId of retired) {
    const previousRevision = before.get(statementId);
    if (previousRevision !== undefined) changes.retired.push({ statementId, previousRevision });
  }
  return changes;
}

/** The set with its content hash: sha256 of the canonical JSON of everything else. */
export function assembleSet(input: SetInput): RecommendationSet {
  const { decided, retired, previous, ...rest } = input;
  let number = 0;
  const recommendations = decided.filter((e) => e.adopted).map((e) => ({ number: ++number, ...e }));
  const notAdopted = decided.filter((e) => !e.adopted);
  const unhashed = {
    format: SET_FORMAT,
    ...rest,
    recommendations,
    notAdopted,
    changes: changesSince(previous, decided, retired),
  } satisfies Omit<RecommendationSet, "contentHash">;
  return { ...unhashed, contentHash: contentHash(unhashed) };
}

/** Whether publishing `next` would say anything the previous version did not. */
export function sameContent(previous: RecommendationSet, next: RecommendationSet): boolean {
  const essence = (set: RecommendationSet) =>
    canonicalJson({ rule: set.rule, panel: set.panel, rounds: set.rounds, entries: entriesOf(set) });
  return essence(previous) === essence(next);
}

/** The serialisation that is stored, served and exported: canonical JSON, byte for byte. */
export function serializeSet(set: RecommendationSet): string {
  return canonicalJson(set);
}

export function verifyContentHash(set: RecommendationSet): boolean {
  const { contentHash: claimed, ...rest } = set;
  return contentHash(rest) === claimed;
}

const CSV_COLUMNS = ["number", "section", "text", "agree", "disagree", "abstain", "adopted"] as const;

/** How a cell starts that a spreadsheet would read as a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: text a spreadsheet would run as a formula gets a leading single quote, so it
 * shows as the text it is; then quoting where RFC 4180 requires it. Numbers stay numbers.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: a header row, then the recommendations, then the statements not adopted. */
export function toCsv(set: RecommendationSet): string {
  const rows = [
    ...set.recommendations.map((r) => [r.number, r.section, r.text, r.votes.agree, r.votes.disagree, r.votes.abstain, true]),
    ...set.notAdopted.map((e) => [null, e.section, e.text, e.votes.agree, e.votes.disagree, e.votes.abstain, false]),
  ];
  return [CSV_COLUMNS, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Text of the set as Markdown that shows as the text it is: HTML's `<`, `>` and `&` as entities,
 * every character that starts inline syntax (escapes, code, emphasis, links, images, tables,
 * strikethrough, closing heading marks) after a backslash, and line breaks as spaces. Each such
 * text follows "# " or "| " on a line of its own, so none of it can begin a list, a quote or a
 * numbered item.
 */
function mdText(text: string): string {
  return text.replace(/\r\n?|\n/g, " ").replace(/[&<>]|[\\`*_[\]#|!~]/g, (c) => HTML_ENTITIES[c] ?? `\\${c}`);
}

const REASON_TEXT: Record<Reason, string> = {
  quorum: "no quorum",
  "no votes": "no votes",
  agreement: "agreement too low",
  opposition: "opposition too high",
};

export function reasonText(reasons: Reason[]): string {
  return reasons.map((r) => REASON_TEXT[r]).join("; ");
}

/** Table 1 as a manuscript would print it. */
export function toMarkdown(set: RecommendationSet): string {
  const lines = [
    `# ${mdText(set.guideline.title)}`,
    "",
    `Version ${set.version}, published ${set.publishedAt.slice(0, 10)}. Content hash \`${set.contentHash}\`.`,
    "",
    "| No. | Section | Key point | Agree | Disagree | Abstain |",
    "|---:|---|---|---:|---:|---:|",
    ...set.recommendations.map(
      (r) =>
        `| ${r.number} | ${mdText(r.section)} | ${mdText(r.text)} | ${r.votes.agree} | ${r.votes.disagree} | ${r.votes.abstain} |`,
    ),
  ];
  if (set.notAdopted.length > 0) {
    lines.push(
      "",
      "## Not adopted",
      "",
      "| Section | Statement | Agree | Disagree | Abstain | Why |",
      "|---|---|---:|---:|---:|---|",
    );
    for (const e of set.notAdopted) {
      lines.push(
        `| ${mdText(e.section)} | ${mdText(e.text)} | ${e.votes.agree} | ${e.votes.disagree} | ${e.votes.abstain} | ${mdText(e.explanation)} |`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

export const SET_FORMATS = ["json", "csv", "md"] as const;
export type SetFormat = (typeof SET_FORMATS)[number];

/** A stored set in the asked format: JSON exactly as stored, so the API and export agree byte for byte. */
export function renderSet(body: string, format: SetFormat): string {
  if (format === "json") return body;
  const set = JSON.parse(body) as RecommendationSet;
  return format === "csv" ? toCsv(set) : toMarkdown(set);
}
