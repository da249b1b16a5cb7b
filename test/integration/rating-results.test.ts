/**
 * Results of rated rounds on every results view: the histogram (a real table) with its counts,
 * median and IQR, the outcome and AWMF grade beside every verdict, per-group results after close
 * only and, in an anonymous guideline, never a group below the minimum size; stability between
 * rounds with the suggestion to stop.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import type * as RemixReact from "@remix-run/react";
import { eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { type DB, getDb } from "@db/client.server";
import { guidelines, memberships } from "@db/schema";
import type { Scale } from "~/consensus/scale";
import type { Answer } from "~/consensus/tally";
import ResultsIndex, { loader as resultsIndexLoader } from "~/routes/g.$slug.results._index/route";
import RoundResults, { loader as resultsLoader } from "~/routes/g.$slug.results.$number/route";
import RoundPage, { loader as roundLoader } from "~/routes/g.$slug.rounds.$number/route";
import VotePage, { loader as voteLoader } from "~/routes/g.$slug.vote/route";
import { closeRound } from "~/server/rounds.server";
import { addMember, addRevision, castAnswer, createRound, createUser } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, getRequest, respond } from "../support/requests";

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

/** A page's loader response (its body as sent) and the page rendered from it. */
async function visit(loader: Loader, component: () => JSX.Element, path: string, params: Record<string, string>, cookie: string) {
  const response = await respond(() => loader({ request: getRequest(path, { cookie }), params, context: {} }));
  expect(response.status).toBe(200);
  const body = await response.text();
  page.loaderData = JSON.parse(body);
  return { body, data: page.loaderData as Record<string, unknown>, html: renderToStaticMarkup(createElement(component)) };
}

const resultsPage = (slug: string, number: number, cookie: string) =>
  visit(resultsLoader, RoundResults, `/g/${slug}/results/${number}`, { slug, number: String(number) }, cookie);
const resultsIndex = (slug: string, cookie: string) =>
  visit(resultsIndexLoader, ResultsIndex, `/g/${slug}/results`, { slug }, cookie);
const roundPage = (slug: string, number: number, cookie: string) =>
  visit(roundLoader, RoundPage, `/g/${slug}/rounds/${number}`, { slug, number: String(number) }, cookie);
const votePage = (slug: string, cookie: string) => visit(voteLoader, VotePage, `/g/${slug}/vote`, { slug }, cookie);

/** Each histogram on a page: its caption, and the counts in its cells (ratings 1..N, then "unable"). */
function histograms(html: string) {
  return html
    .split('<table class="histogram-table">')
    .slice(1)
    .map((table) => ({
      caption: /<caption>(.*?)<\/caption>/.exec(table)![1],
      counts: [...table.matchAll(/<span class="histogram-count">(\d+)<\/span>/g)].map((m) => Number(m[1])),
      headers: [...table.slice(0, table.indexOf("</thead>")).matchAll(/<th scope="col"[^>]*>(.*?)<\/th>/g)].map((m) => m[1]),
    }));
}

/** The page's text, tags left out. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&");

const NINE: Scale = {
  kind: "rating",
  points: 9,
  unable: true,
  labels: { low: "extremely inappropriate", high: "extremely appropriate" },
};

/** Opens a round over the revisions, casts `answers[item][member]` (null: no response) and, unless asked not to, closes it. */
function runRound(
  db: DB,
  input: {
    guidelineId: string;
    number: number;
    revisionIds: string[];
    panel: { id: string }[];
    answers: (Answer | null)[][];
    close?: boolean;
  },
) {
  const { round, items } = createRound(db, {
    guidelineId: input.guidelineId,
    number: input.number,
    revisionIds: input.revisionIds,
    status: "open",
  });
  input.answers.forEach((answers, i) =>
    answers.forEach((answer, m) => {
      if (answer !== null) castAnswer(db, { roundItemId: items[i]!.id, membershipId: input.panel[m]!.id, answer });
    }),
  );
  if (input.close !== false) closeRound(db, { roundId: round.id, actorId: null });
  return { round, items };
}

// Twelve panelists in three stakeholder groups: 0–5 Clinicians, 6–9 Patient partners, 10–11 Methodologists.
const GROUPS = ["Clinicians", "Clinicians", "Clinicians", "Clinicians", "Clinicians", "Clinicians"].concat([
  "Patient partners",
  "Patient partners",
  "Patient partners",
  "Patient partners",
  "Methodologists",
  "Methodologists",
]);
const ROUND_ONE: (Answer | null)[][] = [
  [9, 8, 8, 7, 7, 7, 8, 9, 6, "unable", 7, null],
  [2, 1, 3, 2, 5, 1, 2, 3, 1, 2, 4, "unable"],
];

