import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { canonicalJson, contentHash } from "~/consensus/canonical";
import {
  assembleSet,
  changesSince,
  serializeSet,
  toCsv,
  verifyContentHash,
  type Entry,
  type SetInput,
} from "~/consensus/recommendation-set";
import { renderSet } from "~/consensus/table1";

const entry = (statementId: string, revision: number, adopted: boolean, text = `Statement ${statementId}`): Entry => ({
  statementId,
  revision,
  section: "Pathology",
  text,
  round: 1,
  votes: { agree: adopted ? 4 : 1, disagree: 0, abstain: adopted ? 0 : 3 },
  participants: 4,
  eligible: 4,
  agreePercent: adopted ? 100 : 25,
  disagreePercent: 0,
  adopted,
  reasons: adopted ? [] : ["agreement"],
  explanation: "",
});

const input = (decided: Entry[], previous: SetInput["previous"] = null, retired: string[] = []): SetInput => ({
  guideline: { slug: "g", title: "G", language: "en" },
  version: previous ? previous.version + 1 : 1,
  publishedAt: "2026-01-01T00:00:00.000Z",
  rule: { agreeAtLeast: 50, denominator: "participants" },
  panel: { size: 4, disciplines: { Pathology: 4 } },
  rounds: [{ number: 1, eligible: 4, responded: 4, closedAt: "2025-12-31T00:00:00.000Z" }],
  decided,
  retired,
  previous,
});

describe("canonical hashing", () => {
  test("is RFC 8785: sorted keys, no whitespace, key order of the input does not matter", () => {
    expect(canonicalJson({ b: [1, { d: 1, c: "é" }], a: 1.5e2 })).toBe('{"a":150,"b":[1,{"c":"é","d":1}]}');
    expect(contentHash({ x: 1, y: 2 })).toBe(contentHash({ y: 2, x: 1 }));
    const expected = createHash("sha256").update('{"x":1,"y":2}').digest("hex");
    expect(contentHash({ y: 2, x: 1 })).toBe(`sha256:${expected}`);
  });
});

describe("assembling a set", () => {
  test("numbers only the adopted statements, in statement order, and hashes everything else", () => {
    const set = assembleSet(input([entry("a", 1, true), entry("b", 1, false), entry("c", 1, true)]));
    expect(set.recommendations.map((r) => [r.number, r.statementId])).toEqual([
      [1, "a"],
      [2, "c"],
    ]);
    expect(set.notAdopted.map((e) => e.statementId)).toEqual(["b"]);
    expect(verifyContentHash(set)).toBe(true);
    expect(verifyContentHash({ ...set, version: 2 })).toBe(false);
  });

  test("lists what was added, revised and retired against the previous version", () => {
    const v1 = assembleSet(input([entry("a", 1, true), entry("b", 1, false), entry("c", 1, true)]));
    expect(changesSince(v1, [entry("a", 1, true), entry("b", 2, true), entry("d", 1, true)], ["c", "never-published"])).toEqual({
      previousVersion: 1,
      added: [{ statementId: "d", revision: 1 }],
      revised: [{ statementId: "b", revision: 2, previousRevision: 1 }],
      retired: [{ statementId: "c", previousRevision: 1 }],
    });
  });
});

describe("CSV", () => {
  test("quotes commas, quotes and line breaks (RFC 4180) and lists not-adopted rows without a number", () => {
    const set = assembleSet(input([entry("a", 1, true, 'Say "no", then\nstop'), entry("b", 1, false, "Plain")]));
    expect(toCsv(set)).toBe(
      "number,section,text,agree,disagree,abstain,adopted\r\n" +
        '1,Pathology,"Say ""no"", then\nstop",4,0,0,true\r\n' +
        ",Pathology,Plain,1,0,3,false\r\n",
    );
  });
});

