/**
 * The published recommendation set (DESIGN §5) as zod schemas: the types of recommendation-set.ts
 * are their output, and the JSON Schema served at /api/schema/recommendation-set.json is generated
 * from them (`npm run -s schema` writes it to recommendation-set.schema.json). Pure: no Remix, no
 * database.
 *
 * What the types cannot say without breaking the code that builds a set (assembleSet files entries
 * typed `adopted: boolean` into recommendations and notAdopted) is said in `.meta()`, which the
 * JSON Schema takes as is.
 */
import { z } from "zod";
import { SET_FORMAT } from "./recommendation-set";
import { BandRuleSchema, PercentRuleSchema, RandUclaRuleSchema } from "./rule";
import { AgreementScaleSchema, MAX_POINTS, RatingScaleSchema } from "./scale";

/** `schema` with descriptions on some of its fields; its type and what it accepts are unchanged. */
function describeFields<T extends z.ZodObject>(schema: T, descriptions: { [K in keyof T["shape"]]?: string }): T {
  const described = Object.entries(descriptions).map(([key, description]) => [
    key,
    (schema.shape[key] as z.ZodType).meta({ description }),
  ]);
  return schema.safeExtend(Object.fromEntries(described)) as unknown as T;
}

const exactlyOne = (...keys: string[]) => keys.map((key) => ({ required: [key] }));

const count = z.number().int().min(0).meta({ id: "count" });
const positive = z.number().int().min(1).meta({ id: "positive" });
const dateTime = z.iso.datetime({ offset: true }).meta({ id: "dateTime" });
const hash = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const statementId = z
  .string()
  .min(1)
  .meta({ id: "statementId", description: "Stable identity of a statement across versions and rounds." });
const share = z.number().min(0).max(100).nullable().meta({
  id: "share",
  description: "Percentage of the rule's denominator, rounded half up to one decimal; null when the denominator is 0.",
});

// Rules and scales are the schemas a secretary's input is parsed with, with descriptions added.

const bounds = {
  agreeAtLeast: "Agreement share >= this.",
  agreeAbove: "Agreement share > this.",
  disagreeBelow: "Opposition share < this.",
  disagreeAtMost: "Opposition share <= this.",
};

// The same in every family.
const ruleGroups = PercentRuleSchema.shape.groups.meta({
  id: "ruleGroups",
  description:
    "The rule must also hold within every stakeholder group of at least minSize participants on the item (smaller groups pooled).",
});

const common = {
  quorum: "Minimum percentage of the eligible panel that must vote on an item.",
  stableBelow: "A statement is stable between rounds when its agreement share moved by less than this many points (default 15).",
};

/** An agreement bound and at most one opposition bound, as the rule's refinement checks. */
const boundRules = { oneOf: exactlyOne("agreeAtLeast", "agreeAbove"), not: { required: ["disagreeBelow", "disagreeAtMost"] } };

const PercentRule = describeFields(PercentRuleSchema.safeExtend({ groups: ruleGroups }), {
  ...bounds,
  denominator: "participants: ballots cast, abstentions included; panel: every eligible member; decisive: agree + disagree.",
  ...common,
}).meta({
  id: "percentRule",
  description:
    "Agree / disagree / abstain: exactly one agreement bound, at most one opposition bound. A rule without family is of this family.",
  ...boundRules,
});

// Within 1..N of the rule's scale, which the rule schema alone does not know.
const band = z
  .tuple([z.number().int().min(1).max(MAX_POINTS), z.number().int().min(1).max(MAX_POINTS)])
  .meta({ id: "band", description: "[low, high], whole ratings from 1 to the scale's points, low <= high." });

const BandRule = describeFields(BandRuleSchema.safeExtend({ agreeBand: band, opposeBand: band.optional(), groups: ruleGroups }), {
  agreeBand: "The ratings that agree, inclusive.",
  opposeBand: "The ratings that oppose, inclusive; without it there is no opposition bound.",
  ...bounds,
  denominator: "participants: every rating cast, unable included; panel: every eligible member; decisive: ratings 1..N only.",
  ...common,
}).meta({
  id: "bandRule",
  description:
    "Shares of ratings inside agreeBand and opposeBand (COMET): the same bounds as percent, on the ratings in each band.",
  ...boundRules,
});

const RandUclaRule = describeFields(RandUclaRuleSchema.safeExtend({ groups: ruleGroups }), {
  disagreement: "ipras: IPR > IPRAS; classic: at least k ratings in each of 1-3 and 7-9 (k by panel size, 8-16 ratings).",
  ...common,
}).meta({
  id: "randUclaRule",
  description:
    "The RAND/UCLA Appropriateness Method on the 9-point scale: appropriate when the median is 7 or more without disagreement, inappropriate when it is 3 or less without disagreement, otherwise uncertain.",
});

const RuleSchema = z.xor([PercentRule, BandRule, RandUclaRule]).meta({
  id: "rule",
  description:
    "The adoption rule (a family of rules, DESIGN §3): percent on the agreement scale, band or rand-ucla on a rating scale. Percentages have at most two decimals.",
});

