/**
 * The methods report of a Delphi consensus: what ACCORD (PLOS Medicine 2024) asks a journal
 * article to report, written from the facts the instance stored (app/server/methods-report.server.ts
 * gathers them). Where a fact was not recorded it says so, never guesses. Pure: no Remix, no
 * database.
 */
import type { Translate } from "~/i18n";
import { english } from "~/locales/english";
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

const date = (iso: string | null, t: Translate) => (iso ? iso.slice(0, 10) : t("not recorded"));
const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : "–");
const sorted = (counts: Record<string, number>) =>
  Object.entries(counts).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));

const heading = (text: string, level: 1 | 2 = 1): Block => ({ kind: "heading", level, text });
const paragraph = (text: string, style?: "quote" | "note"): Block => ({ kind: "paragraph", text, ...(style ? { style } : {}) });
const table = (columns: Column[], rows: Cell[][]): Block => ({ kind: "table", columns, rows });

/** When something happened, to end a sentence with: " on 2025-03-01", " between 2025-03-01 and 2025-03-09", or nothing. */
function range(first: string | null, last: string | null, t: Translate): string {
  if (!first || !last) return "";
  return date(first, t) === date(last, t)
    ? t(" on {{date}}", { date: date(first, t) })
    : t(" between {{first}} and {{last}}", { first: date(first, t), last: date(last, t) });
}

function registration(facts: ReportFacts, t: Translate): Block[] {
  const { registration, source } = facts.guideline;
  return [
    heading(t("Registration")),
    paragraph(
      registration
        ? t("The study was registered as {{registration}}.", { registration })
        : t("No registration is recorded for this study."),
    ),
    ...(source ? [paragraph(t("First published: {{source}}.", { source }))] : []),
  ];
}

function panel(facts: ReportFacts, t: Translate): Block[] {
  const { size, disciplines, groups } = facts.panel;
  const recorded = Object.keys(disciplines).filter((d) => d !== UNSPECIFIED);
  const lastOpened = facts.rounds.length > 1;
  const disciplineCount = t("{{count}} disciplines", { count: recorded.length });
  const blocks: Block[] =
    recorded.length === 0
      ? [
          heading(t("Panel")),
          paragraph(
            lastOpened
              ? t("The panel had {{count}} members when the last round opened; their disciplines were not recorded.", {
                  count: size,
                })
              : t("The panel had {{count}} members; their disciplines were not recorded.", { count: size }),
          ),
        ]
      : [
          heading(t("Panel")),
          paragraph(
            lastOpened
              ? t("The panel had {{count}} members from {{disciplines}} when the last round opened.", {
                  count: size,
                  disciplines: disciplineCount,
                })
              : t("The panel had {{count}} members from {{disciplines}}.", { count: size, disciplines: disciplineCount }),
          ),
          table(
            [
              { title: t("Discipline"), width: 3 },
              { title: t("Members"), numeric: true },
            ],
            sorted(disciplines).map(([name, n]) => [name === UNSPECIFIED ? t("Not recorded") : name, n]),
          ),
        ];
  if (groups) {
    blocks.push(
      paragraph(t("For the adoption rule and the feedback, members were also placed in stakeholder groups:")),
      table(
        [
          { title: t("Stakeholder group"), width: 3 },
          { title: t("Members"), numeric: true },
        ],
        sorted(groups).map(([name, n]) => [name, n]),
      ),
    );
  }
  return blocks;
}

function recruitment(facts: ReportFacts, t: Translate): Block[] {
  const r = facts.recruitment;
  if (!r) {
    return [
      heading(t("Recruitment")),
      paragraph(
        t(
          "Not recorded: the rounds were imported from a consensus record, which gives vote totals only, not how members were invited or when they joined.",
        ),
      ),
    ];
  }
  const sentences = [
    r.invited > 0
      ? t("{{count}} invitations to join the panel were sent by e-mail, each with a single-use link{{when}}; {{accepted}}", {
          count: r.invited,
          when: range(r.firstInvited, r.lastInvited, t),
          accepted: t("{{count}} were accepted.", { count: r.joinedByInvitation }),
        })
      : t("No invitation by e-mail is recorded."),
    r.addedDirectly > 0
      ? t("{{count}} panelists were added to the panel directly by its secretaries or an administrator.", {
          count: r.addedDirectly,
        })
      : "",
    t("The {{count}} panelists joined{{when}}.", { count: r.panelists, when: range(r.firstJoined, r.lastJoined, t) }),
  ];
  const text = sentences.filter(Boolean).reduce((text, next) => t("{{text}} {{next}}", { text, next }));
  return [heading(t("Recruitment")), paragraph(text)];
}

