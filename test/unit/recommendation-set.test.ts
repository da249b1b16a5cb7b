import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { canonicalJson, contentHash } from "~/consensus/canonical";
import { assembleSet, changesSince, toCsv, verifyContentHash, type Entry, type SetInput } from "~/consensus/recommendation-set";

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
