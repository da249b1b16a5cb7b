import type { Locator, Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../../scripts/seed-demo";
import { demoInBrowser, logInAs } from "../support/browser";

const demo = demoInBrowser();

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
  },
  {
    email: "p2@e2e.example",
    name: "Pat Two",
    discipline: "Pathology",
    affiliation: "Karolinska Institutet",
  },
  {
    email: "p3@e2e.example",
    name: "Pat Three",
    discipline: "Thoracic surgery",
    affiliation: "Mayo Clinic",
  },
];
const PANEL_PASSWORD = "velvet-comet-88-granite";

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

/** A panelist answers every statement of the open round, then saves the whole form. */
async function vote(page: Page, round: number, choices: Record<number, Choice>, comments: Record<number, string> = {}) {
  await page.goto(`${demo.server.url}/g/${SLUG}/vote`);
  await page.getByRole("heading", { name: `Round ${round} ballot` }).waitFor();
  for (const [position, choice] of Object.entries(choices)) {
    const radio = page
      .getByRole("radiogroup", { name: `Your vote on statement ${position}` })
      .getByRole("radio", { name: choice, exact: true });
    await radio.check();
    const comment = comments[Number(position)];
    if (comment)
      await page
        .getByLabel("Comment (optional, anonymous to other panelists)")
        .nth(Number(position) - 1)
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

describe("a secretary runs a Delphi process in the browser", () => {
  test("from a new guideline to a published version 1 that the public API serves", async () => {
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
    const listed = admin.getByRole("row").filter({ hasText: SLUG });
    expect(await text(listed)).toContain(`${SECRETARY.email} invited`);
    const secretaryLink = joinPath(await admin.getByLabel(`Invitation for ${SECRETARY.email}`).inputValue());

    // 2. The secretary joins through the link and lands on the guideline.
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
    const preview = secretary.getByRole("region", { name: "The rule in plain language" }).locator("#rule-preview");
    expect(await text(preview)).toBe(
      "At least 60% of participants agree and under 20% disagree. The vote counts it needs appear here once panelists have joined.",
    );

    // 4. Three panelists are invited; without SMTP their links wait in the outbox.
    await tab(secretary, "Panel").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/panel`);
    for (const member of PANEL) {
      await secretary.getByLabel("E-mail", { exact: true }).fill(member.email);
      await secretary.getByLabel("Role", { exact: true }).selectOption("panelist");
      await secretary.getByLabel("Discipline (optional)").fill(member.discipline);
      await secretary.getByLabel("Affiliation (optional)").fill(member.affiliation);
      await secretary.getByRole("button", { name: "Send invitation" }).click();
      const row = secretary.getByRole("region", { name: "Invitations" }).getByRole("row").filter({ hasText: member.email });
      expect(await text(row)).toContain(`${member.email}Panelist${member.discipline}`);
      expect(await text(row)).toContain("pending");
    }
    expect(await text(secretary.getByRole("status"))).toContain("Invitation created.");
    await tab(secretary, "Outbox").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/outbox`);
    const links: string[] = [];
    for (const member of PANEL) {
      links.push(joinPath(await secretary.getByLabel(`Text of the mail to ${member.email}`).inputValue()));
    }
    expect(new Set([secretaryLink, ...links]).size).toBe(4);

    // 5. Each panelist joins through their own link, in their own browser context.
    const panelists = await Promise.all(
      PANEL.map((member, i) =>
        join(links[i]!, {
          ...member,
          password: PANEL_PASSWORD,
          coi: `Speaker fees from Pharma ${i + 1}.`,
        }),
      ),
    );
    for (const page of panelists) {
      await expect.poll(() => tab(page, "Vote").count()).toBe(1);
      await expect.poll(() => tab(page, "Settings").count()).toBe(0);
    }
    await tab(secretary, "Panel").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/panel`);
    const members = secretary.getByRole("region", { name: /^Members/ });
    expect(await text(members.getByRole("heading"))).toBe("Members (4)");
    expect(await text(members.getByRole("row").filter({ hasText: PANEL[1]!.email }))).toContain("Speaker fees from Pharma 2.");
    await secretary.goto(`${demo.server.url}/g/${SLUG}/settings`);
    expect(await text(preview)).toBe(
      "At least 60% of participants agree and under 20% disagree. " +
        "With 3 participants a statement needs at least 2 agree and at most 0 disagree.",
    );

    // 6. Three statements, A, B and C.
    const statementIds: string[] = [];
    for (const statement of STATEMENTS) {
      await tab(secretary, "Statements").click();
      await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/statements`);
      await secretary.getByRole("link", { name: "New statement" }).click();
      await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/statements/new`);
      await secretary.getByLabel("Section (e.g. Radiotherapy)").fill(statement.section);
      await secretary.getByLabel("Statement", { exact: true }).fill(statement.text);
      await secretary.getByRole("button", { name: "Create statement" }).click();
      await secretary.waitForURL(/\/statements\/[^/?]+\?done=created$/);
      expect(await text(secretary.getByRole("status"))).toBe("Statement created as a draft.");
      expect(await text(secretary.getByRole("blockquote"))).toBe(statement.text);
      statementIds.push(new URL(secretary.url()).pathname.split("/").at(-1)!);
    }
    expect(await text(secretary.getByRole("heading", { name: /^Statement \d$/ }))).toBe("Statement 3");

    // 7. Round 1 with all three statements, opened without a deadline.
    await tab(secretary, "Rounds").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/rounds`);
    const choices = secretary.getByRole("group", { name: /^Statements/ }).getByRole("checkbox");
    await expect.poll(() => choices.count()).toBe(3);
    for (const box of await choices.all()) expect(await box.isChecked()).toBe(true);
    await secretary.getByRole("button", { name: "Create draft round 1" }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/rounds/1`);
    await secretary.getByRole("heading", { name: "Round 1 Draft" }).waitFor();
    await secretary.getByRole("button", { name: "Open round 1" }).click();
    await secretary.getByRole("heading", { name: "Round 1 Open" }).waitFor();
    expect(await text(secretary.locator(".round-header"))).toContain("3 eligible panelists");

    // 8. The panel votes: A 3 agree, B 1 agree 2 disagree, C 2 agree 1 abstain.
    await Promise.all([
      vote(panelists[0]!, 1, { 1: "Agree", 2: "Agree", 3: "Agree" }),
      vote(panelists[1]!, 1, { 1: "Agree", 2: "Disagree", 3: "Agree" }, { 2: "Too strict: not every effusion needs a tap." }),
      vote(panelists[2]!, 1, { 1: "Agree", 2: "Disagree", 3: "Abstain" }),
    ]);

    // 9. Round 1 closes with its verdicts.
    await closeRound(secretary, 1);
    expect(await text(secretary.getByText(/statements adopted\./))).toBe("2 of 3 statements adopted.");
    const result = (position: number) =>
      secretary.getByRole("listitem").filter({
        has: secretary.getByRole("heading", {
          name: new RegExp(`^Statement ${position} `),
        }),
      });
    expect(await text(result(1).getByRole("heading"))).toBe("Statement 1 Adopted");
    expect(await text(result(2).getByRole("heading"))).toBe("Statement 2 Not adopted");
    expect(await text(result(3).getByRole("heading"))).toBe("Statement 3 Adopted");
    expect(await text(result(1).locator(".explanation"))).toBe(
      "Adopted: 3 of 3 participants agree (100%, needs at least 60%) and 0 disagree (0%, needs under 20%).",
    );
    expect(await text(result(2).locator(".explanation"))).toBe(
      "Not adopted: 1 of 3 participants agree (33.3%, needs at least 60%) and 2 disagree (66.7%, needs under 20%).",
    );
    expect(await text(result(3).locator(".explanation"))).toBe(
      "Adopted: 2 of 3 participants agree (66.7%, needs at least 60%) and 0 disagree (0%, needs under 20%).",
    );
    expect(await text(result(2).getByRole("group"))).toContain("Too strict: not every effusion needs a tap.");

    // 10. B is carried into round 2, re-worded, voted again and adopted.
    await secretary
      .getByRole("button", {
        name: "Carry 1 not-adopted statement into round 2",
      })
      .click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/rounds/2`);
    await secretary.getByRole("heading", { name: "Round 2 Draft" }).waitFor();
    await secretary.goto(`${demo.server.url}/g/${SLUG}/statements/${statementIds[1]}`);
    expect(await text(secretary.getByRole("region", { name: "Edit" }))).toContain(
      "Revision 2 has not been voted on yet: saving updates it in place.",
    );
    expect(await secretary.getByLabel("Change note (required): what changed and why").inputValue()).toBe(
      "Carried over from round 1 for re-wording",
    );
    await secretary.getByLabel("Statement", { exact: true }).fill(REVISED_B);
    await secretary.getByRole("button", { name: "Save", exact: true }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/statements/${statementIds[1]}?done=edited&revision=2`);
    expect(await text(secretary.getByRole("status"))).toBe("Saved: revision 2 updated.");
    expect(await text(secretary.getByRole("blockquote"))).toBe(REVISED_B);

    await secretary.goto(`${demo.server.url}/g/${SLUG}/rounds/2`);
    const draftItems = secretary.getByRole("region", { name: "Statements in this draft" }).getByRole("listitem");
    await expect.poll(() => draftItems.count()).toBe(1);
    expect(await text(draftItems)).toContain(`Diagnosis · revision 2${REVISED_B}`);
    await secretary.getByRole("button", { name: "Open round 2" }).click();
    await secretary.getByRole("heading", { name: "Round 2 Open" }).waitFor();
    // Rounds number their own items: B is statement 1 of round 2.
    await Promise.all(panelists.map((page) => vote(page, 2, { 1: "Agree" })));
    await closeRound(secretary, 2);
    expect(await text(secretary.getByText(/statements adopted\./))).toBe("1 of 1 statements adopted.");
    expect(await text(result(1).getByRole("heading"))).toBe("Statement 1 Adopted");
    expect(await text(result(1).locator(".statement-text"))).toBe(REVISED_B);

    // 11. Version 1: three recommendations, published after the confirmation.
    await tab(secretary, "Publish").click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/publish`);
    expect(await text(secretary.getByText(/^Publishing now makes/))).toBe(
      "Publishing now makes version 1: 3 adopted, 0 not adopted, from rounds 1, 2.",
    );
    const table = secretary.getByRole("table", {
      name: "Table 1 as it will be published",
    });
    const rows = table.getByRole("rowgroup").nth(1).getByRole("row");
    await expect.poll(() => rows.count()).toBe(3);
    const cells = await Promise.all((await rows.all()).map((row) => row.getByRole("cell").allTextContents()));
    expect(cells).toEqual([
      ["1", "Imaging", STATEMENTS[0]!.text, "3", "0", "0"],
      ["2", "Diagnosis", REVISED_B, "3", "0", "0"],
      ["3", "Treatment", STATEMENTS[2]!.text, "2", "0", "1"],
    ]);
    await secretary
      .getByRole("checkbox", {
        name: /^Published versions are permanent and public/,
      })
      .check();
    await secretary.getByRole("button", { name: "Publish version 1" }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${SLUG}/publish?published=1`);
    expect(await text(secretary.getByRole("status"))).toContain("Version 1 is published.");

    // 12. The public API serves version 1 to anyone.
    const response = await fetch(`${demo.server.url}/api/guidelines/${SLUG}/versions/1`);
    expect(response.status).toBe(200);
    const set = await response.json();
    expect(set.version).toBe(1);
    expect(set.guideline).toMatchObject({ slug: SLUG, title: TITLE });
    expect(set.rule).toMatchObject({
      agreeAtLeast: 60,
      disagreeBelow: 20,
      denominator: "participants",
    });
    expect(set.rounds.map((r: { number: number }) => r.number)).toEqual([1, 2]);
    expect(set.notAdopted).toEqual([]);
    expect(
      set.recommendations.map((r: Record<string, unknown>) => ({
        number: r.number,
        statementId: r.statementId,
        section: r.section,
        text: r.text,
        revision: r.revision,
        round: r.round,
        votes: r.votes,
      })),
    ).toEqual([
      {
        number: 1,
        statementId: statementIds[0],
        section: "Imaging",
        text: STATEMENTS[0]!.text,
        revision: 1,
        round: 1,
        votes: { agree: 3, disagree: 0, abstain: 0 },
      },
      {
        number: 2,
        statementId: statementIds[1],
        section: "Diagnosis",
        text: REVISED_B,
        revision: 2,
        round: 2,
        votes: { agree: 3, disagree: 0, abstain: 0 },
      },
      {
        number: 3,
        statementId: statementIds[2],
        section: "Treatment",
        text: STATEMENTS[2]!.text,
        revision: 1,
        round: 1,
        votes: { agree: 2, disagree: 0, abstain: 1 },
      },
    ]);
    const csv = await fetch(`${demo.server.url}/api/guidelines/${SLUG}/versions/latest.csv`);
    expect(csv.status).toBe(200);
    expect((await csv.text()).trimEnd().split("\r\n")).toHaveLength(4);
    expect(browserErrors).toEqual([]);
  }, 120_000);
});
