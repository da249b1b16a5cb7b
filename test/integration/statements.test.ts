import type * as RemixReact from "@remix-run/react";
import { count, eq } from "drizzle-orm";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, roundItems, statementRevisions, statements } from "@db/schema";
import StatementPage, {
  action as statementAction,
  loader as statementLoader,
} from "~/routes/g.$slug.statements.$statementId/route";
import StatementList, { action as listAction, loader as listLoader } from "~/routes/g.$slug.statements._index/route";
import { action as newAction, loader as newLoader } from "~/routes/g.$slug.statements.new/route";
import { publish } from "~/server/publications.server";
import { frozenResults } from "~/server/results.server";
import { carryOverNotAdopted, closeRound } from "~/server/rounds.server";
import { addMember, addRevision, createRound, createUser } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";
import { cookieFor, formRequest, getRequest, respond } from "../support/requests";

// Pages are rendered from their loader's data, as Remix would on the server.
const page = vi.hoisted(() => ({ data: undefined as unknown, actionData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => {
  const { createElement: h } = await import("react");
  return {
    ...(await original<typeof RemixReact>()),
    useLoaderData: () => page.data,
    useActionData: () => page.actionData,
    Link: ({ to, ...props }: { to: string }) => h("a", { href: to, ...props }),
    Form: (props: Record<string, unknown>) => h("form", props),
  };
});

const STATEMENT_8 =
  "Chemotherapy regimens based on anthracyclines, methotrexate, pemetrexed + platinum, and paclitaxel + platinum are recommended for patients with IMT";
const STATEMENT_8_REVISED =
  "Chemotherapy regimens based on anthracyclines, methotrexate, pemetrexed + platinum, or paclitaxel + platinum may be considered for patients with IMT";

/** A guideline with two draft statements (positions 1 and 2), two panelists and a signed-in secretary. */
async function workspace() {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 2, statements: [STATEMENT_8, "Radical surgery is the main treatment"] });
  const [first, second] = g.statements.map((s) => s.statement) as [
    typeof statements.$inferSelect,
    typeof statements.$inferSelect,
  ];
  return { db, ...g, slug: g.guideline.slug, first, second, cookie: await cookieFor(g.secretary.id) };
}

type Workspace = Awaited<ReturnType<typeof workspace>>;

/** Round 1 over the first statement, both panelists agreeing, closed: revision 1 is voted and adopted. */
function voteOnFirst(w: Workspace) {
  const { round } = openRoundWithBallots(w.db, {
    guidelineId: w.guideline.id,
    number: 1,
    revisionIds: [w.statements[0]!.revision.id],
    panel: w.panel,
    votes: [votes(2, 2)],
  });
  closeRound(w.db, { roundId: round.id, actorId: w.secretary.id });
  return round;
}

function openRoundOnFirst(w: Workspace, number = 1) {
  return createRound(w.db, { guidelineId: w.guideline.id, number, revisionIds: [w.statements[0]!.revision.id], status: "open" });
}

const listPath = (slug: string) => `/g/${slug}/statements`;
const statementPath = (slug: string, id: string) => `/g/${slug}/statements/${id}`;

function getList(slug: string, cookie?: string, search = "") {
  return respond(() => listLoader({ request: getRequest(listPath(slug) + search, { cookie }), params: { slug }, context: {} }));
}
function postList(slug: string, fields: Record<string, string>, cookie?: string) {
  return respond(() =>
    listAction({ request: formRequest(`${listPath(slug)}?index`, fields, { cookie }), params: { slug }, context: {} }),
  );
}
function getNew(slug: string, cookie?: string) {
  return respond(() => newLoader({ request: getRequest(`${listPath(slug)}/new`, { cookie }), params: { slug }, context: {} }));
}
function postNew(slug: string, fields: Record<string, string>, cookie?: string) {
  return respond(() =>
    newAction({ request: formRequest(`${listPath(slug)}/new`, fields, { cookie }), params: { slug }, context: {} }),
  );
}
function getStatement(slug: string, statementId: string, cookie?: string, search = "") {
  return respond(() =>
    statementLoader({
      request: getRequest(statementPath(slug, statementId) + search, { cookie }),
      params: { slug, statementId },
      context: {},
    }),
  );
}
function postStatement(slug: string, statementId: string, fields: Record<string, string>, cookie?: string) {
  return respond(() =>
    statementAction({
      request: formRequest(statementPath(slug, statementId), fields, { cookie }),
      params: { slug, statementId },
      context: {},
    }),
  );
}

const edit = (
  fields: Partial<Record<"section" | "text" | "rationale" | "references" | "changeNote", string>>,
): Record<string, string> => ({
  intent: "edit",
  section: "Section 1",
  text: STATEMENT_8,
  ...fields,
});

