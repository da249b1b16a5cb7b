import { strFromU8, unzipSync } from "fflate";
import { describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@db/client.server";
import { guidelines, statementRevisions } from "@db/schema";
import type { RecommendationSet } from "~/consensus/recommendation-set";
import { renderSet } from "~/consensus/table1";
import { loader as versionLoader } from "~/routes/api.guidelines.$slug.versions.$version";
import { loader } from "~/routes/g.$slug.exports.$file";
import { malformedVersionMessage } from "~/server/public-api.server";
import { DOCX_TYPE } from "~/server/word.server";
import { findPublished, publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import { runCli } from "../support/cli";
import { containsRun, wordTexts } from "../support/word";
import { addMember, addRevision, createUser } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";
import { cookieFor, getRequest, respond } from "../support/requests";

const CLOSED_AT = "2026-01-10T10:00:00.000Z";
const BIOPSY = 'Biopsy, if "equivocal"';

/**
 * Round 1 of 5 panelists closed and published as version 1: "Biopsy…" is not adopted and one
 * panelist did not answer "Surgery first". Round 2 is open and must never be exported.
 */
async function publishedEdition() {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 5, statements: ["Imaging first", BIOPSY, "Surgery first"] });
  const first = openRoundWithBallots(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    panel: g.panel,
    votes: [votes(5, 5), votes(5, 2, 2, 1), votes(5, 4)],
  });
  closeRound(db, { roundId: first.round.id, actorId: null, now: new Date(CLOSED_AT) });
  publish(db, { slug: g.guideline.slug, actorId: null, now: new Date("2026-01-11T09:30:00Z") });
  const reworded = addRevision(db, { statementId: g.statements[1]!.statement.id, revision: 2, text: "Open round text" });
  openRoundWithBallots(db, {
    guidelineId: g.guideline.id,
    number: 2,
    revisionIds: [reworded.id],
    panel: g.panel,
    votes: [votes(5, 1)],
  });
  const observer = await createUser(db, { email: `observer-${g.guideline.slug}@example.org`, name: "Observer" });
  addMember(db, { guidelineId: g.guideline.id, userId: observer.id, role: "observer" });
  return {
    db,
    ...g,
    slug: g.guideline.slug,
    cookie: await cookieFor(g.secretary.id),
    observerCookie: await cookieFor(observer.id),
  };
}

const LINK = "[x](javascript:alert(1))";
/** Texts that would run as formulas in a spreadsheet or as markup in Markdown, if they were not neutralised. */
const HOSTILE = [
  '=HYPERLINK("https://evil.example","click")',
  "+1+1",
  "-2+3",
  "@SUM(A1:A2)",
  "\tcmd",
  `\r| <script>alert(1)</script> ${LINK}\n- x`,
];

/** A published version whose title, a section and every statement are hostile; the last statement is not adopted. */
async function hostileEdition() {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 2, statements: HOSTILE });
  db.update(guidelines).set({ title: "<b>T</b> [t](javascript:x)" }).where(eq(guidelines.id, g.guideline.id)).run();
  db.update(statementRevisions).set({ section: "@Section" }).where(eq(statementRevisions.id, g.statements[0]!.revision.id)).run();
  const round = openRoundWithBallots(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    panel: g.panel,
    votes: HOSTILE.map((_, i) => (i < HOSTILE.length - 1 ? votes(2, 2) : votes(2, 0, 0, 2))),
  });
  closeRound(db, { roundId: round.round.id, actorId: null, now: new Date(CLOSED_AT) });
  publish(db, { slug: g.guideline.slug, actorId: null, now: new Date("2026-01-11T09:30:00Z") });
  return { db, ...g, slug: g.guideline.slug, cookie: await cookieFor(g.secretary.id) };
}

function fetchVersion(slug: string, version: string) {
  const request = getRequest(`/api/guidelines/${slug}/versions/${version}`);
  return respond(() => versionLoader({ request, params: { slug, version }, context: {} }));
}

function fetchExport(slug: string, file: string, cookie?: string) {
  return respond(() =>
    loader({ request: getRequest(`/g/${slug}/exports/${file}`, { cookie }), params: { slug, file }, context: {} }),
  );
}

