import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  closedAtOf,
  itemTally,
  MAX_RECORD_BYTES,
  MAX_SECTION_LENGTH,
  MAX_SLUG_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_TITLE_LENGTH,
  statementHistories,
  validateRecord,
  verdictMismatches,
  type ConsensusRecord,
  type Problem,
} from "~/consensus/consensus-record";

const FIXTURE = readFileSync("fixtures/imt-2025-table1.json", "utf8");

/** The IMT record as a plain object, to spoil one field at a time. */
function imt(): any {
  return JSON.parse(FIXTURE);
}

function problemsOf(input: unknown): Problem[] {
  const result = validateRecord(JSON.stringify(input));
  if (result.ok) throw new Error("expected the record to be refused");
  return result.problems;
}

function recordOf(input: unknown): ConsensusRecord {
  const result = validateRecord(JSON.stringify(input));
  if (!result.ok) throw new Error(`expected a valid record: ${JSON.stringify(result.problems)}`);
  return result.record;
}

/** The record has exactly this one problem. */
function expectOnly(input: unknown, path: string, fragment: string) {
  expect(problemsOf(input)).toEqual([{ path, message: expect.stringContaining(fragment) }]);
}

describe("validateRecord: the IMT fixture", () => {
  test("is valid, with no problems and no warnings", () => {
    const result = validateRecord(FIXTURE);
    expect(result).toMatchObject({ ok: true, warnings: [] });
    if (!result.ok) return;
    expect(result.record.guideline).toMatchObject({ slug: "imt-consensus", language: "en", registration: "PREPARE-2024CN902" });
    expect(result.record.rounds[0]!.items.map((item) => item.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("defaults the language to en and the rule's denominator to participants", () => {
    const input = imt();
    delete input.guideline.language;
    delete input.rule.denominator;
    const record = recordOf(input);
    expect(record.guideline.language).toBe("en");
    expect(record.rule).toMatchObject({ denominator: "participants" });
  });
});

describe("validateRecord: one problem at a time", () => {
  test("a wrong or missing format tag", () => {
    expectOnly(
      { ...imt(), format: "recommendation-set/1" },
      "format",
      'must be "consensus-record/1", got "recommendation-set/1"',
    );
    const input = imt();
    delete input.format;
    expectOnly(input, "format", "is required");
  });

  test("a negative count", () => {
    const input = imt();
    input.rounds[0].items[3].votes.disagree = -1;
    expectOnly(input, "rounds[0].items[3].votes.disagree", "must be a whole number, 0 or more, got -1");
  });

  test("a fractional count", () => {
    const input = imt();
    input.rounds[0].items[2].votes.agree = 29.5;
    expectOnly(input, "rounds[0].items[2].votes.agree", "got 29.5");
  });

  test("a missing count or missing votes", () => {
    const input = imt();
    delete input.rounds[0].items[0].votes.abstain;
    delete input.rounds[0].items[1].votes;
    expect(problemsOf(input)).toEqual([
      { path: "rounds[0].items[0].votes.abstain", message: expect.stringContaining("is required") },
      { path: "rounds[0].items[1].votes", message: expect.stringContaining("is required") },
    ]);
  });

  test("more ballots than the round's panel", () => {
    const input = imt();
    input.rounds[0].items[0].votes.abstain = 1;
    expectOnly(input, "rounds[0].items[0].votes", "agree + disagree + abstain is 32, above the round's panelSize of 31");
  });

  test("more ballots than the item's eligible members", () => {
    const input = imt();
    input.rounds[0].items[0].eligible = 30;
    expectOnly(input, "rounds[0].items[0].votes", "is 31, above the item's eligible of 30");
  });

  test("eligible above the round's panel size", () => {
    const input = imt();
    input.rounds[0].items[4].eligible = 32;
    expectOnly(input, "rounds[0].items[4].eligible", "is 32, above the round's panelSize of 31");
  });

  test("an item number used twice in a round", () => {
    const input = imt();
    input.rounds[0].items[5].number = 2;
    expectOnly(input, "rounds[0].items[5].number", "item 2 appears twice in round 1 (also items[1])");
  });

  test("a statement key used twice in a round", () => {
    const input = imt();
    input.rounds[0].items[0].statement = "imaging";
    input.rounds[0].items[1].statement = "imaging";
    expectOnly(input, "rounds[0].items[1].statement", 'statement "imaging" appears twice in round 1');
  });

  test("rounds not numbered 1, 2, … in order", () => {
    const input = imt();
    input.rounds[0].number = 2;
    expectOnly(input, "rounds[0].number", "expected 1, got 2");
    const skipped = imt();
    skipped.rounds.push({ ...skipped.rounds[0], number: 3 });
    expectOnly(skipped, "rounds[1].number", "rounds must be numbered 1, 2, … in order: expected 2, got 3");
  });

  test("no rounds, or a round without items", () => {
    expectOnly({ ...imt(), rounds: [] }, "rounds", "must list at least one round");
    const input = imt();
    input.rounds[0].items = [];
    expectOnly(input, "rounds[0].items", "must list at least one item");
  });

  test("an empty, blank or oversized text", () => {
    const input = imt();
    input.rounds[0].items[0].text = "";
    input.rounds[0].items[1].text = "   ";
    input.rounds[0].items[2].text = "x".repeat(MAX_TEXT_LENGTH + 1);
    expect(problemsOf(input)).toEqual([
      { path: "rounds[0].items[0].text", message: "must not be empty" },
      { path: "rounds[0].items[1].text", message: "must not be empty" },
      { path: "rounds[0].items[2].text", message: `is too long: ${MAX_TEXT_LENGTH + 1} characters, at most ${MAX_TEXT_LENGTH}` },
    ]);
    const longest = imt();
    longest.rounds[0].items[0].text = "x".repeat(MAX_TEXT_LENGTH);
    expect(validateRecord(JSON.stringify(longest)).ok).toBe(true);
  });

  test("an empty or oversized section", () => {
    const input = imt();
    input.rounds[0].items[0].section = "";
    input.rounds[0].items[1].section = "s".repeat(MAX_SECTION_LENGTH + 1);
    expect(problemsOf(input)).toEqual([
      { path: "rounds[0].items[0].section", message: "must not be empty" },
      { path: "rounds[0].items[1].section", message: expect.stringContaining(`at most ${MAX_SECTION_LENGTH}`) },
    ]);
  });

  test("an empty, missing or oversized title", () => {
    const input = imt();
    input.guideline.title = " ";
    expectOnly(input, "guideline.title", "must not be empty");
    input.guideline.title = "t".repeat(MAX_TITLE_LENGTH + 1);
    expectOnly(input, "guideline.title", `at most ${MAX_TITLE_LENGTH}`);
    delete input.guideline.title;
    expectOnly(input, "guideline.title", "is required");
  });

  test.each([
    ["IMT-Consensus", "must be lowercase letters, digits and hyphens"],
    ["-imt", "starting with a letter or digit"],
    ["imt consensus", "must be lowercase letters, digits and hyphens"],
    ["imt_consensus", "must be lowercase letters, digits and hyphens"],
    ["", "must not be empty"],
    ["a".repeat(MAX_SLUG_LENGTH + 1), `at most ${MAX_SLUG_LENGTH} characters`],
  ])("a bad slug %j", (slug, fragment) => {
    const input = imt();
    input.guideline.slug = slug;
    expectOnly(input, "guideline.slug", fragment);
  });

  test.each(["2025-imt", "a", "imt-consensus-2"])("a good slug %j", (slug) => {
    const input = imt();
    input.guideline.slug = slug;
    expect(recordOf(input).guideline.slug).toBe(slug);
  });

  test("a bad rule, in the rule's own words", () => {
    const misspelt = imt();
    misspelt.rule = { agreeAtleast: 50, disagreeBelow: 20 };
    expect(problemsOf(misspelt)).toEqual([
      { path: "rule", message: expect.stringContaining('Unknown rule field "agreeAtleast"') },
      { path: "rule.agreeAtLeast", message: expect.stringContaining("An agreement bound is required") },
    ]);
    const outOfRange = imt();
    outOfRange.rule.agreeAtLeast = 150;
    expectOnly(outOfRange, "rule.agreeAtLeast", "agreeAtLeast must be from 0 to 100, got 150");
    const both = imt();
    both.rule.agreeAbove = 60;
    expectOnly(both, "rule.agreeAbove", "Give only one agreement bound");
    const missing = imt();
    delete missing.rule;
    expectOnly(missing, "rule", "A rule must be an object");
  });

  test("a statement key must be a text or a number", () => {
    const input = imt();
    input.rounds[0].items[0].statement = "imaging";
    input.rounds[0].items[1].statement = 102;
    expect(
      recordOf(input)
        .rounds[0]!.items.slice(0, 2)
        .map((item) => item.statement),
    ).toEqual(["imaging", 102]);
    input.rounds[0].items[2].statement = true;
    input.rounds[0].items[3].statement = "";
    expect(problemsOf(input)).toEqual([
      { path: "rounds[0].items[2].statement", message: expect.stringContaining("a text or a number, got true") },
      { path: "rounds[0].items[3].statement", message: "must not be empty" },
    ]);
  });

  test("a publishedVerdict other than adopted or not adopted", () => {
    const input = imt();
    input.rounds[0].items[0].publishedVerdict = "yes";
    expectOnly(input, "rounds[0].items[0].publishedVerdict", 'must be "adopted" or "not adopted", got "yes"');
  });

  test.each(["2025-02-16", "2025-02-16T09:30:00Z", "2025-02-16T09:30:00.5+08:00"])("closedAt %j is accepted", (closedAt) => {
    const input = imt();
    input.rounds[0].closedAt = closedAt;
    expect(recordOf(input).rounds[0]!.closedAt).toBe(closedAt);
  });

  test.each(["16/02/2025", "2025-02-30", "2025-02-16T09:30:00", "yesterday", 20250216])("closedAt %j is refused", (closedAt) => {
    const input = imt();
    input.rounds[0].closedAt = closedAt;
    expectOnly(input, "rounds[0].closedAt", "must be an ISO date (2025-02-16) or date-time");
  });

  test("a root that is not an object", () => {
    expect(problemsOf([])).toEqual([{ path: "(root)", message: "must be a JSON object: a consensus record" }]);
  });
});

describe("validateRecord: the whole file", () => {
  test("lists every problem at once", () => {
    const input = imt();
    input.format = "consensus-record/2";
    input.guideline.slug = "IMT";
    input.rule.disagreeBelow = -5;
    input.rounds[0].items[0].votes.agree = -1;
    input.rounds[0].items[1].votes.abstain = 0.5;
    input.rounds[0].items[2].number = 1;
    input.rounds[0].items[3].votes.agree = 40;
    input.rounds[0].items[4].text = "";
    input.rounds[0].items[5].publishedVerdict = "rejected";
    input.rounds.push({ number: 3, panelSize: 31, items: [] });
    expect(
      problemsOf(input)
        .map((p) => p.path)
        .sort(),
    ).toEqual(
      [
        "format",
        "guideline.slug",
        "rule.disagreeBelow",
        "rounds[0].items[0].votes.agree",
        "rounds[0].items[1].votes.abstain",
        "rounds[0].items[2].number",
        "rounds[0].items[3].votes",
        "rounds[0].items[4].text",
        "rounds[0].items[5].publishedVerdict",
        "rounds[1].items",
        "rounds[1].number",
      ].sort(),
    );
  });

  test("refuses a file over the size limit, counted in bytes", () => {
    const tooLarge = validateRecord(" ".repeat(MAX_RECORD_BYTES - FIXTURE.length + 1) + FIXTURE);
    expect(tooLarge).toEqual({
      ok: false,
      problems: [{ path: "(root)", message: expect.stringContaining(`is ${MAX_RECORD_BYTES + 1} bytes, more than the 5 MiB`) }],
      warnings: [],
    });
    expect(validateRecord(" ".repeat(MAX_RECORD_BYTES - FIXTURE.length) + FIXTURE).ok).toBe(true);
    // Four characters, twelve bytes in UTF-8.
    expect(validateRecord('"中中"', { maxBytes: 7 })).toMatchObject({
      ok: false,
      problems: [{ path: "(root)", message: "the file is 8 bytes, more than the 7 bytes a consensus record may have" }],
    });
  });

  test("refuses a file that is not JSON, with the parser's reason", () => {
    const result = validateRecord(FIXTURE.slice(0, 200));
    expect(result).toMatchObject({ ok: false, problems: [{ path: "(root)", message: expect.stringMatching(/^not JSON: .+/) }] });
  });

  test("accepts a UTF-8 byte order mark", () => {
    expect(validateRecord("\uFEFF" + FIXTURE).ok).toBe(true);
  });

  test("ignores unknown fields outside the rule, naming each in a warning", () => {
    const input = imt();
    input.comment = "exported from a spreadsheet";
    input.guideline.edition = 1;
    input.panel.chair = "someone";
    input.rounds[0].foo = "bar";
    input.rounds[0].items[1].votes.maybe = 3;
    input.rounds[0].items[2].secion = "Typo";
    const result = validateRecord(JSON.stringify(input));
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      'Ignored unknown field "comment"',
      'Ignored unknown field "guideline.edition"',
      'Ignored unknown field "panel.chair"',
      'Ignored unknown field "rounds[0].foo"',
      'Ignored unknown field "rounds[0].items[1].votes.maybe"',
      'Ignored unknown field "rounds[0].items[2].secion"',
    ]);
    if (result.ok) expect(result.record).not.toHaveProperty("comment");
  });

  test("reports unknown fields even when the record is refused", () => {
    const input = imt();
    input.rounds[0].itmes = input.rounds[0].items;
    delete input.rounds[0].items;
    const result = validateRecord(JSON.stringify(input));
    expect(result).toEqual({
      ok: false,
      problems: [{ path: "rounds[0].items", message: expect.stringContaining("is required") }],
      warnings: ['Ignored unknown field "rounds[0].itmes"'],
    });
  });

  test("warns when a publishedVerdict differs from the rule's verdict", () => {
    const input = imt();
    input.rounds[0].items[7].publishedVerdict = "not adopted";
    const result = validateRecord(JSON.stringify(input));
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      'rounds[0].items[7]: the file says "not adopted", the rule gives "adopted" ' +
        "(Adopted: 17 of 31 participants agree (54.8%, needs at least 50%) and 0 disagree (0%, needs under 20%).)",
    ]);
  });
});

