/**
 * One number per statement (its statements.position) on every page that names one, one stated
 * base for every percentage, the round's outcome on a panelist's overview, and the copy that
 * must not mislead: no "your ballot" for members who do not vote, "revised" only for a new
 * wording, the change note and rationale in view on the ballot, an overdue round "closing now".
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import type * as RemixReact from "@remix-run/react";
import { eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { type DB, getDb } from "@db/client.server";
import { auditEvents, recusals, rounds } from "@db/schema";
import Overview, { loader as overviewLoader } from "~/routes/g.$slug._index/route";
import AuditLog, { loader as auditLoader } from "~/routes/g.$slug.audit/route";
import PublishPage, { loader as publishLoader } from "~/routes/g.$slug.publish/route";
import RoundResults, { loader as resultsLoader } from "~/routes/g.$slug.results.$number/route";
import ResultsIndex, { loader as resultsIndexLoader } from "~/routes/g.$slug.results._index/route";
import VotePage, { action as voteAction, loader as voteLoader } from "~/routes/g.$slug.vote/route";
import { publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import { addMember, addRevision, castBallot, createRound, createStatement, createUser } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, formRequest, getRequest, respond } from "../support/requests";

// Pages are rendered from their loader's data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => undefined,
  useNavigation: () => ({ state: "idle" }),
  useFetcher: () => ({ state: "idle", data: undefined, submit: () => undefined }),
  Form: (props: ComponentProps<"form">) => createElement("form", props),
  Link: ({ to, ...props }: ComponentProps<"a"> & { to: string }) => createElement("a", { href: to, ...props }),
}));

type Loader = (args: LoaderFunctionArgs) => Promise<unknown>;

/** A page's loader response and the page rendered from it, with its text (tags left out). */
async function visit(loader: Loader, component: () => JSX.Element, path: string, params: Record<string, string>, cookie: string) {
  const response = await respond(() => loader({ request: getRequest(path, { cookie }), params, context: {} }));
  expect(response.status).toBe(200);
  const body = await response.text();
  page.loaderData = JSON.parse(body);
  const html = renderToStaticMarkup(createElement(component));
  return { body, data: page.loaderData as Record<string, unknown>, html, text: textOf(html) };
}

const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&");

const pages = (slug: string) => ({
  vote: (cookie: string) => visit(voteLoader, VotePage, `/g/${slug}/vote`, { slug }, cookie),
  results: (number: number, cookie: string) =>
    visit(resultsLoader, RoundResults, `/g/${slug}/results/${number}`, { slug, number: String(number) }, cookie),
  resultsIndex: (cookie: string) => visit(resultsIndexLoader, ResultsIndex, `/g/${slug}/results`, { slug }, cookie),
  audit: (cookie: string) => visit(auditLoader, AuditLog, `/g/${slug}/audit`, { slug }, cookie),
  publish: (cookie: string) => visit(publishLoader, PublishPage, `/g/${slug}/publish`, { slug }, cookie),
  overview: (cookie: string) => visit(overviewLoader, Overview, `/g/${slug}`, { slug }, cookie),
});

const vote = (slug: string, cookie: string, fields: Record<string, string>) =>
  respond(() => voteAction({ request: formRequest(`/g/${slug}/vote`, fields, { cookie }), params: { slug }, context: {} }));

/** Eight statements; round 1 puts only statement 8 to the vote, so it is the round's item 1. */
async function statementEightAlone() {
  const db = getDb();
  const g = await guidelineWithPanel(db, {
    panelSize: 4,
    statements: [1, 2, 3, 4, 5, 6, 7].map((n) => `Statement text ${n}`),
  });
  const eighth = createStatement(db, {
    guidelineId: g.guideline.id,
    position: 8,
    section: "Chemotherapy",
    text: "Chemotherapy may be considered for unresectable IMT",
    rationale: "Case series report responses to anthracyclines.",
  });
  const observer = await createUser(db, { email: `observer-${g.guideline.slug}@example.org`, name: "Olive Observer" });
  addMember(db, { guidelineId: g.guideline.id, userId: observer.id, role: "observer" });
  const { round, items } = createRound(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: [eighth.revision.id],
    status: "open",
  });
  return {
    db,
    ...g,
    eighth,
    round,
    item: items[0]!,
    slug: g.guideline.slug,
    page: pages(g.guideline.slug),
    panelistCookies: await Promise.all(g.panel.map((m) => cookieFor(m.userId))),
    secretaryCookie: await cookieFor(g.secretary.id),
    observerCookie: await cookieFor(observer.id),
  };
}

