/**
 * The demo. The IMT consensus: the real Table 1 consensus voted by 31 pseudonymous panelists
 * (per-panelist ballots that add up exactly to the published totals), round 1 closed and published
 * as version 1, and the start of a second edition with an open round. And a core outcome set
 * rated 1–9 by 40 participants in three stakeholder groups under COMET's rule (seedCoreOutcomeSet). Seeds only an empty database, and never in production.
 * Its audit trail holds, in the order they happened, the events the app itself would have
 * recorded for the guideline, its statements, rounds, ballots and publication.
 */
import { eq } from "drizzle-orm";
import type { DB, Queryable } from "@db/client.server";
import { ballots, statementTranslations, users, type Choice } from "@db/schema";
import type { Answer } from "~/consensus/tally";
import { RuleSchema } from "~/consensus/rule";
import { recordAudit } from "~/server/audit.server";
import { hashPassword } from "~/server/auth.server";
import { publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import record from "../fixtures/imt-2025-table1.json";
import { addMember, addRevision, createGuideline, createRound, createStatement, insertUser } from "../test/support/factories";

export const DEMO_PASSWORD = "delphi-demo";
export const DEMO_SLUG = record.guideline.slug;

export const DEMO_ACCOUNTS = {
  admin: "admin@imt.example",
  secretary: "secretary@imt.example",
  observer: "observer@imt.example",
  panelist: (n: number) => `expert${String(n).padStart(2, "0")}@imt.example`,
  /** One of the 31 IMT panelists, who reads the interface in Chinese and has not voted in round 2 yet. */
  chinesePanelist: "expert18@imt.example",
  /** Participants of the core-outcome-set demo (IMT-COS), 1 to 40. */
  cosParticipant: (n: number) => `participant${String(n).padStart(2, "0")}@cos.example`,
};

/** The second demo guideline: a core outcome set rated 1–9 under COMET's rule. */
export const COS_SLUG = "imt-cos";
const COS_SCALE = { kind: "rating", points: 9, unable: true, labels: { low: "not important", high: "critical" } } as const;
const COS_RULE = RuleSchema.parse({
  family: "band",
  agreeBand: [7, 9],
  opposeBand: [1, 3],
  agreeAtLeast: 70,
  disagreeBelow: 15,
  denominator: "participants",
  groups: { require: "every", minSize: 5 },
});

const DAY = 86_400_000;

/**
 * The nine statements of the IMT consensus in Chinese, the panel's language, by statement number
 * (the English stays the authoritative, published wording), and the second edition's two.
 */
const IMT_CHINESE: Record<number, string> = {
  1: "炎性肌纤维母细胞瘤（IMT）的影像学表现通常为孤立性肿块，需与不同解剖部位的其他常见良、恶性肿瘤相鉴别。推荐根据肿瘤所在部位选择最佳影像学检查方式，采用增强 CT 或 MRI 作进一步评估。此外，有指征时可采用 PET-CT，为肿瘤分期和全面评估提供关键信息",
  2: "在伴有炎症细胞浸润的梭形细胞肿瘤的病理诊断中应考虑 IMT，并应进行包括 ALK 在内的多项免疫组织化学标志物检测，用于诊断和鉴别诊断",
  3: "与免疫组织化学（IHC）、荧光原位杂交（FISH）和聚合酶链反应（PCR）相比，二代测序（NGS）能够全面、准确地识别炎性肌纤维母细胞瘤（IMT）中的基因重排及其伙伴基因。特别是，基于 RNA 的 NGS 可以提供这些重排所涉及的全部融合伙伴的详细信息",
  4: "IMT 的诊断和治疗常涉及多个学科，包括呼吸与危重症医学科、肿瘤内科、放射科、病理科、胸外科、普通外科、骨科和妇科。推荐开展多学科讨论，以提高诊断和治疗能力",
  5: "适合手术的 IMT 患者应以根治性手术作为主要治疗方式",
  6: "具有复发高危因素的头颈部 IMT 术后患者可接受辅助放疗。部分切除或不适合手术的患者可接受根治性放疗联合全身治疗。推荐采用受累野照射（不做预防性淋巴结照射），首选调强放疗（IMRT）技术，放疗剂量控制在 45-60 Gy（常规分割）",
  7: "对于携带 ALK 融合且不适合手术的 IMT 患者，推荐使用 ALK-TKI；对于携带 ROS1 融合且不适合手术的 IMT 患者，可尝试 ROS1-TKI 治疗",
  8: "推荐 IMT 患者采用以蒽环类、甲氨蝶呤、培美曲塞联合铂类以及紫杉醇联合铂类为基础的化疗方案",
  9: "目前 IMT 的诊断和治疗缺乏高级别证据。推荐开展多中心、前瞻性临床研究",
};
const REWORDED_CHINESE =
  "对于无法切除、且无靶向治疗选择或靶向治疗后进展的 IMT 患者，可考虑以蒽环类、甲氨蝶呤联合长春花生物碱类，或铂类联合培美曲塞或紫杉醇的双药方案为基础的化疗";
const IMMUNOTHERAPY_CHINESE = "由于获益证据仅限于病例报告，不推荐在临床试验之外将免疫检查点抑制剂用于 IMT";

/** A revision's Chinese text, confirmed, written by the secretary before the round that votes on it opened. */
function translate(db: Queryable, input: { revisionId: string; text: string; by: string; at: Date }): void {
  db.insert(statementTranslations)
    .values({
      revisionId: input.revisionId,
      language: "zh",
      text: input.text,
      confirmed: true,
      updatedBy: input.by,
      updatedAt: input.at,
    })
    .run();
}

/** Who votes what on an item: the panel rotated per statement, so abstainers differ between items. */
export function demoChoices(votes: { agree: number; disagree: number; abstain: number }, offset: number, size: number) {
  const choices: Choice[] = [
    ...Array<Choice>(votes.agree).fill("agree"),
    ...Array<Choice>(votes.disagree).fill("disagree"),
    ...Array<Choice>(votes.abstain).fill("abstain"),
  ];
  return Array.from({ length: size }, (_, member) => choices[(member + offset) % size] ?? null);
}

type DemoBallot = {
  roundItemId: string;
  membershipId: string;
  userId: string;
  answer: Answer;
  at: Date;
  round: number;
  item: number;
};

/** Casts ballots in the order of their times, each with the audit event casting it records. */
function castInOrder(db: Queryable, guidelineId: string, list: DemoBallot[]): void {
  for (const ballot of [...list].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const { answer, at } = ballot;
    db.insert(ballots)
      .values({
        roundItemId: ballot.roundItemId,
        membershipId: ballot.membershipId,
        choice: typeof answer === "number" ? null : answer,
        rating: typeof answer === "number" ? answer : null,
        createdAt: at,
        updatedAt: at,
      })
      .run();
    recordAudit(db, {
      guidelineId,
      actorId: ballot.userId,
      action: "ballot.cast",
      details: { round: ballot.round, item: ballot.item },
      at,
    });
  }
}

export function rowsHeld(db: DB): Record<string, number> {
  const tables = db.$client
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'")
    .pluck()
    .all() as string[];
  const held = tables.map((t) => [t, db.$client.prepare(`select count(*) from "${t}"`).pluck().get() as number] as const);
  return Object.fromEntries(held.filter(([, n]) => n > 0));
}

export class DemoRefused extends Error {}

function refuseUnlessEmpty(db: DB): void {
  const held = Object.entries(rowsHeld(db));
  if (held.length === 0) return;
  const rows = held.reduce((n, [, count]) => n + count, 0);
  throw new DemoRefused(
    `The database already holds data (${rows} rows in ${held.length} tables: ${held.map(([t]) => t).join(", ")}). ` +
      "The demo seeds only an empty database and never writes into one in use: point DATABASE_PATH at a new file.",
  );
}

/**
 * Seeds the IMT demo into an empty database, all in one transaction: a database holding any
 * row is refused (DemoRefused) and nothing is written.
 */
export async function seedDemo(db: DB, now = new Date()): Promise<{ seeded: true }> {
  if (process.env.NODE_ENV === "production") {
    throw new DemoRefused("The demo seed refuses to run with NODE_ENV=production.");
  }
  refuseUnlessEmpty(db);
  // argon2 is asynchronous: hashed before the (synchronous) transaction.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  db.transaction(
    (tx) => {
      refuseUnlessEmpty(db);
      const staff = seedImt(tx, passwordHash, now);
      seedCoreOutcomeSet(tx, { ...staff, passwordHash, now });
    },
    { behavior: "immediate" },
  );
  return { seeded: true };
}