describe("validateRecord: characters in texts", () => {
  test("refuses NUL and every other control character but tab and line break, in every text, each by path", () => {
    const input = imt();
    input.guideline.title = "Chinese Expert Consensus\u0000";
    input.guideline.registration = "PREPARE\u00072024CN902";
    input.guideline.source = "\u001B[31mThoracic Cancer";
    input.ruleText = "At least 50%\u007F agree";
    input.panel.disciplines["Radiology\u0008"] = 1;
    input.panel.note = "Note\u000C";
    input.rounds[0].items[0].text = "Imaging\tfindings\nof IMT\u0085";
    input.rounds[0].items[1].section = "\u009FPathology";
    input.rounds[0].items[2].statement = "key\u000B";
    expect(problemsOf(input)).toEqual([
      {
        path: "guideline.title",
        message: "contains a control character (U+0000 at character 25): only tab and line break are allowed",
      },
      {
        path: "guideline.registration",
        message: "contains a control character (U+0007 at character 8): only tab and line break are allowed",
      },
      {
        path: "guideline.source",
        message: "contains a control character (U+001B at character 1): only tab and line break are allowed",
      },
      { path: "ruleText", message: "contains a control character (U+007F at character 13): only tab and line break are allowed" },
      {
        path: 'panel.disciplines["Radiology\\b"]',
        message:
          "is not a discipline name: it contains a control character (U+0008 at character 10): only tab and line break are allowed",
      },
      {
        path: "panel.note",
        message: "contains a control character (U+000C at character 5): only tab and line break are allowed",
      },
      {
        path: "rounds[0].items[0].text",
        message: "contains a control character (U+0085 at character 24): only tab and line break are allowed",
      },
      {
        path: "rounds[0].items[1].section",
        message: "contains a control character (U+009F at character 1): only tab and line break are allowed",
      },
      {
        path: "rounds[0].items[2].statement",
        message: "contains a control character (U+000B at character 4): only tab and line break are allowed",
      },
    ]);
  });

  test("reads a CRLF line break as one line break, and refuses a lone carriage return", () => {
    const input = imt();
    input.rounds[0].items[0].text = "First line\r\nsecond line";
    input.rounds[0].items[1].section = "Path\r\nology";
    input.rounds.push({ number: 2, panelSize: 31, items: [{ ...input.rounds[0].items[0], text: "First line\nsecond line" }] });
    const record = recordOf(input);
    expect(record.rounds.map((round) => round.items[0]!.text)).toEqual(["First line\nsecond line", "First line\nsecond line"]);
    expect(record.rounds[0]!.items[1]!.section).toBe("Path\nology");
    // Saved on Windows or not, the same wording is one revision.
    expect(statementHistories(record).revisionOf).toEqual([[1, 1, 1, 1, 1, 1, 1, 1, 1], [1]]);

    input.rounds[0].items[0].text = "First line\rsecond line\r\n";
    expect(problemsOf(input)).toEqual([
      {
        path: "rounds[0].items[0].text",
        message: "contains a control character (U+000D at character 11): only tab and line break are allowed",
      },
    ]);
  });

  test("keeps bidirectional controls, with a warning naming each text that holds one", () => {
    const input = imt();
    input.guideline.title = "\u202Bتوافق الخبراء\u202C";
    input.panel.disciplines["Patho\u2066logy"] = 1;
    input.rounds[0].items[3].text = "Surgery \u202Eis not\u202C recommended";
    const result = validateRecord(JSON.stringify(input));
    expect(result).toMatchObject({ ok: true });
    expect(result.warnings).toEqual([
      "guideline.title: a bidirectional control character (U+202B at character 1) can make it display in another order than stored",
      'panel.disciplines["Patho\\u2066logy"]: a bidirectional control character (U+2066 at character 6) can make it display in another order than stored',
      "rounds[0].items[3].text: a bidirectional control character (U+202E at character 9) can make it display in another order than stored",
    ]);
    if (result.ok) expect(result.record.rounds[0]!.items[3]!.text).toBe("Surgery \u202Eis not\u202C recommended");
  });
});

