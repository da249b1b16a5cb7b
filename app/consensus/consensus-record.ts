/**
 * The consensus record (DESIGN §6): the import format for a consensus voted elsewhere. Checks a
 * file's text and lists every problem at once, by path and reason; compares the verdicts the file
 * claims with those the rule gives; and plans how its items become statements and revisions.
 * A record is on the agreement scale (items give `votes`) unless it has a top-level `scale`
 * (DESIGN §3.1): on a rating scale items give `ratings` instead, and the rule must fit the scale.
 * Pure: no Remix, database or file system.
 */
import { z } from "zod";
import { bidiControlIn, controlCharacterIn, normalizeLineBreaks, quoted } from "./characters";
import { evaluate, FAMILIES, ruleFitsScale, RuleSchema, type Family, type Rule } from "./rule";
import { AGREEMENT, ratingPoints, ScaleSchema, type RatingScale, type Scale } from "./scale";
import type { Tally } from "./tally";

export const RECORD_FORMAT = "consensus-record/1";
export const MAX_RECORD_BYTES = 5 * 1024 * 1024;
export const MAX_TEXT_LENGTH = 4000;
export const MAX_SECTION_LENGTH = 200;
export const MAX_TITLE_LENGTH = 500;
export const MAX_SLUG_LENGTH = 100;
export const MAX_STATEMENT_KEY_LENGTH = 100;
export const MAX_PANEL_SIZE = 100_000;
export const VERDICTS = ["adopted", "not adopted"] as const;

export type Problem = { path: string; message: string };

const ROOT = "(root)";

function shown(input: unknown): string {
  if (Array.isArray(input)) return "a list";
  if (input !== null && typeof input === "object") return "an object";
  const text = typeof input === "string" ? quoted(input) : JSON.stringify(input);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

type RawIssue = { input?: unknown };

function expected(what: string) {
  return (iss: RawIssue) => (iss.input === undefined ? `is required (${what})` : `must be ${what}, got ${shown(iss.input)}`);
}

/** Every text the record brings in: stored or shown, so no control character but tab and line break. */
function text(what: string, max: number) {
  return z
    .string({ error: expected(what) })
    .refine((value) => controlCharacterIn(value) === null, {
      error: (iss) =>
        `contains a control character (${controlCharacterIn(String(iss.input))}): only tab and line break are allowed`,
    })
    .overwrite(normalizeLineBreaks)
    .trim()
    .min(1, { error: "must not be empty" })
    .max(max, { error: (iss) => `is too long: ${String(iss.input).length} characters, at most ${max}` });
}

function wholeNumber(min: number, max?: number) {
  const error = expected(max === undefined ? `a whole number, ${min} or more` : `a whole number from ${min} to ${max}`);
  const number = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? number : number.max(max, { error });
}

const Slug = z
  .string({ error: expected("a slug") })
  .min(1, { error: "must not be empty", abort: true })
  .max(MAX_SLUG_LENGTH, { error: `is too long: at most ${MAX_SLUG_LENGTH} characters` })
  .regex(/^[a-z0-9][a-z0-9-]*$/, {
    error: (iss) =>
      `must be lowercase letters, digits and hyphens, starting with a letter or digit (like "imt-consensus"), got ${shown(iss.input)}`,
  });

const Language = z
  .string({ error: expected('a language tag such as "en" or "zh-CN"') })
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, {
    error: (iss) => `must be a language tag such as "en" or "zh-CN", got ${shown(iss.input)}`,
  });

const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });

const closedAtExpected = expected("an ISO date (2025-02-16) or date-time with a time zone (2025-02-16T09:30:00Z)");

const ClosedAt = z
  .string({ error: closedAtExpected })
  .refine((value) => isoDate.safeParse(value).success || isoDateTime.safeParse(value).success, { error: closedAtExpected });

const StatementKey = z.union([text("a statement key", MAX_STATEMENT_KEY_LENGTH), z.number()], {
  error: (iss) => `must be a key linking the statement's rounds, a text or a number, got ${shown(iss.input)}`,
});

const Votes = z.object(
  {
    agree: wholeNumber(0),
    disagree: wholeNumber(0),
    abstain: wholeNumber(0),
  },
  { error: expected("the item's totals: agree, disagree and abstain") },
);

type VotesOf = z.output<typeof Votes>;
/** Counts per rating, "1" to "N" and "unable"; a point not given is 0. */
type RatingsOf = Partial<Record<string, number>>;

function ratingsWhat(scale: RatingScale): string {
  return `the item's ratings: counts for "1" to "${scale.points}"${scale.unable ? ' and "unable"' : ""}`;
}

