/** Summarises a V8 .cpuprofile (written by `node --cpu-prof`): where the server spent its time. */
import { readFileSync } from "node:fs";
import { ROOT } from "./servers";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type FunctionTime = { name: string; where: string; selfPct: number; totalPct: number };
export type ProfileSummary = {
  sampledMs: number;
  idlePct: number;
  top: FunctionTime[];
  byPlace: { place: string; selfPct: number }[];
  steps: { name: string; what: string; totalPct: number }[];
};

function where(frame: CallFrame): string {
  if (!frame.url) return "native";
  const path = decodeURIComponent(frame.url.replace(/^file:\/\//, "")).replace(ROOT, "");
  return `${path.replace(/^.*node_modules\//, "")}:${frame.lineNumber + 1}`;
}

/** What a frame belongs to: our bundle, a package, Node itself, or V8/native work. */
function place(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith("(") ? frame.functionName : "native (better-sqlite3, crypto, …)";
  if (url.startsWith("node:")) return "node internals";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  return url.includes("/build/") ? "app (build/index.js)" : "other";
}

/**
 * Self time per function (the top `limit`), self time per package, and the inclusive share of
 * the `steps` (function name → what it does), which splits a request into its parts. Inclusive
 * time stops at an `await`: what runs after it is counted under its own frames. Only the samples
 * within `window` (milliseconds since the profile started) count, so start-up and warm-up don't.
 */
export function summariseProfile(
  file: string,
  input: { limit: number; steps: Record<string, string>; window: { fromMs: number; toMs: number } },
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const key = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"}\u0000${where(n.callFrame)}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const places = new Map<string, number>();
  const steps = new Map(Object.keys(input.steps).map((name) => [name, 0]));
  const add = (map: Map<string, number>, k: string, ms: number) => map.set(k, (map.get(k) ?? 0) + ms);
  let sampled = 0;
  let idle = 0;
  let clock = 0;
  profile.samples.forEach((id, s) => {
    const ms = (profile.timeDeltas[s] ?? 0) / 1000;
    clock += ms;
    if (clock < input.window.fromMs || clock > input.window.toMs) return;
    const leaf = byId.get(id)!;
    sampled += ms;
    if (leaf.callFrame.functionName === "(idle)") idle += ms;
    add(self, key(leaf), ms);
    add(places, place(leaf.callFrame), ms);
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
      const k = key(n);
      if (!seen.has(k)) add(total, k, ms);
      if (steps.has(n.callFrame.functionName) && !seen.has(n.callFrame.functionName)) add(steps, n.callFrame.functionName, ms);
      seen.add(k);
      seen.add(n.callFrame.functionName);
    }
  });
  const pct = (ms: number) => (100 * ms) / sampled;
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, input.limit)
    .map(([k, ms]) => {
      const [name = "", at = ""] = k.split("\u0000");
      return { name, where: at, selfPct: pct(ms), totalPct: pct(total.get(k) ?? 0) };
    });
  return {
    sampledMs: sampled,
    idlePct: pct(idle),
    top,
    byPlace: [...places.entries()].sort((a, b) => b[1] - a[1]).map(([p, ms]) => ({ place: p, selfPct: pct(ms) })),
    steps: [...steps.entries()].map(([name, ms]) => ({ name, what: input.steps[name]!, totalPct: pct(ms) })),
  };
}
