/**
 * The IMT demo: the real Table 1 consensus voted by 31 pseudonymous panelists (per-panelist
 * ballots that add up exactly to the published totals), round 1 closed and published as version 1,
 * and the start of a second edition with an open round. Seeds only an empty database, and never in production.
 * Its audit trail holds, in the order they happened, the events the app itself would have
 * recorded for the guideline, its statements, rounds, ballots and publication.
 */
import type { DB, Queryable } from "@db/client.server";
import type { Choice } from "@db/schema";
import { RuleSchema } from "~/consensus/rule";
import { recordAudit } from "~/server/audit.server";
import { hashPassword } from "~/server/auth.server";
import { publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import record from "../fixtures/imt-2025-table1.json";
import {
  addMember,
  addRevision,
  castBallot,
  createGuideline,
  createRound,
  createStatement,
  insertUser,
} from "../test/support/factories";

export const DEMO_PASSWORD = "delphi-demo";
export const DEMO_SLUG = record.guideline.slug;

export const DEMO_ACCOUNTS = {
  admin: "admin@imt.example",
  secretary: "secretary@imt.example",
  observer: "observer@imt.example",
  panelist: (n: number) => `expert${String(n).padStart(2, "0")}@imt.example`,
};

const DAY = 86_400_000;

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
  choice: Choice;
  at: Date;
  round: number;
  item: number;
};

/** Casts ballots in the order of their times, each with the audit event casting it records. */
function castInOrder(db: Queryable, guidelineId: string, list: DemoBallot[]): void {
  for (const ballot of [...list].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    castBallot(db, ballot);
    recordAudit(db, {
      guidelineId,
      actorId: ballot.userId,
      action: "ballot.cast",
      details: { round: ballot.round, item: ballot.item },
      at: ballot.at,
    });
  }
}

/** Tables holding rows, with their counts: every table but drizzle's own record of migrations. */
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
  db.transaction((tx) => seedInto(tx, db, passwordHash, now), { behavior: "immediate" });
  return { seeded: true };
}

function seedInto(tx: Queryable, db: DB, passwordHash: string, now: Date): void {
  refuseUnlessEmpty(db);
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
  addMember(tx, { guidelineId: guideline.id, userId: secretary.id, role: "secretary" });
  addMember(tx, { guidelineId: guideline.id, userId: observer.id, role: "observer" });

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
    });
    panel.push({ membershipId: member.id, userId: user.id, discipline });
  }

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
                choice,
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
        choice: early[m % early.length]![i]!,
        at: new Date(openedAt.getTime() + (m + 1) * 3_600_000),
        round: 2,
        item: i + 1,
      })),
    ),
  );
}
