import type * as RemixReact from "@remix-run/react";
import { count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { recommendationSets, statements } from "@db/schema";
import PublishPage, { action, loader } from "~/routes/g.$slug.publish/route";
import { publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import { addMember, addRevision, createUser } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";
import { cookieFor, formRequest, getRequest, respond } from "../support/requests";

// The page is rendered from its loader's and action's data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown, actionData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => page.actionData,
  Form: (props: ComponentProps<"form">) => createElement("form", props),
}));

async function render(loaderResponse: Response, actionResponse?: Response): Promise<string> {
  page.loaderData = await loaderResponse.json();
  page.actionData = actionResponse ? await actionResponse.json() : undefined;
  return renderToStaticMarkup(createElement(PublishPage));
}

const CONFIRMATION = "Tick the box to confirm that you understand published versions are permanent and public.";

/** A guideline of 5 panelists whose round 1 closed: "Biopsy always" is not adopted. */
async function roundOneClosed() {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 5, statements: ["Imaging first", "Biopsy always", "Surgery first"] });
  const round = openRoundWithBallots(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    panel: g.panel,
    votes: [votes(5, 5), votes(5, 2, 2, 1), votes(5, 4, 0, 1)],
  });
  closeRound(db, { roundId: round.round.id, actorId: g.secretary.id, now: new Date("2026-01-10T10:00:00Z") });
  return { db, ...g, slug: g.guideline.slug, cookie: await cookieFor(g.secretary.id) };
}

const path = (slug: string, search = "") => `/g/${slug}/publish${search}`;

function load(slug: string, cookie?: string, search = "") {
  return respond(() => loader({ request: getRequest(path(slug, search), { cookie }), params: { slug }, context: {} }));
}

function submit(slug: string, fields: Record<string, string>, cookie?: string) {
  return respond(() => action({ request: formRequest(path(slug), fields, { cookie }), params: { slug }, context: {} }));
}

function publishedCount(guidelineId: string): number {
  return getDb().select({ n: count() }).from(recommendationSets).where(eq(recommendationSets.guidelineId, guidelineId)).get()!.n;
}