function interests(facts: ReportFacts, t: Translate): Block[] {
  const i = facts.interests;
  if (!i)
    return [
      heading(t("Conflicts of interest")),
      paragraph(t("Not recorded: declarations of interest and recusals are not part of the imported record.")),
    ];
  const blocks: Block[] = [
    heading(t("Conflicts of interest")),
    paragraph(
      i.declared < i.panelists
        ? t("{{declared}} of {{count}} panelists declared their interests; {{undeclared}} did not.", {
            declared: i.declared,
            count: i.panelists,
            undeclared: i.panelists - i.declared,
          })
        : t("{{declared}} of {{count}} panelists declared their interests.", { declared: i.declared, count: i.panelists }),
    ),
  ];
  if (i.recusals.length === 0) {
    blocks.push(paragraph(t("No member was recused from any statement.")));
  } else {
    blocks.push(
      paragraph(
        facts.guideline.anonymity === "anonymous"
          ? t(
              "Members recused for a conflict of interest were not counted on that statement (counts only: the guideline is anonymous).",
            )
          : t("Members recused for a conflict of interest were not counted on that statement."),
      ),
      table(
        [
          { title: t("Statement"), numeric: true },
          { title: t("Members recused"), numeric: true },
          ...(i.recusals.some((r) => r.names) ? [{ title: t("Who"), width: 3 }] : []),
        ],
        i.recusals.map((r) => [r.statement, r.members, ...(r.names ? [r.names.join(", ")] : [])]),
      ),
    );
  }
  return blocks;
}

function consensusDefinition(facts: ReportFacts, t: Translate): Block[] {
  const first = facts.rounds[0];
  const fixed =
    first?.origin === "import"
      ? t("The rule comes from the imported record; when the committee fixed it is not recorded here.")
      : facts.ruleSetAt && first?.openedAt
        ? t("It was fixed before round 1: last set on {{set}}, and locked when round 1 opened on {{opened}}.", {
            set: date(facts.ruleSetAt, t),
            opened: date(first.openedAt, t),
          })
        : t("When it was fixed is not recorded.");
  return [
    heading(t("Definition of consensus")),
    ...ruleBlocks({ rule: facts.rule, ruleText: facts.ruleText ?? undefined, scale: facts.scale }, t),
    paragraph(
      facts.sameRuleEveryRound
        ? t("{{fixed}} Every round was decided under this rule.", { fixed })
        : t("{{fixed}} Not every round was decided under this rule: see each round's own rule in its results.", { fixed }),
    ),
  ];
}

function feedback(facts: ReportFacts, round: RoundFacts, previous: RoundFacts | undefined, t: Translate): string {
  if (!previous) return t("Round {{number}} was the first: panelists had no earlier results.", { number: round.number });
  if (previous.origin === "import")
    return t("What panelists were shown of round {{previous}} before round {{number}} is not recorded (it was imported).", {
      previous: previous.number,
      number: round.number,
    });
  const shown = [
    t("each statement's distribution of answers and its outcome"),
    previous.groupsShown
      ? t("the results of each stakeholder group of at least {{size}} members", { size: groupMinSizeOf(facts.rule) })
      : "",
    t("the anonymous comments ({{comments}})", { comments: t("{{count}} comments", { count: previous.comments }) }),
  ].filter(Boolean);
  return t("Before round {{number}}, panelists saw round {{previous}}'s results: {{shown}}.", {
    number: round.number,
    previous: previous.number,
    shown: shown.join(t(", ")),
  });
}

function anonymity(facts: ReportFacts, t: Translate): string {
  return facts.guideline.anonymity === "anonymous"
    ? t(
        "Answers were anonymous: no one, the secretaries and administrators included, could see who answered what, and no count was shown while a round was open.",
      )
    : t("Answers were named: the secretaries could see each member's answers; panelists saw totals only.");
}

