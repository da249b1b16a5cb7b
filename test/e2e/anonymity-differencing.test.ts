/**
 * Anonymity by attack: two copies of the demo's running server differ only in what one panelist
 * chose (and wrote) on round 2, which is open. Everything else happens to both alike — the
 * panelist casts, changes, is recused and un-recused, withdraws, casts again, is removed. After
 * each step every page, `?_data` payload, export and API answer that each staff role (and another
 * panelist) can reach is fetched from both servers: anything that differs but timestamps would
 * let that role read the ballot by differencing. At the end round 2 closes in both, and the
 * results must then differ — proof that the crawl does see counts when there are some.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase } from "@db/client.server";
import { guidelines, memberships, roundItems, rounds, statementRevisions, users } from "@db/schema";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG, seedDemo } from "../../scripts/seed-demo";
import { crawl, firstDifference, logIn, type Snapshot } from "../support/crawl";
import { startServer, type RunningServer } from "../support/server";

const ROLES = {
  secretary: DEMO_ACCOUNTS.secretary,
  observer: DEMO_ACCOUNTS.observer,
  admin: DEMO_ACCOUNTS.admin,
  "another panelist": DEMO_ACCOUNTS.panelist(2),
} as const;
type Role = keyof typeof ROLES;

const g = `/g/${DEMO_SLUG}`;
/** Where each role starts; the crawl follows every link from there. */
const STARTS = [
  "/",
  "/admin",
  g,
  `${g}/rounds`,
  `${g}/rounds/1`,
  `${g}/rounds/2`,
  `${g}/statements`,
  `${g}/panel`,
  `${g}/settings`,
  `${g}/publish`,
  `${g}/audit`,
  `${g}/outbox`,
  `${g}/results`,
  `${g}/results/1`,
  `${g}/results/2`,
  `${g}/vote`,
  `${g}/exports/rounds.csv`,
  `${g}/exports/v1.md`,
  `${g}/exports/v1.docx`,
  `${g}/v/1`,
  "/api/guidelines",
  `/api/guidelines/${DEMO_SLUG}/versions`,
  `/api/guidelines/${DEMO_SLUG}/versions/latest`,
  `/api/guidelines/${DEMO_SLUG}/versions/1.csv`,
];

type World = { name: string; server: RunningServer; cookies: Record<Role | "voter" | "secretary", string> };

let worlds: [World, World];
let ids: { membershipId: string; items: { id: string; statementId: string }[] };

beforeAll(async () => {
  const template = join(mkdtempSync(join(tmpdir(), "delphi-diff-")), "template.sqlite");
  const db = openDatabase(template);
  await seedDemo(db);
  const guideline = db.select().from(guidelines).where(eq(guidelines.slug, DEMO_SLUG)).get()!;
  const voter = db
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.guidelineId, guideline.id), eq(users.email, DEMO_ACCOUNTS.panelist(1))))
    .get()!;
  const items = db
    .select({ id: roundItems.id, statementId: statementRevisions.statementId })
    .from(roundItems)
    .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .where(and(eq(rounds.guidelineId, guideline.id), eq(rounds.number, 2)))
    .orderBy(asc(roundItems.position))
    .all();
  db.$client.close();
  ids = { membershipId: voter.id, items };

  const servers = await Promise.all([startServer({ copyOf: template }), startServer({ copyOf: template })]);
  worlds = (await Promise.all(
    servers.map(async (server, i) => {
      const cookies = Object.fromEntries(
        await Promise.all(
          Object.entries({ ...ROLES, voter: DEMO_ACCOUNTS.panelist(1) }).map(async ([role, email]) => [
            role,
            await logIn(server.url, email, DEMO_PASSWORD),
          ]),
        ),
      ) as World["cookies"];
      return { name: i === 0 ? "A" : "B", server, cookies };
    }),
  )) as [World, World];
}, 120_000);

afterAll(async () => {
  await Promise.all((worlds ?? []).map((w) => w.server.stop()));
});

