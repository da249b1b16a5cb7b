import { describe, expect, test } from "vitest";
import { checkKeys, keysUsed } from "../../scripts/i18n-keys";
import { neededTranslations } from "~/i18n";
import { resources } from "~/locales/resources.server";

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

  test("an English page ships only the plural forms; a Chinese page every entry of its namespaces", () => {
    const english = neededTranslations("en", resources.en.rounds);
    expect(Object.keys(english).length).toBeGreaterThan(0);
    expect(Object.keys(english).every((key) => /_(one|other)$/.test(key))).toBe(true);
    expect(Object.keys(english).length).toBeLessThan(Object.keys(resources.en.rounds).length / 2);
    expect(neededTranslations("zh", resources.zh.rounds)).toEqual(resources.zh.rounds);
  });
});