describe("exports that cannot run code", () => {
  const LINK = "[x](javascript:alert(1))";
  const MIXED = `Pipe | <script>alert(1)</script> ${LINK} ![i](https://t.example/p.png)\n1. next line`;
  const hostile = assembleSet({
    ...input([
      entry("a", 1, true, '=HYPERLINK("https://evil.example","click")'),
      entry("b", 1, true, "+1+1"),
      entry("c", 1, true, "-2+3"),
      entry("d", 1, true, "@SUM(A1:A2)"),
      entry("e", 1, true, "\tcmd"),
      entry("f", 1, false, "\r=1"),
      { ...entry("g", 1, false, MIXED), section: "=Section", explanation: "*bold* _it_ `code` # ~~gone~~ & \\ <b>" },
    ]),
    guideline: { slug: "g", title: "<img src=x onerror=alert(1)> #1 [t](javascript:x)\n===", language: "en" },
  });
  const body = serializeSet(hostile);

  test("CSV: a text cell a spreadsheet would read as a formula starts with a quote; numbers and the JSON stay as they are", () => {
    expect(renderSet(body, "json")).toBe(body);
    const texts = (JSON.parse(body) as typeof hostile).notAdopted.map((e) => [e.section, e.text, e.explanation]);
    expect(texts.at(-1)).toEqual(["=Section", MIXED, "*bold* _it_ `code` # ~~gone~~ & \\ <b>"]);
    expect(renderSet(body, "csv").split("\r\n")).toEqual([
      "number,section,text,agree,disagree,abstain,adopted",
      `1,Pathology,"'=HYPERLINK(""https://evil.example"",""click"")",4,0,0,true`,
      "2,Pathology,'+1+1,4,0,0,true",
      "3,Pathology,'-2+3,4,0,0,true",
      "4,Pathology,'@SUM(A1:A2),4,0,0,true",
      "5,Pathology,'\tcmd,4,0,0,true",
      `,Pathology,"'\r=1",1,0,3,false`,
      `,'=Section,"Pipe | <script>alert(1)</script> ${LINK} ![i](https://t.example/p.png)\n1. next line",1,0,3,false`,
      "",
    ]);
  });

  test("Markdown: HTML and Markdown syntax in the title and every text show as text, in one table row each", () => {
    expect(renderSet(body, "md").split("\n")).toEqual([
      "# &lt;img src=x onerror=alert(1)&gt; \\#1 \\[t\\](javascript:x) ===",
      "",
      "Version 1, published 2026-01-01",
      "",
      "Adoption rule: At least 50% of participants agree.",
      "",
      "Scale: Agree, disagree or abstain.",
      "",
      "## Table 1",
      "",
      "Key points adopted in version 1, with the votes of the round that decided each and how many voted in it.",
      "",
      "| No. | Section | Key point | Round | Voters | Agree | Disagree | Abstain |",
      "|---:|---|---|---:|---:|---:|---:|---:|",
      '| 1 | Pathology | =HYPERLINK("https://evil.example","click") | 1 | 4 | 4 | 0 | 0 |',
      "| 2 | Pathology | +1+1 | 1 | 4 | 4 | 0 | 0 |",
      "| 3 | Pathology | -2+3 | 1 | 4 | 4 | 0 | 0 |",
      "| 4 | Pathology | @SUM(A1:A2) | 1 | 4 | 4 | 0 | 0 |",
      "| 5 | Pathology | \tcmd | 1 | 4 | 4 | 0 | 0 |",
      "",
      "## Not adopted",
      "",
      "| Section | Statement | Round | Voters | Agree | Disagree | Abstain | Why |",
      "|---|---|---:|---:|---:|---:|---:|---|",
      "| Pathology |  =1 | 1 | 4 | 1 | 0 | 3 |  |",
      "| =Section | Pipe \\| &lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:alert(1)) \\!\\[i\\](https://t.example/p.png) 1. next line " +
        "| 1 | 4 | 1 | 0 | 3 | \\*bold\\* \\_it\\_ \\`code\\` \\# \\~\\~gone\\~\\~ &amp; \\\\ &lt;b&gt; |",
      "",
      `*Content hash ${hostile.contentHash}*`,
      "",
    ]);
  });
});

