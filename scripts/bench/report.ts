/** The benchmark's report: a Markdown section printed and written into BENCHMARKS.md between markers. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { ProfileSummary } from "./cpu-profile";
import type { Compared, Measured } from "./load";
import type { MemoryPhase } from "./servers";

export type Machine = { cpu: string; cores: number; ramGb: number; node: string; date: string; loadAverage: number[] };

export type ProfileRun = ProfileSummary & { label: string; run: Measured; command: string };

export type Results = {
  machine: Machine;
  command: string;
  staleBuild: string | null;
  settings: { rounds: number; connections: number; duration: number; warmup: number; panelists: number; statements: number };
  servers: string[];
  ballot: {
    app: Compared;
    renewing: Measured;
    bare: Compared;
    group: Compared;
    domain: { each: Compared; group: Compared };
    checks: string[];
  };
  close: { ballots: number; groupByS: number; byGroupS: number; closeS: number; closeRuns: number[]; checks: string[] };
  published: {
    bytes: number;
    app200: Compared;
    static200: Compared;
    app304: Compared;
    static304: Compared;
    cachedExpress: { ok: Compared; notModified: Compared };
    memory: { ok: Compared; notModified: Compared };
  };
  memory: MemoryPhase[];
  pages: { label: string; path: string; status: number; ms: number; runs: number[]; bytes: number }[];
  profiles: ProfileRun[];
};

const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));
const ratio = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "—");
const load = (m: Measured) => `${int(m.rps)} req/s · p50 ${ms(m.p50)} ms · p99 ${ms(m.p99)} ms`;
const byRound = (c: Compared) => c.rounds.map(int).join(" / ");
const verdict = (met: boolean) => (met ? "met" : "**missed**");
const statuses = (m: Measured) =>
  Object.entries(m.statuses)
    .map(([code, n]) => `${int(n)}× ${code}`)
    .concat(m.errors ? [`${int(m.errors)} errors`] : [], m.timeouts ? [`${int(m.timeouts)} timeouts`] : [])
    .join(", ");

const MEMORY_TARGET_MB = 250;

/** Issue 15's page targets (median of five requests, body read to the end). */
const PAGE_TARGETS: { label: string; ms: number; kib?: number }[] = [
  { label: "Round page of the secretary (open round)", ms: 300, kib: 100 },
  { label: "Round page of the secretary (closed round)", ms: 300, kib: 100 },
  { label: "Ballot page of a panelist (open round)", ms: 150 },
];

function peakMemory(results: Results): number {
  return Math.max(...results.memory.map((p) => p.peakSoFarMb));
}

function summaryTable(r: Results): string[] {
  const { ballot, close, published } = r;
  const ballotRatio = ballot.app.rps / ballot.bare.rps;
  const p99Ratio = ballot.app.p99 / ballot.bare.p99;
  const closeRatio = close.groupByS / close.closeS;
  const ok200 = published.app200.rps / published.memory.ok.rps;
  const ok304 = published.app304.rps / published.memory.notModified.rps;
  const peak = peakMemory(r);
  const scale = `${int(r.settings.panelists)} panelists × ${int(r.settings.statements)} statements = ${int(close.ballots)} ballots`;
  return [
    "| Benchmark | Measured | Baseline, same run | Ratio | Target | |",
    "|---|---|---|---|---|---|",
    `| Cast a ballot through the real action | ${load(ballot.app)} | bare node:http + better-sqlite3 upsert: ${load(ballot.bare)} | ${ratio(ballotRatio)} req/s; p99 ${ratio(p99Ratio)}× | ≥ 0.5; p99 ≤ 2× | ${verdict(ballotRatio >= 0.5 && p99Ratio <= 2)} |`,
    `| Close a round of ${scale} | ${close.closeS.toFixed(2)} s | raw SQL GROUP BY: ${close.groupByS.toFixed(2)} s | ${ratio(closeRatio)} | ≥ 0.8 | ${verdict(closeRatio >= 0.8)} |`,
    `| GET a published version (${int(published.bytes)} bytes), 200 | ${load(published.app200)} | the same bytes from memory, bare node:http: ${load(published.memory.ok)} | ${ratio(ok200)} | ≥ 0.7 | ${verdict(ok200 >= 0.7)} |`,
    `| Same with If-None-Match, 304 | ${load(published.app304)} | from memory, 304: ${load(published.memory.notModified)} | ${ratio(ok304)} | ≥ 0.7 | ${verdict(ok304 >= 0.7)} |`,
    `| Server memory at that scale (peak resident, VmHWM) | ${int(peak)} MB | — | — | < ${MEMORY_TARGET_MB} MB | ${verdict(peak < MEMORY_TARGET_MB)} |`,
    ...PAGE_TARGETS.flatMap(({ label, ms: limit, kib }) => {
      const page = r.pages.find((p) => p.label === label);
      if (!page) return [];
      const size = page.bytes / 1024;
      const met = page.status === 200 && page.ms < limit && (kib === undefined || size < kib);
      const target = `< ${limit} ms${kib === undefined ? "" : ` and < ${kib} KiB`}`;
      return [`| ${label}, at that scale | ${int(page.ms)} ms · ${int(size)} KiB | — | — | ${target} | ${verdict(met)} |`];
    }),
  ];
}

