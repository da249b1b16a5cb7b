import { spawnSync } from "node:child_process";

export type CliResult = { status: number | null; stdout: string; stderr: string };

/** Runs `npm run -s cli -- …` as an operator would, on this test file's database. */
export function runCli(args: string[], input = "", extraEnv: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/cli.ts", ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, ...extraEnv },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
