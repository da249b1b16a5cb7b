import type * as RemixReact from "@remix-run/react";
import { and, count, eq, inArray } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import {
  auditEvents,
  guidelines,
  outboxMails,
  recusals,
  roundItems,
  rounds,
  statementRevisions,
  statements,
  users,
} from "@db/schema";
import OverviewPage, { loader as overviewLoader } from "~/routes/g.$slug._index/route";
import RoundPage, { action as roundAction, loader as roundLoader } from "~/routes/g.$slug.rounds.$number/route";
import RoundsPage, { action as roundsAction, loader as roundsLoader } from "~/routes/g.$slug.rounds._index/route";
import { closeRound } from "~/server/rounds.server";
import { addMember, addRevision, castBallot, createRound, createUser } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";
import { cookieFor, getRequest, respond } from "../support/requests";

// Pages are rendered from their loader's and action's data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown, actionData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => page.actionData,
  Form: (props: ComponentProps<"form">) => createElement("form", props),
  Link: ({ to, ...props }: ComponentProps<"a"> & { to: string }) => createElement("a", { href: to, ...props }),
}));

async function render(component: () => JSX.Element, loaderResponse: Response, actionResponse?: Response): Promise<string> {
  page.loaderData = await loaderResponse.json();
  page.actionData = actionResponse ? await actionResponse.json() : undefined;
  return renderToStaticMarkup(createElement(component));
}

const ORIGIN = "http://localhost";

/** A form POST; repeated names (checkboxes) as repeated pairs. */
function post(path: string, fields: [string, string][], cookie?: string): Request {
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded" });
  if (cookie) headers.set("Cookie", cookie);
  return new Request(ORIGIN + path, { method: "POST", headers, body: new URLSearchParams(fields) });
}

const listPath = (slug: string) => `/g/${slug}/rounds`;
const roundPath = (slug: string, number: number) => `/g/${slug}/rounds/${number}`;

const loadList = (slug: string, cookie?: string) =>
  respond(() => roundsLoader({ request: getRequest(listPath(slug), { cookie }), params: { slug }, context: {} }));
const createDraft = (slug: string, fields: [string, string][], cookie?: string) =>
  respond(() => roundsAction({ request: post(listPath(slug), fields, cookie), params: { slug }, context: {} }));
const loadRound = (slug: string, number: number, cookie?: string, search = "") =>
  respond(() =>
    roundLoader({
      request: getRequest(roundPath(slug, number) + search, { cookie }),
      params: { slug, number: String(number) },
      context: {},
    }),
  );
const act = (slug: string, number: number, fields: [string, string][], cookie?: string) =>
  respond(() =>
    roundAction({
      request: post(roundPath(slug, number), fields, cookie),
      params: { slug, number: String(number) },
      context: {},
    }),
  );
const loadOverview = (slug: string, cookie?: string) =>
  respond(() => overviewLoader({ request: getRequest(`/g/${slug}`, { cookie }), params: { slug }, context: {} }));

const chosen = (ids: string[]): [string, string][] => ids.map((id) => ["statementIds", id]);
/** The confirmation step's form: opening without `confirm=yes` is refused. */
const OPEN: [string, string][] = [
  ["intent", "open"],
  ["confirm", "yes"],
];

/** A guideline with a secretary, an observer and a panel, and cookies for each kind of visitor. */
async function workspace(
  input: { panelSize?: number; statements?: string[]; anonymity?: "anonymous" | "named"; showRunningCounts?: boolean } = {},
) {
  const db = getDb();
  const g = await guidelineWithPanel(db, {
    panelSize: input.panelSize ?? 4,
    statements: input.statements ?? ["Imaging first", "Biopsy always", "Surgery first"],
  });
  db.update(guidelines)
    .set({ anonymity: input.anonymity ?? "anonymous", showRunningCounts: input.showRunningCounts ?? true })
    .where(eq(guidelines.id, g.guideline.id))
    .run();
  const observerUser = await createUser(db, { email: `observer-${g.guideline.slug}@example.org`, name: "Olive Observer" });
  addMember(db, { guidelineId: g.guideline.id, userId: observerUser.id, role: "observer" });
  const other = await guidelineWithPanel(db, { panelSize: 1, statements: ["Elsewhere"] });
  return {
    db,
    ...g,
    slug: g.guideline.slug,
    secretaryCookie: await cookieFor(g.secretary.id),
    observerCookie: await cookieFor(observerUser.id),
    panelistCookie: await cookieFor(g.panel[0]!.userId),
    otherSecretaryCookie: await cookieFor(other.secretary.id),
  };
}

type Workspace = Awaited<ReturnType<typeof workspace>>;

function roundsOf(w: Workspace) {
  return w.db.select().from(rounds).where(eq(rounds.guidelineId, w.guideline.id)).all();
}

function roundRow(w: Workspace, number: number) {
  return w.db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, w.guideline.id), eq(rounds.number, number)))
    .get()!;
}

function itemsOf(w: Workspace, number: number) {
  return w.db
    .select({ id: roundItems.id, revisionId: roundItems.revisionId, position: roundItems.position })
    .from(roundItems)
    .where(eq(roundItems.roundId, roundRow(w, number).id))
    .orderBy(roundItems.position)
    .all();
}

function auditActions(w: Workspace) {
  return w.db
    .select({ action: auditEvents.action, details: auditEvents.details, actorId: auditEvents.actorId })
    .from(auditEvents)
    .where(eq(auditEvents.guidelineId, w.guideline.id))
    .all();
}

function expectRedirect(response: Response, location: string) {
  expect(response.status).toBe(302);
  expect(response.headers.get("Location")).toBe(location);
}

async function formErrors(response: Response) {
  return ((await response.clone().json()) as { error: Record<string, string[]> }).error;
}

/** Round 1 open over every statement, with its panel snapshotted. */
async function openRoundOne(input: Parameters<typeof workspace>[0] = {}) {
  const w = await workspace(input);
  const { round, items } = createRound(w.db, {
    guidelineId: w.guideline.id,
    number: 1,
    revisionIds: w.statements.map((s) => s.revision.id),
    status: "open",
    closesAt: new Date(Date.now() + 5 * 86_400_000 + 3_600_000),
  });
  return { ...w, round, items };
}