describe("verdictMismatches", () => {
  test("recomputes with the item's eligible count, falling back to the round's panel size", () => {
    const input = imt();
    input.rule = { agreeAtLeast: 75, denominator: "panel" };
    // 23 of 31 would be 74.2%, not adopted; 23 of 30 eligible is 76.7%, adopted as published.
    input.rounds[0].items[5].votes.abstain = 7;
    input.rounds[0].items[5].eligible = 30;
    input.rounds[0].items[6].publishedVerdict = "not adopted";
    expect(verdictMismatches(recordOf(input))).toEqual([
      expect.stringMatching(
        /^rounds\[0\]\.items\[6\]: the file says "not adopted", the rule gives "adopted" \(Adopted: 25 of 31 eligible members agree/,
      ),
      expect.stringMatching(
        /^rounds\[0\]\.items\[7\]: the file says "adopted", the rule gives "not adopted" \(Not adopted: 17 of 31/,
      ),
    ]);
  });

  test("says nothing when the file gives no verdict or the same one", () => {
    const input = imt();
    delete input.rounds[0].items[0].publishedVerdict;
    expect(verdictMismatches(recordOf(input))).toEqual([]);
  });
});

describe("closedAtOf", () => {
  test("reads a date as the start of that day in UTC and keeps a date-time's zone", () => {
    const input = imt();
    expect(closedAtOf(recordOf(input).rounds[0]!)?.toISOString()).toBe("2025-02-16T00:00:00.000Z");
    input.rounds[0].closedAt = "2025-02-16T09:30:00+08:00";
    expect(closedAtOf(recordOf(input).rounds[0]!)?.toISOString()).toBe("2025-02-16T01:30:00.000Z");
    delete input.rounds[0].closedAt;
    expect(closedAtOf(recordOf(input).rounds[0]!)).toBeNull();
  });
});

describe("statementHistories", () => {
  const item = (number: number, text: string, extra: object = {}) => ({
    number,
    text,
    votes: { agree: 1, disagree: 0, abstain: 0 },
    ...extra,
  });
  const record = (...rounds: object[][]) =>
    recordOf({
      format: "consensus-record/1",
      guideline: { slug: "histories", title: "Histories" },
      rule: { agreeAtLeast: 50 },
      rounds: rounds.map((items, r) => ({ number: r + 1, panelSize: 5, items })),
    });

  test("links rounds by statement key, numbering revisions when the wording changes", () => {
    const plan = statementHistories(
      record(
        [item(1, "A", { statement: "a", section: "One" }), item(2, "B"), item(3, "C", { statement: "c" })],
        [item(1, "C", { statement: "c", section: "Three" }), item(2, "A, reworded", { statement: "a" }), item(3, "D")],
        [item(1, "A", { statement: "a" }), item(2, "B", { statement: "2" })],
      ),
    );
    expect(plan.statements).toEqual([
      {
        key: "a",
        revisions: [
          { text: "A", section: "One" },
          { text: "A, reworded", section: "One" },
          { text: "A", section: "One" },
        ],
      },
      { key: "2", revisions: [{ text: "B", section: "" }] },
      { key: "c", revisions: [{ text: "C", section: "Three" }] },
      { key: "3", revisions: [{ text: "D", section: "" }] },
    ]);
    expect(plan.revisionOf).toEqual([
      [1, 1, 1],
      [1, 2, 1],
      [3, 1],
    ]);
  });

  test("gives each revision the section its rounds voted it under, the last one given", () => {
    const plan = statementHistories(
      record(
        [item(1, "A", { statement: "a", section: "One" }), item(2, "B", { statement: "b" })],
        [item(1, "A, reworded", { statement: "a", section: "Two" }), item(2, "B", { statement: "b", section: "Late" })],
        [item(1, "A, again", { statement: "a" })],
      ),
    );
    expect(plan.statements).toEqual([
      {
        key: "a",
        revisions: [
          { text: "A", section: "One" },
          { text: "A, reworded", section: "Two" },
          { text: "A, again", section: "Two" },
        ],
      },
      { key: "b", revisions: [{ text: "B", section: "Late" }] },
    ]);
  });
});

describe("a record on a rating scale", () => {
  /** The IMT record rated 1–9 instead, under RAND/UCLA: three items. */
  function rated(): any {
    const input = imt();
    input.scale = { kind: "rating", points: 9, unable: true };
    input.rule = { family: "rand-ucla" };
    input.rounds[0].items = [
      { number: 1, text: "Rated high", ratings: { "7": 10, "8": 11, "9": 8, unable: 2 }, publishedVerdict: "adopted" },
      { number: 2, text: "Rated low", ratings: { "1": 20, "2": 5 }, publishedVerdict: "adopted" },
      { number: 3, text: "Not rated", ratings: {}, eligible: 30 },
    ];
    return input;
  }

  test("is valid; missing points count 0, unable is a ballot; the scale is kept with its defaults", () => {
    const input = rated();
    input.scale = { kind: "rating", points: 9 };
    delete input.rounds[0].items[0].ratings.unable;
    const record = recordOf(input);
    expect(record.scale).toEqual({ kind: "rating", points: 9, unable: false });
    const round = record.rounds[0]!;
    expect(itemTally(record.scale, round, round.items[1]!)).toEqual({
      ratings: [20, 5, 0, 0, 0, 0, 0, 0, 0],
      unable: 0,
      eligible: 31,
    });
    expect(itemTally(record.scale, round, round.items[2]!)).toEqual({
      ratings: [0, 0, 0, 0, 0, 0, 0, 0, 0],
      unable: 0,
      eligible: 30,
    });
    const withUnable = recordOf(rated());
    expect(itemTally(withUnable.scale, withUnable.rounds[0]!, withUnable.rounds[0]!.items[0]!)).toEqual({
      ratings: [0, 0, 0, 0, 0, 0, 10, 11, 8],
      unable: 2,
      eligible: 31,
    });
  });

  test("an agreement record's tally is its votes", () => {
    const record = recordOf(imt());
    expect(record.scale).toEqual({ kind: "agreement" });
    expect(itemTally(record.scale, record.rounds[0]!, record.rounds[0]!.items[7]!)).toEqual({
      agree: 17,
      disagree: 0,
      abstain: 14,
      eligible: 31,
    });
  });

  test("verdicts are recomputed on the ratings: a published verdict the rule contradicts is a warning", () => {
    const result = validateRecord(JSON.stringify(rated()));
    expect(result).toMatchObject({ ok: true });
    expect(result.warnings).toEqual([
      'rounds[0].items[1]: the file says "adopted", the rule gives "not adopted" ' +
        "(Inappropriate (not adopted): median 1 of 25 ratings, no disagreement (IPR 0 ≤ IPRAS 8.35).)",
    ]);
  });

  test("ratings off the scale, unable where the scale has none, votes instead of ratings and too many ballots, each by path", () => {
    const input = rated();
    input.scale.unable = false;
    input.rounds[0].items[0].ratings["10"] = 1;
    input.rounds[0].items[1].ratings["2"] = -1;
    input.rounds[0].items[2] = { number: 3, text: "Voted", votes: { agree: 1, disagree: 0, abstain: 0 } };
    expect(problemsOf(input)).toEqual([
      { path: 'rounds[0].items[0].ratings["10"]', message: 'is not a rating on this scale: ratings are "1" to "9"' },
      { path: "rounds[0].items[0].ratings.unable", message: 'is not on this scale: it has no "unable" (unable to score)' },
      { path: 'rounds[0].items[1].ratings["2"]', message: "must be a whole number, 0 or more, got -1" },
      {
        path: "rounds[0].items[2].votes",
        message: 'are for the agreement scale: this record is on a 1–9 rating scale (its "scale"), so give ratings',
      },
      { path: "rounds[0].items[2].ratings", message: 'is required (the item\'s ratings: counts for "1" to "9")' },
    ]);
    const tooMany = rated();
    tooMany.rounds[0].items[2].ratings = { "5": 31 };
    expectOnly(tooMany, "rounds[0].items[2].ratings", "the ratings add up to 31, above the item's eligible of 30");
  });

  test("ratings in a record without a scale are refused: the record is on the agreement scale", () => {
    const input = imt();
    input.rounds[0].items[0].ratings = { "1": 3 };
    expectOnly(input, "rounds[0].items[0].ratings", 'are for a rating scale: this record has no top-level "scale"');
  });

  test("a rule that does not fit the scale is refused at the rule's path", () => {
    const percent = rated();
    percent.rule = { agreeAtLeast: 50 };
    expectOnly(percent, "rule.family", "The percent family counts agree and disagree: it needs the agreement scale, not ratings");
    const seven = rated();
    seven.scale.points = 7;
    seven.rounds[0].items = [{ number: 1, text: "Rated", ratings: { "7": 5 } }];
    expectOnly(seven, "rule.family", "RAND/UCLA needs the 9-point scale, not 1–7");
    const beyond = rated();
    beyond.scale.points = 5;
    beyond.rule = { family: "band", agreeBand: [4, 6], agreeAtLeast: 70 };
    beyond.rounds[0].items = [{ number: 1, text: "Rated", ratings: { "5": 5 } }];
    expectOnly(beyond, "rule.agreeBand", "agreeBand [4, 6] goes beyond the scale's 1–5");
    const onVotes = imt();
    onVotes.rule = { family: "rand-ucla" };
    expectOnly(onVotes, "rule.family", "The rand-ucla family needs a rating scale, not agree / disagree / abstain");
  });

  test("an invalid scale is refused at its path, and the rest of the record is still checked", () => {
    const input = rated();
    input.scale = { kind: "stars", points: 9 };
    input.rounds[0].items[0].text = "";
    expect(problemsOf(input)).toEqual([
      { path: "scale.kind", message: 'kind must be "agreement" or "rating"' },
      { path: "rounds[0].items[0].text", message: "must not be empty" },
    ]);
    const twelve = rated();
    twelve.scale.points = 12;
    expectOnly(twelve, "scale.points", "points must be from 3 to 10, got 12");
  });
});
