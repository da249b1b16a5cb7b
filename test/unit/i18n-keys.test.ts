import { describe, expect, test } from "vitest";
import { checkKeys, keysUsed } from "../../scripts/i18n-keys";

describe("translations", () => {
  const report = checkKeys(process.cwd());

  test("every key the code uses is in both English and Chinese", () => {
    expect(report.missing).toEqual([]);
  });

  test("no translation is empty and none is left unused", () => {
    expect(report.empty).toEqual([]);
    expect(report.unused).toEqual([]);
  });

  test("an English text is its key but for plurals, and english.ts holds every plural form", () => {
    expect(report.english).toEqual([]);
  });

  test("the checker finds keys, plural uses included", () => {
    const uses = keysUsed(process.cwd());
    expect(uses.find((u) => u.key === "Log out")?.file).toBe("app/root.tsx");
    expect(uses.length).toBeGreaterThan(500);
  });
});