/** A RAND/UCLA guideline on the 9-point scale with round 1 closed, and cookies for each role. */
async function ratedGuideline(anonymity: "anonymous" | "named") {
  const db = getDb();
  const g = await guidelineWithPanel(db, {
    panelSize: 12,
    statements: ["Statin for secondary prevention", "Antibiotics for viral bronchitis"],
    rule: { family: "rand-ucla", disagreement: "ipras" },
  });
  db.update(guidelines).set({ scale: NINE, anonymity }).where(eq(guidelines.id, g.guideline.id)).run();
  g.panel.forEach((member, i) =>
    db.update(memberships).set({ stakeholderGroup: GROUPS[i]! }).where(eq(memberships.id, member.id)).run(),
  );
  const observer = await createUser(db, { email: `observer-${g.guideline.slug}@example.org`, name: "Olive Observer" });
  addMember(db, { guidelineId: g.guideline.id, userId: observer.id, role: "observer" });
  const first = runRound(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    panel: g.panel,
    answers: ROUND_ONE,
  });
  return {
    db,
    ...g,
    ...first,
    slug: g.guideline.slug,
    secretaryCookie: await cookieFor(g.secretary.id),
    observerCookie: await cookieFor(observer.id),
    panelistCookie: await cookieFor(g.panel[0]!.userId),
  };
}

describe("the results of a closed rated round", () => {
  test("the results page shows each histogram as a table with its counts, median and IQR, outcome and grade", async () => {
    const w = await ratedGuideline("anonymous");
    const { html } = await resultsPage(w.slug, 1, w.panelistCookie);
    expect(histograms(html)).toEqual([
      {
        caption: "Ratings in round 1",
        counts: [0, 0, 0, 0, 0, 1, 4, 3, 2, 1],
        headers: [
          '1<span class="visually-hidden"> = extremely inappropriate</span>',
          "2",
          "3",
          "4",
          "5",
          "6",
          "7",
          "8",
          '9<span class="visually-hidden"> = extremely appropriate</span>',
          'Unable<span class="visually-hidden"> to score</span>',
        ],
      },
      { caption: "Ratings in round 1", counts: [3, 4, 2, 1, 1, 0, 0, 0, 0, 1], headers: expect.any(Array) },
    ]);
    // The header row of ratings and the row of counts are a table's rows, the bars hidden from screen readers.
    expect(html).toContain('<thead><tr><th scope="row">Rating</th><th scope="col">1<span');
    expect(html).toContain(
      '<tbody><tr><th scope="row">Count</th><td><span class="histogram-count">0</span><span class="histogram-bar histogram-bar-empty" style="height:0rem" aria-hidden="true"></span></td>',
    );
    expect(html).toContain(
      '<span class="histogram-count">4</span><span class="histogram-bar" style="height:4rem" aria-hidden="true"></span>',
    );
    const words = text(html);
    expect(words).toContain("Median 7.5, interquartile range 1 (10 ratings, 1 unable to score, 1 no response)");
    expect(words).toContain("Median 2, interquartile range 1.5 (11 ratings, 1 unable to score, 0 no response)");
    expect(words).toContain("OutcomeAppropriateStrength of consensus (AWMF)Consensus (over 75%) · 90% of 10 ratings rated 7–9");
    expect(words).toContain(
      "OutcomeInappropriateStrength of consensus (AWMF)No majority (50% or less) · 0% of 11 ratings rated 7–9",
    );
    expect(words).toContain("Appropriate (adopted): median 7.5 of 10 ratings, no disagreement (IPR 1 ≤ IPRAS 6.1).");
    expect(words).toContain("Your ballot in round 1: 9");
    expect(words).toContain(
      'Scale: A rating from 1 to 9 (1 = extremely inappropriate, 9 = extremely appropriate), or "unable to score".',
    );
  });

  test("the results index, the round page and the feedback beside a revised statement show the same histogram", async () => {
    const w = await ratedGuideline("anonymous");
    // The index has the round at a glance: a table of medians, who voted and outcomes; the histograms are a click away.
    const index = await resultsIndex(w.slug, w.panelistCookie);
    expect(histograms(index.html)).toEqual([]);
    expect(text(index.html)).toContain(
      "1Statin for secondary prevention7.511 of 12 eligibleAdoptedAppropriate90% of 10 ratings rated 7–9",
    );
    expect(text(index.html)).toContain(
      "2Antibiotics for viral bronchitis212 of 12 eligibleNot adoptedInappropriate0% of 11 ratings rated 7–9",
    );

    for (const cookie of [w.secretaryCookie, w.observerCookie]) {
      const round = await roundPage(w.slug, 1, cookie);
      expect(histograms(round.html).map((h) => [h.caption, h.counts])).toEqual([
        ["Ratings on statement 1", [0, 0, 0, 0, 0, 1, 4, 3, 2, 1]],
        ["Ratings on statement 2", [3, 4, 2, 1, 1, 0, 0, 0, 0, 1]],
      ]);
      expect(text(round.html)).toContain("Median 7.5, interquartile range 1 (10 ratings, 1 unable to score, 1 no response)");
      expect(text(round.html)).toContain("OutcomeInappropriateStrength of consensus (AWMF)No majority (50% or less)");
    }

    // Round 2 re-words statement 1: the ballot shows round 1's histogram beside it, and the panelist's own rating.
    const reworded = addRevision(w.db, {
      statementId: w.statements[0]!.statement.id,
      revision: 2,
      text: "Statin for secondary prevention, at high intensity",
    });
    createRound(w.db, { guidelineId: w.guideline.id, number: 2, revisionIds: [reworded.id], status: "open" });
    const ballot = await votePage(w.slug, await cookieFor(w.panel[9]!.userId));
    expect(histograms(ballot.html).map((h) => [h.caption, h.counts])).toEqual([
      ["Ratings in round 1", [0, 0, 0, 0, 0, 1, 4, 3, 2, 1]],
    ]);
    expect(text(ballot.html)).toContain("Your ballot in round 1: Unable to score");
    expect(text(ballot.html)).toContain("OutcomeAppropriate");
  });
});