describe("a rating set", () => {
  const rated = (statementId: string, adopted: boolean, ratings: Record<string, number>, extra: Partial<Entry> = {}): Entry => ({
    statementId,
    revision: 1,
    section: "Outcomes",
    text: `Outcome ${statementId}`,
    round: 1,
    ratings,
    median: 8,
    participants: 6,
    eligible: 6,
    agreePercent: adopted ? 100 : 0,
    disagreePercent: 0,
    adopted,
    outcome: adopted ? "in" : "none",
    grade: adopted ? "strong" : "none",
    reasons: adopted ? [] : ["agreement"],
    explanation: adopted ? "" : "Not adopted.",
    ...extra,
  });
  const set = assembleSet({
    ...input([
      rated("a", true, { "1": 0, "2": 0, "3": 0, "4": 0, "5": 6, unable: 0 }),
      rated("b", false, { "1": 3, "2": 1, "3": 0, "4": 0, "5": 0, unable: 2 }, { median: 1.5, outcome: "out" }),
      rated("c", false, { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, unable: 0 }, { median: null, reasons: ["no votes"] }),
    ]),
    scale: { kind: "rating", points: 5, unable: true },
    rule: {
      family: "band",
      agreeBand: [4, 5],
      opposeBand: [1, 2],
      agreeAtLeast: 70,
      disagreeBelow: 15,
      denominator: "participants",
    },
  });
  const body = serializeSet(set);

  test("CSV: a column per point and unable, then median, outcome, grade and adopted", () => {
    expect(renderSet(body, "csv").split("\r\n")).toEqual([
      "number,section,text,1,2,3,4,5,unable,median,outcome,grade,adopted",
      "1,Outcomes,Outcome a,0,0,0,0,6,0,8,in,strong,true",
      ",Outcomes,Outcome b,3,1,0,0,0,2,1.5,out,none,false",
      ",Outcomes,Outcome c,0,0,0,0,0,0,,none,none,false",
      "",
    ]);
  });

  test("CSV: without unable on the scale there is no unable column; a point the entry lacks counts 0", () => {
    const noUnable = { ...set, scale: { kind: "rating" as const, points: 5, unable: false } };
    noUnable.recommendations = [{ ...set.recommendations[0]!, ratings: { "5": 6 } }];
    expect(toCsv(noUnable).split("\r\n").slice(0, 2)).toEqual([
      "number,section,text,1,2,3,4,5,median,outcome,grade,adopted",
      "1,Outcomes,Outcome a,0,0,0,0,6,8,in,strong,true",
    ]);
  });

  test("Markdown: the rule, the scale and the grades, then each distribution, median, outcome and grade", () => {
    expect(renderSet(body, "md").split("\n")).toEqual([
      "# G",
      "",
      "Version 1, published 2026-01-01",
      "",
      "Adoption rule: At least 70% of participants rate 4–5 and under 15% rate 1–2.",
      "",
      'Scale: A rating from 1 to 5, or "unable to score".',
      "",
      "Grade: the AWMF strength of consensus of the agreement share — strong consensus above 95%, consensus above 75%, majority above 50%.",
      "",
      "## Table 1",
      "",
      "Key points adopted in version 1, with the ratings of the round that decided each and how many voted in it (how many rated 1, 2, … 5, and how many were unable to score).",
      "",
      "| No. | Section | Key point | Round | Voters | Ratings 1–5 | Median | Outcome | Grade |",
      "|---:|---|---|---:|---:|---|---:|---|---|",
      "| 1 | Outcomes | Outcome a | 1 | 6 | 0 · 0 · 0 · 0 · 6 (unable 0) | 8 | Consensus in | Strong consensus |",
      "",
      "## Not adopted",
      "",
      "| Section | Statement | Round | Voters | Ratings 1–5 | Median | Outcome | Grade | Why |",
      "|---|---|---:|---:|---|---:|---|---|---|",
      "| Outcomes | Outcome b | 1 | 6 | 3 · 1 · 0 · 0 · 0 (unable 2) | 1.5 | Consensus out | None | Not adopted. |",
      "| Outcomes | Outcome c | 1 | 6 | 0 · 0 · 0 · 0 · 0 (unable 0) | – | No consensus | None | Not adopted. |",
      "",
      `*Content hash ${set.contentHash}*`,
      "",
    ]);
  });

  test("an agreement set's CSV keeps its columns whether or not it names its scale", () => {
    const agreement = assembleSet(input([entry("a", 1, true), entry("b", 1, false)]));
    const named = assembleSet({ ...input([entry("a", 1, true), entry("b", 1, false)]), scale: { kind: "agreement" } });
    expect(toCsv(named)).toBe(toCsv(agreement));
    expect(toCsv(agreement).split("\r\n")[0]).toBe("number,section,text,agree,disagree,abstain,adopted");
  });
});