/** The IMT consensus; returns the staff accounts, which the second demo guideline shares. */
function seedImt(tx: Queryable, passwordHash: string, now: Date) {
  const rule = RuleSchema.parse(record.rule);
  const [round1] = record.rounds;
  if (!round1) throw new Error("The fixture has no round.");

  const admin = insertUser(tx, { email: DEMO_ACCOUNTS.admin, name: "Instance Admin", passwordHash, isAdmin: true });
  const secretary = insertUser(tx, { email: DEMO_ACCOUNTS.secretary, name: "Demo Secretary", passwordHash });
  const observer = insertUser(tx, { email: DEMO_ACCOUNTS.observer, name: "Demo Observer", passwordHash });

  const guideline = createGuideline(tx, {
    slug: record.guideline.slug,
    title: record.guideline.title,
    language: record.guideline.language,
    languages: [record.guideline.language, "zh"],
    registration: record.guideline.registration,
    source: record.guideline.source,
    description:
      "Diagnosis and treatment of inflammatory myofibroblastic tumour: nine key points voted by a 31-member " +
      "multidisciplinary panel (Thoracic Cancer, 2025). Demo data: the panelists are pseudonymous.",
    rule,
    ruleText: record.ruleText,
    createdBy: admin.id,
    createdAt: new Date("2025-01-15T09:00:00Z"),
  });
  recordAudit(tx, {
    guidelineId: guideline.id,
    actorId: admin.id,
    action: "guideline.created",
    details: { slug: guideline.slug, title: guideline.title, secretaries: [DEMO_ACCOUNTS.secretary], invitedSecretaries: [] },
    at: guideline.createdAt,
  });
  const joined = new Date("2025-01-16T09:00:00Z");
  addMember(tx, { guidelineId: guideline.id, userId: secretary.id, role: "secretary", createdAt: guideline.createdAt });
  addMember(tx, { guidelineId: guideline.id, userId: observer.id, role: "observer", createdAt: joined });

  const disciplines = Object.entries(record.panel.disciplines).flatMap(([name, n]) => Array<string>(n).fill(name));
  const declaredAt = new Date("2025-01-20T09:00:00Z");
  const panel: { membershipId: string; userId: string; discipline: string }[] = [];
  for (const [index, discipline] of disciplines.entries()) {
    const n = index + 1;
    const user = insertUser(tx, { email: DEMO_ACCOUNTS.panelist(n), name: `Expert ${String(n).padStart(2, "0")}`, passwordHash });
    const member = addMember(tx, {
      guidelineId: guideline.id,
      userId: user.id,
      role: "panelist",
      discipline,
      coiText: "No relevant financial or non-financial conflicts of interest.",
      coiDeclaredAt: declaredAt,
      createdAt: joined,
    });
    panel.push({ membershipId: member.id, userId: user.id, discipline });
  }
  tx.update(users).set({ locale: "zh" }).where(eq(users.email, DEMO_ACCOUNTS.chinesePanelist)).run();

  const audit = (at: Date, action: string, details: Record<string, unknown>) =>
    recordAudit(tx, { guidelineId: guideline.id, actorId: secretary.id, action, details, at });
  const drafting = new Date("2025-01-27T09:00:00Z");
  const opened = new Date("2025-02-06T09:00:00Z");
  const drafted = round1.items.map((item) => {
    const created = createStatement(tx, {
      guidelineId: guideline.id,
      position: item.number,
      section: item.section,
      text: item.text,
      authorId: secretary.id,
      createdAt: drafting,
    });
    audit(drafting, "statement.created", { statementId: created.statement.id, statement: item.number });
    translate(tx, { revisionId: created.revision.id, text: IMT_CHINESE[item.number]!, by: secretary.id, at: drafting });
    return created;
  });
  const drafted1 = new Date("2025-01-28T09:00:00Z");
  audit(drafted1, "round.created", { round: 1, items: drafted.length });
  const first = createRound(tx, {
    guidelineId: guideline.id,
    number: 1,
    status: "open",
    revisionIds: drafted.map((d) => d.revision.id),
    createdAt: drafted1,
    openedAt: opened,
    actorId: secretary.id,
  });
  castInOrder(
    tx,
    guideline.id,
    round1.items.flatMap((fixtureItem, i) =>
      demoChoices(fixtureItem.votes, i * 7, panel.length).flatMap((choice, m) =>
        choice
          ? [
              {
                roundItemId: first.items[i]!.id,
                membershipId: panel[m]!.membershipId,
                userId: panel[m]!.userId,
                answer: choice,
                at: new Date(opened.getTime() + ((m * 37 + i * 11) % 200) * 3_600_000),
                round: 1,
                item: i + 1,
              },
            ]
          : [],
      ),
    ),
  );
  closeRound(tx, { roundId: first.round.id, actorId: secretary.id, now: new Date(`${round1.closedAt}T18:00:00Z`) });
  publish(tx, { slug: guideline.slug, actorId: secretary.id, now: new Date(now.getTime() - 4 * DAY) });

  // The next edition: statement 8 re-worded after 14 abstentions, and a new statement.
  const editing = new Date(now.getTime() - 3 * DAY);
  const chemotherapy = drafted[7]!;
  const changeNote = "Restricted to patients without a targeted option, after 14 abstentions in round 1.";
  const reworded = addRevision(tx, {
    statementId: chemotherapy.statement.id,
    revision: 2,
    text:
      "For patients with unresectable IMT who have no targeted option or progress on targeted therapy, " +
      "chemotherapy based on anthracyclines, methotrexate with vinca alkaloids, or platinum doublets with " +
      "pemetrexed or paclitaxel may be considered",
    changeNote,
    authorId: secretary.id,
    createdAt: editing,
  });
  audit(editing, "statement.revised", {
    statementId: chemotherapy.statement.id,
    statement: chemotherapy.statement.position,
    previousRevision: 1,
    revision: 2,
    changeNote,
  });
  const immunotherapy = createStatement(tx, {
    guidelineId: guideline.id,
    position: 10,
    section: "Immunotherapy",
    text:
      "Immune checkpoint inhibitors are not recommended for IMT outside clinical trials, as evidence of " +
      "benefit is limited to case reports",
    authorId: secretary.id,
    createdAt: editing,
  });
  audit(editing, "statement.created", { statementId: immunotherapy.statement.id, statement: 10 });
  translate(tx, { revisionId: reworded.id, text: REWORDED_CHINESE, by: secretary.id, at: editing });
  translate(tx, { revisionId: immunotherapy.revision.id, text: IMMUNOTHERAPY_CHINESE, by: secretary.id, at: editing });
  audit(editing, "round.created", { round: 2, items: 2 });
  const openedAt = new Date(now.getTime() - DAY);
  const second = createRound(tx, {
    guidelineId: guideline.id,
    number: 2,
    status: "open",
    revisionIds: [reworded.id, immunotherapy.revision.id],
    createdAt: editing,
    openedAt,
    closesAt: new Date(now.getTime() + 14 * DAY),
    actorId: secretary.id,
  });
  // Twelve experts have already answered; expert 01 has not.
  const early: Choice[][] = [
    ["agree", "agree"],
    ["agree", "abstain"],
    ["agree", "agree"],
    ["abstain", "agree"],
  ];
  castInOrder(
    tx,
    guideline.id,
    panel.slice(19).flatMap((member, m) =>
      second.items.map((item, i) => ({
        roundItemId: item.id,
        membershipId: member.membershipId,
        userId: member.userId,
        answer: early[m % early.length]![i]!,
        at: new Date(openedAt.getTime() + (m + 1) * 3_600_000),
        round: 2,
        item: i + 1,
      })),
    ),
  );
  return { admin, secretary, observer };
}

