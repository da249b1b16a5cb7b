import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { getDb, openDatabase } from "@db/client.server";
import { markdownOf } from "~/consensus/document";
import { importRecord } from "~/server/imports.server";
import { methodsReportDoc, SOFTWARE } from "~/server/methods-report.server";
import { publish } from "~/server/publications.server";
import { wordOf } from "~/server/word.server";
import { DEMO_SLUG, seedDemo } from "../../scripts/seed-demo";
import { runCli } from "../support/cli";
import { wordText } from "../support/word";

const FIXTURE = readFileSync("fixtures/imt-2025-table1.json", "utf8");

const DISCIPLINES: [string, number][] = [
  ["Pulmonary and critical care medicine", 13],
  ["Pathology", 4],
  ["Radiation oncology", 3],
  ["Nuclear medicine", 2],
  ["Orthopedics", 2],
  ["Radiology", 2],
  ["Thoracic surgery", 2],
  ["General surgery", 1],
  ["Obstetrics and gynecology", 1],
  ["Thoracic oncology", 1],
];

/** Every fact the IMT paper reports, as the report words it. */
const IMT_FACTS = [
  "The study was registered as PREPARE-2024CN902.",
  "The panel had 31 members from 10 disciplines.",
  "at least 50% of the participants agree, and the proportion of those holding the opposite opinion must be less than 20%",
  "The rule comes from the imported record; when the committee fixed it is not recorded here.",
  "1 round was held.",
  "31 of 31 eligible members responded (100%). 9 statements were voted on: 9 adopted, 0 not adopted.",
  "Round 1 was the last because every statement in it reached a consensus.",
  "9 recommendations were adopted in version 1.",
  "None: every statement put to the vote was adopted.",
  "Not recorded: the rounds were imported from a consensus record",
  "Not recorded: declarations of interest and recusals are not part of the imported record.",
  `Run and reported with Delphi consensus ${SOFTWARE.version}`,
];

describe("the methods report of the imported IMT consensus", () => {
  const db = getDb();
  const { slug } = importRecord(db, { text: FIXTURE, actorId: null, now: new Date("2026-02-01T10:00:00Z") });
  publish(db, { slug, actorId: null, now: new Date("2026-02-02T10:00:00Z") });
  const doc = methodsReportDoc(db, { slug, version: 1, now: new Date("2026-03-01T10:00:00Z") });

  test("states every fact the paper reports, in Markdown", () => {
    const md = markdownOf(doc).replace(/\\/g, "");
    for (const fact of IMT_FACTS) expect(md).toContain(fact);
    for (const [discipline, n] of DISCIPLINES) expect(md).toContain(`| ${discipline} | ${n} |`);
    // The disciplines in the paper's order of size: largest first, then by name.
    const order = DISCIPLINES.map(([d]) => md.indexOf(`| ${d} |`));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toMatch(
      /^# Chinese Expert Consensus on the Diagnosis and Treatment of Inflammatory Myofibroblastic Tumor: methods report\n/,
    );
    expect(md).toContain("Version 1, published 2026-02-02 (content hash sha256:");
  });

  test("and the same facts in the Word file", async () => {
    const text = wordText(await wordOf(doc));
    for (const fact of IMT_FACTS) expect(text).toContain(fact);
    for (const [discipline, n] of DISCIPLINES) expect(text).toContain(`${discipline}\n${n}\n`);
    // Every recommendation with its deciding round and its 31 voters.
    expect(text.match(/\n1\n31\n/g)).toHaveLength(9);
  });

  test("each recommendation names the round that decided it and how many voted", () => {
    const table = doc.blocks.find((b) => b.kind === "table" && b.columns.some((c) => c.title === "Recommendation"));
    expect(table?.kind).toBe("table");
    if (table?.kind !== "table") return;
    expect(table.columns.map((c) => c.title)).toEqual([
      "No.",
      "Section",
      "Recommendation",
      "Round",
      "Voters",
      "Agree",
      "Disagree",
      "Abstain",
    ]);
    expect(table.rows).toHaveLength(9);
    expect(table.rows.every((row) => row[3] === 1 && row[4] === 31)).toBe(true);
    expect(table.rows.map((row) => (row[5] as number) + (row[6] as number) + (row[7] as number))).toEqual(Array(9).fill(31));
  });
});

describe("npm run -s cli -- report", () => {
  const written = (text: string) => text.replace(/written on \d{4}-\d\d-\d\d/, "written on DATE");

  test("writes the Markdown to stdout, the same as the page's report", () => {
    const result = runCli(["report", "imt-consensus", "--version", "1"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(written(result.stdout)).toBe(written(markdownOf(methodsReportDoc(getDb(), { slug: "imt-consensus", version: 1 }))));
  });

  test("writes the Word file with --out, with the facts of the paper", () => {
    const out = join(mkdtempSync(join(tmpdir(), "delphi-report-")), "methods.docx");
    const result = runCli(["report", "imt-consensus", "--version", "1", "--format", "docx", "--out", out]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`Wrote the methods report of imt-consensus to ${out}.`);
    const text = wordText(readFileSync(out));
    for (const fact of IMT_FACTS) expect(text).toContain(fact);
  });

  test.each([
    [["report"], "usage: report SLUG [--version N] [--format md|docx] [--out FILE]"],
    [["report", "imt-consensus", "--version", "0"], '--version: must be a published version number (1, 2, …), got "0"'],
    [["report", "imt-consensus", "--format", "pdf"], '--format: must be md or docx, got "pdf"'],
    [["report", "imt-consensus", "--version", "7"], 'Version 7 of "imt-consensus" is not published; the latest is version 1.'],
    [["report", "no-such-guideline"], 'No guideline "no-such-guideline".'],
  ])("%j is refused, naming the problem", (args, message) => {
    const result = runCli(args);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
  });
});

describe("the methods report of rounds run here (the demo)", async () => {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), "delphi-report-")), "demo.sqlite"));
  await seedDemo(db);
  const md = markdownOf(methodsReportDoc(db, { slug: DEMO_SLUG, now: new Date("2026-12-01T10:00:00Z") })).replace(/\\/g, "");

  test("reports recruitment, declarations, when the rule was fixed, and that the study continues", () => {
    expect(md).toContain("All closed rounds as of 2026-12-01");
    expect(md).toContain(
      "No invitation by e-mail is recorded. 31 panelists were added to the panel directly by its secretaries or an administrator. The 31 panelists joined on 2025-01-16.",
    );
    expect(md).toContain("31 of 31 panelists declared their interests.");
    expect(md).toContain("No member was recused from any statement.");
    expect(md).toContain("It was fixed before round 1: last set on 2025-01-15, and locked when round 1 opened on 2025-02-06.");
    expect(md).toContain("Round 1 was the first: panelists had no earlier results.");
    expect(md).toContain("The study continues: round 2 is open; this report covers the rounds closed so far.");
    expect(md).toContain("Answers were anonymous");
  });
});