describe("creating a draft round", () => {
  test("offers every statement that can go into a round, not-yet-adopted ones chosen, each with its latest revision", async () => {
    const w = await workspace({ statements: ["New", "Adopted", "Not adopted", "Retired", "Re-worded"] });
    const [fresh, adopted, notAdopted, retired, reworded] = w.statements.map((s) => s.statement);
    w.db.update(statements).set({ status: "adopted" }).where(eq(statements.id, adopted!.id)).run();
    w.db.update(statements).set({ status: "not_adopted" }).where(eq(statements.id, notAdopted!.id)).run();
    w.db.update(statements).set({ status: "retired" }).where(eq(statements.id, retired!.id)).run();
    const revision2 = addRevision(w.db, { statementId: reworded!.id, revision: 2, text: "Re-worded, second take" });

    const data = (await (await loadList(w.slug, w.secretaryCookie)).json()) as {
      candidates: { statementId: string; revision: number; revisionId: string; suggested: boolean }[];
    };
    expect(data.candidates.map((c) => [c.statementId, c.revision, c.suggested])).toEqual([
      [fresh!.id, 1, true],
      [adopted!.id, 1, false],
      [notAdopted!.id, 1, true],
      [reworded!.id, 2, true],
    ]);

    const html = await render(RoundsPage, await loadList(w.slug, w.secretaryCookie));
    expect(html).toContain("Deadline (optional; date and time in UTC)");
    expect(html).toContain(`checked="" value="${fresh!.id}"`);
    expect(html).toContain(`<input type="checkbox" name="statementIds" value="${adopted!.id}"/>`);

    const response = await createDraft(
      w.slug,
      [...chosen([fresh!.id, reworded!.id]), ["closesAt", "2099-03-31T17:00"]],
      w.secretaryCookie,
    );
    expectRedirect(response, roundPath(w.slug, 1));
    const round = roundRow(w, 1);
    expect(round).toMatchObject({ status: "draft", closesAt: new Date("2099-03-31T17:00:00Z") });
    expect(itemsOf(w, 1).map((i) => [i.position, i.revisionId])).toEqual([
      [1, w.statements[0]!.revision.id],
      [2, revision2.id],
    ]);
    expect(auditActions(w).at(-1)).toEqual({ action: "round.created", details: { round: 1, items: 2 }, actorId: w.secretary.id });

    // Those two are now in a round, and no longer offered.
    const after = (await (await loadList(w.slug, w.secretaryCookie)).json()) as { candidates: { statementId: string }[] };
    expect(after.candidates.map((c) => c.statementId)).toEqual([adopted!.id, notAdopted!.id]);
  });

  test("allows one draft round at a time, and refuses bad input with every field error, writing nothing", async () => {
    const w = await workspace();
    const ids = w.statements.map((s) => s.statement.id);

    const empty = await createDraft(w.slug, [["closesAt", "31/03/2099"]], w.secretaryCookie);
    expect(empty.status).toBe(400);
    expect(await formErrors(empty)).toEqual({
      statementIds: ["Choose at least one statement"],
      closesAt: ["Enter a date and time, e.g. 2026-03-31T17:00"],
    });
    const past = await createDraft(w.slug, [...chosen(ids), ["closesAt", "2001-01-01T00:00"]], w.secretaryCookie);
    expect(past.status).toBe(422);
    expect((await formErrors(past))[""]![0]).toMatch(/^The deadline must be in the future/);
    expect(roundsOf(w)).toHaveLength(0);

    expectRedirect(await createDraft(w.slug, chosen([ids[0]!]), w.secretaryCookie), roundPath(w.slug, 1));
    const second = await createDraft(w.slug, chosen([ids[1]!]), w.secretaryCookie);
    expect(second.status).toBe(409);
    expect(await formErrors(second)).toEqual({
      "": [
        "Round 1 is already a draft: a guideline has at most one draft round and one open round at a time. Add statements to round 1 instead.",
      ],
    });
    expect(roundsOf(w)).toHaveLength(1);
    const html = await render(RoundsPage, await loadList(w.slug, w.secretaryCookie), second);
    expect(html).toContain("is being drafted");
    expect(html).not.toContain("Create draft round");
  });

  test("a new draft may be prepared while a round is open, numbered after it", async () => {
    const w = await workspace({ statements: ["In round 1", "Waiting"] });
    createRound(w.db, { guidelineId: w.guideline.id, number: 1, revisionIds: [w.statements[0]!.revision.id], status: "open" });
    expectRedirect(await createDraft(w.slug, chosen([w.statements[1]!.statement.id]), w.secretaryCookie), roundPath(w.slug, 2));
    const refused = await createDraft(w.slug, chosen([w.statements[0]!.statement.id]), w.secretaryCookie);
    expect(refused.status).toBe(409);
  });

  test("lists rounds with their response rate", async () => {
    const w = await workspace({ panelSize: 3 });
    const { round } = openRoundWithBallots(w.db, {
      guidelineId: w.guideline.id,
      number: 1,
      revisionIds: [w.statements[0]!.revision.id],
      panel: w.panel,
      votes: [votes(3, 1, 1)],
    });
    closeRound(w.db, { roundId: round.id, actorId: null });
    createRound(w.db, { guidelineId: w.guideline.id, number: 2, revisionIds: [w.statements[1]!.revision.id] });
    const response = await loadList(w.slug, w.observerCookie);
    const html = await render(RoundsPage, response.clone());
    const data = (await response.json()) as {
      rounds: { number: number; status: string; items: number; responded: number | null }[];
      candidates: unknown[];
    };
    expect(data.rounds.map((r) => [r.number, r.status, r.items, r.responded])).toEqual([
      [2, "draft", 1, null],
      [1, "closed", 1, 2],
    ]);
    expect(data.candidates).toEqual([]);
    expect(html).toContain("2 of 3 responded");
    expect(html).not.toContain("New draft round");
  });
});