describe("Table 1 of a published version as Markdown and Word, public like its JSON", () => {
  test("1.md is the Table 1 Markdown of the stored version, cached like the version", async () => {
    const { db, slug } = await publishedEdition();
    const response = await fetchVersion(slug, "1.md");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(`inline; filename="${slug}-v1.md"`);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    const stored = findPublished(db, { slug, version: 1 })!;
    const etag = `"${stored.contentHash.slice(7)}.md"`;
    expect(response.headers.get("ETag")).toBe(etag);
    expect(await response.text()).toBe(renderSet(stored.body, "md"));
    const again = await respond(() =>
      versionLoader({
        request: new Request(`http://localhost/api/guidelines/${slug}/versions/1.md`, { headers: { "If-None-Match": etag } }),
        params: { slug, version: "1.md" },
        context: {},
      }),
    );
    expect(again.status).toBe(304);
    const latest = await fetchVersion(slug, "latest.md");
    expect([latest.status, latest.headers.get("Cache-Control")]).toEqual([200, "public, max-age=60"]);
  });

  test("1.docx is a Word document with the title, rule, Table 1 (deciding round and voters per row) with a repeated header row, what was not adopted and the hash", async () => {
    const { db, slug, guideline } = await publishedEdition();
    const response = await fetchVersion(slug, "1.docx");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe(DOCX_TYPE);
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="${slug}-v1.docx"`);
    const stored = findPublished(db, { slug, version: 1 })!;
    expect(response.headers.get("ETag")).toBe(`W/"${stored.contentHash.slice(7)}.docx"`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(String.fromCharCode(bytes[0]!, bytes[1]!)).toBe("PK");

    const xml = strFromU8(unzipSync(bytes)["word/document.xml"]!);
    const texts = wordTexts(bytes);
    expect(texts.slice(0, 2)).toEqual([guideline.title, "Version 1, published 2026-01-11"]);
    expect(texts).toContain("Adoption rule: At least 50% of participants agree and under 20% disagree.");
    expect(containsRun(texts, ["Table 1"])).toBe(true);
    expect(containsRun(texts, ["No.", "Section", "Key point", "Round", "Voters", "Agree", "Disagree", "Abstain"])).toBe(true);
    expect(containsRun(texts, ["1", "Section 1", "Imaging first", "1", "5", "5", "0", "0"])).toBe(true);
    // One panelist did not answer "Surgery first": 4 voted on it, not 5.
    expect(containsRun(texts, ["2", "Section 3", "Surgery first", "1", "4", "4", "0", "0"])).toBe(true);
    expect(containsRun(texts, ["Not adopted"])).toBe(true);
    expect(
      containsRun(texts, [
        "Section 2",
        BIOPSY,
        "1",
        "5",
        "2",
        "2",
        "1",
        "Not adopted: 2 of 5 participants agree (40%, needs at least 50%) and 2 disagree (40%, needs under 20%).",
      ]),
    ).toBe(true);
    expect(texts.at(-1)).toBe(`Content hash ${stored.contentHash}`);
    expect(xml.match(/<w:tblHeader\/>/g)).toHaveLength(2);
    expect(xml).not.toContain("Open round text");
  });

  test("an unpublished version is 404, a version that is not one 400; the members' exports no longer hold Table 1", async () => {
    const { db, slug, cookie } = await publishedEdition();
    const draft = await guidelineWithPanel(db, { panelSize: 1, statements: ["Draft"] });
    const cases: [string, string, number, string][] = [
      [slug, "2.md", 404, `Version 2 of "${slug}" is not published; the latest is version 1.`],
      [slug, "2.docx", 404, `Version 2 of "${slug}" is not published; the latest is version 1.`],
      [slug, "0.md", 400, malformedVersionMessage("0.md")],
      [slug, "1.pdf", 400, malformedVersionMessage("1.pdf")],
      [slug, "01.docx", 400, malformedVersionMessage("01.docx")],
      [draft.guideline.slug, "1.md", 404, `Nothing is published for the guideline "${draft.guideline.slug}".`],
    ];
    for (const [guideline, version, status, error] of cases) {
      const response = await fetchVersion(guideline, version);
      expect([version, response.status, response.headers.get("Content-Type")]).toEqual([
        version,
        status,
        "application/json; charset=utf-8",
      ]);
      expect(await response.json()).toEqual({ error });
    }
    for (const file of ["v1.md", "v1.docx", "v1.pdf"]) {
      const response = await fetchExport(slug, file, cookie);
      expect([file, response.status]).toEqual([file, 404]);
      expect(await response.json()).toEqual({
        error: `There is no export "${file}": exports are rounds.csv, ballots.csv, comments.csv.`,
      });
    }
  });
});

describe("rounds.csv", () => {
  test("holds every closed round's frozen tallies, one row per item, quoted per RFC 4180 with CRLF", async () => {
    const { slug, cookie, statements: s } = await publishedEdition();
    const response = await fetchExport(slug, "rounds.csv", cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="${slug}-rounds.csv"`);
    const [one, two, three] = s.map((x) => x.statement.id);
    expect(await response.text()).toBe(
      [
        "round,closed_at,item,statement_id,revision,section,text,agree,disagree,abstain,no_response,eligible,participants,agree_percent,disagree_percent,adopted,outcome,grade,reasons",
        `1,${CLOSED_AT},1,${one},1,Section 1,Imaging first,5,0,0,0,5,5,100,0,true,in,strong,`,
        `1,${CLOSED_AT},2,${two},1,Section 2,"Biopsy, if ""equivocal""",2,2,1,0,5,5,40,40,false,none,none,agreement;opposition`,
        `1,${CLOSED_AT},3,${three},1,Section 3,Surgery first,4,0,0,1,5,4,100,0,true,in,strong,`,
        "",
      ].join("\r\n"),
    );
  });

  test("a guideline without a closed round gives the header only", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 2, statements: ["Open"] });
    openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      panel: g.panel,
      votes: [votes(2, 2)],
    });
    const response = await fetchExport(g.guideline.slug, "rounds.csv", await cookieFor(g.secretary.id));
    expect(await response.text()).toBe(
      "round,closed_at,item,statement_id,revision,section,text,agree,disagree,abstain,no_response,eligible,participants,agree_percent,disagree_percent,adopted,outcome,grade,reasons\r\n",
    );
  });
});

