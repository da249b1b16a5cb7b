import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { releaseResponses, type ReleasedRow, type AnswerRow } from "~/consensus/pseudonymity";
import type { Answer } from "~/consensus/tally";

const code = (i: number) => `R-${String(i).padStart(3, "0")}`;

/** Every member answers every item of the round with `answer`. */
function full(round: number, members: number[], items: number, group = ""): AnswerRow[] {
  return members.flatMap((m) =>
    Array.from({ length: items }, (_, i) => ({ round, item: i + 1, group, code: code(m), answer: "agree" as Answer })),
  );
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const linked = (rows: ReleasedRow[], round: number) =>
  new Set(rows.filter((r) => r.round === round && r.respondent).map((r) => r.respondent));

describe("releaseResponses", () => {
  it("gives every respondent their pseudonym when all answered every item alike", () => {
    const rows = releaseResponses(full(1, range(1, 31), 9), 5);
    expect(rows).toHaveLength(31 * 9);
    expect(rows.every((r, i) => r.respondent === code(Math.floor(i / 9) + 1))).toBe(true);
  });

  it("pools a member who answered only some items, with enough others that the pool cannot be subtracted out", () => {
    // 11 answered all three items; member 12 answered item 1 only.
    const responses = [
      ...full(1, range(1, 11), 3),
      { round: 1, item: 1, group: "", code: code(12), answer: "disagree" as Answer },
    ];
    const rows = releaseResponses(responses, 5);
    // The partial answer needs four more on item 1 (members 1–4), and then items 2 and 3 hold
    // four pooled answers beside pseudonymous ones: one more (member 5) leaves with them.
    expect([...linked(rows, 1)].sort()).toEqual(range(6, 11).map(code));
    const pooled = rows.filter((r) => r.respondent === null);
    expect(pooled.filter((r) => r.item === 1)).toHaveLength(6);
    expect(pooled.filter((r) => r.item === 2)).toHaveLength(5);
    expect(rows).toHaveLength(34);
  });

  it("lets pseudonyms stop only five at a time when one member leaves a class", () => {
    const responses = [...full(1, range(1, 11), 2), ...full(2, range(1, 10), 2)];
    const rows = releaseResponses(responses, 5);
    expect(linked(rows, 1).size).toBe(11);
    // Member 11 did not answer round 2: with four others, taken in pseudonym order, their
    // pseudonyms stop, so the one who left cannot be told from the four. The four answered round
    // 2, too few to pool beside pseudonymous answers: one more (member 5) joins them.
    expect([...linked(rows, 2)].sort()).toEqual(range(6, 10).map(code));
    expect(rows.filter((r) => r.round === 2 && r.respondent === null)).toHaveLength(5 * 2);
  });

  it("never shows a group too small to be shown: rows carry the group they were given", () => {
    const responses = [...full(1, range(1, 6), 1, "Clinicians"), ...full(1, range(7, 12), 1, "")];
    const rows = releaseResponses(responses, 5);
    expect(rows.filter((r) => r.group === "Clinicians")).toHaveLength(6);
    expect(linked(rows, 1).size).toBe(12);
  });

  it("releases nothing under a pseudonym when fewer than minSize answered", () => {
    const rows = releaseResponses(full(1, range(1, 4), 3), 5);
    expect(rows.every((r) => r.respondent === null)).toBe(true);
  });
});

/** A random study: members answer random subsets of items in each round, in random groups. */
const studies = fc
  .record({
    members: fc.integer({ min: 1, max: 24 }),
    rounds: fc.integer({ min: 1, max: 3 }),
    items: fc.integer({ min: 1, max: 4 }),
    minSize: fc.integer({ min: 1, max: 6 }),
    seed: fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 24 * 3 * 4, maxLength: 24 * 3 * 4 }),
    groups: fc.array(fc.constantFrom("", "A", "B"), { minLength: 24, maxLength: 24 }),
  })
  .map(({ members, rounds, items, minSize, seed, groups }) => {
    const responses: AnswerRow[] = [];
    for (let r = 1; r <= rounds; r++) {
      for (let m = 0; m < members; m++) {
        for (let i = 1; i <= items; i++) {
          const roll = seed[(r - 1) * 96 + m * 4 + (i - 1)]!;
          // Most answer everything; some skip items or whole rounds.
          if (roll < 15) continue;
          responses.push({ round: r, item: i, group: groups[m]!, code: code(m), answer: roll % 2 ? "agree" : "disagree" });
        }
      }
    }
    return { responses, minSize };
  });