/**
 * One ratings item of the core-outcome-set demo: its outcome, and how many of each stakeholder
 * group rated it 1..9 (`unable`: "unable to score") in round 1.
 */
type OutcomeItem = { section: string; text: string; ratings: Record<CosGroup, { counts: number[]; unable?: number }> };
type CosGroup = "Clinicians" | "Patients" | "Researchers";

const COS_GROUPS: Record<CosGroup, number> = { Clinicians: 18, Patients: 12, Researchers: 10 };

/**
 * Round 1 of the core-outcome-set demo, made to show every outcome COMET's rule gives: two
 * outcomes in (at least 70% rate 7–9 and under 15% rate 1–3, in every stakeholder group), one out
 * (the mirror), and three undecided — one short of 70% overall, one kept out by a single group,
 * one with "unable to score" answers.
 */
const COS_OUTCOMES: OutcomeItem[] = [
  {
    section: "Survival",
    text: "Overall survival",
    ratings: {
      Clinicians: { counts: [0, 0, 0, 0, 0, 1, 3, 6, 8] },
      Patients: { counts: [0, 0, 0, 0, 1, 1, 2, 4, 4] },
      Researchers: { counts: [0, 0, 0, 0, 0, 1, 2, 3, 4] },
    },
  },
  {
    section: "Tumour response",
    text: "Objective response rate by RECIST 1.1",
    ratings: {
      Clinicians: { counts: [0, 0, 0, 0, 1, 2, 5, 6, 4] },
      Patients: { counts: [0, 0, 1, 0, 1, 1, 3, 3, 3] },
      Researchers: { counts: [0, 0, 0, 0, 0, 2, 3, 3, 2] },
    },
  },
  {
    section: "Treatment",
    text: "Time to treatment failure",
    ratings: {
      Clinicians: { counts: [0, 0, 1, 2, 4, 4, 3, 3, 1] },
      Patients: { counts: [0, 1, 1, 2, 3, 2, 1, 1, 1] },
      Researchers: { counts: [0, 0, 0, 1, 2, 2, 2, 2, 1] },
    },
  },
  {
    section: "Quality of life",
    text: "Health-related quality of life, measured with a validated instrument",
    ratings: {
      Clinicians: { counts: [0, 0, 0, 0, 0, 1, 4, 6, 7] },
      Patients: { counts: [0, 0, 0, 0, 0, 1, 2, 4, 5] },
      Researchers: { counts: [0, 0, 0, 1, 2, 2, 2, 2, 1] },
    },
  },
  {
    section: "Resource use",
    text: "Cost of treatment to the health service",
    ratings: {
      Clinicians: { counts: [5, 5, 4, 2, 1, 1, 0, 0, 0] },
      Patients: { counts: [3, 3, 3, 1, 1, 1, 0, 0, 0] },
      Researchers: { counts: [3, 3, 2, 1, 0, 0, 1, 0, 0] },
    },
  },
  {
    section: "Biomarkers",
    text: "Serum inflammatory markers (CRP and ESR)",
    ratings: {
      Clinicians: { counts: [0, 1, 2, 3, 4, 4, 2, 1, 0], unable: 1 },
      Patients: { counts: [1, 1, 1, 1, 1, 1, 1, 1, 0], unable: 4 },
      Researchers: { counts: [0, 0, 1, 2, 3, 2, 1, 1, 0] },
    },
  },
];