/** Ratings on a known scale: only its points (and "unable" when it has it), each a count. */
function Ratings(scale: RatingScale): z.ZodType<RatingsOf> {
  const keys = new Set([...ratingPoints(scale).map(String), ...(scale.unable ? ["unable"] : [])]);
  return z.partialRecord(
    z.string().refine((key) => keys.has(key)),
    wholeNumber(0),
    {
      error: (iss) => {
        if (iss.code !== "invalid_key") return expected(ratingsWhat(scale))(iss);
        return (iss.input as unknown) === "unable"
          ? 'is not on this scale: it has no "unable" (unable to score)'
          : `is not a rating on this scale: ratings are "1" to "${scale.points}"${scale.unable ? ', and "unable"' : ""}`;
      },
    },
  );
}

/** Ratings when the scale itself is broken (already reported): counts, whatever their keys. */
const AnyRatings: z.ZodType<RatingsOf> = z.partialRecord(z.string(), wholeNumber(0), {
  error: expected("the item's ratings: counts per rating"),
});

/**
 * An item's counts: `votes` on the agreement scale, `ratings` on a rating scale; with a scale that
 * is itself invalid (`null`), either, so that the rest of the record is still checked.
 */
function countsOf(scale: Scale | null): { votes: z.ZodType<VotesOf | undefined>; ratings: z.ZodType<RatingsOf | undefined> } {
  if (scale === null) return { votes: Votes.optional(), ratings: AnyRatings.optional() };
  if (scale.kind === "agreement") {
    return {
      votes: Votes,
      ratings: z
        .never({ error: 'are for a rating scale: this record has no top-level "scale" (or the agreement scale), so give votes' })
        .optional(),
    };
  }
  return {
    votes: z
      .never({
        error: `are for the agreement scale: this record is on a 1–${scale.points} rating scale (its "scale"), so give ratings`,
      })
      .optional(),
    ratings: Ratings(scale),
  };
}

function itemSchema(scale: Scale | null) {
  return z.object(
    {
      number: wholeNumber(1),
      statement: StatementKey.optional(),
      section: text("a section name", MAX_SECTION_LENGTH).optional(),
      text: text("the statement's text", MAX_TEXT_LENGTH),
      ...countsOf(scale),
      eligible: wholeNumber(0).optional(),
      publishedVerdict: z
        .enum(VERDICTS, { error: (iss) => `must be "adopted" or "not adopted", got ${shown(iss.input)}` })
        .optional(),
    },
    { error: expected(scale?.kind === "rating" ? "an item: number, text and ratings" : "an item: number, text and votes") },
  );
}

const Item = itemSchema(null);

function roundSchema(scale: Scale | null) {
  return z.object(
    {
      number: wholeNumber(1),
      closedAt: ClosedAt.optional(),
      panelSize: wholeNumber(1, MAX_PANEL_SIZE),
      items: z.array(itemSchema(scale), { error: expected("a list of items") }).min(1, { error: "must list at least one item" }),
    },
    { error: expected("a round: number, panelSize and items") },
  );
}

const Round = roundSchema(null);

const Guideline = z.object(
  {
    slug: Slug,
    title: text("the guideline's title", MAX_TITLE_LENGTH),
    language: Language.default("en"),
    registration: text("a registration such as a registry number", MAX_TITLE_LENGTH).optional(),
    source: text("where the consensus was published", MAX_TEXT_LENGTH).optional(),
  },
  { error: expected("an object with slug and title") },
);

const Panel = z.object(
  {
    size: wholeNumber(1, MAX_PANEL_SIZE).optional(),
    disciplines: z
      .record(text("a discipline", MAX_SECTION_LENGTH), wholeNumber(0), {
        error: (iss) =>
          iss.code === "invalid_key"
            ? `is not a discipline name: it ${iss.issues.map((issue) => issue.message).join("; it ")}`
            : expected("an object of discipline names and member counts")(iss),
      })
      .optional(),
    note: text("a note", MAX_TEXT_LENGTH).optional(),
  },
  { error: expected("an object with size and disciplines") },
);

/**
 * The record's schema for a scale already read from it: items give votes or ratings to match, and
 * ratings only the scale's points. `null` (a scale that is itself invalid) accepts either.
 */