function revisionsOf(statementId: string) {
  return getDb()
    .select()
    .from(statementRevisions)
    .where(eq(statementRevisions.statementId, statementId))
    .orderBy(statementRevisions.revision)
    .all();
}
function statementRow(statementId: string) {
  return getDb().select().from(statements).where(eq(statements.id, statementId)).get()!;
}
function rowCounts() {
  const db = getDb();
  return {
    statements: db.select({ n: count() }).from(statements).get()!.n,
    revisions: db.select({ n: count() }).from(statementRevisions).get()!.n,
    audit: db.select({ n: count() }).from(auditEvents).get()!.n,
  };
}
function lastAudit(guidelineId: string) {
  return getDb().select().from(auditEvents).where(eq(auditEvents.guidelineId, guidelineId)).orderBy(auditEvents.id).all().at(-1)!;
}

describe("creating a statement", () => {
  test("adds a draft at the end of the order as revision 1 by the secretary, and goes to its page", async () => {
    const w = await workspace();
    const response = await postNew(
      w.slug,
      {
        section: " Chemotherapy ",
        text: "Chemotherapy is recommended for unresectable IMT without ALK fusion",
        rationale: "Case series only.",
        references: "Smith 2020",
      },
      w.cookie,
    );
    expect(response.status).toBe(302);
    const created = getDb().select().from(statements).where(eq(statements.guidelineId, w.guideline.id)).all().at(-1)!;
    expect(response.headers.get("Location")).toBe(`${statementPath(w.slug, created.id)}?done=created`);
    expect(created).toMatchObject({ position: 3, status: "draft" });
    expect(revisionsOf(created.id)).toMatchObject([
      {
        revision: 1,
        section: "Chemotherapy",
        text: "Chemotherapy is recommended for unresectable IMT without ALK fusion",
        rationale: "Case series only.",
        references: "Smith 2020",
        authorId: w.secretary.id,
        changeNote: null,
      },
    ]);
    expect(lastAudit(w.guideline.id)).toMatchObject({
      action: "statement.created",
      actorId: w.secretary.id,
      details: { statementId: created.id, statement: 3 },
    });
  });

  test("bad input: every field error at once, 400, and nothing written", async () => {
    const w = await workspace();
    const before = rowCounts();
    const response = await postNew(
      w.slug,
      { section: "s".repeat(201), text: "   ", rationale: "r".repeat(10_001), references: "x".repeat(10_001) },
      w.cookie,
    );
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual({
      section: ["A section has at most 200 characters"],
      text: ["Write the statement"],
      rationale: ["The rationale has at most 10,000 characters"],
      references: ["The references has at most 10,000 characters"],
    });
    expect(rowCounts()).toEqual(before);

    const tooLong = await postNew(w.slug, { text: "t".repeat(4001) }, w.cookie);
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error).toEqual({ text: ["A statement has at most 4,000 characters"] });
    expect(rowCounts()).toEqual(before);
  });
});