describe("a draft round", () => {
  async function draft() {
    const w = await workspace({ statements: ["First", "Second", "Third"] });
    const [a, b, c] = w.statements.map((s) => s.statement.id);
    await createDraft(w.slug, chosen([c!, a!]), w.secretaryCookie);
    return { ...w, a: a!, b: b!, c: c! };
  }

  test("takes statements in and out, kept in the guideline's statement order", async () => {
    const w = await draft();
    expectRedirect(await act(w.slug, 1, [["intent", "add-items"], ...chosen([w.b])], w.secretaryCookie), roundPath(w.slug, 1));
    expect(itemsOf(w, 1).map((i) => i.revisionId)).toEqual(w.statements.map((s) => s.revision.id));

    const second = itemsOf(w, 1)[1]!;
    expectRedirect(
      await act(
        w.slug,
        1,
        [
          ["intent", "remove-item"],
          ["itemId", second.id],
        ],
        w.secretaryCookie,
      ),
      roundPath(w.slug, 1),
    );
    expect(itemsOf(w, 1).map((i) => [i.position, i.revisionId])).toEqual([
      [1, w.statements[0]!.revision.id],
      [2, w.statements[2]!.revision.id],
    ]);
    expect(auditActions(w).map((e) => e.action)).toEqual(["round.created", "round.items_added", "round.item_removed"]);

    const nothing = await act(w.slug, 1, [["intent", "add-items"]], w.secretaryCookie);
    expect(nothing.status).toBe(400);
    expect(await formErrors(nothing)).toEqual({ statementIds: ["Choose at least one statement"] });
    const inRound = await act(w.slug, 1, [["intent", "add-items"], ...chosen([w.a])], w.secretaryCookie);
    expect(inRound.status).toBe(409);
    expect(itemsOf(w, 1)).toHaveLength(2);
  });

  test("sets or clears its deadline, and refuses one in the past", async () => {
    const w = await draft();
    expectRedirect(
      await act(
        w.slug,
        1,
        [
          ["intent", "set-deadline"],
          ["closesAt", "2099-01-02T03:04"],
        ],
        w.secretaryCookie,
      ),
      roundPath(w.slug, 1),
    );
    expect(roundRow(w, 1).closesAt).toEqual(new Date("2099-01-02T03:04:00Z"));
    const past = await act(
      w.slug,
      1,
      [
        ["intent", "set-deadline"],
        ["closesAt", "2000-01-02T03:04"],
      ],
      w.secretaryCookie,
    );
    expect(past.status).toBe(422);
    expect(roundRow(w, 1).closesAt).toEqual(new Date("2099-01-02T03:04:00Z"));
    expectRedirect(
      await act(
        w.slug,
        1,
        [
          ["intent", "set-deadline"],
          ["closesAt", ""],
        ],
        w.secretaryCookie,
      ),
      roundPath(w.slug, 1),
    );
    expect(roundRow(w, 1).closesAt).toBeNull();
  });

  test("opens with the panel and rule snapshotted, then its items are locked", async () => {
    const w = await draft();
    expectRedirect(await act(w.slug, 1, OPEN, w.secretaryCookie), roundPath(w.slug, 1));
    const round = roundRow(w, 1);
    expect(round).toMatchObject({
      status: "open",
      panelSize: 4,
      ruleSnapshot: { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" },
    });
    expect(round.panelSnapshot?.members.map((m) => m.membershipId)).toEqual(w.panel.map((p) => p.id));
    expect(auditActions(w).at(-1)).toMatchObject({ action: "round.opened", details: { round: 1, items: 2, eligible: 4 } });
    const announced = w.db
      .select({ to: outboxMails.to, kind: outboxMails.kind, body: outboxMails.body })
      .from(outboxMails)
      .where(and(eq(outboxMails.guidelineId, w.guideline.id), eq(outboxMails.kind, "round-opened")))
      .all();
    expect(announced).toHaveLength(4);
    for (const mail of announced) expect(mail.body).toContain(`http://localhost/g/${w.slug}/vote`);

    const add = await act(w.slug, 1, [["intent", "add-items"], ...chosen([w.b])], w.secretaryCookie);
    expect(add.status).toBe(409);
    expect(await formErrors(add)).toEqual({ "": ["Round 1 is open: its statements are locked."] });
    const remove = await act(
      w.slug,
      1,
      [
        ["intent", "remove-item"],
        ["itemId", itemsOf(w, 1)[0]!.id],
      ],
      w.secretaryCookie,
    );
    expect(remove.status).toBe(409);
    expect(itemsOf(w, 1)).toHaveLength(2);
    const again = await act(w.slug, 1, OPEN, w.secretaryCookie);
    expect(again.status).toBe(409);
    expect(await formErrors(again)).toEqual({ "": ["Round 1 is already open."] });
    const deleted = await act(
      w.slug,
      1,
      [
        ["intent", "delete"],
        ["confirm", "on"],
      ],
      w.secretaryCookie,
    );
    expect(deleted.status).toBe(409);
    expect(roundRow(w, 1).status).toBe("open");
  });

  test("refuses to open an empty round, one whose deadline passed, or while another round is open", async () => {
    const w = await draft();
    for (const item of itemsOf(w, 1))
      await act(
        w.slug,
        1,
        [
          ["intent", "remove-item"],
          ["itemId", item.id],
        ],
        w.secretaryCookie,
      );
    const empty = await act(w.slug, 1, OPEN, w.secretaryCookie);
    expect(empty.status).toBe(422);
    expect(await formErrors(empty)).toEqual({ "": ["Round 1 has no statements: add at least one before opening it."] });
    const html = await render(RoundPage, await loadRound(w.slug, 1, w.secretaryCookie), empty);
    expect(html).toContain("Round 1 has no statements: add at least one before opening it.");
    expect(html).toContain("No statements yet");

    await act(w.slug, 1, [["intent", "add-items"], ...chosen([w.a])], w.secretaryCookie);
    w.db
      .update(rounds)
      .set({ closesAt: new Date(Date.now() - 60_000) })
      .where(eq(rounds.id, roundRow(w, 1).id))
      .run();
    const late = await act(w.slug, 1, OPEN, w.secretaryCookie);
    expect(late.status).toBe(422);
    expect(await formErrors(late)).toEqual({ "": ["The deadline must be in the future."] });
    expect(roundRow(w, 1).status).toBe("draft");

    w.db
      .update(rounds)
      .set({ closesAt: null })
      .where(eq(rounds.id, roundRow(w, 1).id))
      .run();
    await act(w.slug, 1, OPEN, w.secretaryCookie);
    await createDraft(w.slug, chosen([w.b]), w.secretaryCookie);
    const second = await act(w.slug, 2, OPEN, w.secretaryCookie);
    expect(second.status).toBe(409);
    expect(await formErrors(second)).toEqual({
      "": ["Round 1 is still open: close it before opening round 2 (one open round at a time)."],
    });
    expect(roundRow(w, 2).status).toBe("draft");
  });

  test("is deleted only with a confirmation", async () => {
    const w = await draft();
    const unconfirmed = await act(w.slug, 1, [["intent", "delete"]], w.secretaryCookie);
    expect(unconfirmed.status).toBe(400);
    expect(await formErrors(unconfirmed)).toEqual({ confirm: ["Tick the box to confirm that this draft round is deleted"] });
    expect(roundsOf(w)).toHaveLength(1);
    expectRedirect(
      await act(
        w.slug,
        1,
        [
          ["intent", "delete"],
          ["confirm", "on"],
        ],
        w.secretaryCookie,
      ),
      listPath(w.slug),
    );
    expect(roundsOf(w)).toHaveLength(0);
    expect(auditActions(w).at(-1)).toMatchObject({ action: "round.deleted", details: { round: 1 } });
  });
});

describe("opening a draft round", () => {
  /**
   * Round 1 voted and closed ("Imaging first" adopted, "Biopsy always" and "Surgery first" not),
   * both carried into draft round 2, and "Surgery first" re-worded there.
   */
  async function carriedOver() {
    const w = await workspace({ panelSize: 5, statements: ["Imaging first", "Biopsy always", "Surgery first"] });
    const { round } = openRoundWithBallots(w.db, {
      guidelineId: w.guideline.id,
      number: 1,
      revisionIds: w.statements.map((s) => s.revision.id),
      panel: w.panel,
      votes: [votes(5, 5), votes(5, 2, 2, 1), votes(5, 1, 3)],
    });
    closeRound(w.db, { roundId: round.id, actorId: w.secretary.id });
    expectRedirect(await act(w.slug, 1, [["intent", "carry-over"]], w.secretaryCookie), roundPath(w.slug, 2));
    const surgery = w.statements[2]!.statement.id;
    w.db
      .update(statementRevisions)
      .set({ text: "Surgery first, when the margins can be clear" })
      .where(and(eq(statementRevisions.statementId, surgery), eq(statementRevisions.revision, 2)))
      .run();
    return w;
  }

  const outbox = (w: Workspace) =>
    w.db.select({ n: count() }).from(outboxMails).where(eq(outboxMails.guidelineId, w.guideline.id)).get()!.n;

  test("is refused without the confirmation step's confirm=yes, changing nothing", async () => {
    const w = await workspace();
    await createDraft(w.slug, chosen([w.statements[0]!.statement.id]), w.secretaryCookie);
    const events = auditActions(w).length;
    for (const fields of [
      [["intent", "open"]],
      [
        ["intent", "open"],
        ["confirm", "on"],
      ],
    ] as [string, string][][]) {
      const refused = await act(w.slug, 1, fields, w.secretaryCookie);
      expect(refused.status).toBe(400);
      expect(await formErrors(refused)).toEqual({
        confirm: ["Confirm that the round opens: review what opening does, then use its button"],
      });
      // The page answers with the confirmation, the reason at its top.
      const html = await render(RoundPage, await loadRound(w.slug, 1, w.secretaryCookie), refused);
      expect(html).toContain("Open round 1?");
      expect(html).toContain("Confirm that the round opens");
    }
    expect(roundRow(w, 1)).toMatchObject({ status: "draft", openedAt: null, panelSnapshot: null });
    expect(outbox(w)).toBe(0);
    expect(auditActions(w)).toHaveLength(events);

    expectRedirect(await act(w.slug, 1, OPEN, w.secretaryCookie), roundPath(w.slug, 1));
    expect(roundRow(w, 1).status).toBe("open");
    expect(outbox(w)).toBe(4);
  });

  test("asks first, saying who is mailed, the deadline and that round 1 fixes the scale and the rule", async () => {
    const w = await workspace();
    await createDraft(w.slug, [...chosen([w.statements[1]!.statement.id]), ["closesAt", "2099-03-31T17:00"]], w.secretaryCookie);
    const draft = await render(RoundPage, await loadRound(w.slug, 1, w.secretaryCookie));
    expect(draft).toContain(">Open round 1…</button>");
    expect(draft).toContain('<input type="hidden" name="confirm" value="open"/>');
    expect(draft).not.toContain("Yes, open round 1");
    expect(draft).toContain(`href="/g/${w.slug}/statements/${w.statements[1]!.statement.id}">Edit statement 2</a>`);
    // The statement keeps its number in the guideline: statement 2, the round's first item.
    expect(draft).toContain("<h4>Statement 2</h4>");

    const html = await render(RoundPage, await loadRound(w.slug, 1, w.secretaryCookie, "?confirm=open"));
    expect(html).toContain("Open round 1?");
    expect(html).toContain("<strong>4 panelists will be mailed</strong>");
    expect(html).toMatch(
      /Deadline: <time dateTime="2099-03-31T17:00:00.000Z">31 Mar 2099, 17:00 UTC<\/time> \(closes in \d+ days\)/,
    );
    expect(html).toContain("This is the first round to open: it fixes the ballot scale, the adoption rule and anonymity");
    expect(html).toContain("Scale: Agree, disagree or abstain. Rule: At least 50% of participants agree and under 20% disagree.");
    expect(html).toContain('<input type="hidden" name="confirm" value="yes"/>');
    expect(html).toContain("Yes, open round 1 and mail 4 panelists");
    expect(html).not.toContain("back with the wording");
    expect(roundRow(w, 1).status).toBe("draft");
  });

  test("warns about carried-over statements whose wording has not changed since the round that did not adopt them", async () => {
    const w = await carriedOver();
    const [, biopsy, surgery] = w.statements.map((s) => s.statement.id);
    const data = (await (await loadRound(w.slug, 2, w.secretaryCookie, "?confirm=open")).json()) as {
      round: { opening: { recipients: number; fixesRule: boolean; unchanged: unknown[] } };
    };
    expect(data.round.opening).toMatchObject({
      recipients: 5,
      fixesRule: false,
      unchanged: [{ statementId: biopsy, number: 2, lastRound: 1 }],
    });
    const html = await render(RoundPage, await loadRound(w.slug, 2, w.secretaryCookie, "?confirm=open"));
    expect(html).toContain("1 statement is back with the wording a round did not adopt:");
    expect(html).toContain(
      `<a href="/g/${w.slug}/statements/${biopsy}">Statement 2</a>: not adopted in round 1, same text since`,
    );
    expect(html).not.toContain(`<a href="/g/${w.slug}/statements/${surgery}">Statement 3</a>: not adopted`);
    expect(html).toContain("No deadline set: the round stays open until you close it.");
    expect(html).toContain("The round is voted under the guideline&#x27;s fixed rule");
    expect(html).not.toContain("This is the first round to open");
    // Items carry their statement numbers (2 and 3), not their places in the round (1 and 2).
    expect(html).toContain("<h4>Statement 2</h4>");
    expect(html).toContain("<h4>Statement 3</h4>");
    expect(html).not.toContain("<h4>Statement 1</h4>");
    // The warning is shown before the confirmation step too.
    expect(await render(RoundPage, await loadRound(w.slug, 2, w.secretaryCookie))).toContain(
      "1 statement is back with the wording a round did not adopt:",
    );
  });
});

describe("the round page's header", () => {
  test('says "No deadline set" without one, and "Deadline passed — closing now" once an open round\'s has passed', async () => {
    const w = await workspace();
    await createDraft(w.slug, chosen([w.statements[0]!.statement.id]), w.secretaryCookie);
    const header = (await render(RoundPage, await loadRound(w.slug, 1, w.secretaryCookie))).split("</section>")[0]!;
    expect(header).toContain("<p>No deadline set</p>");
    expect(header).not.toContain("Closes");
    expect(await render(RoundsPage, await loadList(w.slug, w.secretaryCookie))).toContain("No deadline set");

    await act(w.slug, 1, OPEN, w.secretaryCookie);
    w.db
      .update(rounds)
      .set({ closesAt: new Date(Date.now() - 60_000) })
      .where(eq(rounds.id, roundRow(w, 1).id))
      .run();
    const overdue = await render(RoundPage, await loadRound(w.slug, 1, w.observerCookie));
    expect(overdue).toContain("<strong>Deadline passed — closing now</strong>");
    expect(await render(RoundsPage, await loadList(w.slug, w.observerCookie))).toContain(
      "<strong>Deadline passed — closing now</strong>",
    );
    // The page only reads: the server's tick (or the next action) closes the round.
    expect(roundRow(w, 1).status).toBe("open");
  });
});

type OpenData = {
  round: {
    status: "open";
    timeLeft: string;
    progress: {
      eligible: number;
      responded: number;
      complete: number;
      disciplines: { discipline: string; eligible: number; responded: number; complete: number }[];
      waiting: { name: string; email: string; discipline: string; answered: number; items: number }[] | null;
      waitingPage: { page: number; pages: number; size: number };
    };
    counts: { roundItemId: string; tally: { agree: number; disagree: number; abstain: number; eligible: number } }[] | null;
    choices: { itemId: string; choices: { name: string; choice: string }[] }[] | null;
  };
};

describe("an open round", () => {
  /** 6 panelists (Radiology: 0, 2, 4; Pathology: 1, 3, 5), 3 statements; member 5 is recused from statement 3. */
  async function withBallots(input: Parameters<typeof workspace>[0] = {}) {
    const w = await openRoundOne({ panelSize: 6, ...input });
    w.db.insert(recusals).values({ membershipId: w.panel[5]!.id, statementId: w.statements[2]!.statement.id }).run();
    const ballot = (item: number, member: number, choice: "agree" | "disagree" | "abstain", comment?: string) =>
      castBallot(w.db, { roundItemId: w.items[item]!.id, membershipId: w.panel[member]!.id, choice, comment });
    // Member 0 answers everything, 1 answers two of three, 5 answers both statements they may vote on.
    ballot(0, 0, "agree");
    ballot(1, 0, "disagree");
    ballot(2, 0, "abstain");
    ballot(0, 1, "agree");
    ballot(1, 1, "agree");
    ballot(0, 5, "agree");
    ballot(1, 5, "abstain");
    return w;
  }

  test("shows the response rate overall and per discipline, and who has not answered everything", async () => {
    const w = await withBallots();
    const response = await loadRound(w.slug, 1, w.secretaryCookie);
    const html = await render(RoundPage, response.clone());
    const { round } = (await response.json()) as OpenData;
    expect(round.timeLeft).toBe("closes in 5 days");
    expect(round.progress).toMatchObject({ eligible: 6, responded: 3, complete: 2 });
    expect(round.progress.disciplines).toEqual([
      { discipline: "Pathology", eligible: 3, responded: 2, complete: 1 },
      { discipline: "Radiology", eligible: 3, responded: 1, complete: 1 },
    ]);
    expect(round.progress.waiting!.map((m) => [m.name, m.email, m.discipline, m.answered, m.items])).toEqual([
      ["Panelist 2", expect.stringMatching(/^p\d+-2@example\.org$/), "Radiology", 0, 3],
      ["Panelist 3", expect.stringMatching(/^p\d+-3@example\.org$/), "Pathology", 0, 3],
      ["Panelist 4", expect.stringMatching(/^p\d+-4@example\.org$/), "Radiology", 0, 3],
      ["Panelist 1", expect.stringMatching(/^p\d+-1@example\.org$/), "Pathology", 2, 3],
    ]);
    expect(html).toContain("3 of 6 members (50%)");
    expect(html).toContain("2 of 3 answered");
    expect(html).toContain("Not responded");
    expect(html).toMatch(/<progress value="3" max="6"/);
    expect(html).toContain("Remind non-responders");
    expect(html).toContain("Closing is irreversible: ballots can no longer change");

    // Observers see the numbers but not the names and addresses, and no action.
    const observed = await loadRound(w.slug, 1, w.observerCookie);
    const observerHtml = await render(RoundPage, observed.clone());
    const observer = (await observed.json()) as OpenData;
    expect(observer.round.progress).toMatchObject({ eligible: 6, responded: 3, complete: 2, waiting: null });
    expect(observerHtml).not.toContain("Panelist 2");
    expect(observerHtml).not.toContain("<form");
  });

  test("lists those who have not answered everything 50 to a page, counted by the database, with links that work without JavaScript", async () => {
    const w = await openRoundOne({ panelSize: 120 });
    // 10 answer everything, 30 answer one statement, 80 nothing: 110 waiting, non-responders first.
    for (let m = 0; m < 40; m++) {
      for (let i = 0; i < (m < 10 ? 3 : 1); i++)
        castBallot(w.db, { roundItemId: w.items[i]!.id, membershipId: w.panel[m]!.id, choice: "agree" });
    }
    const pageOf = async (search: string) => {
      const response = await loadRound(w.slug, 1, w.secretaryCookie, search);
      return { html: await render(RoundPage, response.clone()), data: (await response.json()) as OpenData };
    };
    const first = await pageOf("");
    expect(first.data.round.progress).toMatchObject({ eligible: 120, responded: 40, complete: 10 });
    expect(first.data.round.progress.waiting).toHaveLength(50);
    expect(first.data.round.progress.waiting!.every((m) => m.answered === 0)).toBe(true);
    expect(first.html).toContain("110 members have not answered everything, non-responders first; 50 per page.");
    expect(first.html).toContain("Page 1 of 3");
    expect(first.html).toContain(`href="?waiting=2#waiting-title"`);

    const last = await pageOf("?waiting=3");
    expect(last.data.round.progress.waiting!.map((m) => m.answered)).toEqual(Array(10).fill(1));
    expect(last.html).toContain("Page 3 of 3");
    expect(last.html).toContain(`href="?waiting=2#waiting-title"`);
    expect(last.html).not.toContain("?waiting=4");
    // Every member on exactly one page; a page past the last shows the last.
    const second = await pageOf("?waiting=2");
    const names = [first, second, last].flatMap((p) => p.data.round.progress.waiting!.map((m) => m.name));
    expect(new Set(names).size).toBe(110);
    expect((await pageOf("?waiting=99")).data.round.progress.waiting!.map((m) => m.name)).toEqual(
      last.data.round.progress.waiting!.map((m) => m.name),
    );
  });

  test("reminds every panelist who has not answered all their statements, with the deadline and the link to vote", async () => {
    const w = await withBallots();
    const response = await act(w.slug, 1, [["intent", "remind"]], w.secretaryCookie);
    expectRedirect(response, `${roundPath(w.slug, 1)}?reminded=4`);
    const mails = w.db.select().from(outboxMails).where(eq(outboxMails.guidelineId, w.guideline.id)).all();
    const emails = w.db
      .select({ email: users.email })
      .from(users)
      .where(
        inArray(
          users.id,
          [1, 2, 3, 4].map((i) => w.panel[i]!.userId),
        ),
      )
      .all()
      .map((u) => u.email);
    expect(mails.map((m) => m.to).sort()).toEqual(emails.sort());
    for (const mail of mails) {
      expect(mail.kind).toBe("reminder");
      expect(mail.body).toContain(`Vote here: http://localhost/g/${w.slug}/vote`);
      expect(mail.body).toContain(
        `The round closes on ${new Date(roundRow(w, 1).closesAt!).toLocaleString("en-GB", {
          dateStyle: "medium",
          timeStyle: "short",
          timeZone: "UTC",
        })} UTC.`,
      );
    }
    expect(mails.find((m) => m.body.includes("Panelist 1"))!.body).toContain("you have answered 2 of 3 statements");
    expect(auditActions(w).at(-1)).toEqual({
      action: "round.reminded",
      details: { round: 1, count: 4 },
      actorId: w.secretary.id,
    });
    const html = await render(RoundPage, await loadRound(w.slug, 1, w.secretaryCookie, "?reminded=4"));
    expect(html).toContain("A reminder was queued for 4 members.");
  });

  test("refuses a reminder when everyone is complete", async () => {
    const w = await openRoundOne({ panelSize: 1, statements: ["Only"] });
    castBallot(w.db, { roundItemId: w.items[0]!.id, membershipId: w.panel[0]!.id, choice: "agree" });
    const response = await act(w.slug, 1, [["intent", "remind"]], w.secretaryCookie);
    expect(response.status).toBe(422);
    expect(await formErrors(response)).toEqual({
      "": ["Every panelist has answered all their statements: nobody needs a reminder."],
    });
    expect(w.db.select({ n: count() }).from(outboxMails).where(eq(outboxMails.guidelineId, w.guideline.id)).get()!.n).toBe(0);
  });

  test("running counts: never in an anonymous guideline, for anyone; to secretaries of a named one that shows them", async () => {
    const countsOf = async (slug: string, cookie: string) =>
      ((await (await loadRound(slug, 1, cookie)).json()) as OpenData).round.counts;
    // The anonymous guideline's stored setting says "show": it is ignored, for every role.
    const anonymous = await withBallots({ showRunningCounts: true });
    for (const cookie of [anonymous.secretaryCookie, anonymous.observerCookie]) {
      const response = await loadRound(anonymous.slug, 1, cookie);
      const html = await render(RoundPage, response.clone());
      const body = await response.text();
      expect(JSON.parse(body).round.counts).toBeNull();
      expect(body).not.toMatch(/"(agree|disagree|abstain|choice)"/);
      expect(html).toContain("This guideline is anonymous: nobody sees any count while the round is open");
      expect(html).not.toContain("Votes so far");
    }

    const named = await withBallots({ anonymity: "named", showRunningCounts: true });
    expect(
      (await countsOf(named.slug, named.secretaryCookie))!.map(({ tally }) => [tally.agree, tally.disagree, tally.abstain]),
    ).toEqual([
      [3, 0, 0],
      [1, 1, 1],
      [0, 0, 1],
    ]);
    expect(await countsOf(named.slug, named.observerCookie)).toBeNull();
    expect(await render(RoundPage, await loadRound(named.slug, 1, named.observerCookie))).toContain(
      "Counts show when the round closes.",
    );

    const off = await withBallots({ anonymity: "named", showRunningCounts: false });
    expect(await countsOf(off.slug, off.secretaryCookie)).toBeNull();
    expect(await render(RoundPage, await loadRound(off.slug, 1, off.secretaryCookie))).toContain(
      "Running counts are off in this guideline&#x27;s settings",
    );
  });

  test("never loads who chose what in an anonymous guideline; secretaries of a named one see it", async () => {
    const anonymous = await withBallots();
    const body = await (await loadRound(anonymous.slug, 1, anonymous.secretaryCookie)).text();
    expect(JSON.parse(body).round.choices).toBeNull();
    expect(body).not.toContain('"choice"');

    const named = await withBallots({ anonymity: "named" });
    const data = (await (await loadRound(named.slug, 1, named.secretaryCookie)).json()) as OpenData;
    expect(data.round.choices!.find((c) => c.itemId === named.items[1]!.id)!.choices).toEqual([
      { name: "Panelist 0", choice: "disagree" },
      { name: "Panelist 1", choice: "agree" },
      { name: "Panelist 5", choice: "abstain" },
    ]);
    const observer = (await (await loadRound(named.slug, 1, named.observerCookie)).json()) as OpenData;
    expect(observer.round.choices).toBeNull();
  });

  test("extends the deadline only to a later moment", async () => {
    const w = await openRoundOne();
    const current = roundRow(w, 1).closesAt!;
    const earlier = new Date(current.getTime() - 86_400_000).toISOString().slice(0, 16);
    const refused = await act(
      w.slug,
      1,
      [
        ["intent", "extend-deadline"],
        ["closesAt", earlier],
      ],
      w.secretaryCookie,
    );
    expect(refused.status).toBe(422);
    expect((await formErrors(refused))[""]![0]).toMatch(/^The new deadline must be later than the current one, /);
    const missing = await act(
      w.slug,
      1,
      [
        ["intent", "extend-deadline"],
        ["closesAt", ""],
      ],
      w.secretaryCookie,
    );
    expect(missing.status).toBe(400);
    expect(await formErrors(missing)).toEqual({ closesAt: ["Enter the new deadline"] });
    const impossible = await act(
      w.slug,
      1,
      [
        ["intent", "extend-deadline"],
        ["closesAt", "2099-02-30T10:00"],
      ],
      w.secretaryCookie,
    );
    expect(impossible.status).toBe(400);
    expect(await formErrors(impossible)).toEqual({ closesAt: ["That date does not exist"] });
    expect(roundRow(w, 1).closesAt).toEqual(current);

    expectRedirect(
      await act(
        w.slug,
        1,
        [
          ["intent", "extend-deadline"],
          ["closesAt", "2099-12-31T23:59"],
        ],
        w.secretaryCookie,
      ),
      roundPath(w.slug, 1),
    );
    expect(roundRow(w, 1).closesAt).toEqual(new Date("2099-12-31T23:59:00Z"));
    expect(auditActions(w).at(-1)).toEqual({
      action: "round.deadline_extended",
      details: { round: 1, from: current.toISOString(), to: "2099-12-31T23:59:00.000Z" },
      actorId: w.secretary.id,
    });
  });

  test("closes only with the confirmation, and only once", async () => {
    const w = await withBallots();
    const unconfirmed = await act(w.slug, 1, [["intent", "close"]], w.secretaryCookie);
    expect(unconfirmed.status).toBe(400);
    expect(await formErrors(unconfirmed)).toEqual({ confirm: ["Tick the box to confirm: closing is irreversible"] });
    expect(roundRow(w, 1).status).toBe("open");
    const html = await render(RoundPage, await loadRound(w.slug, 1, w.secretaryCookie), unconfirmed);
    expect(html).toContain("Tick the box to confirm: closing is irreversible");

    expectRedirect(
      await act(
        w.slug,
        1,
        [
          ["intent", "close"],
          ["confirm", "on"],
        ],
        w.secretaryCookie,
      ),
      roundPath(w.slug, 1),
    );
    expect(roundRow(w, 1).status).toBe("closed");
    const again = await act(
      w.slug,
      1,
      [
        ["intent", "close"],
        ["confirm", "on"],
      ],
      w.secretaryCookie,
    );
    expect(again.status).toBe(409);
    expect(await formErrors(again)).toEqual({ "": ["Round 1 is already closed."] });
    const extend = await act(
      w.slug,
      1,
      [
        ["intent", "extend-deadline"],
        ["closesAt", "2099-12-31T23:59"],
      ],
      w.secretaryCookie,
    );
    expect(extend.status).toBe(409);
  });
});

type ClosedData = {
  round: {
    status: "closed";
    results: {
      items: {
        itemId: string;
        tally: { agree: number; disagree: number; abstain: number; eligible: number };
        noResponse: number;
        verdict: { adopted: boolean; outcome: string; grade: string };
        explanation: string;
        comments: unknown[];
      }[];
    };
    choices: unknown;
    carryOver: { statements: number; nextNumber: number; blockedBy: { number: number; status: string } | null };
  };
};

describe("a closed round", () => {
  async function closed(input: Parameters<typeof workspace>[0] = {}) {
    const w = await workspace({ panelSize: 5, statements: ["Imaging first", "Biopsy always", "Surgery first"], ...input });
    const { round, items } = openRoundWithBallots(w.db, {
      guidelineId: w.guideline.id,
      number: 1,
      revisionIds: w.statements.map((s) => s.revision.id),
      panel: w.panel,
      votes: [votes(5, 5), votes(5, 2, 2, 1), votes(5, 1, 0, 1)],
    });
    w.db.update(rounds).set({ closesAt: null }).where(eq(rounds.id, round.id)).run();
    // Comments written by members 0 and 4 on statement 2; the page must not say whose.
    const db = w.db.$client;
    db.prepare("update ballots set comment = ? where round_item_id = ? and membership_id = ?").run(
      "Zebra crossing first",
      items[1]!.id,
      w.panel[0]!.id,
    );
    db.prepare("update ballots set comment = ? where round_item_id = ? and membership_id = ?").run(
      "Always biopsy, unless contraindicated",
      items[1]!.id,
      w.panel[4]!.id,
    );
    closeRound(w.db, { roundId: round.id, actorId: w.secretary.id });
    return { ...w, round, items };
  }

  test("shows each statement's distribution, verdict with its reason, and the comments without authors", async () => {
    const w = await closed();
    const response = await loadRound(w.slug, 1, w.observerCookie);
    const body = await response.clone().text();
    const html = await render(RoundPage, response);
    const { round } = JSON.parse(body) as ClosedData;
    expect(
      round.results.items.map((r) => [r.tally.agree, r.tally.disagree, r.tally.abstain, r.noResponse, r.verdict.adopted]),
    ).toEqual([
      [5, 0, 0, 0, true],
      [2, 2, 1, 0, false],
      [1, 0, 1, 3, true],
    ]);
    expect(round.results.items.map((r) => [r.verdict.outcome, r.verdict.grade])).toEqual([
      ["in", "strong"],
      ["none", "none"],
      ["in", "none"],
    ]);
    expect(round.results.items.map((r) => r.explanation)).toEqual([
      "Adopted: 5 of 5 participants agree (100%, needs at least 50%) and 0 disagree (0%, needs under 20%).",
      "Not adopted: 2 of 5 participants agree (40%, needs at least 50%) and 2 disagree (40%, needs under 20%).",
      "Adopted: 1 of 2 participants agree (50%, needs at least 50%) and 0 disagree (0%, needs under 20%).",
    ]);
    expect(round.results.items[1]!.comments).toEqual(["Always biopsy, unless contraindicated", "Zebra crossing first"]);
    for (const member of w.panel) expect(body).not.toContain(member.id);
    expect(body).not.toContain("Panelist");
    expect(round.choices).toBeNull();
    expect(html).toContain("Not adopted");
    // Each card's shares are of the rule's denominator, named: the bar's, the verdict's and its strength's.
    expect(html).toContain('Agree: <strong>2</strong><span class="muted"> (40% of 5 participants)</span>');
    expect(html).toContain('Agree: <strong>1</strong><span class="muted"> (50% of 2 participants)</span>');
    expect(html).toContain("No response: <strong>3</strong></span>");
    expect(html).toContain("· 50% of 2 participants agree");
    expect(html).not.toMatch(/\(\d+(\.\d)?%\)/);
    expect(html).toContain("2 anonymous comments");
    expect(html).toContain('<dt>Outcome</dt><dd><span class="outcome outcome-in">In (consensus for)</span></dd>');
    expect(html).toContain('<span class="grade grade-strong">Strong consensus (over 95%)</span>');
    expect(html).not.toContain("Carry");
  });

  test("carries the not-adopted statements into the next draft round as new revisions", async () => {
    const w = await closed();
    const response = await loadRound(w.slug, 1, w.secretaryCookie);
    expect(await render(RoundPage, response.clone())).toContain("Carry 1 not-adopted statement into round 2");
    const data = (await response.json()) as ClosedData;
    expect(data.round.carryOver).toEqual({ statements: 1, nextNumber: 2, blockedBy: null });

    expectRedirect(await act(w.slug, 1, [["intent", "carry-over"]], w.secretaryCookie), roundPath(w.slug, 2));
    const carried = w.db
      .select({
        statementId: statementRevisions.statementId,
        revision: statementRevisions.revision,
        text: statementRevisions.text,
        changeNote: statementRevisions.changeNote,
      })
      .from(roundItems)
      .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
      .where(eq(roundItems.roundId, roundRow(w, 2).id))
      .orderBy(roundItems.position)
      .all();
    // Only "Biopsy always" (2 agree, 2 disagree of 5) was not adopted.
    expect(carried).toEqual([
      {
        statementId: w.statements[1]!.statement.id,
        revision: 2,
        text: "Biopsy always",
        changeNote: "Carried over from round 1 for re-wording",
      },
    ]);
    expect(roundRow(w, 2).status).toBe("draft");
    expect(auditActions(w).at(-1)).toMatchObject({ action: "round.created", details: { round: 2, carriedOverFrom: 1 } });

    const again = await act(w.slug, 1, [["intent", "carry-over"]], w.secretaryCookie);
    expect(again.status).toBe(409);
    expect(roundsOf(w)).toHaveLength(2);
    const after = (await (await loadRound(w.slug, 1, w.secretaryCookie)).json()) as ClosedData;
    expect(after.round.carryOver.blockedBy).toEqual({ number: 2, status: "draft" });
  });

  test("secretaries of a named guideline see who chose what after the close", async () => {
    const w = await closed({ anonymity: "named" });
    const data = (await (await loadRound(w.slug, 1, w.secretaryCookie)).json()) as ClosedData;
    expect(data.round.choices).toEqual(
      w.items.map((item, i) => ({
        itemId: item.id,
        choices: [
          [
            { name: "Panelist 0", choice: "agree" },
            { name: "Panelist 1", choice: "agree" },
            { name: "Panelist 2", choice: "agree" },
            { name: "Panelist 3", choice: "agree" },
            { name: "Panelist 4", choice: "agree" },
          ],
          [
            { name: "Panelist 0", choice: "agree" },
            { name: "Panelist 1", choice: "agree" },
            { name: "Panelist 2", choice: "disagree" },
            { name: "Panelist 3", choice: "disagree" },
            { name: "Panelist 4", choice: "abstain" },
          ],
          [
            { name: "Panelist 0", choice: "agree" },
            { name: "Panelist 1", choice: "abstain" },
          ],
        ][i],
      })),
    );
  });
});

describe("the overview", () => {
  test("puts the open round, its response rate and deadline first for secretaries", async () => {
    const w = await openRoundOne({ panelSize: 2 });
    castBallot(w.db, { roundItemId: w.items[0]!.id, membershipId: w.panel[0]!.id, choice: "agree" });
    const response = await loadOverview(w.slug, w.secretaryCookie);
    const html = await render(OverviewPage, response.clone());
    const { overview } = (await response.json()) as { overview: Record<string, unknown> };
    expect(overview).toMatchObject({
      role: "secretary",
      open: { number: 1, items: 3, eligible: 2, responded: 1, complete: 0, timeLeft: "closes in 5 days" },
      draft: null,
      lastClosed: null,
      latestVersion: null,
    });
    expect(html.indexOf("Round 1 is open")).toBeLessThan(html.indexOf("About this guideline"));
    expect(html).toContain("(closes in 5 days)");
    expect(html).toContain("1 of 2 panelists (50%)");
    expect(html).toContain(`href="/g/${w.slug}/rounds/1"`);
  });

  test("shows the last closed round and the latest published version", async () => {
    const w = await workspace({ panelSize: 2 });
    const { round } = openRoundWithBallots(w.db, {
      guidelineId: w.guideline.id,
      number: 1,
      revisionIds: w.statements.map((s) => s.revision.id),
      panel: w.panel,
      votes: [votes(2, 2), votes(2, 0, 2), votes(2, 2)],
    });
    closeRound(w.db, { roundId: round.id, actorId: null });
    const { publish } = await import("~/server/publications.server");
    publish(w.db, { slug: w.slug, actorId: null });
    const response = await loadOverview(w.slug, w.observerCookie);
    const html = await render(OverviewPage, response.clone());
    const { overview } = (await response.json()) as { overview: Record<string, unknown> };
    expect(overview).toMatchObject({
      role: "observer",
      open: null,
      lastClosed: { number: 1, items: 3, adopted: 2 },
      latestVersion: { version: 1 },
    });
    expect(html).toContain("2 of 3 statements adopted");
    expect(html).toContain(`href="/g/${w.slug}/v/1"`);
    expect(html).not.toContain("/publish");
  });

  test("gives panelists a link to vote with how much they answered", async () => {
    const w = await openRoundOne({ panelSize: 2 });
    castBallot(w.db, { roundItemId: w.items[0]!.id, membershipId: w.panel[0]!.id, choice: "agree" });
    const response = await loadOverview(w.slug, w.panelistCookie);
    const html = await render(OverviewPage, response.clone());
    const { overview } = (await response.json()) as { overview: Record<string, unknown> };
    expect(overview).toEqual({
      description: "",
      role: "panelist",
      open: { number: 1, answered: 1, items: 3, eligible: true, closesAt: expect.any(String), timeLeft: "closes in 5 days" },
    });
    expect(html).toContain(`href="/g/${w.slug}/vote"`);
    expect(html).toContain("Vote on round 1 (1 of 3 answered)");
    expect(html).not.toContain("responded");
  });
});

describe("who may use the rounds pages", () => {
  test("secretaries of another guideline, panelists and (for changes) observers get 403; anonymous visitors log in", async () => {
    const w = await openRoundOne();
    const before = auditActions(w).length;
    const forbidden = [w.otherSecretaryCookie, w.panelistCookie];
    for (const cookie of forbidden) {
      expect((await loadList(w.slug, cookie)).status).toBe(403);
      expect((await loadRound(w.slug, 1, cookie)).status).toBe(403);
    }
    expect((await loadList(w.slug, w.observerCookie)).status).toBe(200);
    expect((await loadRound(w.slug, 1, w.observerCookie)).status).toBe(200);
    expect((await loadOverview(w.slug, w.otherSecretaryCookie)).status).toBe(403);
    for (const cookie of [...forbidden, w.observerCookie]) {
      expect((await createDraft(w.slug, chosen([w.statements[0]!.statement.id]), cookie)).status).toBe(403);
      expect(
        (
          await act(
            w.slug,
            1,
            [
              ["intent", "close"],
              ["confirm", "on"],
            ],
            cookie,
          )
        ).status,
      ).toBe(403);
      expect((await act(w.slug, 1, [["intent", "remind"]], cookie)).status).toBe(403);
    }
    for (const response of [
      await loadList(w.slug),
      await loadRound(w.slug, 1),
      await loadOverview(w.slug),
      await createDraft(w.slug, chosen([w.statements[0]!.statement.id])),
      await act(w.slug, 1, [
        ["intent", "close"],
        ["confirm", "on"],
      ]),
    ]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    }
    expect(roundRow(w, 1).status).toBe("open");
    expect(roundsOf(w)).toHaveLength(1);
    expect(auditActions(w)).toHaveLength(before);
  });

  test("an unknown round is a 404", async () => {
    const w = await workspace();
    expect((await loadRound(w.slug, 7, w.secretaryCookie)).status).toBe(404);
    expect((await act(w.slug, 7, OPEN, w.secretaryCookie)).status).toBe(404);
    expect(
      (
        await respond(() =>
          roundLoader({
            request: getRequest(roundPath(w.slug, 1), { cookie: w.secretaryCookie }),
            params: { slug: w.slug, number: "x" },
            context: {},
          }),
        )
      ).status,
    ).toBe(404);
  });
});
