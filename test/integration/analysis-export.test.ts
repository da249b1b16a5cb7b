import { and, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { guidelines, memberships, respondentCodes, rounds, users } from "@db/schema";
import type { Tally } from "~/consensus/tally";
import { loader } from "~/routes/g.$slug.exports.$file";
import { ballotsCsv, BALLOT_COLUMNS, commentsCsv } from "~/server/analysis.server";
import { recuseMember, unrecuseMember } from "~/server/panel.server";
import { frozenResults } from "~/server/results.server";
import { closeRound } from "~/server/rounds.server";
import { COS_SLUG, DEMO_SLUG, seedDemo } from "../../scripts/seed-demo";
import { addMember, createUser } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";
import { cookieFor, getRequest, respond } from "../support/requests";

type Row = Record<(typeof BALLOT_COLUMNS)[number], string>;

/** The export's rows as objects; no field of this CSV holds a comma, quote or line break. */
function parse(csv: string): Row[] {
  const [header, ...lines] = csv.trimEnd().split("\r\n");
  expect(header).toBe(BALLOT_COLUMNS.join(","));
  return lines.map((line) => Object.fromEntries(line.split(",").map((v, i) => [BALLOT_COLUMNS[i]!, v])) as Row);
}

/** The counts of the export's rows for one round item, in the shape of its frozen tally. */
function recount(rows: Row[], tally: Tally): Tally {
  if ("ratings" in tally) {
    return {
      ratings: tally.ratings.map((_, i) => rows.filter((r) => r.rating === String(i + 1)).length),
      unable: rows.filter((r) => r.choice === "unable").length,
      eligible: tally.eligible,
    };
  }
  const n = (choice: string) => rows.filter((r) => r.choice === choice).length;
  return { agree: n("agree"), disagree: n("disagree"), abstain: n("abstain"), eligible: tally.eligible };
}

function groupBy<T>(values: T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) groups.set(key(value), [...(groups.get(key(value)) ?? []), value]);
  return groups;
}

function exportOf(slug: string): string {
  const guideline = guidelineBySlug(slug);
  return ballotsCsv(getDb(), { guidelineId: guideline.id, rule: guideline.rule });
}

function guidelineBySlug(slug: string) {
  return getDb().select().from(guidelines).where(eq(guidelines.slug, slug)).get()!;
}

function closedRoundsOf(guidelineId: string) {
  return getDb()
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, guidelineId), eq(rounds.status, "closed")))
    .all();
}

/** Every value that would tie a row to an account: ids, emails, names of the guideline's members. */
function accountValues(guidelineId: string): string[] {
  return getDb()
    .select({ membershipId: memberships.id, userId: users.id, email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.guidelineId, guidelineId))
    .all()
    .flatMap((m) => [m.membershipId, m.userId, m.email, m.name]);
}