/** The answers of a group on an item, spread over its members, rotated by item so no one rates alike throughout. */
function groupAnswers(item: OutcomeItem, group: CosGroup, offset: number): Answer[] {
  const { counts, unable = 0 } = item.ratings[group];
  const answers: Answer[] = [...counts.flatMap((n, i) => Array<Answer>(n).fill(i + 1)), ...Array<Answer>(unable).fill("unable")];
  const size = COS_GROUPS[group];
  if (answers.length !== size) throw new Error(`${item.text}: ${group} has ${answers.length} answers for ${size} members`);
  return answers.map((_, m) => answers[(m + offset) % size]!);
}

/**
 * A core-outcome-set study on the 9-point scale (COMET): 40 pseudonymous participants in three
 * stakeholder groups, COMET's rule required within every group, round 1 closed and published,
 * round 2 open on the outcomes not yet decided.
 */
function seedCoreOutcomeSet(
  tx: Queryable,
  input: { admin: { id: string }; secretary: { id: string }; observer: { id: string }; passwordHash: string; now: Date },
): void {
  const { now, secretary } = input;
  const created = new Date(now.getTime() - 50 * DAY);
  const guideline = createGuideline(tx, {
    slug: COS_SLUG,
    title: "Core outcome set for clinical trials in inflammatory myofibroblastic tumour (IMT-COS)",
    language: "en",
    description:
      "Which outcomes every trial in IMT should report, rated 1–9 by clinicians, patients and researchers in a COMET-style " +
      "Delphi. Demo data: the participants are pseudonymous.",
    scale: COS_SCALE,
    rule: COS_RULE,
    ruleText:
      "Consensus in: at least 70% of participants in each stakeholder group rate the outcome 7–9 (critical) and fewer than " +
      "15% rate it 1–3. Consensus out: at least 70% rate it 1–3 and fewer than 15% rate it 7–9.",
    createdBy: input.admin.id,
    createdAt: created,
  });
  const audit = (at: Date, action: string, details: Record<string, unknown>, actorId: string | null = secretary.id) =>
    recordAudit(tx, { guidelineId: guideline.id, actorId, action, details, at });
  audit(
    created,
    "guideline.created",
    { slug: COS_SLUG, title: guideline.title, secretaries: [DEMO_ACCOUNTS.secretary], invitedSecretaries: [] },
    input.admin.id,
  );
  const joined = new Date(created.getTime() + DAY);
  addMember(tx, { guidelineId: guideline.id, userId: secretary.id, role: "secretary", createdAt: created });
  addMember(tx, { guidelineId: guideline.id, userId: input.observer.id, role: "observer", createdAt: joined });

  const panel: { membershipId: string; userId: string; group: CosGroup }[] = [];
  for (const [group, size] of Object.entries(COS_GROUPS) as [CosGroup, number][]) {
    for (let i = 0; i < size; i++) {
      const n = panel.length + 1;
      const user = insertUser(tx, {
        email: DEMO_ACCOUNTS.cosParticipant(n),
        name: `Participant ${String(n).padStart(2, "0")}`,
        passwordHash: input.passwordHash,
      });
      const member = addMember(tx, {
        guidelineId: guideline.id,
        userId: user.id,
        role: "panelist",
        discipline: null,
        stakeholderGroup: group,
        createdAt: joined,
      });
      panel.push({ membershipId: member.id, userId: user.id, group });
    }
  }

  const drafting = new Date(now.getTime() - 45 * DAY);
  const outcomes = COS_OUTCOMES.map((item, i) => {
    const made = createStatement(tx, {
      guidelineId: guideline.id,
      position: i + 1,
      section: item.section,
      text: item.text,
      authorId: secretary.id,
      createdAt: drafting,
    });
    audit(drafting, "statement.created", { statementId: made.statement.id, statement: i + 1 });
    return made;
  });
  audit(drafting, "round.created", { round: 1, items: outcomes.length });
  const opened = new Date(now.getTime() - 40 * DAY);
  const first = createRound(tx, {
    guidelineId: guideline.id,
    number: 1,
    status: "open",
    revisionIds: outcomes.map((o) => o.revision.id),
    createdAt: drafting,
    openedAt: opened,
    actorId: secretary.id,
  });
  castInOrder(
    tx,
    guideline.id,
    COS_OUTCOMES.flatMap((item, i) =>
      (Object.keys(COS_GROUPS) as CosGroup[]).flatMap((group) => {
        const members = panel.filter((m) => m.group === group);
        return groupAnswers(item, group, i * 3).map((answer, m) => ({
          roundItemId: first.items[i]!.id,
          membershipId: members[m]!.membershipId,
          userId: members[m]!.userId,
          answer,
          at: new Date(opened.getTime() + ((panel.indexOf(members[m]!) * 29 + i * 13) % 160) * 3_600_000),
          round: 1,
          item: i + 1,
        }));
      }),
    ),
  );
  closeRound(tx, { roundId: first.round.id, actorId: secretary.id, now: new Date(now.getTime() - 30 * DAY) });
  publish(tx, { slug: COS_SLUG, actorId: secretary.id, now: new Date(now.getTime() - 28 * DAY) });

  // Round 2: the three undecided outcomes, rated again beside round 1's results.
  const undecided = [2, 3, 5].map((i) => outcomes[i]!);
  const carried = new Date(now.getTime() - 5 * DAY);
  audit(carried, "round.created", { round: 2, items: undecided.length });
  const reopened = new Date(now.getTime() - 2 * DAY);
  const second = createRound(tx, {
    guidelineId: guideline.id,
    number: 2,
    status: "open",
    revisionIds: undecided.map((o) => o.revision.id),
    createdAt: carried,
    openedAt: reopened,
    closesAt: new Date(now.getTime() + 12 * DAY),
    actorId: secretary.id,
  });
  // Fifteen participants have answered so far.
  castInOrder(
    tx,
    guideline.id,
    panel.slice(0, 15).flatMap((member, m) =>
      second.items.map((item, i) => ({
        roundItemId: item.id,
        membershipId: member.membershipId,
        userId: member.userId,
        answer: ((m + i * 2) % 9) + 1,
        at: new Date(reopened.getTime() + (m + 1) * 2_400_000),
        round: 2,
        item: i + 1,
      })),
    ),
  );
}
