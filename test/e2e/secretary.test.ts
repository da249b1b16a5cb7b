import type { Locator, Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as pathJoin } from "node:path";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG } from "../../scripts/seed-demo";
import { demoInBrowser, logInAs } from "../support/browser";

const demo = demoInBrowser();
/** Where the 375-px screenshots go (kept after the run, for a person to look at). */
const SCREENSHOTS = pathJoin(tmpdir(), "delphi-screenshots");
mkdirSync(SCREENSHOTS, { recursive: true });

const SLUG = "e2e-delphi";
const TITLE = "E2E Delphi consensus on pleural effusion";
const SECRETARY = {
  email: "sec@e2e.example",
  name: "Sam Secretary",
  password: "quill-harbour-57-lantern",
};
const PANEL = [
  {
    email: "p1@e2e.example",
    name: "Pat One",
    discipline: "Radiology",
    affiliation: "Lyon University Hospital",
    group: "Clinicians",
  },
  {
    email: "p2@e2e.example",
    name: "Pat Two",
    discipline: "Pathology",
    affiliation: "Karolinska Institutet",
    group: "Researchers",
  },
  {
    email: "p3@e2e.example",
    name: "Pat Three",
    discipline: "Thoracic surgery",
    affiliation: "Mayo Clinic, Rochester",
    group: "Clinicians",
  },
];
const PANEL_PASSWORD = "velvet-comet-88-granite";
const RATIONALE_B = "Tapping every effusion at once exposes patients to needless risk.";
const CHANGE_NOTE_B = "Restricted to symptomatic effusions of unknown cause, after two disagreements in round 1.";

/** The panel as a secretary pastes it from a spreadsheet: columns in their own order, one row wrong. */
const PANEL_CSV = [
  "Email,Name,Discipline,Affiliation,Group",
  ...PANEL.map((m) => `${m.email},${m.name},${m.discipline},"${m.affiliation}",${m.group}`),
  "not-an-address,Pat Four,Radiology,,Clinicians",
].join("\n");

const STATEMENTS = [
  {
    section: "Imaging",
    text: "Chest ultrasound should precede any pleural puncture.",
  },
  {
    section: "Diagnosis",
    text: "Every effusion must be tapped within the hour.",
  },
  {
    section: "Treatment",
    text: "Talc pleurodesis is an option for recurrent malignant effusion.",
  },
];
const REVISED_B = "Every symptomatic effusion of unknown cause should be sampled within 24 hours.";

type Choice = "Agree" | "Disagree" | "Abstain";

/** The `/join/<token>` path of the link in an invitation mail's text. */
function joinPath(mailText: string): string {
  const match = /\/join\/[A-Za-z0-9_-]+/.exec(mailText);
  if (!match) throw new Error(`No invitation link in this mail:\n${mailText}`);
  return match[0];
}

async function text(locator: Locator): Promise<string> {
  await locator.waitFor();
  return ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();
}

function tab(page: Page, name: string): Locator {
  return page.getByRole("navigation", { name: "Guideline" }).getByRole("link", { name, exact: true });
}

/** Uncaught errors and console errors in any page: a crash after hydration fails the test with its message. */
const browserErrors: string[] = [];

