/**
 * The methods report of a Delphi consensus: what ACCORD (PLOS Medicine 2024) asks a journal
 * article to report, written from the facts the instance stored (app/server/methods-report.server.ts
 * gathers them). Where a fact was not recorded it says so, never guesses. Pure: no Remix, no
 * database.
 */
import type { Block, Cell, Column, Doc } from "./document";
import type { Entry, Recommendation } from "./recommendation-set";
import { groupMinSizeOf, type Rule } from "./rule";
import type { Scale } from "./scale";
import { notAdoptedBlock, recommendationsTable, ruleBlocks } from "./table1";

export type RoundFacts = {
  number: number;
  /** `import`: the round came from a consensus record, which gives totals only. */
  origin: "online" | "import";
  openedAt: string | null;
  closedAt: string | null;
  eligible: number;
  responded: number;
  statements: number;
  adopted: number;
  notAdopted: number;
  /** Statements put to the vote for the first time, again in the same wording, or again reworded. */
  added: number;
  carriedOver: number;
  revised: number;
  /** Statements whose outcome is a consensus (for or against): the rest are undecided. */
  decided: number;
  /** Of the undecided: stable since the previous round they were voted in, not stable, voted for the first time. */
  undecided: { stable: number; unstable: number; first: number };
  /** Anonymous comments panelists saw with the round's results. */
  comments: number;
  /** Whether panelists saw results per stakeholder group (groups of at least the minimum size). */
  groupsShown: boolean;
};

export type ReportFacts = {
  software: { name: string; version: string };
  generatedAt: string;
  /** A published version the report is limited to, or null for every closed round. */
  version: { number: number; publishedAt: string; contentHash: string } | null;
  guideline: {
    title: string;
    registration: string | null;
    source: string | null;
    anonymity: "anonymous" | "named";
  };
  rule: Rule;
  ruleText: string | null;
  scale: Scale;
  /** When the rule was last set before round 1 opened; null when not recorded (an imported record). */
  ruleSetAt: string | null;
  /** Whether every round was decided under this same rule. */
  sameRuleEveryRound: boolean;
  panel: { size: number; disciplines: Record<string, number>; groups: Record<string, number> | null };
  /** Null when not recorded: no member of the panel was invited or added here. */
  recruitment: {
    panelists: number;
    invited: number;
    firstInvited: string | null;
    lastInvited: string | null;
    joinedByInvitation: number;
    addedDirectly: number;
    firstJoined: string | null;
    lastJoined: string | null;
  } | null;
  /** Null when not recorded. `names` only in named guidelines. */
  interests: {
    panelists: number;
    declared: number;
    recusals: { statement: number; members: number; names?: string[] }[];
  } | null;
  rounds: RoundFacts[];
  /** A round opened or drafted after the last one reported, when the report is not limited to a version. */
  continuing: { number: number; status: "draft" | "open" } | null;
  recommendations: Recommendation[];
  notAdopted: Entry[];
};

/** The discipline of a member who gave none (app/server/rounds.server.ts disciplineCounts). */
const UNSPECIFIED = "Unspecified";

const date = (iso: string | null) => (iso ? iso.slice(0, 10) : "not recorded");
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : "–");
const sorted = (counts: Record<string, number>) =>
  Object.entries(counts).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));

const heading = (text: string, level: 1 | 2 = 1): Block => ({ kind: "heading", level, text });
const paragraph = (text: string, style?: "quote" | "note"): Block => ({ kind: "paragraph", text, ...(style ? { style } : {}) });
const table = (columns: Column[], rows: Cell[][]): Block => ({ kind: "table", columns, rows });

function range(first: string | null, last: string | null): string {
  if (!first || !last) return "";
  return date(first) === date(last) ? ` on ${date(first)}` : ` between ${date(first)} and ${date(last)}`;
}

function registration(facts: ReportFacts): Block[] {
  const { registration, source } = facts.guideline;
  return [
    heading("Registration"),
    paragraph(registration ? `The study was registered as ${registration}.` : "No registration is recorded for this study."),
    ...(source ? [paragraph(`First published: ${source}.`)] : []),
  ];
}

function panel(facts: ReportFacts): Block[] {
  const { size, disciplines, groups } = facts.panel;
  const recorded = Object.keys(disciplines).filter((d) => d !== UNSPECIFIED);
  const when = facts.rounds.length > 1 ? " when the last round opened" : "";
  const blocks: Block[] =
    recorded.length === 0
      ? [heading("Panel"), paragraph(`The panel had ${plural(size, "member")}${when}; their disciplines were not recorded.`)]
      : [
          heading("Panel"),
          paragraph(`The panel had ${plural(size, "member")} from ${plural(recorded.length, "discipline")}${when}.`),
          table(
            [
              { title: "Discipline", width: 3 },
              { title: "Members", numeric: true },
            ],
            sorted(disciplines).map(([name, n]) => [name === UNSPECIFIED ? "Not recorded" : name, n]),
          ),
        ];
  if (groups) {
    blocks.push(
      paragraph("For the adoption rule and the feedback, members were also placed in stakeholder groups:"),
      table(
        [
          { title: "Stakeholder group", width: 3 },
          { title: "Members", numeric: true },
        ],
        sorted(groups).map(([name, n]) => [name, n]),
      ),
    );
  }
  return blocks;
}