function recordSchema(scale: Scale | null) {
  return z.object(
    {
      format: z.literal(RECORD_FORMAT, { error: expected(`"${RECORD_FORMAT}"`) }),
      guideline: Guideline,
      // Strict like the rule: a misspelt "unable" must not be ignored.
      scale: ScaleSchema.optional().transform((value): Scale => value ?? AGREEMENT),
      rule: RuleSchema,
      ruleText: text("the rule in the committee's own words", MAX_TEXT_LENGTH).optional(),
      panel: Panel.optional(),
      rounds: z
        .array(roundSchema(scale), { error: expected("a list of rounds") })
        .min(1, { error: "must list at least one round" }),
    },
    { error: () => "must be a JSON object: a consensus record" },
  );
}

/** Any consensus record, whatever its scale (the checks that depend on the scale are in validateRecord). */
export const ConsensusRecordSchema = recordSchema(null);

export type ConsensusRecord = z.output<typeof ConsensusRecordSchema>;
export type RecordRound = ConsensusRecord["rounds"][number];
export type RecordItem = RecordRound["items"][number];

type Path = readonly PropertyKey[];

function pathText(path: Path): string {
  if (path.length === 0) return ROOT;
  return path
    .map((key, i) => {
      if (typeof key === "number") return `[${key}]`;
      const name = String(key);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `[${quoted(name)}]`;
      return i === 0 ? name : `.${name}`;
    })
    .join("");
}

function fieldOf(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value when it passes its own field's schema, so cross-field checks skip what is already reported. */
function wellFormed<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Item numbers and statement keys compare as text: 2 and "2" name the same statement. */
export function statementKey(item: { number: number; statement?: string | number }): string {
  return String(item.statement ?? item.number);
}

/** Every ballot an item's counts give, or undefined while the counts themselves are malformed. */
function ballotsOf(item: unknown, scale: Scale | null): { sum: number; path: string; what: string } | undefined {
  const votes = scale?.kind === "rating" ? undefined : wellFormed(Votes, fieldOf(item, "votes"));
  if (votes) return { sum: votes.agree + votes.disagree + votes.abstain, path: "votes", what: "agree + disagree + abstain is" };
  if (scale?.kind === "agreement") return undefined;
  const ratings = wellFormed(scale ? Ratings(scale) : AnyRatings, fieldOf(item, "ratings"));
  if (!ratings) return undefined;
  return {
    sum: Object.values(ratings).reduce((n: number, c) => n + (c ?? 0), 0),
    path: "ratings",
    what: "the ratings add up to",
  };
}

function roundProblems(round: unknown, r: number, scale: Scale | null): Problem[] {
  const problems: Problem[] = [];
  const at = (...path: PropertyKey[]) => pathText(["rounds", r, ...path]);
  const number = wellFormed(Round.shape.number, fieldOf(round, "number"));
  if (number !== undefined && number !== r + 1) {
    problems.push({ path: at("number"), message: `rounds must be numbered 1, 2, … in order: expected ${r + 1}, got ${number}` });
  }
  const label = `round ${number ?? r + 1}`;
  const panelSize = wellFormed(Round.shape.panelSize, fieldOf(round, "panelSize"));
  const numbers = new Map<number, number>();
  const keys = new Map<string, number>();
  listOf(fieldOf(round, "items")).forEach((item, i) => {
    const eligible = wellFormed(Item.shape.eligible, fieldOf(item, "eligible"));
    if (eligible !== undefined && panelSize !== undefined && eligible > panelSize) {
      problems.push({ path: at("items", i, "eligible"), message: `is ${eligible}, above the round's panelSize of ${panelSize}` });
    }
    const ballots = ballotsOf(item, scale);
    const limit = eligible ?? panelSize;
    if (ballots && limit !== undefined && ballots.sum > limit) {
      const whose = eligible === undefined ? "the round's panelSize" : "the item's eligible";
      problems.push({
        path: at("items", i, ballots.path),
        message: `${ballots.what} ${ballots.sum}, above ${whose} of ${limit}`,
      });
    }
    const itemNumber = wellFormed(Item.shape.number, fieldOf(item, "number"));
    if (itemNumber === undefined) return;
    const sameNumber = numbers.get(itemNumber);
    if (sameNumber !== undefined) {
      problems.push({
        path: at("items", i, "number"),
        message: `item ${itemNumber} appears twice in ${label} (also items[${sameNumber}])`,
      });
      return;
    }
    numbers.set(itemNumber, i);
    const statement = wellFormed(StatementKey, fieldOf(item, "statement"));
    const key = statementKey({ number: itemNumber, statement });
    const sameKey = keys.get(key);
    if (sameKey !== undefined) {
      problems.push({
        path: at("items", i, statement === undefined ? "number" : "statement"),
        message: `statement ${JSON.stringify(key)} appears twice in ${label} (also items[${sameKey}]): a statement is voted on once per round`,
      });
    }
    keys.set(key, i);
  });
  return problems;
}

const KNOWN_FIELDS = {
  record: Object.keys(ConsensusRecordSchema.shape),
  guideline: Object.keys(Guideline.shape),
  panel: Object.keys(Panel.shape),
  round: Object.keys(Round.shape),
  item: Object.keys(Item.shape),
  votes: Object.keys(Votes.shape),
};

/** Fields the format does not know: ignored, but named, since a misspelt optional field would vanish. */
function unknownFields(input: unknown): string[] {
  const found: string[] = [];
  const check = (value: unknown, known: string[], path: Path) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) found.push(`Ignored unknown field "${pathText([...path, key])}"`);
    }
  };
  check(input, KNOWN_FIELDS.record, []);
  check(fieldOf(input, "guideline"), KNOWN_FIELDS.guideline, ["guideline"]);
  check(fieldOf(input, "panel"), KNOWN_FIELDS.panel, ["panel"]);
  listOf(fieldOf(input, "rounds")).forEach((round, r) => {
    check(round, KNOWN_FIELDS.round, ["rounds", r]);
    listOf(fieldOf(round, "items")).forEach((item, i) => {
      check(item, KNOWN_FIELDS.item, ["rounds", r, "items", i]);
      check(fieldOf(item, "votes"), KNOWN_FIELDS.votes, ["rounds", r, "items", i, "votes"]);
    });
  });
  return found;
}