describe("the demo's analysis exports", async () => {
  await seedDemo(getDb());

  test.each([DEMO_SLUG, COS_SLUG])("%s: the ballots of every closed round add up to its frozen tallies exactly", (slug) => {
    const guideline = guidelineBySlug(slug);
    const rows = parse(ballotsCsv(getDb(), { guidelineId: guideline.id, rule: guideline.rule }));
    const closed = closedRoundsOf(guideline.id);
    expect(closed.length).toBeGreaterThan(0);
    let items = 0;
    for (const round of closed) {
      for (const item of frozenResults(getDb(), round).items) {
        const mine = rows.filter((r) => r.round === String(round.number) && r.item === String(item.position));
        expect(mine.every((r) => r.statement_id === item.statementId && r.revision === String(item.revision))).toBe(true);
        expect(recount(mine, item.tally)).toEqual(item.tally);
        items++;
      }
    }
    expect(rows.length).toBe(
      closed.flatMap((round) => frozenResults(getDb(), round).items).reduce((n, i) => n + i.tally.eligible - i.noResponse, 0),
    );
    expect(items).toBeGreaterThan(0);
  });

  test("IMT: each of the 31 answered every statement, so each has one pseudonym on all nine rows", () => {
    const rows = parse(exportOf(DEMO_SLUG));
    const byRespondent = groupBy(rows, (r) => r.respondent);
    expect(byRespondent.size).toBe(31);
    for (const [code, answered] of byRespondent) {
      expect(code).toMatch(/^R-[0-9A-F]{12}$/);
      expect(answered.map((r) => r.item)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    }
  });

  test("IMT: a discipline shows only where at least five of it took part; none of the columns names an account", () => {
    const guideline = guidelineBySlug(DEMO_SLUG);
    const csv = exportOf(DEMO_SLUG);
    const rows = parse(csv);
    const perGroup = groupBy(
      rows.filter((r) => r.item === "1"),
      (r) => r.group,
    );
    // Pulmonology's 13 show by name; the nine disciplines of fewer than five are pooled, 18 in all.
    expect(new Map([...perGroup].map(([group, members]) => [group, members.length]))).toEqual(
      new Map([
        ["Pulmonary and critical care medicine", 13],
        ["other groups", 18],
      ]),
    );
    const disciplines = getDb()
      .selectDistinct({ discipline: memberships.discipline })
      .from(memberships)
      .where(eq(memberships.guidelineId, guideline.id))
      .all();
    expect(disciplines.length).toBeGreaterThanOrEqual(10);
    for (const { discipline } of disciplines) {
      if (discipline && discipline !== "Pulmonary and critical care medicine") expect(csv).not.toContain(discipline);
    }
    for (const value of accountValues(guideline.id)) expect(csv).not.toContain(value);
    // The pseudonyms are the stored ones, and not the ids of anything.
    const codes = getDb().select().from(respondentCodes).where(eq(respondentCodes.guidelineId, guideline.id)).all();
    expect(new Set(rows.map((r) => r.respondent))).toEqual(new Set(codes.map((c) => c.code)));
  });

  test("COS: the same pseudonym follows a respondent from round to round", () => {
    const guideline = guidelineBySlug(COS_SLUG);
    const rows = parse(ballotsCsv(getDb(), { guidelineId: guideline.id, rule: guideline.rule }));
    const rounds = new Set(rows.map((r) => r.round));
    const codes = new Set(rows.map((r) => r.respondent).filter(Boolean));
    expect(codes.size).toBeGreaterThan(0);
    for (const code of codes) expect(code).toMatch(/^R-[0-9A-F]{12}$/);
    expect(rounds.size).toBe(closedRoundsOf(guideline.id).length);
  });

  test("the comments export holds each closed round's comments, text only", () => {
    const guideline = guidelineBySlug(DEMO_SLUG);
    const csv = commentsCsv(getDb(), { guidelineId: guideline.id });
    const [header] = csv.split("\r\n");
    expect(header).toBe("round,item,statement_id,revision,comment");
    for (const value of accountValues(guideline.id)) expect(csv).not.toContain(value);
  });
});

describe("analysis exports of rounds closed here", () => {
  test("a member who answered only part of a round is never pseudonymous, and the pool cannot be subtracted out", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 12, statements: ["One", "Two", "Three"] });
    // Eleven answer all three; the twelfth answers statement 1 only.
    const round = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: g.statements.map((s) => s.revision.id),
      panel: g.panel,
      votes: [votes(12, 8, 4), votes(12, 9, 2), votes(12, 11)],
    });
    closeRound(db, { roundId: round.round.id, actorId: null });
    const rows = parse(ballotsCsv(db, { guidelineId: g.guideline.id, rule: g.guideline.rule }));
    const lone = db.select().from(respondentCodes).where(eq(respondentCodes.membershipId, g.panel[11]!.id)).get()!;
    expect(rows.some((r) => r.respondent === lone.code)).toBe(false);
    for (const item of ["1", "2", "3"]) {
      const pooled = rows.filter((r) => r.item === item && r.respondent === "");
      expect(pooled.length === 0 || pooled.length >= 5, `item ${item}: ${pooled.length} pooled`).toBe(true);
    }
    expect(new Set(rows.filter((r) => r.respondent).map((r) => r.respondent)).size).toBeGreaterThanOrEqual(5);
    expect(rows).toHaveLength(12 + 11 + 11);
  });

  test("ballots are read back as they were counted, even after a recusal is lifted", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 6, statements: ["One", "Two"] });
    const round = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: g.statements.map((s) => s.revision.id),
      panel: g.panel,
      votes: [votes(6, 6), votes(6, 3, 3)],
    });
    recuseMember(db, {
      guidelineId: g.guideline.id,
      membershipId: g.panel[0]!.id,
      statementId: g.statements[0]!.statement.id,
      reason: "Author of the cited trial",
      actorId: null,
    });
    closeRound(db, { roundId: round.round.id, actorId: null });
    unrecuseMember(db, {
      guidelineId: g.guideline.id,
      membershipId: g.panel[0]!.id,
      statementId: g.statements[0]!.statement.id,
      actorId: null,
    });
    const rows = parse(ballotsCsv(db, { guidelineId: g.guideline.id, rule: g.guideline.rule }));
    const [closed] = closedRoundsOf(g.guideline.id);
    const [first] = frozenResults(db, closed!).items;
    expect(first!.tally).toMatchObject({ agree: 5, eligible: 5 });
    expect(
      recount(
        rows.filter((r) => r.item === "1"),
        first!.tally,
      ),
    ).toEqual(first!.tally);
  });

  test("pseudonyms are random, kept across rounds, and an export made later says the same of earlier rounds", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 7, statements: ["One", "Two"] });
    const first = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      panel: g.panel,
      votes: [votes(7, 3, 4)],
    });
    closeRound(db, { roundId: first.round.id, actorId: null });
    const afterFirst = parse(ballotsCsv(db, { guidelineId: g.guideline.id, rule: g.guideline.rule }));
    const second = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 2,
      revisionIds: [g.statements[1]!.revision.id],
      panel: g.panel,
      votes: [votes(7, 7)],
    });
    closeRound(db, { roundId: second.round.id, actorId: null });
    const afterSecond = parse(ballotsCsv(db, { guidelineId: g.guideline.id, rule: g.guideline.rule }));
    expect(afterSecond.filter((r) => r.round === "1")).toEqual(afterFirst);
    const codesOf = (round: string) => new Set(afterSecond.filter((r) => r.round === round).map((r) => r.respondent));
    expect(codesOf("1").size).toBe(7);
    expect(codesOf("2")).toEqual(codesOf("1"));
    // Not in the order the members joined: the pseudonyms say nothing of who is who.
    const stored = g.panel.map(
      (m) => db.select().from(respondentCodes).where(eq(respondentCodes.membershipId, m.id)).get()!.code,
    );
    expect(new Set(stored)).toEqual(codesOf("1"));
    expect(stored.some((code) => g.panel.some((m) => code.includes(m.id) || m.id.includes(code.slice(2).toLowerCase())))).toBe(
      false,
    );
  });

  test("an open round is never exported, and only secretaries and observers may download", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 5, statements: ["One"] });
    const round = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      panel: g.panel,
      votes: [votes(5, 5)],
    });
    const download = async (cookie: string, file: string) =>
      respond(() =>
        loader({
          request: getRequest(`/g/${g.guideline.slug}/exports/${file}`, { cookie }),
          params: { slug: g.guideline.slug, file },
          context: {},
        }),
      );
    const secretary = await cookieFor(g.secretary.id);
    const open = await download(secretary, "ballots.csv");
    expect(open.status).toBe(200);
    expect((await open.text()).trimEnd()).toBe(BALLOT_COLUMNS.join(","));
    closeRound(db, { roundId: round.round.id, actorId: null });
    const closed = await download(secretary, "ballots.csv");
    expect(closed.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(parse(await closed.text())).toHaveLength(5);
    const observerUser = await createUser(db, { email: `observer-${g.guideline.slug}@example.org`, name: "Observer" });
    addMember(db, { guidelineId: g.guideline.id, userId: observerUser.id, role: "observer" });
    expect((await download(await cookieFor(observerUser.id), "comments.csv")).status).toBe(200);
    const panelist = await createUser(db, { email: `panelist-${g.guideline.slug}@example.org`, name: "Panelist" });
    addMember(db, { guidelineId: g.guideline.id, userId: panelist.id, role: "panelist" });
    expect((await download(await cookieFor(panelist.id), "ballots.csv")).status).toBe(403);
  });
});