function rounds(facts: ReportFacts, t: Translate): Block[] {
  const rows = facts.rounds.map((r) => [
    r.number,
    date(r.openedAt, t),
    date(r.closedAt, t),
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
    heading(t("Rounds")),
    paragraph(
      t(
        "{{count}} rounds were held. Responded: members who answered at least one statement. Carried over: voted again in the same wording; revised: voted again reworded.",
        { count: facts.rounds.length },
      ),
    ),
    table(
      [
        { title: t("Round"), numeric: true },
        { title: t("Opened"), width: 1.6 },
        { title: t("Closed"), width: 1.6 },
        { title: t("Eligible"), numeric: true },
        { title: t("Responded"), numeric: true },
        { title: t("Response rate"), numeric: true },
        { title: t("Statements"), numeric: true },
        { title: t("Adopted"), numeric: true },
        { title: t("Not adopted"), numeric: true },
        { title: t("New"), numeric: true },
        { title: t("Carried over"), numeric: true },
        { title: t("Revised"), numeric: true },
      ],
      rows,
    ),
    paragraph(anonymity(facts, t)),
  ];
  facts.rounds.forEach((round, i) => {
    blocks.push(heading(t("Round {{number}}", { number: round.number }), 2));
    const dates =
      round.origin === "import"
        ? t("Imported from a consensus record: when it opened is not recorded; closed {{closed}}.", {
            closed: date(round.closedAt, t),
          })
        : t("Opened {{opened}}; closed {{closed}}.", { opened: date(round.openedAt, t), closed: date(round.closedAt, t) });
    blocks.push(
      paragraph(
        t(
          "{{dates}} {{responded}} of {{eligible}} eligible members responded ({{rate}}). {{count}} statements were voted on: {{adopted}} adopted, {{notAdopted}} not adopted.",
          {
            dates,
            responded: round.responded,
            eligible: round.eligible,
            rate: percent(round.responded, round.eligible),
            count: round.statements,
            adopted: round.adopted,
            notAdopted: round.notAdopted,
          },
        ),
      ),
      paragraph(feedback(facts, round, facts.rounds[i - 1], t)),
    );
  });
  return blocks;
}

function stopping(facts: ReportFacts, t: Translate): Block[] {
  const last = facts.rounds.at(-1);
  if (!last) return [];
  const undecided = last.statements - last.decided;
  let why: string;
  if (undecided === 0) {
    why = t("Round {{number}} was the last because every statement in it reached a consensus.", { number: last.number });
  } else if (last.undecided.unstable === 0 && last.undecided.first === 0) {
    why = t(
      "Round {{number}} was the last because the results of the {{count}} statements without consensus were stable since the round before.",
      { number: last.number, count: undecided },
    );
  } else {
    why = t(
      "Round {{number}} was the last by the committee's choice: {{count}} statements had not reached a consensus{{unstable}}, and no further round was held{{before}}.",
      {
        number: last.number,
        count: undecided,
        unstable:
          last.undecided.unstable > 0 ? t(", {{unstable}} of them not yet stable", { unstable: last.undecided.unstable }) : "",
        before: facts.version ? t(" before version {{version}}", { version: facts.version.number }) : "",
      },
    );
  }
  const continuing = facts.continuing
    ? [
        paragraph(
          facts.continuing.status === "open"
            ? t("The study continues: round {{number}} is open; this report covers the rounds closed so far.", {
                number: facts.continuing.number,
              })
            : t("The study continues: round {{number}} is being prepared; this report covers the rounds closed so far.", {
                number: facts.continuing.number,
              }),
        ),
      ]
    : [];
  return [heading(t("Stopping")), paragraph(why), ...continuing];
}

function finalList(facts: ReportFacts, t: Translate): Block[] {
  const count = facts.recommendations.length;
  return [
    heading(t("Final list")),
    paragraph(
      facts.version
        ? t(
            "{{count}} recommendations were adopted in version {{version}}. Each row gives the round that decided it and how many voted on it there.",
            { count, version: facts.version.number },
          )
        : t("{{count}} recommendations were adopted. Each row gives the round that decided it and how many voted on it there.", {
            count,
          }),
    ),
    recommendationsTable(facts.recommendations, facts.scale, t("Recommendation"), t),
    heading(t("Not adopted"), 2),
    notAdoptedBlock(facts.notAdopted, facts.scale, t),
  ];
}

/**
 * The methods report: registration, panel, recruitment, interests, the rule, each round, stopping,
 * the final list, software; in `t`'s language.
 */
export function methodsReport(facts: ReportFacts, t: Translate = english): Doc {
  const scope = facts.version
    ? t("Version {{version}}, published {{date}} (content hash {{hash}})", {
        version: facts.version.number,
        date: date(facts.version.publishedAt, t),
        hash: facts.version.contentHash,
      })
    : t("All closed rounds as of {{date}}", { date: date(facts.generatedAt, t) });
  return {
    title: t("{{title}}: methods report", { title: facts.guideline.title }),
    subtitle: scope,
    blocks: [
      ...registration(facts, t),
      ...panel(facts, t),
      ...recruitment(facts, t),
      ...interests(facts, t),
      ...consensusDefinition(facts, t),
      ...rounds(facts, t),
      ...stopping(facts, t),
      ...finalList(facts, t),
      heading(t("Software")),
      paragraph(
        t("Run and reported with {{name}} {{version}}; this report was written on {{date}} from the data it stored.", {
          name: facts.software.name,
          version: facts.software.version,
          date: date(facts.generatedAt, t),
        }),
      ),
    ],
  };
}