const ScaleSchema = z
  .discriminatedUnion("kind", [
    AgreementScaleSchema,
    describeFields(RatingScaleSchema, {
      points: "Ratings are whole numbers 1..points.",
      unable: 'Whether "unable to score" is a ballot.',
      labels: "What the ends of the scale mean.",
    }),
  ])
  .meta({ id: "scale", description: "The ballot scale (absent from sets published before scales: the agreement scale)." });

// The results.

export const VotesSchema = z.object({ agree: count, disagree: count, abstain: count }).meta({ id: "votes" });

export const RatingsSchema = z.record(z.string().regex(/^([1-9]|10|unable)$/), count).meta({
  id: "ratings",
  description: 'Ballots per rating: "1" to "N" (every point of the scale), and "unable" when the scale has it.',
  required: ["1", "2", "3"],
});

const median = z.number().min(1).max(MAX_POINTS).nullable().meta({
  id: "median",
  description: 'The median rating ("unable" left out): the middle one, or the mean of the two middle ones; null without ratings.',
});

const outcome = z.enum(["in", "out", "none", "appropriate", "inappropriate", "uncertain"]).meta({
  id: "outcome",
  description:
    "percent and band: in (adopted), out (consensus against), none; rand-ucla: appropriate (adopted), inappropriate, uncertain. Without quorum or votes: none.",
});

const grade = z.enum(["strong", "consensus", "majority", "none"]).meta({
  id: "grade",
  description:
    "AWMF strength of consensus of the agreement share: strong > 95%, consensus > 75%, majority > 50%, otherwise none. Never changes a verdict.",
});

const reason = z
  .union([
    z.enum(["quorum", "no votes", "agreement", "opposition", "disagreement", "median", "method"]),
    z.templateLiteral(["group:", z.string().min(1)]),
  ])
  .meta({
    id: "reason",
    description:
      "A failing condition: quorum, no votes, agreement, opposition (percent and band); disagreement, median, method (rand-ucla); group:<name> when the rule fails within a stakeholder group.",
  });

const votesOrRatings = { oneOf: exactlyOne("votes", "ratings") };

export const PublishedGroupSchema = z
  .object({
    name: z.string().min(1),
    participants: count,
    votes: VotesSchema.optional(),
    ratings: RatingsSchema.optional(),
    median: median.optional(),
    agreePercent: share,
    disagreePercent: share,
    outcome,
    grade,
  })
  .meta({
    id: "group",
    description: "A stakeholder group's result on the item: only groups at or above the minimum size (DESIGN §3.4).",
    ...votesOrRatings,
  });

export const PublishedStabilitySchema = z
  .object({
    previousRound: positive,
    shareChange: z.number().nullable().meta({
      description: "Agreement share now minus then, in percentage points (one decimal); null when either had no denominator.",
    }),
    medianChange: z.number().nullable().optional().meta({ description: "Rating scales: the median's change." }),
    iqrChange: z.number().nullable().optional().meta({ description: "Rating scales: the interquartile range's change." }),
    stable: z.boolean().meta({ description: "Whether the share moved by less than the rule's stableBelow points." }),
  })
  .meta({ id: "stability", description: "The change since the previous round the statement was voted in." });

const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
  .meta({ description: 'BCP 47 language tag, e.g. "en", "zh".' });

export const TranslationSchema = z
  .object({
    text: z.string().min(1),
    rationale: z.string().optional().meta({ description: "The rationale in this language, when the statement has one." }),
  })
  .meta({
    id: "translation",
    description: "The statement in another of the guideline's languages, confirmed against the authoritative text.",
  });

// `outcome`, `grade`, `groups`, `stability` and `translations` are absent from sets published
// before them (stored sets are never rewritten).
export const EntrySchema = z.object({
  statementId,
  revision: positive,
  section: z.string(),
  text: z.string().min(1).meta({ description: "The statement in the guideline's authoritative language." }),
  translations: z
    .record(languageTag, TranslationSchema)
    .optional()
    .meta({ description: "The statement in the guideline's other languages, by language tag; absent when it has only one." }),
  round: positive.meta({ description: "The round that decided the statement: the latest closed round it was voted in." }),
  votes: VotesSchema.optional().meta({ description: "Agreement scale: the ballots." }),
  ratings: RatingsSchema.optional().meta({ description: "Rating scale: the ballots per rating." }),
  median: median.optional(),
  participants: count.meta({ description: "Ballots cast on the item." }),
  eligible: count.meta({ description: "Eligible, non-recused members for the item." }),
  agreePercent: share,
  disagreePercent: share,
  adopted: z.boolean(),
  outcome: outcome.optional(),
  grade: grade.optional(),
  reasons: z
    .array(reason)
    .meta({ description: "Why it was not adopted (the failing conditions); empty when adopted.", uniqueItems: true }),
  explanation: z.string().meta({ description: "The verdict in words, with the shares." }),
  groups: z
    .array(PublishedGroupSchema)
    .optional()
    .meta({ description: "Per-group results (stakeholder groups large enough to be shown)." }),
  stability: PublishedStabilitySchema.optional(),
});