describe("editing a statement", () => {
  test("a statement no round has voted on is draft wording: edited in place, no new revision", async () => {
    const w = await workspace();
    const response = await postStatement(
      w.slug,
      w.first.id,
      edit({ section: "Systemic therapy", text: STATEMENT_8_REVISED, rationale: "Updated evidence" }),
      w.cookie,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`${statementPath(w.slug, w.first.id)}?done=edited&revision=1`);
    expect(revisionsOf(w.first.id)).toMatchObject([
      {
        id: w.statements[0]!.revision.id,
        revision: 1,
        section: "Systemic therapy",
        text: STATEMENT_8_REVISED,
        rationale: "Updated evidence",
        changeNote: null,
      },
    ]);
    expect(lastAudit(w.guideline.id)).toMatchObject({
      action: "statement.edited",
      details: { statementId: w.first.id, statement: 1, revision: 1 },
    });
  });

  test("a voted statement gets a new revision with its change note; the voted one is untouched", async () => {
    const w = await workspace();
    voteOnFirst(w);
    const voted = revisionsOf(w.first.id)[0]!;
    const response = await postStatement(
      w.slug,
      w.first.id,
      edit({ text: STATEMENT_8_REVISED, changeNote: "Softened after round 1 comments" }),
      w.cookie,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`${statementPath(w.slug, w.first.id)}?done=revised&revision=2`);
    const [first, second] = revisionsOf(w.first.id);
    expect(first).toEqual(voted);
    expect(second).toMatchObject({
      revision: 2,
      text: STATEMENT_8_REVISED,
      changeNote: "Softened after round 1 comments",
      authorId: w.secretary.id,
    });
    // The statement keeps its verdict until a round votes on the new wording.
    expect(statementRow(w.first.id).status).toBe("adopted");
    expect(lastAudit(w.guideline.id)).toMatchObject({
      action: "statement.revised",
      details: { statementId: w.first.id, statement: 1, previousRevision: 1, revision: 2 },
    });
  });

  test("the database itself refuses to change a voted revision, which is why edits make a new one", async () => {
    const w = await workspace();
    voteOnFirst(w);
    expect(() =>
      getDb()
        .update(statementRevisions)
        .set({ text: "Sneaky" })
        .where(eq(statementRevisions.id, w.statements[0]!.revision.id))
        .run(),
    ).toThrow(/never changes/);
  });

  test("a voted statement needs a change note: field error, 400, nothing written", async () => {
    const w = await workspace();
    voteOnFirst(w);
    const before = rowCounts();
    const response = await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED, changeNote: "  " }), w.cookie);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual({
      changeNote: ["Say what changed: revision 1 was voted on in round 1"],
    });
    expect(rowCounts()).toEqual(before);
    expect(revisionsOf(w.first.id)).toHaveLength(1);
  });

  test("every field error at once when editing, and nothing written", async () => {
    const w = await workspace();
    voteOnFirst(w);
    const before = rowCounts();
    const response = await postStatement(w.slug, w.first.id, edit({ section: "s".repeat(201), text: "" }), w.cookie);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual({
      section: ["A section has at most 200 characters"],
      text: ["Write the statement"],
      changeNote: ["Say what changed: revision 1 was voted on in round 1"],
    });
    expect(rowCounts()).toEqual(before);
  });

  test("refused while the statement is in an open round: 409, the revision row unchanged", async () => {
    const w = await workspace();
    openRoundOnFirst(w);
    const [before] = revisionsOf(w.first.id);
    const counts = rowCounts();
    const response = await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED, changeNote: "x" }), w.cookie);
    expect(response.status).toBe(409);
    expect((await response.json()).error).toEqual({ "": ["Locked while round 1 is open."] });
    expect(revisionsOf(w.first.id)).toEqual([before]);
    expect(rowCounts()).toEqual(counts);
  });

  test("a new revision moves a draft round's item to it, so the round votes on the new wording", async () => {
    const w = await workspace();
    voteOnFirst(w);
    const { items } = createRound(w.db, { guidelineId: w.guideline.id, number: 2, revisionIds: [w.statements[0]!.revision.id] });
    await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED, changeNote: "Reworded" }), w.cookie);
    const revision2 = revisionsOf(w.first.id)[1]!;
    expect(getDb().select().from(roundItems).where(eq(roundItems.id, items[0]!.id)).get()!.revisionId).toBe(revision2.id);
  });

  test("a carried-over revision in a draft round is edited in place and keeps needing its change note", async () => {
    const w = await workspace();
    voteOnFirst(w);
    const carried = addRevision(w.db, {
      statementId: w.first.id,
      revision: 2,
      text: STATEMENT_8,
      changeNote: "Carried over from round 1",
    });
    createRound(w.db, { guidelineId: w.guideline.id, number: 2, revisionIds: [carried.id] });

    const missing = await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED }), w.cookie);
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toEqual({ changeNote: ["Say what changed in revision 2"] });

    const saved = await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED, changeNote: "Softened" }), w.cookie);
    expect(saved.headers.get("Location")).toBe(`${statementPath(w.slug, w.first.id)}?done=edited&revision=2`);
    expect(revisionsOf(w.first.id).map((r) => [r.revision, r.text, r.changeNote])).toEqual([
      [1, STATEMENT_8, null],
      [2, STATEMENT_8_REVISED, "Softened"],
    ]);
  });

  test("saving without any change is refused with a message, and nothing is written", async () => {
    const w = await workspace();
    const before = rowCounts();
    const response = await postStatement(w.slug, w.first.id, edit({}), w.cookie);
    expect(response.status).toBe(422);
    expect((await response.json()).error).toEqual({ "": ["Nothing changed."] });
    expect(rowCounts()).toEqual(before);
  });
});