function recruitment(facts: ReportFacts): Block[] {
  const r = facts.recruitment;
  if (!r) {
    return [
      heading("Recruitment"),
      paragraph(
        "Not recorded: the rounds were imported from a consensus record, which gives vote totals only, not how members were invited or when they joined.",
      ),
    ];
  }
  const sentences = [
    r.invited > 0
      ? `${plural(r.invited, "invitation")} to join the panel ${r.invited === 1 ? "was" : "were"} sent by e-mail, each with a single-use link${range(r.firstInvited, r.lastInvited)}; ${r.joinedByInvitation} ${r.joinedByInvitation === 1 ? "was" : "were"} accepted.`
      : "No invitation by e-mail is recorded.",
    r.addedDirectly > 0
      ? `${plural(r.addedDirectly, "panelist")} ${r.addedDirectly === 1 ? "was" : "were"} added to the panel directly by its secretaries or an administrator.`
      : "",
    `The ${plural(r.panelists, "panelist")} joined${range(r.firstJoined, r.lastJoined)}.`,
  ];
  return [heading("Recruitment"), paragraph(sentences.filter(Boolean).join(" "))];
}

function interests(facts: ReportFacts): Block[] {
  const i = facts.interests;
  if (!i)
    return [
      heading("Conflicts of interest"),
      paragraph("Not recorded: declarations of interest and recusals are not part of the imported record."),
    ];
  const blocks: Block[] = [
    heading("Conflicts of interest"),
    paragraph(
      `${i.declared} of ${plural(i.panelists, "panelist")} declared their interests` +
        (i.declared < i.panelists ? `; ${i.panelists - i.declared} did not.` : "."),
    ),
  ];
  if (i.recusals.length === 0) {
    blocks.push(paragraph("No member was recused from any statement."));
  } else {
    blocks.push(
      paragraph(
        "Members recused for a conflict of interest were not counted on that statement" +
          (facts.guideline.anonymity === "anonymous" ? " (counts only: the guideline is anonymous)." : "."),
      ),
      table(
        [
          { title: "Statement", numeric: true },
          { title: "Members recused", numeric: true },
          ...(i.recusals.some((r) => r.names) ? [{ title: "Who", width: 3 }] : []),
        ],
        i.recusals.map((r) => [r.statement, r.members, ...(r.names ? [r.names.join(", ")] : [])]),
      ),
    );
  }
  return blocks;
}

function consensusDefinition(facts: ReportFacts): Block[] {
  const first = facts.rounds[0];
  const fixed =
    first?.origin === "import"
      ? "The rule comes from the imported record; when the committee fixed it is not recorded here."
      : facts.ruleSetAt && first?.openedAt
        ? `It was fixed before round 1: last set on ${date(facts.ruleSetAt)}, and locked when round 1 opened on ${date(first.openedAt)}.`
        : "When it was fixed is not recorded.";
  return [
    heading("Definition of consensus"),
    ...ruleBlocks({ rule: facts.rule, ruleText: facts.ruleText ?? undefined, scale: facts.scale }),
    paragraph(
      fixed +
        (facts.sameRuleEveryRound
          ? " Every round was decided under this rule."
          : " Not every round was decided under this rule: see each round's own rule in its results."),
    ),
  ];
}

function feedback(facts: ReportFacts, round: RoundFacts, previous: RoundFacts | undefined): string {
  if (!previous) return `Round ${round.number} was the first: panelists had no earlier results.`;
  if (previous.origin === "import")
    return `What panelists were shown of round ${previous.number} before round ${round.number} is not recorded (it was imported).`;
  const shown = [
    "each statement's distribution of answers and its outcome",
    previous.groupsShown ? `the results of each stakeholder group of at least ${groupMinSizeOf(facts.rule)} members` : "",
    `the anonymous comments (${plural(previous.comments, "comment")})`,
  ].filter(Boolean);
  return `Before round ${round.number}, panelists saw round ${previous.number}'s results: ${shown.join(", ")}.`;
}

function anonymity(facts: ReportFacts): string {
  return facts.guideline.anonymity === "anonymous"
    ? "Answers were anonymous: no one, the secretaries and administrators included, could see who answered what, and no count was shown while a round was open."
    : "Answers were named: the secretaries could see each member's answers; panelists saw totals only.";
}

