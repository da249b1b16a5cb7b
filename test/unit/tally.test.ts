import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Scale } from "~/consensus/scale";
import {
  OTHER_GROUPS,
  participantsOf,
  ruleGroups,
  sumTallies,
  tallyItem,
  tallySummary,
  visibleGroups,
  type Answer,
  type GroupTally,
  type Tally,
} from "~/consensus/tally";

const AGREEMENT: Scale = { kind: "agreement" };
const NINE: Scale = { kind: "rating", points: 9, unable: true };
const FIVE_NO_UNABLE: Scale = { kind: "rating", points: 5, unable: false };

const agreement = (agree: number, disagree: number, abstain: number, eligible = agree + disagree + abstain): Tally => ({
  agree,
  disagree,
  abstain,
  eligible,
});
const group = (name: string, participants: number, eligible = participants): GroupTally => ({
  name,
  tally: agreement(participants, 0, 0, eligible),
});

describe("tallyItem", () => {
  test("recused members' ballots and eligibility are taken off within their group", () => {
    const { tally, groups } = tallyItem({
      scale: AGREEMENT,
      panel: new Map([
        ["patients", 4],
        ["clinicians", 6],
      ]),
      counts: [
        { group: "clinicians", answer: "agree", count: 4 },
        { group: "clinicians", answer: "disagree", count: 1 },
        { group: "patients", answer: "agree", count: 2 },
        { group: "patients", answer: "abstain", count: 1 },
      ],
      recused: [
        { group: "clinicians", answer: "disagree", eligible: true },
        { group: "clinicians", answer: null, eligible: true },
        { group: "patients", answer: "agree", eligible: true },
      ],
    });
    expect(groups).toEqual([
      { name: "clinicians", tally: { agree: 4, disagree: 0, abstain: 0, eligible: 4 } },
      { name: "patients", tally: { agree: 1, disagree: 0, abstain: 1, eligible: 3 } },
    ]);
    expect(tally).toEqual({ agree: 5, disagree: 0, abstain: 1, eligible: 7 });
  });

  test("rating scale: per-point counts and unable to score; a recused member outside the panel leaves eligibility alone", () => {
    const { tally, groups } = tallyItem({
      scale: NINE,
      panel: new Map([["methodologists", 5]]),
      counts: [
        { group: "methodologists", answer: 8, count: 2 },
        { group: "methodologists", answer: 1, count: 1 },
        { group: "methodologists", answer: "unable", count: 1 },
      ],
      recused: [
        { group: "methodologists", answer: 8, eligible: true },
        { group: "methodologists", answer: null, eligible: false },
      ],
    });
    expect(groups).toEqual([{ name: "methodologists", tally: { ratings: [1, 0, 0, 0, 0, 0, 0, 1, 0], unable: 1, eligible: 4 } }]);
    expect(tally).toEqual(groups[0]!.tally);
  });

  test("groups come back in name order; no panel and no ballots is an empty tally", () => {
    const { groups } = tallyItem({
      scale: AGREEMENT,
      panel: new Map([
        ["b", 1],
        ["C", 1],
        ["a", 1],
      ]),
      counts: [],
      recused: [],
    });
    expect(groups.map((g) => g.name)).toEqual(["C", "a", "b"]);
    expect(tallyItem({ scale: NINE, panel: new Map(), counts: [], recused: [] })).toEqual({
      tally: { ratings: [0, 0, 0, 0, 0, 0, 0, 0, 0], unable: 0, eligible: 0 },
      groups: [],
    });
  });

  const refused: [string, Parameters<typeof tallyItem>[0], RegExp][] = [
    [
      "more ballots than eligible members",
      { scale: AGREEMENT, panel: new Map([["a", 2]]), counts: [{ group: "a", answer: "agree", count: 3 }], recused: [] },
      /Group "a" has 3 ballots for 2 eligible members/,
    ],
    [
      "ballots from a group not on the panel",
      { scale: AGREEMENT, panel: new Map([["a", 2]]), counts: [{ group: "b", answer: "agree", count: 1 }], recused: [] },
      /Group "b" has 1 ballots for 0 eligible members/,
    ],
    [
      "a recused member's ballot that was never counted",
      {
        scale: AGREEMENT,
        panel: new Map([["a", 2]]),
        counts: [{ group: "a", answer: "agree", count: 1 }],
        recused: [{ group: "a", answer: "disagree", eligible: true }],
      },
      /Group "a"/,
    ],
    [
      "recusals leaving fewer eligible than ballots",
      {
        scale: AGREEMENT,
        panel: new Map([["a", 2]]),
        counts: [{ group: "a", answer: "agree", count: 2 }],
        recused: [{ group: "a", answer: null, eligible: true }],
      },
      /Group "a" has 2 ballots for 1 eligible members/,
    ],
    ["a negative panel size", { scale: AGREEMENT, panel: new Map([["a", -1]]), counts: [], recused: [] }, /Group "a"/],
    [
      "a count that is not a whole number",
      { scale: AGREEMENT, panel: new Map([["a", 3]]), counts: [{ group: "a", answer: "agree", count: 1.5 }], recused: [] },
      /Group "a"/,
    ],
    [
      "a count that is not a number",
      { scale: AGREEMENT, panel: new Map([["a", 3]]), counts: [{ group: "a", answer: "agree", count: NaN }], recused: [] },
      /Group "a"/,
    ],
    [
      "a panel size that is not a whole number",
      { scale: AGREEMENT, panel: new Map([["a", 2.5]]), counts: [], recused: [] },
      /Group "a"/,
    ],
    [
      "a rating on the agreement scale",
      { scale: AGREEMENT, panel: new Map([["a", 3]]), counts: [{ group: "a", answer: 3, count: 1 }], recused: [] },
      /3 is not an answer on the agreement scale/,
    ],
    [
      "a choice on a rating scale",
      { scale: NINE, panel: new Map([["a", 3]]), counts: [{ group: "a", answer: "agree", count: 1 }], recused: [] },
      /"agree" is not an answer on a 1–9 rating scale/,
    ],
    [
      "a rating beyond the scale",
      { scale: NINE, panel: new Map([["a", 3]]), counts: [{ group: "a", answer: 10, count: 1 }], recused: [] },
      /10 is not an answer on a 1–9 rating scale/,
    ],
    [
      "a recused member's ballot off the scale",
      { scale: NINE, panel: new Map([["a", 3]]), counts: [], recused: [{ group: "a", answer: 0, eligible: true }] },
      /0 is not an answer/,
    ],
    [
      '"unable to score" on a scale without it',
      { scale: FIVE_NO_UNABLE, panel: new Map([["a", 3]]), counts: [{ group: "a", answer: "unable", count: 1 }], recused: [] },
      /"unable" is not an answer on this 1–5 scale/,
    ],
  ];

  test.each(refused)("refuses %s", (_, input, message) => {
    expect(() => tallyItem(input)).toThrow(message);
    expect(() => tallyItem(input)).toThrow(RangeError);
  });

  test("property: the tallies are the non-recused eligible members' ballots, counted one by one", () => {
    type Member = { group: string; inPanel: boolean; recused: boolean; ballot: Answer | null };
    const scales: Scale[] = [AGREEMENT, NINE, { kind: "rating", points: 4, unable: false }];
    const answerOn = (scale: Scale): fc.Arbitrary<Answer> =>
      scale.kind === "agreement"
        ? fc.constantFrom("agree", "disagree", "abstain")
        : scale.unable
          ? fc.oneof(fc.integer({ min: 1, max: scale.points }), fc.constant("unable" as const))
          : fc.integer({ min: 1, max: scale.points });
    const members = (scale: Scale) =>
      fc.array(
        fc
          .record({
            group: fc.constantFrom("clinicians", "patients", "nurses", "methodologists"),
            inPanel: fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, { arbitrary: fc.constant(false), weight: 1 }),
            recused: fc.boolean(),
            ballot: fc.option(answerOn(scale), { nil: null }),
          })
          // Only panel members vote.
          .map((m): Member => (m.inPanel ? m : { ...m, ballot: null })),
        { maxLength: 30 },
      );
    fc.assert(
      fc.property(
        fc.constantFrom(...scales).chain((scale) => members(scale).map((ms) => ({ scale, ms }))),
        ({ scale, ms }) => {
          const panel = new Map<string, number>();
          for (const m of ms) if (m.inPanel) panel.set(m.group, (panel.get(m.group) ?? 0) + 1);
          const counts = new Map<string, { group: string; answer: Answer; count: number }>();
          for (const m of ms) {
            if (m.ballot === null) continue;
            const key = JSON.stringify([m.group, m.ballot]);
            const entry = counts.get(key) ?? { group: m.group, answer: m.ballot, count: 0 };
            entry.count += 1;
            counts.set(key, entry);
          }
          const recused = ms.filter((m) => m.recused).map((m) => ({ group: m.group, answer: m.ballot, eligible: m.inPanel }));
          const result = tallyItem({ scale, panel, counts: [...counts.values()], recused });

          const names = [...new Set(ms.filter((m) => m.inPanel || m.recused).map((m) => m.group))].sort();
          expect(result.groups.map((g) => g.name)).toEqual(names);
          const expectedOf = (who: Member[]): Tally => {
            const voting = who.filter((m) => m.inPanel && !m.recused);
            const ballots = voting.map((m) => m.ballot).filter((b): b is Answer => b !== null);
            return scale.kind === "agreement"
              ? {
                  agree: ballots.filter((b) => b === "agree").length,
                  disagree: ballots.filter((b) => b === "disagree").length,
                  abstain: ballots.filter((b) => b === "abstain").length,
                  eligible: voting.length,
                }
              : {
                  ratings: Array.from({ length: scale.points }, (_, i) => ballots.filter((b) => b === i + 1).length),
                  unable: ballots.filter((b) => b === "unable").length,
                  eligible: voting.length,
                };
          };
          for (const { name, tally } of result.groups) expect(tally).toEqual(expectedOf(ms.filter((m) => m.group === name)));
          expect(result.tally).toEqual(expectedOf(ms));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("ruleGroups", () => {
  test("groups of at least minSize on their own, the smaller ones pooled once the pool reaches minSize", () => {
    const groups = [group("a", 7), group("b", 2), group("c", 5), group("d", 3)];
    expect(ruleGroups(groups, 5).map((g) => [g.name, participantsOf(g.tally)])).toEqual([
      ["a", 7],
      ["c", 5],
      [OTHER_GROUPS, 5],
    ]);
    expect(ruleGroups(groups.slice(0, 3), 5).map((g) => g.name)).toEqual(["a", "c"]);
    expect(ruleGroups([group("b", 2), group("d", 2)], 5)).toEqual([]);
    expect(ruleGroups([], 5)).toEqual([]);
  });
});

describe("visibleGroups", () => {
  const shown = (groups: GroupTally[], minSize = 5) =>
    visibleGroups(groups, minSize).map((g) => [g.name, participantsOf(g.tally)]);

  test("groups below minSize are pooled; a pool of at least minSize is shown as other groups", () => {
    expect(shown([group("a", 7), group("b", 2), group("c", 6), group("d", 3)])).toEqual([
      ["a", 7],
      ["c", 6],
      [OTHER_GROUPS, 5],
    ]);
  });

  test("a pool below minSize takes in the smallest shown group rather than be worked out by subtraction", () => {
    // Total 19; showing a (7) and c (6) and d (5) alone would give away b's 1 ballot.
    expect(shown([group("a", 7), group("b", 1), group("c", 6), group("d", 5)])).toEqual([
      ["a", 7],
      ["c", 6],
      [OTHER_GROUPS, 6],
    ]);
  });

  test("nothing is shown when no split keeps every unit at minSize", () => {
    expect(shown([group("a", 6), group("b", 1)])).toEqual([]);
    expect(shown([group("a", 4), group("b", 4)])).toEqual([]);
    expect(shown([group("a", 3)])).toEqual([]);
  });

  test("groups without ballots neither show nor force a pool", () => {
    expect(shown([group("a", 6), group("b", 0, 3), group("c", 5)])).toEqual([
      ["a", 6],
      ["c", 5],
    ]);
    expect(shown([group("a", 0, 2)])).toEqual([]);
  });

  test("property: every shown unit has at least minSize participants, and they add up to the total (or nothing is shown)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        (sizes, minSize) => {
          const groups = sizes.map((size, i) => group(`g${i}`, size));
          const units = visibleGroups(groups, minSize);
          const total = sizes.reduce((a, b) => a + b, 0);
          if (units.length === 0) return;
          for (const unit of units) expect(participantsOf(unit.tally)).toBeGreaterThanOrEqual(minSize);
          expect(units.reduce((n, u) => n + participantsOf(u.tally), 0)).toBe(total);
          // Shown groups are real groups, each at most once, in the given order; the pool comes last.
          const names = units.map((u) => u.name).filter((n) => n !== OTHER_GROUPS);
          expect(names).toEqual(groups.map((g) => g.name).filter((n) => names.includes(n)));
          expect(units.findIndex((u) => u.name === OTHER_GROUPS)).toBeOneOf([-1, units.length - 1]);
          // Something is withheld only for a reason: every group large enough was shown when the pool was empty.
          if (!units.some((u) => u.name === OTHER_GROUPS)) {
            expect(groups.filter((g) => participantsOf(g.tally) > 0 && participantsOf(g.tally) < minSize)).toEqual([]);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("sumTallies and tallySummary", () => {
  test("adds tallies on one scale and refuses to mix scales", () => {
    expect(sumTallies([agreement(1, 2, 3, 7), agreement(4, 0, 1, 5)])).toEqual(agreement(5, 2, 4, 12));
    const rated = { ratings: [1, 0, 2], unable: 1, eligible: 5 };
    expect(sumTallies([rated, rated])).toEqual({ ratings: [2, 0, 4], unable: 2, eligible: 10 });
    expect(() => sumTallies([rated, agreement(1, 0, 0)])).toThrow(TypeError);
    expect(() => sumTallies([rated, { ratings: [1, 0, 0, 0], unable: 0, eligible: 1 }])).toThrow(TypeError);
    expect(() => sumTallies([])).toThrow(RangeError);
  });

  test("says a tally in a few words", () => {
    expect(tallySummary(agreement(17, 0, 14))).toBe("17 agree, 0 disagree, 14 abstain");
    expect(tallySummary({ ratings: [0, 0, 0, 0, 0, 1, 1, 0, 0], unable: 2, eligible: 4 })).toBe(
      "2 ratings (median 6.5), 2 unable to score",
    );
    expect(tallySummary({ ratings: [0, 0, 1], unable: 0, eligible: 1 })).toBe("1 rating (median 3)");
    expect(tallySummary({ ratings: [0, 0, 0], unable: 0, eligible: 1 })).toBe("0 ratings");
  });
});