describe("a statement has one number everywhere", () => {
  test("statement 8, voted as round 1's item 1, is statement 8 on the ballot, results, audit log and publish preview", async () => {
    const w = await statementEightAlone();
    expect(w.item.position).toBe(1);

    const ballot = await w.page.vote(w.panelistCookies[0]!);
    expect(ballot.html).toContain('Statement 8 <span class="muted">· Chemotherapy</span>');
    expect(ballot.html).toContain('aria-label="Your vote on statement 8"');
    expect(ballot.text).not.toMatch(/Statement 1\b/);

    // Votes through the page's own form: the withdrawal notice and a recusal name statement 8 too.
    for (const [i, choice] of ["agree", "agree", "abstain"].entries()) {
      const saved = await vote(w.slug, w.panelistCookies[i]!, { intent: "all", [`choice.${w.item.id}`]: choice });
      expect(saved.status).toBe(303);
    }
    const withdrawn = await vote(w.slug, w.panelistCookies[2]!, { intent: "all", withdraw: w.item.id });
    expect(withdrawn.headers.get("Location")).toBe(`/g/${w.slug}/vote?withdrawn=8`);
    const notice = await visit(voteLoader, VotePage, `/g/${w.slug}/vote?withdrawn=8`, { slug: w.slug }, w.panelistCookies[2]!);
    expect(notice.text).toContain("Your answer on statement 8 was withdrawn: it counts as no response.");
    const again = await vote(w.slug, w.panelistCookies[2]!, { intent: "item", withdraw: w.item.id });
    expect(again.status).toBe(404);
    expect((await again.json()).formErrors).toEqual(["You have no answer on statement 8 to withdraw."]);
    w.db.insert(recusals).values({ membershipId: w.panel[3]!.id, statementId: w.eighth.statement.id }).run();
    const recused = await vote(w.slug, w.panelistCookies[3]!, { intent: "item", [`choice.${w.item.id}`]: "agree" });
    expect(recused.status).toBe(403);
    expect((await recused.json()).formErrors).toEqual(["You are recused from statement 8: your vote is not collected on it."]);
    w.db.delete(recusals).where(eq(recusals.membershipId, w.panel[3]!.id)).run();

    // The audit trail keeps the item's place in the round (audit:verify matches ballots by it); the log reads statement 8.
    const recorded = w.db
      .select({ action: auditEvents.action, details: auditEvents.details })
      .from(auditEvents)
      .where(eq(auditEvents.guidelineId, w.guideline.id))
      .all()
      .filter((e) => e.action.startsWith("ballot."));
    expect(recorded.map((e) => [e.action, e.details])).toEqual([
      ["ballot.cast", { round: 1, item: 1 }],
      ["ballot.cast", { round: 1, item: 1 }],
      ["ballot.cast", { round: 1, item: 1 }],
      ["ballot.withdrawn", { round: 1, item: 1 }],
    ]);
    const audit = await w.page.audit(w.secretaryCookie);
    expect(audit.text).toContain("voted on statement 8 in round 1");
    expect(audit.text).toContain("withdrew their ballot on statement 8 in round 1");
    expect(audit.text).not.toMatch(/item 1 of round 1|statement 1 in round/);

    closeRound(w.db, { roundId: w.round.id, actorId: w.secretary.id });
    const results = await w.page.results(1, w.panelistCookies[0]!);
    expect(results.html).toContain('<li id="statement-8" class="ballot-item"><h3 class="ballot-heading">Statement 8 <span');
    expect(results.text).not.toMatch(/Statement 1\b/);
    const index = await w.page.resultsIndex(w.panelistCookies[0]!);
    expect(index.html).toContain('<th scope="row" class="outcome-number" data-label="Statement">8</th>');
    expect(index.html).toContain(`href="/g/${w.slug}/results/1#statement-8"`);

    // Published sets number recommendations 1..k: the preview names the statement first, its recommendation number beside.
    const preview = await w.page.publish(w.secretaryCookie);
    expect(preview.text).toContain("Statement 8 → Recommendation 1");
    expect(preview.text).toContain("Statement 8 · Chemotherapy");
  });
});