/** What the reader knows of each member: the cells (item and group) they answered, per round. */
function patterns(responses: AnswerRow[]): Map<string, Map<number, string>> {
  const known = new Map<string, Map<number, string[]>>();
  for (const r of responses) {
    const rounds = known.get(r.code) ?? new Map<number, string[]>();
    rounds.set(r.round, [...(rounds.get(r.round) ?? []), `${r.item}/${r.group}`]);
    known.set(r.code, rounds);
  }
  return new Map([...known].map(([c, rounds]) => [c, new Map([...rounds].map(([n, cells]) => [n, cells.sort().join(",")]))]));
}

function groupCount(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

describe("releaseResponses against a reader who knows every member's pattern", () => {
  it("leaves each pseudonym alike, over every round, to at least minSize − 1 others", () => {
    fc.assert(
      fc.property(studies, ({ responses, minSize }) => {
        const rows = releaseResponses(responses, minSize);
        const rounds = [...new Set(responses.map((r) => r.round))];
        const shown = patterns(rows.filter((r) => r.respondent).map((r) => ({ ...r, code: r.respondent! })));
        // What the reader sees of a pseudonym: the cells it answered in each round, or nothing.
        const history = (seen: Map<number, string>) => rounds.map((n) => seen.get(n) ?? "none").join("|");
        const alike = groupCount([...shown.values()].map(history));
        for (const n of alike.values()) expect(n).toBeGreaterThanOrEqual(minSize);
      }),
      { numRuns: 500 },
    );
  });

  it("leaves each pseudonym matching at least minSize members", () => {
    fc.assert(
      fc.property(studies, ({ responses, minSize }) => {
        const known = patterns(responses);
        const rows = releaseResponses(responses, minSize);
        const shown = patterns(rows.filter((r) => r.respondent).map((r) => ({ ...r, code: r.respondent! })));
        for (const [, seen] of shown) {
          // A member matches when they answered exactly these cells in every round the pseudonym shows.
          const matching = [...known.values()].filter((rounds) => [...seen].every(([n, cells]) => rounds.get(n) === cells));
          expect(matching.length).toBeGreaterThanOrEqual(minSize);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never leaves fewer than minSize pooled answers in a cell that also has pseudonymous ones", () => {
    fc.assert(
      fc.property(studies, ({ responses, minSize }) => {
        const rows = releaseResponses(responses, minSize);
        const cells = new Map<string, { pooled: number; linked: number }>();
        for (const r of rows) {
          const key = `${r.round}/${r.item}/${r.group}`;
          const cell = cells.get(key) ?? { pooled: 0, linked: 0 };
          if (r.respondent) cell.linked++;
          else cell.pooled++;
          cells.set(key, cell);
        }
        for (const { pooled, linked } of cells.values()) {
          if (pooled > 0 && linked > 0) expect(pooled).toBeGreaterThanOrEqual(minSize);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("releases rounds 1..n the same whenever the export is made", () => {
    fc.assert(
      fc.property(studies, ({ responses, minSize }) => {
        const all = releaseResponses(responses, minSize);
        const lastRound = Math.max(0, ...responses.map((r) => r.round));
        for (let n = 1; n < lastRound; n++) {
          const earlier = releaseResponses(
            responses.filter((r) => r.round <= n),
            minSize,
          );
          expect(all.filter((r) => r.round <= n)).toEqual(earlier);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("keeps every answer: the released rows count the same as the responses", () => {
    fc.assert(
      fc.property(studies, ({ responses, minSize }) => {
        const rows = releaseResponses(responses, minSize);
        expect(rows.map(({ respondent: _r, ...rest }) => rest)).toEqual(responses.map(({ code: _c, ...rest }) => rest));
      }),
      { numRuns: 100 },
    );
  });
});