describe("the publish page", () => {
  test("previews version 1: its number, the statements it adds, Table 1 and what is not adopted with why", async () => {
    const { slug, cookie, statements: s } = await roundOneClosed();
    const response = await load(slug, cookie);
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data.preview.status).toBe("ready");
    expect(data.preview.set.version).toBe(1);
    expect(data.preview.set.changes.previousVersion).toBeNull();
    expect(data.preview.changes).toEqual([
      {
        kind: "added",
        statementId: s[0]!.statement.id,
        number: 1,
        section: "Section 1",
        text: "Imaging first",
        revision: 1,
        previousRevision: null,
        adopted: true,
      },
      {
        kind: "added",
        statementId: s[1]!.statement.id,
        number: 2,
        section: "Section 2",
        text: "Biopsy always",
        revision: 1,
        previousRevision: null,
        adopted: false,
      },
      {
        kind: "added",
        statementId: s[2]!.statement.id,
        number: 3,
        section: "Section 3",
        text: "Surgery first",
        revision: 1,
        previousRevision: null,
        adopted: true,
      },
    ]);
    expect(
      data.preview.set.recommendations.map((r: { number: number; section: string; text: string; votes: object }) => [
        r.number,
        r.section,
        r.text,
        r.votes,
      ]),
    ).toEqual([
      [1, "Section 1", "Imaging first", { agree: 5, disagree: 0, abstain: 0 }],
      [2, "Section 3", "Surgery first", { agree: 4, disagree: 0, abstain: 1 }],
    ]);
    // Statement 3 becomes recommendation 2: the preview names every statement by its own number.
    expect(data.preview.numbers).toEqual({
      [s[0]!.statement.id]: 1,
      [s[1]!.statement.id]: 2,
      [s[2]!.statement.id]: 3,
    });
    expect(data.preview.set.notAdopted.map((e: { text: string; explanation: string }) => [e.text, e.explanation])).toEqual([
      [
        "Biopsy always",
        "Not adopted: 2 of 5 participants agree (40%, needs at least 50%) and 2 disagree (40%, needs under 20%).",
      ],
    ]);
    expect(data.versions).toEqual([]);
    expect(data.justPublished).toBeNull();
    expect(data.report).toBe(`/g/${slug}/report`);
  });

  test("publishing with the confirmation writes version 1 and comes back to the page with its links", async () => {
    const { slug, cookie, guideline, secretary } = await roundOneClosed();
    const response = await submit(slug, { confirm: "on" }, cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${slug}/publish?published=1`);
    const rows = getDb().select().from(recommendationSets).where(eq(recommendationSets.guidelineId, guideline.id)).all();
    expect(rows.map((r) => [r.version, r.publishedBy])).toEqual([[1, secretary.id]]);

    const data = await (await load(slug, cookie, "?published=1")).json();
    const links = {
      table1: `/g/${slug}/v/1`,
      json: `/api/guidelines/${slug}/versions/1`,
      csv: `/api/guidelines/${slug}/versions/1.csv`,
      markdown: `/api/guidelines/${slug}/versions/1.md`,
      word: `/api/guidelines/${slug}/versions/1.docx`,
    };
    expect(data.justPublished).toEqual({
      version: 1,
      publishedAt: rows[0]!.publishedAt.toISOString(),
      contentHash: rows[0]!.contentHash,
      links,
    });
    expect(data.versions).toEqual([data.justPublished]);
    expect(data.preview).toEqual({ status: "unchanged", previousVersion: 1 });
  });

  test("previews version 2 with a revised statement (revision 1 → 2) and a retired one in their own words", async () => {
    const { db, slug, cookie, guideline, panel, statements: s } = await roundOneClosed();
    publish(db, { slug, actorId: null });
    const reworded = addRevision(db, { statementId: s[1]!.statement.id, revision: 2, text: "Biopsy when imaging is equivocal" });
    const second = openRoundWithBallots(db, {
      guidelineId: guideline.id,
      number: 2,
      revisionIds: [reworded.id],
      panel,
      votes: [votes(5, 4)],
    });
    closeRound(db, { roundId: second.round.id, actorId: null });
    db.update(statements).set({ status: "retired" }).where(eq(statements.id, s[2]!.statement.id)).run();

    const data = await (await load(slug, cookie)).json();
    expect(data.preview.set.version).toBe(2);
    expect(data.preview.changes).toEqual([
      {
        kind: "revised",
        statementId: s[1]!.statement.id,
        number: 2,
        section: "Section 2",
        text: "Biopsy when imaging is equivocal",
        revision: 2,
        previousRevision: 1,
        adopted: true,
      },
      {
        kind: "retired",
        statementId: s[2]!.statement.id,
        number: 3,
        section: "Section 3",
        text: "Surgery first",
        revision: null,
        previousRevision: 1,
        adopted: null,
      },
    ]);
    expect(data.versions.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  test("without the confirmation nothing is published: 400 with the field error", async () => {
    const { slug, cookie, guideline } = await roundOneClosed();
    const attempts: Record<string, string>[] = [{}, { confirm: "" }, { confirm: "yes" }];
    for (const fields of attempts) {
      const response = await submit(slug, fields, cookie);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toEqual({ confirm: [CONFIRMATION] });
    }
    expect(publishedCount(guideline.id)).toBe(0);
  });

  test("publishing again with nothing changed is refused: 409 with the reason, still one version", async () => {
    const { slug, cookie, guideline } = await roundOneClosed();
    expect((await submit(slug, { confirm: "on" }, cookie)).status).toBe(302);
    const response = await submit(slug, { confirm: "on" }, cookie);
    expect(response.status).toBe(409);
    expect((await response.json()).error).toEqual({ "": ["Nothing has changed since version 1: no new version was published."] });
    expect(publishedCount(guideline.id)).toBe(1);
  });

  test("with no closed round the page says so and publishing is refused (422), nothing written", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 2, statements: ["Still a draft"] });
    const cookie = await cookieFor(g.secretary.id);
    const message = `"${g.guideline.slug}" has no closed round yet: there is nothing to publish.`;
    const data = await (await load(g.guideline.slug, cookie)).json();
    expect(data.preview).toEqual({ status: "refused", message });
    const response = await submit(g.guideline.slug, { confirm: "on" }, cookie);
    expect(response.status).toBe(422);
    expect((await response.json()).error).toEqual({ "": [message] });
    expect(publishedCount(g.guideline.id)).toBe(0);
  });
});

describe("the publish page as rendered", () => {
  test("shows the preview with its change list, Table 1 and the confirmed publish form", async () => {
    const { slug, cookie } = await roundOneClosed();
    const html = await render(await load(slug, cookie));
    expect(html).toContain("Publishing now makes <strong>version 1</strong>: 2 adopted, 1 not adopted, from round 1.");
    expect(html).toContain("Changes: this is the first version");
    expect(html).toContain("Added (3)");
    expect(html).toContain('<td data-label="Key point">Surgery first</td>');
    expect(html).toContain(
      '<td data-label="Number" class="publish-number"><strong>Statement 3</strong> <span class="muted">→ Recommendation 2</span></td>',
    );
    expect(html).toContain('<p class="meta">Statement 2 · Section 2 · agree 2, disagree 2, abstain 1</p>');
    expect(html).toContain(
      "Not adopted: 2 of 5 participants agree (40%, needs at least 50%) and 2 disagree (40%, needs under 20%).",
    );
    expect(html).toContain('<input required="" id="publish-confirm" name="confirm" form="publish" type="checkbox" value="on"/>');
    expect(html).toContain('<label for="publish-confirm">Published versions are permanent and public');
    expect(html).toContain("Publish version 1</button>");
    expect(html).toContain("Nothing is published yet.");
  });

  test("shows the confirmation's error after a 400", async () => {
    const { slug, cookie } = await roundOneClosed();
    const html = await render(await load(slug, cookie), await submit(slug, {}, cookie));
    expect(html).toContain(`<p class="field-error" id="publish-confirm-error">${CONFIRMATION}</p>`);
  });

  test("after publishing: the notice with the new version's links, the versions list, and no form", async () => {
    const { slug, cookie } = await roundOneClosed();
    await submit(slug, { confirm: "on" }, cookie);
    const html = await render(await load(slug, cookie, "?published=1"));
    expect(html).toContain("Version 1 is published. It is public from now on:");
    for (const href of [
      `/g/${slug}/v/1`,
      `/api/guidelines/${slug}/versions/1`,
      `/api/guidelines/${slug}/versions/1.csv`,
      `/api/guidelines/${slug}/versions/1.md`,
      `/api/guidelines/${slug}/versions/1.docx`,
      `/g/${slug}/report`,
    ]) {
      expect(html).toContain(`href="${href}"`);
    }
    expect(html).toContain("Nothing has changed since version 1");
    expect(html).not.toContain("<form");
  });

  test("with no closed round: the refusal and no form", async () => {
    const g = await guidelineWithPanel(getDb(), { panelSize: 1, statements: ["Draft"] });
    const html = await render(await load(g.guideline.slug, await cookieFor(g.secretary.id)));
    expect(html).toContain(`has no closed round yet: there is nothing to publish.`);
    expect(html).not.toContain("<form");
  });
});

describe("who may publish", () => {
  test("only the guideline's own secretary: others get 403, anonymous visitors the login page, nothing written", async () => {
    const { db, slug, guideline, panel } = await roundOneClosed();
    const other = await guidelineWithPanel(db, { panelSize: 1, statements: ["Elsewhere"] });
    const observer = await createUser(db, { email: "observer@example.org", name: "Observer" });
    addMember(db, { guidelineId: guideline.id, userId: observer.id, role: "observer" });
    const panelist = panel[0]!.userId;
    const cookies = {
      "another guideline's secretary": await cookieFor(other.secretary.id),
      panelist: await cookieFor(panelist),
      observer: await cookieFor(observer.id),
    };
    for (const [who, cookie] of Object.entries(cookies)) {
      expect([who, (await load(slug, cookie)).status]).toEqual([who, 403]);
      expect([who, (await submit(slug, { confirm: "on" }, cookie)).status]).toEqual([who, 403]);
    }
    for (const response of [await load(slug), await submit(slug, { confirm: "on" })]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(path(slug))}`);
    }
    expect(publishedCount(guideline.id)).toBe(0);
  });
});
