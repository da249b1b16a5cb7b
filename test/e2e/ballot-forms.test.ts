/**
 * The ballot as a form, against the built server: without JavaScript a whole-form save keeps
 * what the panelist did (valid statements saved, the invalid one shown as typed), a successful
 * save answers 303 so a reload does not post again, a ballot can be withdrawn; with JavaScript a
 * comment typed before choosing says it is not saved yet.
 */
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openDatabase } from "@db/client.server";
import { auditEvents, ballots, guidelines, memberships, users } from "@db/schema";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG } from "../../scripts/seed-demo";
import { demoInBrowser, logInAs } from "../support/browser";
import { logIn } from "../support/crawl";

const demo = demoInBrowser();

const votePath = `/g/${DEMO_SLUG}/vote`;
/** A statement of the ballot by its number: the demo's round 2 votes on statements 8 and 10. */
const statement = (page: Page, n: number) => page.getByRole("group", { name: new RegExp(`^Statement ${n}\\b`) });

/** A panelist's ballots and ballot events in round 2, read from the server's database. */
function stored(expert: number) {
  const db = openDatabase(demo.server.databasePath);
  try {
    const guideline = db.select().from(guidelines).where(eq(guidelines.slug, DEMO_SLUG)).get()!;
    const member = db
      .select({ id: memberships.id, userId: users.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.guidelineId, guideline.id), eq(users.email, DEMO_ACCOUNTS.panelist(expert))))
      .get()!;
    const rows = db.$client
      .prepare(
        `select i.position as position, b.choice as choice, b.comment as comment from ballots b
         join round_items i on i.id = b.round_item_id join rounds r on r.id = i.round_id
         where b.membership_id = ? and r.number = 2 order by i.position`,
      )
      .all(member.id);
    const events = db
      .select({ action: auditEvents.action, details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.guidelineId, guideline.id), eq(auditEvents.actorId, member.userId)))
      .all()
      .filter((e) => e.action.startsWith("ballot.") && e.details.round === 2);
    return { rows, events, ballots: db.select().from(ballots).where(eq(ballots.membershipId, member.id)).all() };
  } finally {
    db.$client.close();
  }
}

async function noScriptPage(expert: number): Promise<Page> {
  const context = await demo.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await logInAs(page, demo.server.url, DEMO_ACCOUNTS.panelist(expert), DEMO_PASSWORD);
  await page.goto(demo.server.url + votePath);
  return page;
}