describe("a statement's section", () => {
  test("is part of what a round voted on: a new section for a voted statement is revision n+1, and the set keeps the old one", async () => {
    const w = await workspace();
    const round = voteOnFirst(w);
    publish(w.db, { slug: w.slug, actorId: w.secretary.id });
    const voted = revisionsOf(w.first.id)[0]!;
    const response = await postStatement(
      w.slug,
      w.first.id,
      edit({ section: "Systemic therapy", changeNote: "Moved under systemic therapy" }),
      w.cookie,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`${statementPath(w.slug, w.first.id)}?done=revised&revision=2`);
    const [first, second] = revisionsOf(w.first.id);
    expect(first).toEqual(voted);
    expect(first!.section).toBe("Section 1");
    expect(second).toMatchObject({
      revision: 2,
      section: "Systemic therapy",
      text: STATEMENT_8,
      changeNote: "Moved under systemic therapy",
    });
    expect(lastAudit(w.guideline.id)).toMatchObject({
      action: "statement.revised",
      details: { statementId: w.first.id, previousRevision: 1, revision: 2 },
    });
    // Round 1's results and the published set show the section the panel voted under, until a round votes on revision 2.
    expect(frozenResults(w.db, round).items.map((item) => [item.section, item.revision])).toEqual([["Section 1", 1]]);
    expect(() => publish(w.db, { slug: w.slug, actorId: null })).toThrow(
      "Nothing has changed since version 1: no new version was published.",
    );
    const list = await (await getList(w.slug, w.cookie)).json();
    expect(list.statements[0]).toMatchObject({ id: w.first.id, section: "Systemic therapy", revision: 2 });
  });

  test("of a statement no round has voted on is changed in place", async () => {
    const w = await workspace();
    const response = await postStatement(w.slug, w.first.id, edit({ section: "Systemic therapy" }), w.cookie);
    expect(response.headers.get("Location")).toBe(`${statementPath(w.slug, w.first.id)}?done=edited&revision=1`);
    expect(revisionsOf(w.first.id).map((r) => [r.id, r.revision, r.section, r.text])).toEqual([
      [w.statements[0]!.revision.id, 1, "Systemic therapy", STATEMENT_8],
    ]);
  });

  test("goes with a statement carried over into the next round", async () => {
    const w = await workspace();
    const { round } = openRoundWithBallots(w.db, {
      guidelineId: w.guideline.id,
      number: 1,
      revisionIds: [w.statements[0]!.revision.id],
      panel: w.panel,
      votes: [votes(2, 0, 2)],
    });
    closeRound(w.db, { roundId: round.id, actorId: null });
    carryOverNotAdopted(w.db, { roundId: round.id, actorId: w.secretary.id });
    expect(revisionsOf(w.first.id).map((r) => [r.revision, r.section, r.changeNote])).toEqual([
      [1, "Section 1", null],
      [2, "Section 1", "Carried over from round 1 for re-wording"],
    ]);
  });

  test("of a voted revision is refused by the database itself", async () => {
    const w = await workspace();
    voteOnFirst(w);
    const sqlite = getDb().$client;
    const revisionId = w.statements[0]!.revision.id;
    expect(() => sqlite.prepare("update statement_revisions set section = 'Sneaky' where id = ?").run(revisionId)).toThrow(
      "a revision that went to a vote never changes; add a new revision",
    );
    expect(sqlite.prepare("select section from statement_revisions where id = ?").pluck().get(revisionId)).toBe("Section 1");
  });
});

describe("characters in a statement's fields", () => {
  test("control characters other than tab and line break are refused in every field at once: 400, nothing written", async () => {
    const w = await workspace();
    const before = rowCounts();
    const response = await postNew(
      w.slug,
      { section: "Imaging\u0000", text: "Line\u0007", rationale: "A lone\rreturn", references: "\u001B[31mSmith 2020" },
      w.cookie,
    );
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual({
      section: ["A section contains a control character (U+0000 at character 8): only tab and line break are allowed"],
      text: ["The statement contains a control character (U+0007 at character 5): only tab and line break are allowed"],
      rationale: ["The rationale contains a control character (U+000D at character 7): only tab and line break are allowed"],
      references: ["The references contains a control character (U+001B at character 1): only tab and line break are allowed"],
    });
    expect(rowCounts()).toEqual(before);

    voteOnFirst(w);
    const edited = await postStatement(
      w.slug,
      w.first.id,
      edit({ text: STATEMENT_8_REVISED, changeNote: "Softened\u0085" }),
      w.cookie,
    );
    expect(edited.status).toBe(400);
    expect((await edited.json()).error).toEqual({
      changeNote: ["A change note contains a control character (U+0085 at character 9): only tab and line break are allowed"],
    });
    expect(revisionsOf(w.first.id)).toHaveLength(1);
  });

  test("a browser's CRLF line breaks are stored as line feeds, and resending a voted text unchanged is no change", async () => {
    const w = await workspace();
    const fields = { section: "Imaging", text: "Line one\r\nline two", rationale: "Why\r\nand how", references: "\tSmith 2020" };
    expect((await postNew(w.slug, fields, w.cookie)).status).toBe(302);
    const created = getDb().select().from(statements).where(eq(statements.guidelineId, w.guideline.id)).all().at(-1)!;
    const [revision] = revisionsOf(created.id);
    expect(revision).toMatchObject({ text: "Line one\nline two", rationale: "Why\nand how", references: "Smith 2020" });

    const { round } = openRoundWithBallots(w.db, {
      guidelineId: w.guideline.id,
      number: 1,
      revisionIds: [revision!.id],
      panel: w.panel,
      votes: [votes(2, 2)],
    });
    closeRound(w.db, { roundId: round.id, actorId: null });
    const again = await postStatement(w.slug, created.id, { intent: "edit", ...fields, changeNote: "Resent" }, w.cookie);
    expect(again.status).toBe(422);
    expect((await again.json()).error).toEqual({ "": ["Nothing changed."] });
    expect(revisionsOf(created.id)).toEqual([revision]);
  });
});