/** An item's tally on the record's scale: votes, or ratings with every point not given as 0. */
export function itemTally(scale: Scale, round: Pick<RecordRound, "panelSize">, item: RecordItem): Tally {
  const eligible = item.eligible ?? round.panelSize;
  if (scale.kind === "rating") {
    const ratings = item.ratings ?? {};
    return { ratings: ratingPoints(scale).map((point) => ratings[String(point)] ?? 0), unable: ratings.unable ?? 0, eligible };
  }
  if (!item.votes) throw new TypeError("An item on the agreement scale gives votes: validate the record first");
  return { ...item.votes, eligible };
}

/**
 * Recomputes every item's verdict with the rule (eligible defaults to the round's panel size) and
 * warns for each publishedVerdict it contradicts: the file's verdict is never trusted.
 */
export function verdictMismatches(record: ConsensusRecord): string[] {
  return record.rounds.flatMap((round, r) =>
    round.items.flatMap((item, i) => {
      const verdict = evaluate(record.rule, itemTally(record.scale, round, item));
      const computed = verdict.adopted ? "adopted" : "not adopted";
      if (item.publishedVerdict === undefined || item.publishedVerdict === computed) return [];
      const path = pathText(["rounds", r, "items", i]);
      return [`${path}: the file says "${item.publishedVerdict}", the rule gives "${computed}" (${verdict.explanation})`];
    }),
  );
}

/**
 * Names every text, and every discipline name, holding a bidirectional control character. Kept,
 * since right-to-left languages have uses for them, but they can make a text display in another
 * order than it is stored and voted on.
 */
function bidiWarnings(value: unknown, path: PropertyKey[] = []): string[] {
  const warn = (text: string, at: PropertyKey[]) => {
    const found = bidiControlIn(text);
    if (!found) return [];
    return [`${pathText(at)}: a bidirectional control character (${found}) can make it display in another order than stored`];
  };
  if (typeof value === "string") return warn(value, path);
  if (Array.isArray(value)) return value.flatMap((item, i) => bidiWarnings(item, [...path, i]));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => [...warn(key, [...path, key]), ...bidiWarnings(item, [...path, key])]);
}

function utf8Bytes(value: string): number {
  return new TextEncoder().encode(value).length;
}

function size(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return mebibytes >= 1 ? `${Number(mebibytes.toFixed(1))} MiB` : `${bytes} bytes`;
}

/** The scale is strict, like the rule: an unknown field in it is an error, named with the fields allowed. */
function unknownScaleFields(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== "unrecognized_keys") return undefined;
  const allowed = iss.path?.at(-1) === "labels" ? "low, high" : "kind, points, unable, labels";
  const keys = iss.keys.map((key) => quoted(key)).join(", ");
  return `Unknown scale field${iss.keys.length > 1 ? "s" : ""} ${keys}; allowed: ${allowed}`;
}