function profileSection(p: ProfileRun): string[] {
  return [
    "",
    `#### CPU profile of the server during ${p.label}`,
    "",
    `\`${p.command}\`, the same load (${load(p.run)}; the profiler itself costs some throughput). ` +
      `${int(p.sampledMs)} ms sampled, ${p.idlePct.toFixed(1)} % idle.`,
    "",
    "Inclusive share of the request's steps (time in the function and what it calls, up to its first `await`):",
    "",
    "| Function | What it does | Total % |",
    "|---|---|---|",
    ...p.steps.map((s) => `| ${s.name} | ${s.what} | ${s.totalPct.toFixed(1)} |`),
    "",
    "Self time by where the code lives:",
    "",
    "| Where | Self % |",
    "|---|---|",
    ...p.byPlace.slice(0, 10).map((b) => `| ${b.place} | ${b.selfPct.toFixed(1)} |`),
    "",
    "Top functions by self time:",
    "",
    "| Function | Where | Self % | Total % |",
    "|---|---|---|---|",
    ...p.top.map((f) => `| ${f.name} | ${f.where} | ${f.selfPct.toFixed(1)} | ${f.totalPct.toFixed(1)} |`),
  ];
}

export function renderResults(r: Results): string {
  const { machine: m, ballot, close, published } = r;
  return [
    `Measured ${m.date} on ${m.cpu}, ${m.cores} cores, ${m.ramGb.toFixed(0)} GB RAM, Node ${m.node} ` +
      `(load average at start ${m.loadAverage.map((l) => l.toFixed(2)).join(" / ")}; the cores are shared, ` +
      "and autocannon runs on the same two cores as the server under test). " +
      `Loads: ${r.settings.connections} connections; the servers compared take turns, ${r.settings.rounds} rounds of ` +
      `${r.settings.duration} s after a ${r.settings.warmup} s warm-up each, and each figure is the server's median round.`,
    "",
    `Command: \`${r.command}\``,
    "",
    ...(r.staleBuild ? [`**Warning:** ${r.staleBuild}`, ""] : []),
    ...summaryTable(r),
    "",
    "#### Ballots",
    "",
    `- Real action: \`POST /g/imt-consensus/vote?_data=routes%2Fg.%24slug.vote\` with \`intent=item&choice.<itemId>=agree|disagree\`, ` +
      `Content-Type form-urlencoded, \`Sec-Fetch-Site: same-origin\`, each request as the next panelist (own session cookie) ` +
      `on the next statement. Sessions are new (logged in just before each load), so they are read but not renewed. ` +
      `Responses in the median round: ${statuses(ballot.app)}.`,
    `- Baseline: the same form body and one upsert per request, committed alone (WAL, synchronous=FULL), into a table ` +
      `shaped like \`ballots\` with as many rows. Responses in the median round: ${statuses(ballot.bare)}.`,
    ...ballot.checks.map((c) => `- Check: ${c}`),
    "",
    "Where the time goes, and group commit (every ballot that arrives in one turn of the event loop saved in one " +
      "transaction, each answered only after that commit), same load:",
    "",
    "| Server | Median round | req/s by round | Ratio to the bare one-commit baseline |",
    "|---|---|---|---|",
    `| Real action: Express + Remix + the app's ballot code, group commit (the app as it runs) | ${load(ballot.app)} | ${byRound(ballot.app)} | ${ratio(ballot.app.rps / ballot.bare.rps)} |`,
    `| The app's ballot code from the sources (requireMember, parseBallotForm, castBallots) on bare node:http, one commit per ballot | ${load(ballot.domain.each)} | ${byRound(ballot.domain.each)} | ${ratio(ballot.domain.each.rps / ballot.bare.rps)} |`,
    `| The same, group commit | ${load(ballot.domain.group)} | ${byRound(ballot.domain.group)} | ${ratio(ballot.domain.group.rps / ballot.bare.rps)} |`,
    `| Bare upsert, one commit per ballot (the baseline) | ${load(ballot.bare)} | ${byRound(ballot.bare)} | 1.00 |`,
    `| Bare upsert, group commit | ${load(ballot.group)} | ${byRound(ballot.group)} | ${ratio(ballot.group.rps / ballot.bare.rps)} |`,
    `| Real action once more, each panelist's session due for renewal (logged in two minutes earlier: its first request also writes the session), one round | ${load(ballot.renewing)} | — | ${ratio(ballot.renewing.rps / ballot.bare.rps)} |`,
    "",
    "#### Closing the round",
    "",
    `- Baseline: \`select round_item_id, sum(choice = 'agree'), sum(choice = 'disagree'), sum(choice = 'abstain') from ballots ` +
      `where round_item_id in (the round's items) group by round_item_id\`, median of 3 after one warm-up run: ${close.groupByS.toFixed(2)} s.`,
    `- Second line: the same counts per stakeholder group, which closing freezes too (each ballot's group is its member's ` +
      "in the round's panel snapshot): the snapshot in a temporary table keyed by membership and one " +
      "`select grp, choice, rating, count(*) … group by` per item, the fastest raw SQL found for it, median of 3: " +
      `${close.byGroupS.toFixed(2)} s; \`closeRound\` at ${ratio(close.byGroupS / close.closeS)} of it.`,
    `- \`closeRound\` (tally, verdicts, frozen results, statuses, pseudonyms, audit, one immediate transaction with synchronous=FULL): ` +
      `${close.closeRuns.map((t) => `${t.toFixed(2)} s`).join(", ")} (twice rolled back inside an outer transaction, then for real); median ${close.closeS.toFixed(2)} s.`,
    ...close.checks.map((c) => `- Check: ${c}`),
    "",
    "#### Published version",
    "",
    `- \`GET /api/guidelines/imt-consensus/versions/1\`, and again with its ETag in If-None-Match. The baseline is a bare ` +
      "node:http server answering the same bytes from memory with an ETag and 304 (a published set never changes, so that is " +
      "the limit); a node:http server streaming them from a file (createReadStream) and an Express route answering from memory " +
      "are second lines. The app answers numbered versions in its node:http listener before Express (published-fast-path.server.ts).",
    "",
    "| Server | 200: median round | req/s by round | Ratio | 304: median round | req/s by round | Ratio |",
    "|---|---|---|---|---|---|---|",
    ...(
      [
        ["The app (build/index.js)", published.app200, published.app304],
        ["From memory, bare node:http (the baseline)", published.memory.ok, published.memory.notModified],
        ["A file streamed by node:http", published.static200, published.static304],
        ["From memory, an Express route", published.cachedExpress.ok, published.cachedExpress.notModified],
      ] as const
    ).map(
      ([name, ok, notModified]) =>
        `| ${name} | ${load(ok)} | ${byRound(ok)} | ${ratio(ok.rps / published.memory.ok.rps)} | ` +
        `${load(notModified)} | ${byRound(notModified)} | ${ratio(notModified.rps / published.memory.notModified.rps)} |`,
    ),
    "",
    `- Responses in the app's median rounds: ${statuses(published.app200)}; ${statuses(published.app304)}.`,
    "",
    "#### Server memory and pages at scale",
    "",
    "| While the server was serving | Highest resident (VmRSS, sampled every 200 ms) | Resident after | Peak so far (VmHWM) |",
    "|---|---|---|---|",
    ...r.memory.map((p) => `| ${p.label} | ${int(p.highestMb)} MB | ${int(p.endMb)} MB | ${int(p.peakSoFarMb)} MB |`),
    "",
    "| Page | Status | Time: median (each of five) | Size |",
    "|---|---|---|---|",
    ...r.pages.map(
      (p) =>
        `| ${p.label} \`${p.path}\` | ${p.status} | ${int(p.ms)} ms (${p.runs.map(int).join(" / ")}) | ${int(p.bytes / 1024)} KiB |`,
    ),
    "",
    "#### Servers",
    "",
    ...r.servers.map((s) => `- \`${s}\``),
    ...r.profiles.flatMap(profileSection),
  ].join("\n");
}

/** Replaces the generated section of BENCHMARKS.md, keeping the text around it. */
export function writeReport(file: string, section: string): void {
  const generated = `${START}\n${section}\n${END}`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : `# Benchmarks\n\n${START}\n${END}\n`;
  const from = current.indexOf(START);
  const to = current.indexOf(END);
  const next =
    from >= 0 && to > from ? current.slice(0, from) + generated + current.slice(to + END.length) : `${current}\n${generated}\n`;
  writeFileSync(file, next);
}