describe("retiring and restoring", () => {
  test("retiring needs the confirmation box: 400 and the status unchanged", async () => {
    const w = await workspace();
    const before = rowCounts();
    const response = await postStatement(w.slug, w.first.id, { intent: "retire" }, w.cookie);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual({
      confirm: ["Tick the box to confirm that you want to retire this statement"],
    });
    expect(statementRow(w.first.id).status).toBe("draft");
    expect(rowCounts()).toEqual(before);
  });

  test("retires with confirmation, refuses edits while retired, and restores a draft to draft", async () => {
    const w = await workspace();
    const retired = await postStatement(w.slug, w.first.id, { intent: "retire", confirm: "on" }, w.cookie);
    expect(retired.status).toBe(302);
    expect(retired.headers.get("Location")).toBe(`${statementPath(w.slug, w.first.id)}?done=retired`);
    expect(statementRow(w.first.id).status).toBe("retired");
    expect(lastAudit(w.guideline.id)).toMatchObject({
      action: "statement.retired",
      details: { statementId: w.first.id, statement: 1, previousStatus: "draft" },
    });

    const editing = await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED }), w.cookie);
    expect(editing.status).toBe(409);
    expect((await editing.json()).error).toEqual({ "": ["This statement is retired: restore it before editing it."] });
    const again = await postStatement(w.slug, w.first.id, { intent: "retire", confirm: "on" }, w.cookie);
    expect(again.status).toBe(409);

    const restored = await postStatement(w.slug, w.first.id, { intent: "restore" }, w.cookie);
    expect(restored.status).toBe(302);
    expect(statementRow(w.first.id).status).toBe("draft");
    expect(lastAudit(w.guideline.id)).toMatchObject({ action: "statement.restored", details: { status: "draft" } });
  });

  test("restoring gives back the verdict of the latest closed round", async () => {
    const w = await workspace();
    voteOnFirst(w);
    await postStatement(w.slug, w.first.id, { intent: "retire", confirm: "on" }, w.cookie);
    await postStatement(w.slug, w.first.id, { intent: "restore" }, w.cookie);
    expect(statementRow(w.first.id).status).toBe("adopted");
  });

  test("refused while the statement is in an open round or a draft round", async () => {
    const w = await workspace();
    openRoundOnFirst(w);
    const open = await postStatement(w.slug, w.first.id, { intent: "retire", confirm: "on" }, w.cookie);
    expect(open.status).toBe(409);
    expect((await open.json()).error).toEqual({ "": ["Locked while round 1 is open."] });
    expect(statementRow(w.first.id).status).toBe("in_round");

    createRound(w.db, { guidelineId: w.guideline.id, number: 2, revisionIds: [w.statements[1]!.revision.id] });
    const draft = await postStatement(w.slug, w.second.id, { intent: "retire", confirm: "on" }, w.cookie);
    expect(draft.status).toBe(409);
    expect((await draft.json()).error).toEqual({
      "": ["Statement 2 is in draft round 2: take it out of that round before retiring it."],
    });
    expect(statementRow(w.second.id).status).toBe("draft");
  });
});

describe("the order of statements", () => {
  test("moving swaps a statement with its neighbour; the list follows the order", async () => {
    const w = await workspace();
    const moved = await postList(w.slug, { intent: "move", statementId: w.first.id, direction: "down" }, w.cookie);
    expect(moved.status).toBe(302);
    expect([statementRow(w.first.id).position, statementRow(w.second.id).position]).toEqual([2, 1]);
    const list = await (await getList(w.slug, w.cookie)).json();
    expect(list.statements.map((s: { id: string }) => s.id)).toEqual([w.second.id, w.first.id]);

    await postList(w.slug, { intent: "move", statementId: w.first.id, direction: "up" }, w.cookie);
    expect([statementRow(w.first.id).position, statementRow(w.second.id).position]).toEqual([1, 2]);
  });

  test("the first cannot move up, a bad direction is a field error, another guideline's statement is not found", async () => {
    const w = await workspace();
    const other = await workspace();
    const first = await postList(w.slug, { intent: "move", statementId: w.first.id, direction: "up" }, w.cookie);
    expect(first.status).toBe(409);
    expect((await first.json()).error).toEqual({ "": ["Statement 1 is already first."] });
    const bad = await postList(w.slug, { intent: "move", statementId: w.first.id, direction: "sideways" }, w.cookie);
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error)).toEqual(["direction"]);
    const foreign = await postList(w.slug, { intent: "move", statementId: other.second.id, direction: "up" }, w.cookie);
    expect(foreign.status).toBe(404);
    expect([statementRow(other.first.id).position, statementRow(other.second.id).position]).toEqual([1, 2]);
  });
});

