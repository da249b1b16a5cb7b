/**
 * The ballot on a rating scale: ratings 1..N and "unable to score" saved per statement, answers
 * that do not fit the round's scale refused per statement (the others saved), and the ballot page
 * with its row of labelled radio buttons.
 */
import type * as RemixReact from "@remix-run/react";
import { count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, ballots, guidelines } from "@db/schema";
import type { Scale } from "~/consensus/scale";
import VotePage, { action as voteAction, loader as voteLoader } from "~/routes/g.$slug.vote/route";
import { createRound } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, formRequest, getRequest, respond } from "../support/requests";

// The page is rendered from its loader's and action's data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown, actionData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => page.actionData,
  useNavigation: () => ({ state: "idle" }),
  useFetcher: () => ({ state: "idle", data: undefined, submit: () => undefined }),
  Form: (props: ComponentProps<"form">) => createElement("form", props),
  Link: ({ to, ...props }: ComponentProps<"a"> & { to: string }) => createElement("a", { href: to, ...props }),
}));

const NINE: Scale = { kind: "rating", points: 9, unable: true, labels: { low: "not important", high: "critical" } };
const FIVE: Scale = { kind: "rating", points: 5, unable: false };
const BAND = { family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 70, disagreeBelow: 15 };
const BAND_FIVE = { family: "band", agreeBand: [4, 5], opposeBand: [1, 2], agreeAtLeast: 70, disagreeBelow: 15 };

/** An open round of three statements on a rating scale, with three panelists signed in. */
async function ratedRound(scale: Scale, rule: unknown) {
  const db = getDb();
  const g = await guidelineWithPanel(db, {
    panelSize: 3,
    statements: ["Core outcome A", "Core outcome B", "Core outcome C"],
    rule,
  });
  db.update(guidelines).set({ scale }).where(eq(guidelines.id, g.guideline.id)).run();
  const { round, items } = createRound(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    status: "open",
  });
  const cookies = await Promise.all(g.panel.map((m) => cookieFor(m.userId)));
  return { db, g, round, items, slug: g.guideline.slug, cookies };
}

const vote = (slug: string, cookie: string, fields: Record<string, string>) =>
  respond(() => voteAction({ request: formRequest(`/g/${slug}/vote`, fields, { cookie }), params: { slug }, context: {} }));
const load = (slug: string, cookie: string) =>
  respond(() => voteLoader({ request: getRequest(`/g/${slug}/vote`, { cookie }), params: { slug }, context: {} }));

function stored(membershipId: string) {
  return getDb()
    .select({ item: ballots.roundItemId, choice: ballots.choice, rating: ballots.rating, comment: ballots.comment })
    .from(ballots)
    .where(eq(ballots.membershipId, membershipId))
    .all();
}

const ballotCount = () => getDb().select({ n: count() }).from(ballots).get()!.n;