async function post(world: World, path: string, who: "voter" | "secretary", fields: Record<string, string>) {
  const response = await fetch(world.server.url + path, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: world.cookies[who], "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
  if (response.status >= 400)
    throw new Error(`${path} answered ${response.status} in world ${world.name}: ${await response.text()}`);
}

const vote = (world: World, item: number, choice: string, comment: string) =>
  post(world, `${g}/vote?_data=${encodeURIComponent("routes/g.$slug.vote")}`, "voter", {
    intent: "item",
    [`choice.${ids.items[item]!.id}`]: choice,
    [`comment.${ids.items[item]!.id}`]: comment,
  });

const panel = (world: World, fields: Record<string, string>) =>
  post(world, `${g}/panel`, "secretary", { membershipId: ids.membershipId, ...fields });

/** What each role can fetch in each world. */
async function observe(): Promise<Record<Role, [Snapshot, Snapshot]>> {
  const entries = await Promise.all(
    (Object.keys(ROLES) as Role[]).map(
      async (role) => [role, await Promise.all(worlds.map((w) => crawl(w.server.url, w.cookies[role], STARTS)))] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<Role, [Snapshot, Snapshot]>;
}

async function expectNoDifference(step: string) {
  const seen = await observe();
  for (const role of Object.keys(ROLES) as Role[]) {
    const [a, b] = seen[role];
    expect(a.size, `${role} fetched nothing`).toBeGreaterThan(10);
    expect(firstDifference(a, b), `after "${step}", the ${role} can tell the two ballots apart`).toBeNull();
  }
}

/** The same step in both worlds, with each world's own secret where the step takes one. */
async function both(
  step: (world: World, secret: { choice: string; comment: string }) => Promise<void>,
  secrets: [string, string],
) {
  await step(worlds[0], { choice: secrets[0], comment: `World A thinks this through: ${secrets[0]}.` });
  await step(worlds[1], { choice: secrets[1], comment: `B: ${secrets[1]}` });
}

describe("an open round of an anonymous guideline, probed by differencing", () => {
  test("no staff role can tell what a panelist chose, across casting, changing, recusal, withdrawal and removal", async () => {
    await expectNoDifference("nothing yet");

    await both((w, s) => vote(w, 0, s.choice, s.comment), ["agree", "disagree"]);
    await both((w, s) => vote(w, 1, s.choice, ""), ["abstain", "agree"]);
    await expectNoDifference("casting");

    await both((w, s) => vote(w, 0, s.choice, s.comment), ["abstain", "agree"]);
    await expectNoDifference("changing a ballot");

    await both(
      (w) => panel(w, { intent: "recuse", statementId: ids.items[0]!.statementId, reason: "Consults for a sponsor" }),
      ["", ""],
    );
    await expectNoDifference("recusing the panelist");

    await both((w) => panel(w, { intent: "unrecuse", statementId: ids.items[0]!.statementId }), ["", ""]);
    await expectNoDifference("lifting the recusal");

    await both((w, s) => vote(w, 0, s.choice, s.comment), ["disagree", "abstain"]);
    await expectNoDifference("changing again");

    await both(
      (w) =>
        post(w, `${g}/vote?_data=${encodeURIComponent("routes/g.$slug.vote")}`, "voter", {
          intent: "item",
          withdraw: ids.items[0]!.id,
        }),
      ["", ""],
    );
    await expectNoDifference("withdrawing the ballot");

    await both((w, s) => vote(w, 0, s.choice, s.comment), ["agree", "disagree"]);
    await both((w) => panel(w, { intent: "remove", confirm: "on" }), ["", ""]);
    await expectNoDifference("removing the panelist");

    // Counts appear at close: now the two worlds must differ, or the crawl saw nothing.
    await both((w) => post(w, `${g}/rounds/2`, "secretary", { intent: "close", confirm: "on" }), ["", ""]);
    const closed = await observe();
    for (const role of ["secretary", "observer"] as const) {
      expect(firstDifference(...closed[role]), `the ${role} sees round 2's results once it closes`).toMatch(
        /rounds\/2|results\/2/,
      );
    }
  }, 300_000);
});