describe("reading statements", () => {
  test("the list shows each statement's latest revision, status, lock and filters by status", async () => {
    const w = await workspace();
    voteOnFirst(w);
    await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED, changeNote: "Reworded" }), w.cookie);
    createRound(w.db, { guidelineId: w.guideline.id, number: 2, revisionIds: [w.statements[1]!.revision.id], status: "open" });

    const list = await (await getList(w.slug, w.cookie)).json();
    expect(list).toMatchObject({ slug: w.slug, canEdit: true, status: null });
    expect(list.statements).toEqual([
      {
        id: w.first.id,
        position: 1,
        section: "Section 1",
        status: "adopted",
        text: STATEMENT_8_REVISED,
        revision: 2,
        revisions: 2,
        lockedInRound: null,
        inDraftRound: null,
      },
      {
        id: w.second.id,
        position: 2,
        section: "Section 2",
        status: "in_round",
        text: "Radical surgery is the main treatment",
        revision: 1,
        revisions: 1,
        lockedInRound: 2,
        inDraftRound: null,
      },
    ]);
    const adopted = await (await getList(w.slug, w.cookie, "?status=adopted")).json();
    expect(adopted.status).toBe("adopted");
    expect(adopted.statements.map((s: { id: string }) => s.id)).toEqual([w.first.id]);
    const unknown = await (await getList(w.slug, w.cookie, "?status=bogus")).json();
    expect(unknown.status).toBeNull();
    expect(unknown.statements).toHaveLength(2);
  });

  test("the statement page has every revision, the rounds that voted on it and the word diff", async () => {
    const w = await workspace();
    voteOnFirst(w);
    await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED, changeNote: "Softened" }), w.cookie);
    const response = await getStatement(w.slug, w.first.id, w.cookie, "?done=revised&revision=2");
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data.notice).toBe("Saved as revision 2.");
    expect(data.statement).toMatchObject({
      id: w.first.id,
      position: 1,
      status: "adopted",
      lockedInRound: null,
      basis: { revision: 2, text: STATEMENT_8_REVISED, votedInRound: null },
    });
    const [first, second] = data.statement.revisions;
    expect(first).toMatchObject({
      revision: 1,
      author: null,
      rounds: [{ number: 1, status: "closed", result: { adopted: true, summary: "2 agree, 0 disagree, 0 abstain" } }],
      diff: null,
    });
    expect(second).toMatchObject({ revision: 2, author: w.secretary.name, changeNote: "Softened", rounds: [] });
    expect(second.diff).toEqual([
      { kind: "same", text: "Chemotherapy regimens based on anthracyclines, methotrexate, pemetrexed + platinum, " },
      { kind: "removed", text: "and" },
      { kind: "added", text: "or" },
      { kind: "same", text: " paclitaxel + platinum " },
      { kind: "removed", text: "are recommended" },
      { kind: "added", text: "may be considered" },
      { kind: "same", text: " for patients with IMT" },
    ]);
  });

  test("a statement of another guideline is a 404 for reading and for every action, and nothing changes", async () => {
    const w = await workspace();
    const other = await workspace();
    const read = await getStatement(w.slug, other.first.id, w.cookie);
    expect(read.status).toBe(404);
    expect(await read.json()).toEqual({ error: "No such statement." });
    expect((await getStatement(w.slug, "nosuchstatement", w.cookie)).status).toBe(404);
    const before = rowCounts();
    for (const fields of [edit({ text: "Hijacked" }), { intent: "retire", confirm: "on" }, { intent: "restore" }]) {
      expect((await postStatement(w.slug, other.first.id, fields, w.cookie)).status).toBe(404);
    }
    expect(rowCounts()).toEqual(before);
    expect(statementRow(other.first.id).status).toBe("draft");
  });
});