describe("exports that cannot run code", () => {
  test("CSV cells that look like formulas start with a quote, Markdown shows markup as text, JSON keeps the texts", async () => {
    const { db, slug, cookie, statements: s } = await hostileEdition();
    const stored = findPublished(db, { slug, version: 1 })!;
    const json = await fetchVersion(slug, "1");
    expect(await json.text()).toBe(stored.body);
    const set = JSON.parse(stored.body) as RecommendationSet;
    expect(set.guideline.title).toBe("<b>T</b> [t](javascript:x)");
    expect([...set.recommendations, ...set.notAdopted].map((e) => [e.section, e.text])).toEqual(
      HOSTILE.map((text, i) => [i === 0 ? "@Section" : `Section ${i + 1}`, text]),
    );

    const csv = await (await fetchVersion(slug, "1.csv")).text();
    expect(csv.split("\r\n")).toEqual([
      "number,section,text,agree,disagree,abstain,adopted",
      `1,'@Section,"'=HYPERLINK(""https://evil.example"",""click"")",2,0,0,true`,
      "2,Section 2,'+1+1,2,0,0,true",
      "3,Section 3,'-2+3,2,0,0,true",
      "4,Section 4,'@SUM(A1:A2),2,0,0,true",
      "5,Section 5,'\tcmd,2,0,0,true",
      `,Section 6,"'\r| <script>alert(1)</script> ${LINK}\n- x",0,0,2,false`,
      "",
    ]);
    expect(runCli(["export", slug, "--format", "csv"]).stdout).toBe(csv);

    const rounds = await (await fetchExport(slug, "rounds.csv", cookie)).text();
    const cell = (i: number) => `1,${CLOSED_AT},${i + 1},${s[i]!.statement.id},1`;
    expect(rounds.split("\r\n").slice(1)).toEqual([
      `${cell(0)},'@Section,"'=HYPERLINK(""https://evil.example"",""click"")",2,0,0,0,2,2,100,0,true,in,strong,`,
      `${cell(1)},Section 2,'+1+1,2,0,0,0,2,2,100,0,true,in,strong,`,
      `${cell(2)},Section 3,'-2+3,2,0,0,0,2,2,100,0,true,in,strong,`,
      `${cell(3)},Section 4,'@SUM(A1:A2),2,0,0,0,2,2,100,0,true,in,strong,`,
      `${cell(4)},Section 5,'\tcmd,2,0,0,0,2,2,100,0,true,in,strong,`,
      `${cell(5)},Section 6,"'\r| <script>alert(1)</script> ${LINK}\n- x",0,0,2,0,2,2,0,0,false,none,none,agreement`,
      "",
    ]);

    const md = await (await fetchVersion(slug, "1.md")).text();
    expect(md).toBe(renderSet(stored.body, "md"));
    const lines = md.split("\n");
    expect(lines[0]).toBe("# &lt;b&gt;T&lt;/b&gt; \\[t\\](javascript:x)");
    expect(lines.filter((line) => line.startsWith("| "))).toEqual([
      "| No. | Section | Key point | Round | Voters | Agree | Disagree | Abstain |",
      '| 1 | @Section | =HYPERLINK("https://evil.example","click") | 1 | 2 | 2 | 0 | 0 |',
      "| 2 | Section 2 | +1+1 | 1 | 2 | 2 | 0 | 0 |",
      "| 3 | Section 3 | -2+3 | 1 | 2 | 2 | 0 | 0 |",
      "| 4 | Section 4 | @SUM(A1:A2) | 1 | 2 | 2 | 0 | 0 |",
      "| 5 | Section 5 | \tcmd | 1 | 2 | 2 | 0 | 0 |",
      "| Section | Statement | Round | Voters | Agree | Disagree | Abstain | Why |",
      "| Section 6 |  \\| &lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:alert(1)) - x | 1 | 2 | 0 | 0 | 2 | " +
        `${set.notAdopted[0]!.explanation} |`,
    ]);
  }, 60_000);
});

describe("who may export", () => {
  test("secretaries and observers of the guideline; not its panelists or another guideline's secretary; anonymous visitors log in", async () => {
    const { db, slug, panel, observerCookie } = await publishedEdition();
    const other = await guidelineWithPanel(db, { panelSize: 1, statements: ["Elsewhere"] });
    for (const file of ["rounds.csv", "ballots.csv", "comments.csv"]) {
      expect([file, (await fetchExport(slug, file, observerCookie)).status]).toEqual([file, 200]);
      expect((await fetchExport(slug, file, await cookieFor(panel[0]!.userId))).status).toBe(403);
      expect((await fetchExport(slug, file, await cookieFor(other.secretary.id))).status).toBe(403);
      const anonymous = await fetchExport(slug, file);
      expect(anonymous.status).toBe(302);
      expect(anonymous.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(`/g/${slug}/exports/${file}`)}`);
    }
  });
});