describe("every percentage names what it is of", () => {
  /** Four panelists, round 1 closed with 2 agree, 1 abstain and 1 without a ballot, under the given denominator. */
  async function closedWithNonResponder(denominator: "participants" | "panel" | "decisive") {
    const db = getDb();
    const g = await guidelineWithPanel(db, {
      panelSize: 4,
      statements: ["Imaging first"],
      rule: { agreeAtLeast: 50, disagreeBelow: 20, denominator },
    });
    const { round, items } = createRound(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      status: "open",
    });
    (["agree", "agree", "abstain"] as const).forEach((choice, m) =>
      castBallot(db, { roundItemId: items[0]!.id, membershipId: g.panel[m]!.id, choice }),
    );
    closeRound(db, { roundId: round.id, actorId: null });
    return { ...g, page: pages(g.guideline.slug), cookie: await cookieFor(g.panel[0]!.userId) };
  }

  test("of participants: the bar, the strength and the explanation give 66.7% of 3; no response has no share", async () => {
    const w = await closedWithNonResponder("participants");
    const { html, text } = await w.page.results(1, w.cookie);
    expect(html).toContain('Agree: <strong>2</strong><span class="muted"> (66.7% of 3 participants)</span>');
    expect(html).toContain('Disagree: <strong>0</strong><span class="muted"> (0% of 3 participants)</span>');
    expect(html).toContain('Abstain: <strong>1</strong><span class="muted"> (33.3% of 3 participants)</span>');
    expect(html).toContain("No response: <strong>1</strong></span>");
    expect(text).toContain("Majority agreement (over 50%) · 66.7% of 3 participants agree");
    expect(text).toContain("Adopted: 2 of 3 participants agree (66.7%, needs at least 50%)");
    // Never the same count on another base: 2 of 4 eligible would be 50%.
    expect(text).not.toMatch(/\b50% of|25%/);
    expect(text).not.toMatch(/\(\d+(\.\d)?%\)/);

    const index = await w.page.resultsIndex(w.cookie);
    expect(index.text).toContain("1Imaging first2013 of 4 eligibleAdoptedIn (consensus for)66.7% of 3 participants agree");
  });

  test("of the eligible panel: every answer and no response have a share of 4 eligible members", async () => {
    const w = await closedWithNonResponder("panel");
    const { html, text } = await w.page.results(1, w.cookie);
    expect(html).toContain('Agree: <strong>2</strong><span class="muted"> (50% of 4 eligible members)</span>');
    expect(html).toContain('No response: <strong>1</strong><span class="muted"> (25% of 4 eligible members)</span>');
    expect(text).toContain("· 50% of 4 eligible members agree");
    expect(text).not.toContain("66.7%");
  });

  test("of those taking a side: abstentions and no response show their count only", async () => {
    const w = await closedWithNonResponder("decisive");
    const { html, text } = await w.page.results(1, w.cookie);
    expect(html).toContain('Agree: <strong>2</strong><span class="muted"> (100% of 2 members taking a side)</span>');
    expect(html).toContain("Abstain: <strong>1</strong></span>");
    expect(text).toContain("· 100% of 2 members taking a side agree");
    expect(text).not.toMatch(/66\.7%|\b50% of|33\.3%/);
  });
});

describe("panelists see the outcome", () => {
  test("after close the overview lists each statement's outcome; after publishing it links the published Table 1", async () => {
    const w = await statementEightAlone();
    castBallot(w.db, { roundItemId: w.item.id, membershipId: w.panel[0]!.id, choice: "agree" });
    castBallot(w.db, { roundItemId: w.item.id, membershipId: w.panel[1]!.id, choice: "abstain" });
    const before = await w.page.overview(w.panelistCookies[0]!);
    expect(before.text).toContain("Round 1 is open");
    expect(before.text).not.toContain("Round 1 results");

    closeRound(w.db, { roundId: w.round.id, actorId: w.secretary.id, now: new Date("2026-02-01T12:00:00Z") });
    const closed = await w.page.overview(w.panelistCookies[0]!);
    expect(closed.text).toContain("Round 1 results1 of 1 statement adopted · closed 1 Feb 2026, 12:00 UTC.");
    expect(closed.html).toContain('<th scope="row" class="outcome-number" data-label="Statement">8</th>');
    expect(closed.text).toContain(
      "8Chemotherapy may be considered for unresectable IMT1012 of 4 eligibleAdoptedIn (consensus for)50% of 2 participants agree",
    );
    expect(closed.html).toContain(`href="/g/${w.slug}/results/1"`);
    expect(closed.html).not.toContain(`/v/1`);
    expect(closed.body).not.toMatch(/groupResults|membershipId/);

    publish(w.db, { slug: w.slug, actorId: w.secretary.id });
    const published = await w.page.overview(w.panelistCookies[1]!);
    expect(published.html).toContain(`<a href="/g/${w.slug}/v/1">Version 1: Table 1</a>`);
    expect(published.text).toContain("Round 1 results");
  });

  test("an open round past its deadline says it is closing now, not the time left, and offers no vote", async () => {
    const w = await statementEightAlone();
    w.db
      .update(rounds)
      .set({ closesAt: new Date(Date.now() - 60_000) })
      .where(eq(rounds.id, w.round.id))
      .run();
    for (const cookie of [w.panelistCookies[0]!, w.secretaryCookie]) {
      const { text, html } = await w.page.overview(cookie);
      expect(text).toContain("(deadline passed — closing now)");
      expect(text).not.toMatch(/closes in|\(deadline passed\)/);
      expect(html).not.toContain(`href="/g/${w.slug}/vote"`);
    }
    const future = new Date(Date.now() + 3 * 86_400_000);
    w.db.update(rounds).set({ closesAt: future }).where(eq(rounds.id, w.round.id)).run();
    const { text } = await w.page.overview(w.panelistCookies[0]!);
    expect(text).toContain("(closes in 2 days)");
    expect(text).not.toContain("closing now");
  });
});