describe("rendered pages", () => {
  test("the history shows removed and added words, labelled for screen readers", async () => {
    const w = await workspace();
    voteOnFirst(w);
    await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED, changeNote: "Softened" }), w.cookie);
    page.data = await (await getStatement(w.slug, w.first.id, w.cookie)).json();
    page.actionData = undefined;
    const html = renderToStaticMarkup(createElement(StatementPage));
    expect(html).toContain("Changes from revision 1:");
    expect(html).toMatch(
      /<del><span[^>]*>removed: <\/span>are recommended<\/del><ins><span[^>]*>added: <\/span>may be considered<\/ins>/,
    );
    expect(html).toContain("Voted in round 1: adopted (2 agree, 0 disagree, 0 abstain).");
    expect(html).toContain("Revision 2 has not been voted on yet: saving updates it in place.");
  });

  test("a statement in a draft round is said to wait in it, not to have been voted in it", async () => {
    const w = await workspace();
    voteOnFirst(w);
    await postStatement(w.slug, w.first.id, edit({ text: STATEMENT_8_REVISED, changeNote: "Softened" }), w.cookie);
    const revision = w.db
      .select({ id: statementRevisions.id })
      .from(statementRevisions)
      .where(eq(statementRevisions.statementId, w.first.id))
      .all()
      .at(-1)!;
    createRound(w.db, { guidelineId: w.guideline.id, number: 3, revisionIds: [revision.id] });

    page.data = await (await getStatement(w.slug, w.first.id, w.cookie)).json();
    page.actionData = undefined;
    const html = renderToStaticMarkup(createElement(StatementPage));
    expect(html).toContain("In draft round 3, not voted on yet.");
    expect(html).toContain("Voted in round 1: adopted (2 agree, 0 disagree, 0 abstain).");
    expect(html).toContain('<span class="badge stmt-draft-round">In draft round 3</span>');
    expect(html).not.toMatch(/[Vv]oted in round 3|\(draft\)/);

    const list = await (await getList(w.slug, w.cookie)).json();
    expect(list.statements.map((s: { inDraftRound: number | null }) => s.inDraftRound)).toEqual([3, null]);
    page.data = list;
    expect(renderToStaticMarkup(createElement(StatementList))).toContain(
      '<span class="badge stmt-draft-round">In draft round 3</span>',
    );
  });

  test("a voted statement's form says a new revision is made and asks for the change note", async () => {
    const w = await workspace();
    voteOnFirst(w);
    page.data = await (await getStatement(w.slug, w.first.id, w.cookie)).json();
    page.actionData = undefined;
    const html = renderToStaticMarkup(createElement(StatementPage));
    expect(html).toContain("Saving a new section or wording creates revision 2 because revision 1 was voted in round 1.");
    expect(html).toMatch(/<textarea required=""[^>]*name="changeNote"/);
    expect(html).toContain("Save as revision 2");
  });

  test("the history shows where a revision moved the statement to another section", async () => {
    const w = await workspace();
    voteOnFirst(w);
    await postStatement(w.slug, w.first.id, edit({ section: "Systemic therapy", changeNote: "Moved" }), w.cookie);
    page.data = await (await getStatement(w.slug, w.first.id, w.cookie)).json();
    page.actionData = undefined;
    const html = renderToStaticMarkup(createElement(StatementPage));
    expect(html).toContain("<strong>Section:</strong> Section 1 → Systemic therapy");
    expect(html.match(/<strong>Section:<\/strong>/g)).toHaveLength(1);
  });

  test("a statement in an open round shows the lock and a disabled form, and no retire form", async () => {
    const w = await workspace();
    openRoundOnFirst(w);
    page.data = await (await getStatement(w.slug, w.first.id, w.cookie)).json();
    page.actionData = undefined;
    const html = renderToStaticMarkup(createElement(StatementPage));
    expect(html).toContain("Locked while round 1 is open");
    expect(html).toMatch(/<fieldset disabled=""/);
    expect(html).not.toContain("Retire statement");
  });

  test("an error shows in the form that was sent, after a plain (no JavaScript) post", async () => {
    const w = await workspace();
    page.data = await (await getStatement(w.slug, w.first.id, w.cookie)).json();
    page.actionData = await (await postStatement(w.slug, w.first.id, { intent: "retire" }, w.cookie)).json();
    const retire = renderToStaticMarkup(createElement(StatementPage));
    expect(retire).toMatch(
      /id="retire-statement-confirm"[^>]*\/>I want to retire this statement<\/label><p class="field-error"[^>]*>Tick the box/,
    );
    expect(retire).not.toContain('role="alert"');

    page.actionData = await (await postStatement(w.slug, w.first.id, edit({}), w.cookie)).json();
    const unchanged = renderToStaticMarkup(createElement(StatementPage));
    expect(unchanged).toMatch(
      /<form[^>]*id="edit-statement"[^>]*>.*<p class="form-error" role="alert"[^>]*>Nothing changed.<\/p>/,
    );
    expect(unchanged.match(/role="alert"/g)).toHaveLength(1);
    page.actionData = undefined;
  });

  test("the secretary's list links each statement and offers moves only where there is a neighbour", async () => {
    const w = await workspace();
    page.data = await (await getList(w.slug, w.cookie)).json();
    const html = renderToStaticMarkup(createElement(StatementList));
    expect(html).toContain(`href="/g/${w.slug}/statements/new"`);
    expect(html.match(/aria-label="Move statement \d (up|down)"/g)).toEqual([
      'aria-label="Move statement 1 down"',
      'aria-label="Move statement 2 up"',
    ]);
    expect(html).toContain('<label for="status-filter">Status</label>');

    page.data = await (await getList(w.slug, w.cookie, "?status=draft")).json();
    expect(renderToStaticMarkup(createElement(StatementList))).not.toContain("Move statement");
  });

  test("an observer sees the list and the statement without any form", async () => {
    const w = await workspace();
    const observer = await createUser(w.db, { email: `observer-render-${w.slug}@example.org`, name: "Observer" });
    addMember(w.db, { guidelineId: w.guideline.id, userId: observer.id, role: "observer" });
    const cookie = await cookieFor(observer.id);
    page.data = await (await getList(w.slug, cookie)).json();
    const list = renderToStaticMarkup(createElement(StatementList));
    expect(list).toContain(`href="/g/${w.slug}/statements/${w.first.id}"`);
    expect(list).not.toContain("New statement");
    expect(list).not.toContain("Move statement");
    page.data = await (await getStatement(w.slug, w.first.id, cookie)).json();
    const detail = renderToStaticMarkup(createElement(StatementPage));
    expect(detail).not.toContain("<form");
  });
});

