import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { wordDiff } from "~/consensus/diff";

const STATEMENT_8 =
  "Chemotherapy regimens based on anthracyclines, methotrexate, pemetrexed + platinum, and paclitaxel + platinum are recommended for patients with IMT";

describe("wordDiff", () => {
  test("shows a reworded IMT statement 8 as removed and added words between unchanged text", () => {
    const revised =
      "Chemotherapy regimens based on anthracyclines, methotrexate, pemetrexed + platinum, or paclitaxel + platinum may be considered for patients with unresectable IMT";
    expect(wordDiff(STATEMENT_8, revised)).toEqual([
      { kind: "same", text: "Chemotherapy regimens based on anthracyclines, methotrexate, pemetrexed + platinum, " },
      { kind: "removed", text: "and" },
      { kind: "added", text: "or" },
      { kind: "same", text: " paclitaxel + platinum " },
      { kind: "removed", text: "are recommended" },
      { kind: "added", text: "may be considered" },
      { kind: "same", text: " for patients with " },
      { kind: "added", text: "unresectable " },
      { kind: "same", text: "IMT" },
    ]);
  });

  test("shows an added sentence as one added segment", () => {
    const before = "The diagnosis and treatment of IMT currently lack high-level evidence.";
    expect(wordDiff(before, `${before} It is recommended to conduct multicenter, prospective clinical studies.`)).toEqual([
      { kind: "same", text: `${before} ` },
      { kind: "added", text: "It is recommended to conduct multicenter, prospective clinical studies." },
    ]);
  });

  test("shows a dropped clause as one removed segment", () => {
    expect(
      wordDiff(
        "ALK-TKI was recommended for patients with IMT harboring ALK fusion who are not suitable for surgery",
        "ALK-TKI was recommended for patients with IMT harboring ALK fusion",
      ),
    ).toEqual([
      { kind: "same", text: "ALK-TKI was recommended for patients with IMT harboring ALK fusion" },
      { kind: "removed", text: " who are not suitable for surgery" },
    ]);
  });

  test("identical texts are one unchanged segment", () => {
    expect(wordDiff(STATEMENT_8, STATEMENT_8)).toEqual([{ kind: "same", text: STATEMENT_8 }]);
  });

  test("a first wording is one added segment, and a deleted one a removed segment", () => {
    expect(wordDiff("", "Patients with IMT suitable for surgery should undergo radical surgery")).toEqual([
      { kind: "added", text: "Patients with IMT suitable for surgery should undergo radical surgery" },
    ]);
    expect(wordDiff("Radical surgery", "")).toEqual([{ kind: "removed", text: "Radical surgery" }]);
    expect(wordDiff("", "")).toEqual([]);
  });

  test("a change of spacing or line breaks alone is not a change, and keeps the new spacing", () => {
    expect(wordDiff("Contrast-enhanced CT  or MRI\nis recommended", "Contrast-enhanced CT or MRI is recommended")).toEqual([
      { kind: "same", text: "Contrast-enhanced CT or MRI is recommended" },
    ]);
  });

  test("the unchanged and added segments always read as the new wording", () => {
    const word = fc.constantFrom("IMT", "surgery", "is", "recommended", ",", ".", "ALK", "+", " ", "  ", "\n");
    const text = fc.array(word, { maxLength: 12 }).map((words) => words.join(" "));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const segments = wordDiff(before, after);
        expect(
          segments
            .filter((s) => s.kind !== "removed")
            .map((s) => s.text)
            .join(""),
        ).toBe(after);
        expect(segments.every((s) => s.text !== "")).toBe(true);
      }),
    );
  });
});