/** The record's scale: the agreement scale when it gives none, null when the one it gives is invalid. */
function scaleOf(input: unknown): Scale | null {
  const given = fieldOf(input, "scale");
  return given === undefined ? AGREEMENT : (wellFormed(ScaleSchema, given) ?? null);
}

/** What keeps the rule from counting on the record's scale (DESIGN §3.2), each at the rule field it is about. */
function scaleProblems(input: unknown, scale: Scale | null): Problem[] {
  const rule = fieldOf(input, "rule");
  const family = fieldOf(rule, "family");
  const isObject = rule !== null && typeof rule === "object" && !Array.isArray(rule);
  if (!scale || !isObject || !(family === undefined || FAMILIES.includes(family as Family))) return [];
  // Only the family and bands decide whether a rule fits, so a rule refused for another reason (say
  // overlapping bands) is still checked against the scale: every problem is listed at once.
  const band = (key: string) => {
    const value = fieldOf(rule, key);
    return Array.isArray(value) && value.length === 2 && value.every((n) => Number.isInteger(n))
      ? (value as [number, number])
      : undefined;
  };
  const fitting = { family, agreeBand: band("agreeBand"), opposeBand: band("opposeBand") } as Rule;
  return ruleFitsScale(fitting, scale).map((p) => ({ path: pathText(["rule", ...p.path.split(".")]), message: p.message }));
}

export type Validation =
  { ok: true; record: ConsensusRecord; warnings: string[] } | { ok: false; problems: Problem[]; warnings: string[] };

/**
 * Checks a consensus record from its file text: size, JSON, then every schema and consistency
 * problem at once. Warnings name ignored fields, texts with bidirectional control characters and
 * published verdicts the rule contradicts.
 */
export function validateRecord(fileText: string, options: { maxBytes?: number } = {}): Validation {
  const maxBytes = options.maxBytes ?? MAX_RECORD_BYTES;
  const bytes = utf8Bytes(fileText);
  if (bytes > maxBytes) {
    const message = `the file is ${bytes} bytes, more than the ${size(maxBytes)} a consensus record may have`;
    return { ok: false, problems: [{ path: ROOT, message }], warnings: [] };
  }
  let input: unknown;
  try {
    // Editors on Windows often save UTF-8 with a byte order mark, which JSON.parse refuses.
    input = JSON.parse(fileText.replace(/^\uFEFF/, ""));
  } catch (error) {
    return { ok: false, problems: [{ path: ROOT, message: `not JSON: ${(error as Error).message}` }], warnings: [] };
  }
  const warnings = unknownFields(input);
  const scale = scaleOf(input);
  const parsed = recordSchema(scale).safeParse(input, { error: unknownScaleFields });
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => ({ path: pathText(issue.path), message: issue.message })),
    ...scaleProblems(input, scale),
    ...listOf(fieldOf(input, "rounds")).flatMap((round, r) => roundProblems(round, r, scale)),
  ];
  if (!parsed.success || problems.length > 0) return { ok: false, problems, warnings };
  return {
    ok: true,
    record: parsed.data,
    warnings: [...warnings, ...bidiWarnings(parsed.data), ...verdictMismatches(parsed.data)],
  };
}

/** When a round closed: a date alone means its first instant in UTC; null when the record does not say. */
export function closedAtOf(round: RecordRound): Date | null {
  if (round.closedAt === undefined) return null;
  return new Date(isoDate.safeParse(round.closedAt).success ? `${round.closedAt}T00:00:00Z` : round.closedAt);
}

export type StatementHistory = {
  key: string;
  /**
   * Revision n is revisions[n - 1]: a new one each time a round words the statement differently.
   * Its section is the last one its items give, else the previous revision's, else "".
   */
  revisions: { text: string; section: string }[];
};

/**
 * The statements a record holds, in order of first appearance, and for each round's items the
 * revision voted on (revisionOf[round][item], 1-based).
 */
export function statementHistories(record: ConsensusRecord): { statements: StatementHistory[]; revisionOf: number[][] } {
  const byKey = new Map<string, StatementHistory>();
  const revisionOf = record.rounds.map((round) =>
    round.items.map((item) => {
      const key = statementKey(item);
      let statement = byKey.get(key);
      if (!statement) {
        statement = { key, revisions: [] };
        byKey.set(key, statement);
      }
      const previous = statement.revisions.at(-1);
      if (previous?.text !== item.text) statement.revisions.push({ text: item.text, section: previous?.section ?? "" });
      if (item.section) statement.revisions.at(-1)!.section = item.section;
      return statement.revisions.length;
    }),
  );
  return { statements: [...byKey.values()], revisionOf };
}