describe("who may do what", () => {
  async function people(w: Workspace) {
    const other = await guidelineWithPanel(w.db, { panelSize: 0, statements: [] });
    const observer = await createUser(w.db, { email: `observer-${w.slug}@example.org`, name: "Observer" });
    addMember(w.db, { guidelineId: w.guideline.id, userId: observer.id, role: "observer" });
    return {
      observer: await cookieFor(observer.id),
      panelist: await cookieFor(w.panel[0]!.userId),
      otherSecretary: await cookieFor(other.secretary.id),
    };
  }

  const actions = (w: Workspace) => [
    (cookie?: string) => postNew(w.slug, { text: "Intruding statement" }, cookie),
    (cookie?: string) => postList(w.slug, { intent: "move", statementId: w.first.id, direction: "down" }, cookie),
    (cookie?: string) => postStatement(w.slug, w.first.id, edit({ text: "Intruding" }), cookie),
    (cookie?: string) => postStatement(w.slug, w.first.id, { intent: "retire", confirm: "on" }, cookie),
    (cookie?: string) => postStatement(w.slug, w.first.id, { intent: "restore" }, cookie),
  ];

  test("an observer reads the list and statement pages (drafts too) but every action is 403", async () => {
    const w = await workspace();
    const { observer } = await people(w);
    const list = await getList(w.slug, observer);
    expect(list.status).toBe(200);
    expect((await list.json()).canEdit).toBe(false);
    const detail = await getStatement(w.slug, w.first.id, observer);
    expect(detail.status).toBe(200);
    expect((await detail.json()).statement.status).toBe("draft");
    expect((await getNew(w.slug, observer)).status).toBe(403);
    const before = rowCounts();
    for (const act of actions(w)) expect((await act(observer)).status).toBe(403);
    expect(rowCounts()).toEqual(before);
    expect(revisionsOf(w.first.id)[0]!.text).toBe(STATEMENT_8);
  });

  test("a panelist and another guideline's secretary get 403 for every page and action", async () => {
    const w = await workspace();
    const { panelist, otherSecretary } = await people(w);
    const before = rowCounts();
    for (const cookie of [panelist, otherSecretary]) {
      expect((await getList(w.slug, cookie)).status).toBe(403);
      expect((await getNew(w.slug, cookie)).status).toBe(403);
      expect((await getStatement(w.slug, w.first.id, cookie)).status).toBe(403);
      for (const act of actions(w)) expect((await act(cookie)).status).toBe(403);
    }
    expect(rowCounts()).toEqual(before);
    expect(statementRow(w.first.id)).toMatchObject({ position: 1, status: "draft" });
  });

  test("anonymous visitors are sent to log in", async () => {
    const w = await workspace();
    const before = rowCounts();
    for (const response of [
      await getList(w.slug),
      await getNew(w.slug),
      await getStatement(w.slug, w.first.id),
      ...(await Promise.all(actions(w).map((act) => act()))),
    ]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    }
    expect(rowCounts()).toEqual(before);
  });
});