describe("the ballot beside a statement voted before", () => {
  /** Round 1 closed over statements 1 and 2; round 2 votes statement 1 reworded (with a change note) and statement 2 unchanged. */
  async function secondRound(db: DB = getDb()) {
    const g = await guidelineWithPanel(db, { panelSize: 3, statements: ["Biopsy always", "Imaging first"] });
    const first = createRound(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: g.statements.map((s) => s.revision.id),
      status: "open",
    });
    for (const item of first.items) castBallot(db, { roundItemId: item.id, membershipId: g.panel[0]!.id, choice: "agree" });
    closeRound(db, { roundId: first.round.id, actorId: null });
    const reworded = addRevision(db, {
      statementId: g.statements[0]!.statement.id,
      revision: 2,
      text: "Biopsy when imaging is equivocal",
      rationale: "Imaging alone cannot tell IMT from sarcoma.",
      changeNote: "Narrowed after round 1 comments.",
    });
    createRound(db, {
      guidelineId: g.guideline.id,
      number: 2,
      revisionIds: [reworded.id, g.statements[1]!.revision.id],
      status: "open",
    });
    return { ...g, page: pages(g.guideline.slug), cookie: await cookieFor(g.panel[0]!.userId) };
  }

  test("a revised statement shows its change note and rationale in view; an unchanged one is not called revised", async () => {
    const w = await secondRound();
    const { html, data } = await w.page.vote(w.cookie);
    const items = (data.ballot as { items: { number: number; revised: boolean; changeNote: string | null }[] }).items;
    expect(items.map((i) => [i.number, i.revised])).toEqual([
      [1, true],
      [2, false],
    ]);
    const [revised, unchanged] = html.split('<li class="ballot-item">').slice(1) as [string, string];
    expect(revised).toContain('Statement 1 <span class="muted">· Section 1</span><span class="badge">revised</span>');
    expect(revised).toContain(
      '<div class="ballot-rationale"><h4>Rationale</h4><p>Imaging alone cannot tell IMT from sarcoma.</p></div>',
    );
    expect(revised).toContain(
      '<p class="change-note"><strong>The secretary&#x27;s note:</strong> Narrowed after round 1 comments.</p>',
    );
    expect(unchanged).not.toContain("revised");
    expect(unchanged).not.toContain("change-note");
    expect(unchanged).toContain("The wording is unchanged.");
    expect(html).not.toContain("<summary>Rationale</summary>");
  });
});

describe("only those who vote see their ballot", () => {
  test("a secretary's and an observer's results page has no 'your ballot'; a panelist's has theirs, or that they gave none", async () => {
    const w = await statementEightAlone();
    castBallot(w.db, { roundItemId: w.item.id, membershipId: w.panel[0]!.id, choice: "agree", comment: "Clear" });
    closeRound(w.db, { roundId: w.round.id, actorId: w.secretary.id });
    for (const cookie of [w.secretaryCookie, w.observerCookie]) {
      const { text, body } = await w.page.results(1, cookie);
      expect(text).not.toMatch(/your ballot|no answer/i);
      expect(body).toContain('"own":null');
    }
    expect((await w.page.results(1, w.panelistCookies[0]!)).text).toContain("Your ballot in round 1: Agree — “Clear”");
    expect((await w.page.results(1, w.panelistCookies[1]!)).text).toContain("Your ballot in round 1: no answer");

    // A panelist who joined after the round opened was not on its panel: no ballot line either.
    const late = await createUser(w.db, { email: `late-${w.slug}@example.org`, name: "Late Panelist" });
    addMember(w.db, { guidelineId: w.guideline.id, userId: late.id, role: "panelist" });
    expect((await w.page.results(1, await cookieFor(late.id))).text).not.toMatch(/your ballot/i);
  });
});