describe("per-group results", () => {
  const HIDDEN = ["Patient partners", "Methodologists"];

  test("an anonymous guideline never shows a group below the minimum size, on any page or in its data", async () => {
    const w = await ratedGuideline("anonymous");
    const results = await resultsPage(w.slug, 1, w.panelistCookie);
    // Clinicians (6) are shown; the two smaller groups (4 and 1 or 2 participants) only pooled.
    expect(results.html).toContain(
      '<th scope="row">Clinicians</th><td data-label="Participants">6</td><td data-label="Median">7.5</td>' +
        '<td data-label="Share rated 7–9 (of ratings)">100% of 6</td><td data-label="Outcome">Appropriate</td>' +
        '<td data-label="Strength (AWMF)">Strong consensus (over 95%)</td>',
    );
    expect(results.html).toContain(
      // Five participants, one unable to score: the share is of the four ratings.
      '<th scope="row">other groups</th><td data-label="Participants">5</td><td data-label="Median">7.5</td>' +
        '<td data-label="Share rated 7–9 (of ratings)">75% of 4</td><td data-label="Outcome">Appropriate</td>' +
        '<td data-label="Strength (AWMF)">Majority agreement (over 50%)</td>',
    );
    expect(text(results.html)).toContain("groups with fewer than 5 participants are not shown on their own");

    const reworded = addRevision(w.db, {
      statementId: w.statements[0]!.statement.id,
      revision: 2,
      text: "Statin, high intensity",
    });
    createRound(w.db, { guidelineId: w.guideline.id, number: 2, revisionIds: [reworded.id], status: "open" });
    const pages = [
      results,
      await resultsIndex(w.slug, w.panelistCookie),
      await roundPage(w.slug, 1, w.secretaryCookie),
      await roundPage(w.slug, 1, w.observerCookie),
      await votePage(w.slug, w.panelistCookie),
    ];
    for (const { body, html } of pages) {
      for (const name of HIDDEN) {
        expect(body).not.toContain(name);
        expect(html).not.toContain(name);
      }
    }
    expect(pages[2]!.html).toContain('<th scope="row">other groups</th>');
    expect(pages[4]!.html).toContain('<th scope="row">Clinicians</th>');

    // While round 2 is open nobody sees any count, let alone a group's.
    const open = await roundPage(w.slug, 2, w.secretaryCookie);
    expect((open.data.round as { counts: unknown }).counts).toBeNull();
    expect(open.body).not.toMatch(/"(ratings|groups)":|"unable":\d/);
    expect(open.body).not.toContain("Clinicians");
    expect(open.html).toContain("This guideline is anonymous: nobody sees any count while the round is open");
  });

  test("a named guideline shows every group after close, and no group while a round is open", async () => {
    const w = await ratedGuideline("named");
    const { html } = await resultsPage(w.slug, 1, w.panelistCookie);
    expect(html).toContain(
      '<th scope="row">Methodologists</th><td data-label="Participants">1</td><td data-label="Median">7</td>' +
        '<td data-label="Share rated 7–9 (of ratings)">100% of 1</td>',
    );
    expect(html).toContain(
      '<th scope="row">Patient partners</th><td data-label="Participants">4</td><td data-label="Median">8</td>' +
        '<td data-label="Share rated 7–9 (of ratings)">66.7% of 3</td>',
    );
    expect(html).not.toContain("other groups");
    expect(text(html)).not.toContain("groups with fewer than");

    // Running counts (named guideline, secretary): the same histogram, never per group.
    const reworded = addRevision(w.db, {
      statementId: w.statements[0]!.statement.id,
      revision: 2,
      text: "Statin, high intensity",
    });
    runRound(w.db, {
      guidelineId: w.guideline.id,
      number: 2,
      revisionIds: [reworded.id],
      panel: w.panel,
      answers: [[8, 8, "unable", 3]],
      close: false,
    });
    const open = await roundPage(w.slug, 2, w.secretaryCookie);
    expect(histograms(open.html).map((h) => [h.caption, h.counts])).toEqual([
      ["Ratings so far on statement 1", [0, 0, 1, 0, 0, 0, 0, 2, 0, 1]],
    ]);
    expect(text(open.html)).toContain("Median 8, interquartile range 2.5 (3 ratings, 1 unable to score, 8 not yet answered)");
    expect(open.body).not.toContain("Clinicians");
    expect(open.html).not.toContain("stakeholder group");
  });
});