describe("a rated ballot", () => {
  test("saves ratings and “unable to score” from the whole form, answers 303, and shows them after a reload", async () => {
    const { g, items, slug, cookies } = await ratedRound(NINE, BAND);
    const [a, b, c] = items.map((i) => i.id) as [string, string, string];
    const saved = await vote(slug, cookies[0]!, {
      intent: "all",
      [`choice.${a}`]: "7",
      [`comment.${a}`]: "Essential in trials.",
      [`choice.${b}`]: "unable",
      [`comment.${b}`]: "",
      [`comment.${c}`]: "",
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe(`/g/${slug}/vote?saved=2&changed=2`);
    expect(stored(g.panel[0]!.id)).toEqual(
      expect.arrayContaining([
        { item: a, choice: null, rating: 7, comment: "Essential in trials." },
        { item: b, choice: "unable", rating: null, comment: null },
      ]),
    );
    expect(stored(g.panel[0]!.id)).toHaveLength(2);

    // One statement on its own (with JavaScript): a new rating replaces the old one.
    const alone = await vote(slug, cookies[0]!, {
      intent: "item",
      [`choice.${a}`]: "9",
      [`comment.${a}`]: "Essential in trials.",
    });
    expect(alone.status).toBe(200);
    expect(await alone.json()).toEqual({ ok: true, saved: 1, changed: 1 });

    const data = await (await load(slug, cookies[0]!)).json();
    expect(data.ballot.scale).toEqual(NINE);
    expect(data.ballot.items.map((i: { answer: unknown }) => i.answer)).toEqual([9, "unable", null]);

    // Without JavaScript, "unable to score" is withdrawn back to no response like any answer.
    const withdrawn = await vote(slug, cookies[0]!, { intent: "all", withdraw: b });
    expect(withdrawn.status).toBe(303);
    expect(withdrawn.headers.get("Location")).toBe(`/g/${slug}/vote?withdrawn=2`);
    expect(stored(g.panel[0]!.id)).toEqual([{ item: a, choice: null, rating: 9, comment: "Essential in trials." }]);
    // Anonymous guideline: the audit trail says a ballot changed, never the rating.
    const events = getDb().select().from(auditEvents).where(eq(auditEvents.guidelineId, g.guideline.id)).all();
    expect(events.filter((e) => e.action.startsWith("ballot.")).map((e) => e.details)).toEqual([
      { round: 1, item: 1 },
      { round: 1, item: 2 },
      { round: 1, item: 1 },
      { round: 1, item: 2 },
    ]);
  });

  test("refuses 0 and 10 on a 9-point scale per statement, saves the others, and keeps what was typed", async () => {
    const { g, items, slug, cookies } = await ratedRound(NINE, BAND);
    const [a, b, c] = items.map((i) => i.id) as [string, string, string];
    const before = ballotCount();
    const response = await vote(slug, cookies[1]!, {
      intent: "all",
      [`choice.${a}`]: "0",
      [`comment.${a}`]: "Zero",
      [`choice.${b}`]: "10",
      [`comment.${b}`]: "",
      [`choice.${c}`]: "5",
      [`comment.${c}`]: "",
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    const message = 'Rate from 1 to 9, or choose "unable to score"';
    expect(body.fieldErrors).toEqual({ [`choice.${a}`]: [message], [`choice.${b}`]: [message] });
    expect(body.formErrors).toEqual(["1 answer saved; 2 statements not saved — see them marked below, as you typed them."]);
    expect(body.drafts).toEqual({ [a]: { choice: "0", comment: "Zero" }, [b]: { choice: "10", comment: "" } });
    expect(ballotCount()).toBe(before + 1);
    expect(stored(g.panel[1]!.id)).toEqual([{ item: c, choice: null, rating: 5, comment: null }]);

    // Alone, an out-of-range rating is refused and nothing is written; so are agreement answers and fractions.
    for (const value of ["10", "agree", "7.5", "", "-1"]) {
      const alone = await vote(slug, cookies[1]!, { intent: "item", [`choice.${a}`]: value });
      expect(alone.status).toBe(400);
      expect((await alone.json()).fieldErrors).toEqual({ [`choice.${a}`]: [message] });
    }
    expect(ballotCount()).toBe(before + 1);

    // The page shows the refusal beside the statement, and the radio buttons as they were.
    page.loaderData = await (await load(slug, cookies[1]!)).json();
    page.actionData = body;
    const html = renderToStaticMarkup(createElement(VotePage));
    expect(html.match(new RegExp(`<p class="field-error">${message.replace(/"/g, "&quot;")}</p>`, "g"))).toHaveLength(2);
    expect(html).toContain(`checked="" value="5"`);
  });

  test("refuses “unable to score” where the scale has none, per statement", async () => {
    const { g, items, slug, cookies } = await ratedRound(FIVE, BAND_FIVE);
    const [a, b] = items.map((i) => i.id) as [string, string];
    const response = await vote(slug, cookies[2]!, { [`choice.${a}`]: "unable", [`choice.${b}`]: "4" });
    expect(response.status).toBe(400);
    expect((await response.json()).fieldErrors).toEqual({
      [`choice.${a}`]: ['This scale has no "unable to score": rate from 1 to 5'],
    });
    expect(stored(g.panel[2]!.id)).toEqual([{ item: b, choice: null, rating: 4, comment: null }]);
    const six = await vote(slug, cookies[2]!, { intent: "item", [`choice.${a}`]: "6" });
    expect((await six.json()).fieldErrors).toEqual({ [`choice.${a}`]: ["Rate from 1 to 5"] });
    const nothing = await vote(slug, cookies[2]!, { intent: "all" });
    expect((await nothing.json()).formErrors).toEqual(["Nothing to save: rate at least one statement."]);
    const commentOnly = await vote(slug, cookies[2]!, { intent: "all", [`comment.${a}`]: "A comment, no rating" });
    expect((await commentOnly.json()).fieldErrors).toEqual({ [`choice.${a}`]: ["Rate from 1 to 5"] });
    expect(stored(g.panel[2]!.id)).toHaveLength(1);
  });

  test("the agreement scale still refuses a rating", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 1, statements: ["Agree or not"] });
    const { items } = createRound(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      status: "open",
    });
    const response = await vote(g.guideline.slug, await cookieFor(g.panel[0]!.userId), { [`choice.${items[0]!.id}`]: "7" });
    expect(response.status).toBe(400);
    expect((await response.json()).fieldErrors).toEqual({ [`choice.${items[0]!.id}`]: ["Choose agree, disagree or abstain"] });
  });

  test("the page offers a row of radio buttons 1..N, the ends labelled, and “unable to score” apart", async () => {
    const { items, slug, cookies } = await ratedRound(NINE, BAND);
    const [a] = items.map((i) => i.id) as [string];
    await vote(slug, cookies[0]!, { intent: "item", [`choice.${a}`]: "8" });
    page.loaderData = await (await load(slug, cookies[0]!)).json();
    page.actionData = undefined;
    const html = renderToStaticMarkup(createElement(VotePage));
    // Three statements, each with nine ratings and "unable": one radio group per statement, same field names as ever.
    expect(html.match(/role="radiogroup"/g)).toHaveLength(3);
    expect(html.match(new RegExp(`name="choice\\.${a}"`, "g"))).toHaveLength(10);
    const values = [...html.matchAll(new RegExp(`name="choice\\.${a}"(?: checked="")? value="([^"]+)"`, "g"))].map((m) => m[1]);
    expect(values).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "unable"]);
    expect(html).toContain(`aria-label="Your rating of statement 1"`);
    expect(html).toContain(`<span>1<span class="visually-hidden"> = not important</span></span>`);
    expect(html).toContain(`<span>9<span class="visually-hidden"> = critical</span></span>`);
    expect(html).toContain(`<span>5</span>`);
    expect(html).toContain(`<span>Unable to score</span>`);
    expect(html).toContain(`checked="" value="8"`);
    expect(html).toContain("A rating from 1 to 9 (1 = not important, 9 = critical), or &quot;unable to score&quot;");
    expect(html).not.toContain(">Agree<");
    expect(html).toContain("1 of 3 answered");
  });
});
