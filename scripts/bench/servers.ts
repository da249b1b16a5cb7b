/** Starting the servers under test as child processes on free loopback ports, and reading their memory. */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort } from "../../test/support/server";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type Running = { url: string; pid: number; command: string; stop: () => Promise<void> };

const running = new Set<Running>();

/** Stops every server still running, e.g. when the benchmark fails half-way. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/** Runs `node ARGS` from the repository root and waits until it prints that it is listening. */
export async function startNode(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${args.join(" ")} did not start:\n${output}`)), 300_000);
    child.stdout.on("data", () => {
      if (!output.includes("listening")) return;
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${args.join(" ")} exited with ${code}:\n${output}`));
    });
  });
  let stopping = false;
  child.once("exit", (code, signal) => {
    if (!stopping) console.error(`node ${args.join(" ")} exited on its own (${signal ?? code}):\n${output}`);
  });
  const shown = Object.entries(env)
    .map(([k, v]) => `${k}=${v} `)
    .join("");
  const server: Running = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    command: `${shown}PORT=${port} node ${args.join(" ")}`,
    stop: () =>
      new Promise((resolve) => {
        stopping = true;
        running.delete(server);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
  running.add(server);
  return server;
}

export type Memory = { rssMb: number; peakMb: number };

/** Resident memory now (VmRSS) and at its highest so far (VmHWM), from /proc. */
export function residentMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

export type MemoryPhase = { label: string; highestMb: number; endMb: number; peakSoFarMb: number };

/**
 * Samples a server's resident memory every 200 ms and keeps the highest value per phase, so a
 * peak can be traced to what the server was doing.
 */
export function memorySampler(pid: number) {
  const phases: MemoryPhase[] = [];
  let current: MemoryPhase | null = null;
  const sample = () => {
    if (!current || !existsSync(`/proc/${pid}/status`)) return; // an exit is reported by startNode
    current.highestMb = Math.max(current.highestMb, residentMemory(pid).rssMb);
  };
  const timer = setInterval(sample, 200);
  const close = () => {
    if (!current) return;
    if (!existsSync(`/proc/${pid}/status`)) throw new Error(`The server (pid ${pid}) exited during "${current.label}".`);
    sample();
    const now = residentMemory(pid);
    phases.push({ ...current, endMb: now.rssMb, peakSoFarMb: now.peakMb });
    current = null;
  };
  return {
    phase(label: string) {
      close();
      current = { label, highestMb: residentMemory(pid).rssMb, endMb: 0, peakSoFarMb: 0 };
    },
    stop(): MemoryPhase[] {
      close();
      clearInterval(timer);
      return phases;
    },
  };
}