describe("the ballot without JavaScript", () => {
  test("a whole-form save with one invalid statement saves the others and answers with what was typed", async () => {
    const page = await noScriptPage(4);
    await statement(page, 8)
      .getByLabel(/Comment/)
      .fill("I would like to see the evidence first.");
    await statement(page, 10).getByRole("radio", { name: "Disagree", exact: true }).check();
    await statement(page, 10)
      .getByLabel(/Comment/)
      .fill("Trials are under way.");
    await page.getByRole("button", { name: "Save all answers" }).click();
    await page.waitForLoadState();

    // Statement 10 is saved; statement 8 is marked, with its comment as typed and no choice.
    expect(stored(4).rows).toEqual([{ position: 2, choice: "disagree", comment: "Trials are under way." }]);
    await page.getByRole("alert").filter({ hasText: "1 answer saved" }).waitFor();
    expect(await statement(page, 8).getByText("Choose agree, disagree or abstain", { exact: true }).count()).toBe(1);
    expect(
      await statement(page, 8)
        .getByLabel(/Comment/)
        .inputValue(),
    ).toBe("I would like to see the evidence first.");
    expect(
      await statement(page, 8)
        .getByText(/Not saved yet/)
        .count(),
    ).toBe(1);
    expect(await statement(page, 10).getByRole("radio", { name: "Disagree", exact: true }).isChecked()).toBe(true);
    expect(
      await statement(page, 10)
        .getByLabel(/Comment/)
        .inputValue(),
    ).toBe("Trials are under way.");

    // Choosing now saves both, and the page says so after a redirect.
    await statement(page, 8).getByRole("radio", { name: "Abstain", exact: true }).check();
    await page.getByRole("button", { name: "Save all answers" }).click();
    await page.waitForURL(/\/vote\?saved=2/);
    await page.getByRole("status").filter({ hasText: "Your answers are saved" }).waitFor();
    expect(stored(4).rows).toEqual([
      { position: 1, choice: "abstain", comment: "I would like to see the evidence first." },
      { position: 2, choice: "disagree", comment: "Trials are under way." },
    ]);
    await page.context().close();
  });

  test("a successful whole-form save answers 303 to the ballot, so a reload posts nothing again", async () => {
    const cookie = await logIn(demo.server.url, DEMO_ACCOUNTS.panelist(5), DEMO_PASSWORD);
    const data = await (
      await fetch(`${demo.server.url}${votePath}?_data=routes%2Fg.%24slug.vote`, { headers: { Cookie: cookie } })
    ).json();
    const [first, second] = data.ballot.items as { roundItemId: string }[];
    const response = await fetch(demo.server.url + votePath, {
      method: "POST",
      redirect: "manual",
      headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        intent: "all",
        [`choice.${first!.roundItemId}`]: "agree",
        [`comment.${first!.roundItemId}`]: "",
        [`choice.${second!.roundItemId}`]: "abstain",
        [`comment.${second!.roundItemId}`]: "",
      }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(`${votePath}?saved=2&changed=2`);
    expect(stored(5).events.map((e) => e.action)).toEqual(["ballot.cast", "ballot.cast"]);

    const page = await noScriptPage(5);
    await page.getByRole("button", { name: "Save all answers" }).click();
    await page.waitForURL(/\/vote\?saved=2&changed=0/);
    await page.getByRole("status").filter({ hasText: "nothing had changed" }).waitFor();
    await page.reload();
    await page.getByRole("status").filter({ hasText: "nothing had changed" }).waitFor();
    // Saving the same answers again, and reloading, recorded nothing.
    expect(stored(5).events.map((e) => e.action)).toEqual(["ballot.cast", "ballot.cast"]);
    await page.context().close();
  });

  test("a panelist withdraws one answer back to no response", async () => {
    const page = await noScriptPage(6);
    await statement(page, 8).getByRole("radio", { name: "Agree", exact: true }).check();
    await statement(page, 10).getByRole("radio", { name: "Agree", exact: true }).check();
    await page.getByRole("button", { name: "Save all answers" }).click();
    await page.waitForURL(/saved=2/);
    await statement(page, 10).getByRole("button", { name: "Withdraw my answer" }).click();
    await page.waitForURL(/withdrawn=10/);
    await page.getByRole("status").filter({ hasText: "Your answer on statement 10 was withdrawn" }).waitFor();
    expect(await statement(page, 10).getByRole("radio", { name: "Agree", exact: true }).isChecked()).toBe(false);
    expect(await statement(page, 8).getByRole("radio", { name: "Agree", exact: true }).isChecked()).toBe(true);
    await page.getByText("1 of 2 answered").waitFor();
    const after = stored(6);
    expect(after.rows).toEqual([{ position: 1, choice: "agree", comment: null }]);
    expect(after.events.map((e) => [e.action, e.details])).toEqual([
      ["ballot.cast", { round: 2, item: 1 }],
      ["ballot.cast", { round: 2, item: 2 }],
      ["ballot.withdrawn", { round: 2, item: 2 }],
    ]);
    await page.context().close();
  });
});

describe("the ballot with JavaScript", () => {
  test("a comment typed before choosing says it is not saved yet, and saves with the choice", async () => {
    const context = await demo.browser.newContext();
    const page = await context.newPage();
    await logInAs(page, demo.server.url, DEMO_ACCOUNTS.panelist(7), DEMO_PASSWORD);
    await page.goto(demo.server.url + votePath);
    await statement(page, 8)
      .getByLabel(/Comment/)
      .fill("Agree if imaging is repeated.");
    await statement(page, 8)
      .getByLabel(/Comment/)
      .blur();
    await statement(page, 8).getByText("Not saved yet: choose agree, disagree or abstain to save this comment.").waitFor();
    expect(stored(7).rows).toEqual([]);
    await statement(page, 8).getByRole("radio", { name: "Agree", exact: true }).check();
    await statement(page, 8).getByText("Saved", { exact: true }).waitFor();
    expect(stored(7).rows).toEqual([{ position: 1, choice: "agree", comment: "Agree if imaging is repeated." }]);

    await statement(page, 8).getByRole("button", { name: "Withdraw my answer" }).click();
    await page.getByText("0 of 2 answered").waitFor();
    expect(stored(7).rows).toEqual([]);
    expect(await statement(page, 8).getByRole("radio", { name: "Agree", exact: true }).isChecked()).toBe(false);
    await context.close();
  });
});