/** A person of their own: a fresh browser context, so cookies are not shared. */
async function newPerson(): Promise<Page> {
  const page = await (await demo.browser.newContext()).newPage();
  page.on("pageerror", (error) => browserErrors.push(`${page.url()}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") browserErrors.push(`${page.url()}: ${message.text()}`);
  });
  return page;
}

/** Opens an invitation link in a fresh context, creates the account and lands on the guideline. */
async function join(path: string, person: { name: string; password: string; coi: string }): Promise<Page> {
  const page = await newPerson();
  await page.goto(demo.server.url + path);
  // Let the page hydrate first: the form must survive its scripts, as it does for a real invitee.
  await page.waitForLoadState("networkidle");
  expect(browserErrors).toEqual([]);
  expect(await text(page.getByRole("heading", { level: 1 }))).toBe(`Join “${TITLE}”`);
  await page.getByLabel("Your name").fill(person.name);
  await page.getByLabel("Choose a password (8 to 128 characters)").fill(person.password);
  await page.getByLabel("Conflicts of interest", { exact: false }).fill(person.coi);
  await page.getByRole("button", { name: "Create my account and join" }).click();
  await page.waitForURL(`${demo.server.url}/g/${SLUG}`);
  // The URL changes before the client has rendered the new page: wait for its heading.
  await page.getByRole("heading", { level: 1, name: TITLE, exact: true }).waitFor();
  expect(await text(page.getByRole("navigation", { name: "Account" }))).toContain(person.name);
  return page;
}

/** A panelist answers every statement of the open round (by statement number), then saves the whole form. */
async function vote(page: Page, round: number, choices: Record<number, Choice>, comments: Record<number, string> = {}) {
  await page.goto(`${demo.server.url}/g/${SLUG}/vote`);
  await page.getByRole("heading", { name: `Round ${round} ballot` }).waitFor();
  for (const [number, choice] of Object.entries(choices)) {
    const group = page.getByRole("radiogroup", { name: `Your vote on statement ${number}` });
    await group.getByRole("radio", { name: choice, exact: true }).check();
    const comment = comments[Number(number)];
    if (comment)
      await page
        .getByRole("listitem")
        .filter({ has: group })
        .getByLabel("Comment (optional, anonymous to other panelists)")
        .fill(comment);
  }
  await page.getByRole("button", { name: "Save all answers" }).click();
  const n = Object.keys(choices).length;
  expect(await text(page.getByRole("status"))).toMatch(/^Your answers are saved/);
  await page.getByText(`${n} of ${n} answered`, { exact: true }).waitFor();
}

/** The secretary closes a round through its confirmation and waits for the results. */
async function closeRound(page: Page, round: number) {
  await page.goto(`${demo.server.url}/g/${SLUG}/rounds/${round}`);
  expect(await text(page.getByRole("region", { name: "Not yet complete" }))).toContain(
    "Every panelist has answered all their statements.",
  );
  await page
    .getByRole("checkbox", {
      name: "Closing is irreversible: ballots can no longer change",
    })
    .check();
  await page.getByRole("button", { name: `Close round ${round}` }).click();
  await page.getByRole("heading", { name: `Round ${round} Closed` }).waitFor();
}

/** Opens a draft round through its confirmation; returns the confirmation's text. */
async function openRound(page: Page, round: number, mailed: number): Promise<string> {
  await page.goto(`${demo.server.url}/g/${SLUG}/rounds/${round}`);
  await page.getByRole("button", { name: `Open round ${round}…` }).click();
  const confirmation = page.getByRole("region", { name: `Open round ${round}?` });
  const said = await text(confirmation);
  await confirmation.getByRole("button", { name: `Yes, open round ${round} and mail ${mailed} panelists` }).click();
  await page.getByRole("heading", { name: `Round ${round} Open` }).waitFor();
  return said;
}

/**
 * The page at 375 px wide: a screenshot for the record, and the measurement that proves it does
 * not scroll sideways (the document is no wider than the screen).
 */
async function atPhoneWidth(page: Page, name: string): Promise<number> {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: pathJoin(SCREENSHOTS, `${name}-375.png`), fullPage: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  return width;
}

describe("a secretary runs a Delphi process in the browser", () => {
  test("from an empty admin page to a published version 1, inviting the panel from a spreadsheet", async () => {
    // 1. The admin creates the guideline and names a secretary who has no account yet.
    const admin = await newPerson();
    await logInAs(admin, demo.server.url, DEMO_ACCOUNTS.admin, DEMO_PASSWORD);
    await admin.goto(`${demo.server.url}/admin`);
    await admin.getByLabel("Slug", { exact: false }).fill(SLUG);
    await admin.getByLabel("Title", { exact: true }).fill(TITLE);
    await admin.getByLabel("Secretaries' e-mail addresses", { exact: false }).fill(SECRETARY.email);
    await admin.getByRole("button", { name: "Create guideline" }).click();
    await admin.waitForURL(`${demo.server.url}/admin?created=${SLUG}`);
    expect(await text(admin.getByRole("heading", { name: `Created “${TITLE}”` }))).toBe(`Created “${TITLE}”`);
    // The form is ready for the next guideline, not holding this one's values.
    expect(await admin.getByLabel("Slug", { exact: false }).inputValue()).toBe("");
    expect(await admin.getByLabel("Title", { exact: true }).inputValue()).toBe("");
    const invitation = await admin.getByLabel(`Invitation for ${SECRETARY.email}`).inputValue();
    expect(invitation).not.toContain("UTC UTC");
    const secretaryLink = joinPath(invitation);
    await admin.goto(`${demo.server.url}/admin/guidelines`);
    expect(await text(admin.getByRole("row").filter({ hasText: SLUG }))).toContain(SECRETARY.email);

    // 2. The secretary joins; the page does not promise a secretary votes.
    const joining = await newPerson();
    await joining.goto(demo.server.url + secretaryLink);
    expect((await text(joining.locator("main"))).toLowerCase()).not.toContain("your vote");
    await joining.close();
    const secretary = await join(secretaryLink, { ...SECRETARY, coi: "None." });
    await expect.poll(() => tab(secretary, "Settings").count()).toBe(1);

    // 3. The adoption rule: at least 60% agree, under 20% disagree, of participants.
    await tab(secretary, "Settings").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/settings`);
    await secretary.getByLabel("Agreement must be").selectOption("atLeast");
    await secretary.getByLabel("Agreement percentage (%)").fill("60");
    await secretary.getByLabel("Opposition must be").selectOption("below");
    await secretary.getByLabel("Opposition percentage (%)").fill("20");
    await secretary.getByRole("radio", { name: /^Participants/ }).check();
    await secretary.getByRole("button", { name: "Save settings" }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/settings?saved=1`);
    expect(await text(secretary.getByRole("status"))).toBe("Settings saved.");

    // 4. The panel, pasted from a spreadsheet: the preview names the wrong row and writes nothing.
    await tab(secretary, "Panel").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/panel`);
    await secretary.getByLabel("Rows to invite (CSV, header row first)").fill(PANEL_CSV);
    await secretary.getByRole("button", { name: "Preview", exact: true }).click();
    const preview = secretary.getByRole("region", { name: /^Preview:/ });
    expect(await text(preview.getByRole("heading"))).toBe("Preview: 3 of 4 rows can be invited");
    expect(await text(preview.getByRole("row").filter({ hasText: "not-an-address" }))).toMatch(/e-mail/i);
    // Nothing was written: the outbox (read in a second tab) holds no panel invitation yet.
    const outbox = await secretary.context().newPage();
    await outbox.goto(`${demo.server.url}/g/${SLUG}/outbox`);
    await outbox.getByRole("heading", { level: 1 }).waitFor();
    expect(await outbox.getByLabel(/^Text of the mail to p\d@/).count()).toBe(0);
    await outbox.close();
    await secretary.getByRole("button", { name: "Send 3 invitations" }).click();
    await secretary
      .getByRole("status")
      .filter({ hasText: /3 invitations/ })
      .waitFor();

    // The outbox gives every link in one box to copy.
    await tab(secretary, "Outbox").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/outbox`);
    const all = await secretary.getByLabel("Recipient and link, one a line: select it all and copy").inputValue();
    const links = PANEL.map((member) => {
      const line = all.split("\n").find((l) => l.startsWith(member.email));
      if (!line) throw new Error(`No link for ${member.email} in:\n${all}`);
      return joinPath(line);
    });
    for (const member of PANEL) {
      expect(await secretary.getByLabel(`Text of the mail to ${member.email}`).inputValue()).not.toContain("UTC UTC");
    }
    expect(new Set([secretaryLink, ...links]).size).toBe(4);

    // 5. Each panelist joins through their own link, with the discipline and group of their row.
    const panelists = await Promise.all(
      PANEL.map((member, i) =>
        join(links[i]!, { ...member, password: PANEL_PASSWORD, coi: `Speaker fees from Pharma ${i + 1}.` }),
      ),
    );
    for (const page of panelists) await expect.poll(() => tab(page, "Vote").count()).toBe(1);
    await secretary.goto(`${demo.server.url}/g/${SLUG}/panel?q=karolinska`);
    const people = secretary
      .getByRole("table", { name: /^Members, invitations/ })
      .getByRole("rowgroup")
      .nth(1)
      .getByRole("row");
    await expect.poll(() => people.count()).toBe(1);
    expect(await text(people)).toContain(PANEL[1]!.email);
    expect(await text(people)).toContain("Researchers");

    // 6. Three statements, A, B (with its rationale) and C.
    const statementIds: string[] = [];
    for (const [i, statement] of STATEMENTS.entries()) {
      await secretary.goto(`${demo.server.url}/g/${SLUG}/statements/new`);
      await secretary.getByLabel("Section (e.g. Radiotherapy)").fill(statement.section);
      await secretary.getByLabel("Statement", { exact: true }).fill(statement.text);
      if (i === 1) await secretary.getByLabel("Rationale and evidence summary").fill(RATIONALE_B);
      await secretary.getByRole("button", { name: "Create statement" }).click();
      await secretary.waitForURL(/\/statements\/[^/?]+\?done=created$/);
      statementIds.push(new URL(secretary.url()).pathname.split("/").at(-1)!);
    }

    // 7. Round 1: the draft links each statement to its edit page; opening asks first.
    await tab(secretary, "Rounds").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/rounds`);
    await secretary.getByRole("button", { name: "Create draft round 1" }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/rounds/1`);
    const draft = secretary.getByRole("region", { name: "Statements in this draft" });
    await draft.waitFor();
    for (const id of statementIds)
      await expect.poll(() => draft.locator(`a[href="/g/${SLUG}/statements/${id}"]`).count()).toBe(1);
    const confirmation = await openRound(secretary, 1, 3);
    expect(confirmation).toContain("3 panelists will be mailed");
    expect(confirmation).toContain("it fixes the ballot scale, the adoption rule and anonymity for good");
    const header = await text(secretary.locator(".round-header"));
    expect(header).toContain("No deadline set");
    expect(header).not.toContain("Closes no deadline");

    // A reminder, then a second one within 12 hours refused until confirmed.
    await secretary.getByRole("button", { name: "Remind non-responders" }).click();
    await secretary.getByText("Send another although the last reminder went out").waitFor();
    const history = secretary.getByRole("region", { name: "Reminders" }).getByRole("listitem");
    await expect.poll(() => history.count()).toBe(1);
    expect(await text(history)).toMatch(/ — to 3 members, sent by Sam Secretary$/);

    // 8. The panel votes: A 3 agree, B 1 agree 2 disagree (round 1's failure), C 2 agree 1 abstain.
    await Promise.all([
      vote(panelists[0]!, 1, { 1: "Agree", 2: "Agree", 3: "Agree" }),
      vote(panelists[1]!, 1, { 1: "Agree", 2: "Disagree", 3: "Agree" }, { 2: "Too strict: not every effusion needs a tap." }),
      vote(panelists[2]!, 1, { 1: "Agree", 2: "Disagree", 3: "Abstain" }),
    ]);
    await closeRound(secretary, 1);
    expect(await text(secretary.getByText(/statements adopted\./))).toBe("2 of 3 statements adopted.");
    const result = (n: number) =>
      secretary.getByRole("listitem").filter({ has: secretary.getByRole("heading", { name: new RegExp(`^Statement ${n} `) }) });
    expect(await text(result(2).getByRole("heading"))).toBe("Statement 2 Not adopted");
    expect(await text(result(2).locator(".explanation"))).toBe(
      "Not adopted: 1 of 3 participants agree (33.3%, needs at least 60%) and 2 disagree (66.7%, needs under 20%).",
    );

    // 9. A panelist's overview shows the outcome of the closed round.
    await panelists[0]!.goto(`${demo.server.url}/g/${SLUG}`);
    const outcome = panelists[0]!.getByRole("region", { name: "Round 1 results" });
    expect(await text(outcome)).toContain("Not adopted");
    expect(await text(outcome)).toContain(STATEMENTS[1]!.text.slice(0, 20));

    // 10. B is carried into round 2; opening it unchanged warns; it is reworded first.
    await secretary.getByRole("button", { name: "Carry 1 not-adopted statement into round 2" }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/rounds/2`);
    await secretary.getByRole("button", { name: "Open round 2…" }).click();
    expect(await text(secretary.getByRole("region", { name: "Open round 2?" }))).toContain(
      "1 statement is back with the wording a round did not adopt:Statement 2: not adopted in round 1, same text since",
    );
    await secretary.goto(`${demo.server.url}/g/${SLUG}/statements/${statementIds[1]}`);
    await secretary.getByLabel("Statement", { exact: true }).fill(REVISED_B);
    await secretary.getByLabel("Change note (required): what changed and why").fill(CHANGE_NOTE_B);
    await secretary.getByRole("button", { name: "Save", exact: true }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/statements/${statementIds[1]}?done=edited&revision=2`);
    const second = await openRound(secretary, 2, 3);
    expect(second).not.toContain("back with the wording a round did not adopt");
    expect(second).toContain("The statement of this draft is locked.");

    // 11. The ballot names B by its one number, with the change note and the rationale in view.
    const ballot = panelists[0]!;
    await ballot.goto(`${demo.server.url}/g/${SLUG}/vote`);
    const item = ballot
      .getByRole("listitem")
      .filter({ has: ballot.getByRole("radiogroup", { name: "Your vote on statement 2" }) });
    expect(await text(item)).toContain(CHANGE_NOTE_B);
    const ballotText = await text(ballot.locator("main"));
    expect(ballotText).toContain("No deadline set");
    expect(ballotText).not.toContain("Closes no deadline");
    expect(await item.getByText(RATIONALE_B).isVisible()).toBe(true);
    expect(await atPhoneWidth(ballot, "ballot")).toBeLessThanOrEqual(375);
    expect(await atPhoneWidth(secretary, "round")).toBeLessThanOrEqual(375);
    await Promise.all(panelists.map((page) => vote(page, 2, { 2: "Agree" })));
    await closeRound(secretary, 2);
    expect(await text(result(2).getByRole("heading"))).toBe("Statement 2 Adopted");

    // 12. Version 1: three recommendations, published after the confirmation.
    await tab(secretary, "Publish").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/publish`);
    const rows = secretary
      .getByRole("table", { name: "Table 1 as it will be published" })
      .getByRole("rowgroup")
      .nth(1)
      .getByRole("row");
    await expect.poll(() => rows.count()).toBe(3);
    expect((await rows.nth(1).getByRole("cell").allTextContents()).slice(0, 3)).toEqual([
      "Statement 2 → Recommendation 2",
      "Diagnosis",
      REVISED_B,
    ]);
    await secretary.getByRole("checkbox", { name: /^Published versions are permanent and public/ }).check();
    await secretary.getByRole("button", { name: "Publish version 1" }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/publish?published=1`);

    // 13. The public API serves it; the panelist's overview links its Table 1, which fits a phone.
    const set = await (await fetch(`${demo.server.url}/api/guidelines/${SLUG}/versions/1`)).json();
    expect(
      set.recommendations.map((r: { statementId: string; round: number; votes: unknown }) => [r.statementId, r.round, r.votes]),
    ).toEqual([
      [statementIds[0], 1, { agree: 3, disagree: 0, abstain: 0 }],
      [statementIds[1], 2, { agree: 3, disagree: 0, abstain: 0 }],
      [statementIds[2], 1, { agree: 2, disagree: 0, abstain: 1 }],
    ]);
    await ballot.goto(`${demo.server.url}/g/${SLUG}`);
    await ballot.getByRole("link", { name: "Version 1: Table 1" }).click();
    await ballot.waitForURL(`${demo.server.url}/g/${SLUG}/v/1`);
    expect(await atPhoneWidth(ballot, "table1")).toBeLessThanOrEqual(375);
    expect(browserErrors).toEqual([]);
  }, 180_000);

  test("the IMT demo's second edition, from its open round 2 to version 2", async () => {
    const secretary = await newPerson();
    await logInAs(secretary, demo.server.url, DEMO_ACCOUNTS.secretary, DEMO_PASSWORD);
    await secretary.goto(`${demo.server.url}/g/${DEMO_SLUG}/rounds/2`);
    // Round 2 holds statements 8 (revised) and 10 (new): the round page names them so.
    for (const n of [8, 10])
      await secretary
        .getByRole("heading", { name: new RegExp(`^Statement ${n}\\b`) })
        .first()
        .waitFor();
    expect(await secretary.getByRole("heading", { name: /^Statement 1\b/ }).count()).toBe(0);
    expect(await atPhoneWidth(secretary, "imt-round-2")).toBeLessThanOrEqual(375);

    // Expert 01 votes in the browser, on statement 10 by its number.
    const expert = await newPerson();
    await logInAs(expert, demo.server.url, DEMO_ACCOUNTS.panelist(1), DEMO_PASSWORD);
    await expert.goto(`${demo.server.url}/g/${DEMO_SLUG}/vote`);
    const revised = expert
      .getByRole("listitem")
      .filter({ has: expert.getByRole("radiogroup", { name: "Your vote on statement 8" }) });
    expect(await text(revised)).toContain("The secretary's note:");
    expect(await atPhoneWidth(expert, "imt-ballot")).toBeLessThanOrEqual(375);
    for (const [n, choice] of [
      [8, "Agree"],
      [10, "Disagree"],
    ] as const) {
      await expert
        .getByRole("radiogroup", { name: `Your vote on statement ${n}` })
        .getByRole("radio", { name: choice, exact: true })
        .check();
    }
    await expert.getByRole("button", { name: "Save all answers" }).click();
    expect(await text(expert.getByRole("status"))).toMatch(/^Your answers are saved/);

    // The secretary closes round 2 and publishes version 2.
    await secretary.getByRole("checkbox", { name: "Closing is irreversible: ballots can no longer change" }).check();
    await secretary.getByRole("button", { name: "Close round 2" }).click();
    await secretary.getByRole("heading", { name: "Round 2 Closed" }).waitFor();
    await secretary.goto(`${demo.server.url}/g/${DEMO_SLUG}/publish`);
    expect(await text(secretary.getByRole("table", { name: "Table 1 as it will be published" }))).toContain(
      "Statement 8 → Recommendation 8",
    );
    await secretary.getByRole("checkbox", { name: /^Published versions are permanent and public/ }).check();
    await secretary.getByRole("button", { name: "Publish version 2" }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${DEMO_SLUG}/publish?published=2`);
    const set = await (await fetch(`${demo.server.url}/api/guidelines/${DEMO_SLUG}/versions/2`)).json();
    expect(set.version).toBe(2);
    expect(set.recommendations.find((r: { round: number }) => r.round === 2)).toBeDefined();

    // The panelist's overview links version 2's Table 1, which fits a phone.
    await expert.goto(`${demo.server.url}/g/${DEMO_SLUG}`);
    await expert.getByRole("link", { name: "Version 2: Table 1" }).click();
    await expert.waitForURL(`${demo.server.url}/g/${DEMO_SLUG}/v/2`);
    expect(await atPhoneWidth(expert, "imt-table1-v2")).toBeLessThanOrEqual(375);
    expect(browserErrors).toEqual([]);
  }, 120_000);
});