describe("stability between rounds", () => {
  const BAND = { family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 70, disagreeBelow: 15 };

  /** Two statements rated in rounds 1 and 2: the first moves from 60% to 80% rated 7–9, the second stays at 80%. */
  async function twoRounds(rule: object) {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 5, statements: ["Outcome A", "Outcome B"], rule });
    db.update(guidelines).set({ scale: NINE }).where(eq(guidelines.id, g.guideline.id)).run();
    runRound(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: g.statements.map((s) => s.revision.id),
      panel: g.panel,
      answers: [
        [7, 8, 9, 5, 3],
        [8, 8, 8, 8, 2],
      ],
    });
    const revisions = g.statements.map((s, i) =>
      addRevision(db, { statementId: s.statement.id, revision: 2, text: `Outcome ${"AB"[i]}, revised` }),
    );
    const second = runRound(db, {
      guidelineId: g.guideline.id,
      number: 2,
      revisionIds: revisions.map((r) => r.id),
      panel: g.panel,
      answers: [
        [7, 8, 9, 8, 3],
        [8, 8, 8, 9, 2],
      ],
      close: false,
    });
    // Before round 2 closes, the ballot shows round 1's histogram beside each revised statement.
    const ballot = await votePage(g.guideline.slug, await cookieFor(g.panel[3]!.userId));
    expect(histograms(ballot.html).map((h) => h.counts)).toEqual([
      [0, 0, 1, 0, 1, 0, 1, 1, 1, 0],
      [0, 1, 0, 0, 0, 0, 0, 4, 0, 0],
    ]);
    expect(text(ballot.html)).toContain("Your ballot in round 1: 5");
    closeRound(db, { roundId: second.round.id, actorId: null });
    const observer = await createUser(db, { email: `observer-${g.guideline.slug}@example.org`, name: "Olive Observer" });
    addMember(db, { guidelineId: g.guideline.id, userId: observer.id, role: "observer" });
    return {
      ...g,
      slug: g.guideline.slug,
      secretaryCookie: await cookieFor(g.secretary.id),
      observerCookie: await cookieFor(observer.id),
    };
  }

  test("each statement's change since its previous round, and no suggestion while one is still moving", async () => {
    const w = await twoRounds(BAND);
    const words = text((await roundPage(w.slug, 2, w.secretaryCookie)).html);
    expect(words).toContain(
      "Since round 1: agreement share +20 points, median +1, IQR −2 — not stable (stable when the share moves less than 15 points)",
    );
    expect(words).toContain(
      "Since round 1: agreement share 0 points, median 0, IQR 0 — stable (stable when the share moves less than 15 points)",
    );
    expect(words).toContain("1 of 2 statements stable since round 1 (moved less than 15 points).");
    expect(words).not.toContain("you may stop here");

    const first = text((await roundPage(w.slug, 1, w.secretaryCookie)).html);
    expect(first).toContain("Stability: first voted in this round, nothing to compare with.");
    expect(first).not.toContain("statements stable");
    // Stability is for secretaries.
    expect(text((await roundPage(w.slug, 2, w.observerCookie)).html)).not.toContain("Since round 1");
  });

  test("when every statement is stable within the rule's stableBelow, suggests stopping", async () => {
    const w = await twoRounds({ ...BAND, stableBelow: 25 });
    const words = text((await roundPage(w.slug, 2, w.secretaryCookie)).html);
    expect(words).toContain(
      "Every statement is stable (moved less than 25 points since round 1): you may stop here and publish.",
    );
    expect(words).toContain("agreement share +20 points, median +1, IQR −2 — stable");
  });
});