function rounds(facts: ReportFacts): Block[] {
  const rows = facts.rounds.map((r) => [
    r.number,
    date(r.openedAt),
    date(r.closedAt),
    r.eligible,
    r.responded,
    percent(r.responded, r.eligible),
    r.statements,
    r.adopted,
    r.notAdopted,
    r.added,
    r.carriedOver,
    r.revised,
  ]);
  const blocks: Block[] = [
    heading("Rounds"),
    paragraph(
      `${plural(facts.rounds.length, "round")} ${facts.rounds.length === 1 ? "was" : "were"} held. Responded: members who answered at least one statement. ` +
        "Carried over: voted again in the same wording; revised: voted again reworded.",
    ),
    table(
      [
        { title: "Round", numeric: true },
        { title: "Opened", width: 1.6 },
        { title: "Closed", width: 1.6 },
        { title: "Eligible", numeric: true },
        { title: "Responded", numeric: true },
        { title: "Response rate", numeric: true },
        { title: "Statements", numeric: true },
        { title: "Adopted", numeric: true },
        { title: "Not adopted", numeric: true },
        { title: "New", numeric: true },
        { title: "Carried over", numeric: true },
        { title: "Revised", numeric: true },
      ],
      rows,
    ),
    paragraph(anonymity(facts)),
  ];
  facts.rounds.forEach((round, i) => {
    blocks.push(heading(`Round ${round.number}`, 2));
    const voted =
      `${round.responded} of ${round.eligible} eligible members responded (${percent(round.responded, round.eligible)}). ` +
      `${plural(round.statements, "statement")} ${round.statements === 1 ? "was" : "were"} voted on: ${round.adopted} adopted, ${round.notAdopted} not adopted.`;
    const opened =
      round.origin === "import"
        ? "Imported from a consensus record: when it opened is not recorded"
        : `Opened ${date(round.openedAt)}`;
    blocks.push(
      paragraph(`${opened}; closed ${date(round.closedAt)}. ${voted}`),
      paragraph(feedback(facts, round, facts.rounds[i - 1])),
    );
  });
  return blocks;
}

function stopping(facts: ReportFacts): Block[] {
  const last = facts.rounds.at(-1);
  if (!last) return [];
  const undecided = last.statements - last.decided;
  let why: string;
  if (undecided === 0) {
    why = `Round ${last.number} was the last because every statement in it reached a consensus.`;
  } else if (last.undecided.unstable === 0 && last.undecided.first === 0) {
    why = `Round ${last.number} was the last because the results of the ${plural(undecided, "statement")} without consensus were stable since the round before.`;
  } else {
    why = `Round ${last.number} was the last by the committee's choice: ${plural(undecided, "statement")} had not reached a consensus${
      last.undecided.unstable > 0 ? `, ${last.undecided.unstable} of them not yet stable` : ""
    }, and no further round was held${facts.version ? ` before version ${facts.version.number}` : ""}.`;
  }
  const continuing = facts.continuing
    ? [
        paragraph(
          `The study continues: round ${facts.continuing.number} is ${facts.continuing.status === "open" ? "open" : "being prepared"}; this report covers the rounds closed so far.`,
        ),
      ]
    : [];
  return [heading("Stopping"), paragraph(why), ...continuing];
}

function finalList(facts: ReportFacts): Block[] {
  return [
    heading("Final list"),
    paragraph(
      `${plural(facts.recommendations.length, "recommendation")} ${facts.recommendations.length === 1 ? "was" : "were"} adopted` +
        (facts.version ? ` in version ${facts.version.number}` : "") +
        ". Each row gives the round that decided it and how many voted on it there.",
    ),
    recommendationsTable(facts.recommendations, facts.scale, "Recommendation"),
    heading("Not adopted", 2),
    notAdoptedBlock(facts.notAdopted, facts.scale),
  ];
}

/** The methods report: registration, panel, recruitment, interests, the rule, each round, stopping, the final list, software. */
export function methodsReport(facts: ReportFacts): Doc {
  const scope = facts.version
    ? `Version ${facts.version.number}, published ${date(facts.version.publishedAt)} (content hash ${facts.version.contentHash})`
    : `All closed rounds as of ${date(facts.generatedAt)}`;
  return {
    title: `${facts.guideline.title}: methods report`,
    subtitle: scope,
    blocks: [
      ...registration(facts),
      ...panel(facts),
      ...recruitment(facts),
      ...interests(facts),
      ...consensusDefinition(facts),
      ...rounds(facts),
      ...stopping(facts),
      ...finalList(facts),
      heading("Software"),
      paragraph(
        `Run and reported with ${facts.software.name} ${facts.software.version}; this report was written on ${date(facts.generatedAt)} from the data it stored.`,
      ),
    ],
  };
}
