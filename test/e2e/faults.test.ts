import { expect, test } from "vitest";
import { runFaults } from "../../scripts/faults";

test("SIGKILL during voting loses no acknowledged ballot and leaves the database intact (3 cycles)", async () => {
  const lines: string[] = [];
  const summary = await runFaults({ cycles: 3, log: (line) => lines.push(line) });
  const report = lines.join("\n");

  expect(summary.cycles, report).toHaveLength(3);
  expect(summary.acknowledged, report).toBeGreaterThan(0);
  expect(
    summary.cycles.every((cycle) => cycle.acknowledged > 0 && cycle.inFlight > 0),
    report,
  ).toBe(true);
  expect(summary.lost, report).toBe(0);
  expect(summary.unexpected, report).toBe(0);
  expect(summary.failures, report).toBe(0);
  expect(summary.integrityOk, report).toBe(true);
  expect(summary.auditOk, report).toBe(true);
}, 90_000);
