import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { count, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { guidelines } from "@db/schema";
import { runCli } from "../support/cli";

const FIXTURE = "fixtures/imt-2025-table1.json";
const dir = mkdtempSync(join(tmpdir(), "delphi-import-"));

/** The IMT record under another slug, changed by `spoil`, written to a temporary file. */
function recordFile(name: string, slug: string, spoil: (record: any) => void = () => {}): string {
  const record = JSON.parse(readFileSync(FIXTURE, "utf8"));
  record.guideline.slug = slug;
  spoil(record);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(record, null, 2));
  return path;
}

const guidelineCount = () => getDb().select({ n: count() }).from(guidelines).get()!.n;

describe("cli import", () => {
  test("--help lists it", () => {
    expect(runCli(["--help"]).stdout).toContain("import FILE");
  });

  test("imports the IMT record and prints its slug", () => {
    const result = runCli(["import", FIXTURE]);
    expect(result).toEqual({ status: 0, stdout: "imt-consensus\n", stderr: "" });
    expect(getDb().select().from(guidelines).where(eq(guidelines.slug, "imt-consensus")).get()?.registration).toBe(
      "PREPARE-2024CN902",
    );
    const publish = runCli(["publish", "imt-consensus"]);
    expect(publish.status).toBe(0);
    expect(publish.stdout).toBe("1\n");
  });

  test("prints each warning on stderr and still imports", () => {
    const file = recordFile("warnings.json", "with-warnings", (record) => {
      record.rounds[0].foo = 1;
      record.rounds[0].items[7].publishedVerdict = "not adopted";
    });
    const result = runCli(["import", file]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("with-warnings\n");
    expect(result.stderr.split("\n").filter(Boolean)).toEqual([
      'warning: Ignored unknown field "rounds[0].foo"',
      expect.stringMatching(/^warning: rounds\[0\]\.items\[7\]: the file says "not adopted", the rule gives "adopted" \(/),
    ]);
  });

  test("refuses a bad file, listing every problem, and imports nothing", () => {
    const file = recordFile("bad.json", "Bad Slug", (record) => {
      record.rounds[0].items[0].votes.agree = -1;
      record.rounds[0].items[2].number = 1;
      record.rule.agreeAtleast = 50;
    });
    const before = guidelineCount();
    const result = runCli(["import", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n").filter(Boolean)).toEqual([
      `Refused: 4 problems in ${file}`,
      expect.stringMatching(/^ {2}guideline\.slug: must be lowercase letters, digits and hyphens/),
      expect.stringMatching(/^ {2}rule: Unknown rule field "agreeAtleast"/),
      "  rounds[0].items[0].votes.agree: must be a whole number, 0 or more, got -1",
      "  rounds[0].items[2].number: item 1 appears twice in round 1 (also items[0])",
    ]);
    expect(guidelineCount()).toBe(before);
  });

  test("refuses a file that is not JSON", () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, "{ format: consensus-record/1 }");
    const result = runCli(["import", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^Refused: 1 problem in ${file}\\n {2}\\(root\\): not JSON: `));
  });

  test("refuses a slug already in use", () => {
    const file = recordFile("twice.json", "imported-twice");
    expect(runCli(["import", file]).status).toBe(0);
    const again = runCli(["import", file]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe('A guideline "imported-twice" already exists: nothing was imported.\n');
  });

  test("names a missing file", () => {
    const missing = join(dir, "no-such-record.json");
    const result = runCli(["import", missing]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`Cannot read ${missing}: no such file\n`);
  });

  test("wants exactly one file", () => {
    expect(runCli(["import"])).toMatchObject({ status: 1, stderr: "usage: import FILE\n" });
  });
});