const entryDescription =
  "A statement as decided by the latest closed round that voted on it: votes on the agreement scale, ratings and median on a rating scale.";

export const RecommendationSchema = EntrySchema.extend({
  number: positive.meta({ description: "Position in this version's Table 1." }),
  adopted: z.boolean().meta({ const: true }),
  reasons: z.array(reason).max(0),
  outcome: outcome.optional().meta({ description: "The positive outcome of the rule's family.", enum: ["in", "appropriate"] }),
}).meta({ description: entryDescription, ...votesOrRatings });

const NotAdoptedSchema = EntrySchema.extend({
  adopted: z.boolean().meta({ const: false }),
  outcome: outcome.optional().meta({ enum: ["out", "none", "inappropriate", "uncertain"] }),
}).meta({
  description: entryDescription,
  ...votesOrRatings,
  not: { required: ["number"] },
  if: { required: ["outcome"], properties: { outcome: { const: "inappropriate" } } },
  then: { description: 'RAND/UCLA "inappropriate" is a decided outcome: it has no failing condition.' },
  else: { properties: { reasons: { type: "array", minItems: 1 } } },
});

export const ChangesSchema = z
  .object({
    previousVersion: positive.nullable(),
    added: z.array(z.object({ statementId, revision: positive })),
    revised: z.array(z.object({ statementId, revision: positive, previousRevision: positive })),
    retired: z.array(z.object({ statementId, previousRevision: positive })),
  })
  .meta({ description: "What changed since the previous version, by statement identity." });

export const AuditHeadSchema = z.object({ seq: positive, hash });

export const RecommendationSetSchema = z
  .object({
    format: z.literal(SET_FORMAT),
    guideline: z.object({
      // What the new-guideline form and the import accept.
      slug: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
      title: z.string().min(1),
      language: z.string().min(1).meta({ description: 'BCP 47 language tag of the authoritative text, e.g. "en".' }),
      languages: z.array(languageTag).min(2).optional().meta({
        description: "Every language the statements are published in, the authoritative one first; absent when only one.",
      }),
      registration: z.string().optional().meta({ description: "Registry number, e.g. PREPARE-2024CN902." }),
      source: z.string().optional().meta({ description: "Where the consensus was first published." }),
    }),
    version: positive.meta({ description: "1, 2, 3 … per guideline, never reused." }),
    publishedAt: dateTime.meta({ description: "When this version was published." }),
    scale: ScaleSchema.optional(),
    rule: RuleSchema,
    ruleText: z.string().optional().meta({ description: "The rule in the committee's own words." }),
    panel: z.object({
      size: count.meta({ description: "Eligible panel members of the last round." }),
      disciplines: z.record(z.string(), count).meta({ description: "Panel members per discipline." }),
    }),
    rounds: z
      .array(
        z.object({
          number: positive,
          eligible: count,
          responded: count.meta({
            description: "Members who cast at least one ballot (for an imported round: its largest item turnout).",
          }),
          closedAt: dateTime,
        }),
      )
      .min(1)
      .meta({ description: "The closed rounds the set was decided in, by number." }),
    recommendations: z
      .array(RecommendationSchema)
      .meta({ description: "The adopted statements in the guideline's statement order, numbered 1..n." }),
    notAdopted: z.array(NotAdoptedSchema).meta({ description: "The statements voted on but not adopted, with why." }),
    changes: ChangesSchema,
    // Just before this version's `version.published` event, which carries the content hash: the
    // set cannot hold its own event.
    auditHead: AuditHeadSchema.optional().meta({
      description:
        "The guideline's audit chain just before this version's version.published event: the seq and hash of its last event. A history that no longer holds that event was rewritten or truncated. Absent from sets published before it was recorded.",
    }),
    contentHash: hash.meta({
      description: '"sha256:" + hex SHA-256 of the RFC 8785 canonical JSON of the set without contentHash.',
    }),
  })
  .meta({
    title: "Recommendation set (recommendation-set/1)",
    description:
      "One published, immutable version of a guideline's consensus recommendations: the adopted statements numbered as in the guideline's Table 1, the statements not adopted, the ballot scale and adoption rule, panel and round summaries, the changes since the previous version, and a content hash. Totals only, never names. The field names are a contract: fields may be added, none renamed.",
  });

// Objects built with z.object() stay open, as zod lets unknown keys through them: a set may gain
// fields (DESIGN §5). Rules and scales are strict objects, closed.
const { $schema, title, description, ...generated } = z.toJSONSchema(RecommendationSetSchema, {
  target: "draft-2020-12",
  io: "output",
  override: ({ zodSchema, jsonSchema }) => {
    const def = zodSchema._zod.def;
    if (def.type === "object" && !def.catchall) delete jsonSchema.additionalProperties;
  },
});

/** The JSON Schema of a published set, with `id` (the URL it is served at) as its `$id`. */
export function recommendationSetJsonSchema(id?: string) {
  return { $schema, ...(id ? { $id: id } : {}), title, description, ...generated };
}
