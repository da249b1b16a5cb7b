/**
 * `npm run bench`: the platform against the bare limit, each benchmark beside a baseline measured
 * in the same run, on loopback, with bounded durations. Prints the results and writes them into
 * BENCHMARKS.md between its markers. Runs the production build as it is (build/index.js).
 *
 *   npm run bench -- [--rounds 3] [--duration 5] [--warmup 2] [--connections 32]
 *                    [--panelists 10000] [--statements 200] [--no-profile] [--keep]
 *
 * Servers that are compared run side by side and take turns, round after round (each load
 * `--duration` seconds); each is reported by its median round, so a burst of someone else's
 * work on the shared cores spoils one round, not the comparison.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { count, eq, gt, sql } from "drizzle-orm";
import { getDb, type DB } from "@db/client.server";
import { ballots, roundItems, roundResults } from "@db/schema";
import { createSession, sessionCookie } from "~/server/auth.server";
import { closeRound } from "~/server/rounds.server";
import { summariseProfile } from "./cpu-profile";
import {
  ballotLoad,
  ballotOf,
  getLoad,
  isSaved,
  newLedger,
  type Compared,
  type Ledger,
  type LoadSettings,
  type Measured,
} from "./load";
import { renderResults, writeReport, type ProfileRun, type Results } from "./report";
import { buildScaleData, type ScaleData } from "./scale-data";
import { memorySampler, ROOT, startNode, stopAll, type MemoryPhase, type Running } from "./servers";

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "32" },
    panelists: { type: "string", default: "10000" },
    statements: { type: "string", default: "200" },
    "no-profile": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
function wholeNumber(name: keyof typeof flags, min: number): number {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}.`);
  return value;
}
const settings = {
  rounds: wholeNumber("rounds", 1),
  duration: wholeNumber("duration", 1),
  warmup: wholeNumber("warmup", 0),
  connections: wholeNumber("connections", 1),
  panelists: wholeNumber("panelists", 31),
  statements: wholeNumber("statements", 1),
};
const measure: LoadSettings = { connections: settings.connections, duration: settings.duration };
const warmUp: LoadSettings = { connections: settings.connections, duration: settings.warmup };

const VOTE = "/g/imt-consensus/vote?_data=routes%2Fg.%24slug.vote";
const VERSION = "/api/guidelines/imt-consensus/versions/1";
const BARE_SERVERS = "scripts/bench/bare-servers.ts";
/** Functions of the server whose inclusive time the profiles report, to split a request into steps. */
const BALLOT_STEPS = {
  createRemixRequest: "Remix: the Express request as a Fetch Request",
  matchRoutes: "Remix: matching the URL against the route tree (flattened again per request)",
  validateSessionToken: "session: look-up (and renewal write when due)",
  requireRole: "permission: guideline and membership",
  parseBallotForm: "zod: the ballot form",
  flush: "group commit: the turn's ballots in one transaction, each in a savepoint, one COMMIT",
  castBallots: "…one ballot: open round, the statement with recusal and saved ballot, upsert, audit",
  recordAudit: "…the chained audit event",
  sqliteTransaction: "better-sqlite3: BEGIN … COMMIT and the savepoints (the fsync)",
  prepare: "better-sqlite3: compiling SQL (the ballot path's statements are prepared once)",
};
const PUBLISHED_STEPS = {
  newNonce: "security headers: the CSP nonce",
  stat: "express.static: stat of a file under public/ that is not there",
  answer: "the fast path: the version's representation from memory, ETag comparison",
  createRemixRequest: "Remix (not on this path: the version is answered before Express)",
};
const bareMember = (m: number) => `m${String(m).padStart(15, "0")}`;
const bareItem = (i: number) => `i${String(i).padStart(15, "0")}`;

function log(message: string) {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function seconds(run: () => unknown): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Contender = { name: string; run: (s: LoadSettings) => Promise<Measured> };

/**
 * Each contender warmed up once, then all of them in turn, `--rounds` times; each one's median
 * round by req/s (the higher middle one for an even count), with the req/s of every round.
 */
async function inTurns(contenders: Contender[]): Promise<Map<string, Compared>> {
  if (settings.warmup > 0) for (const c of contenders) await c.run(warmUp);
  const runs = new Map(contenders.map((c) => [c.name, [] as Measured[]]));
  for (let round = 1; round <= settings.rounds; round++) {
    log(`round ${round} of ${settings.rounds}: ${contenders.map((c) => c.name).join(", ")}…`);
    for (const c of contenders) runs.get(c.name)!.push(await c.run(measure));
  }
  return new Map(
    [...runs].map(([name, list]) => {
      const sorted = [...list].sort((a, b) => a.rps - b.rps);
      return [name, { ...sorted[Math.floor(sorted.length / 2)]!, rounds: list.map((m) => m.rps) }];
    }),
  );
}

const domainServer = (mode: "each" | "group", databasePath: string) =>
  startNode(["--import", "tsx", "scripts/bench/domain-server.ts", mode], { NODE_ENV: "production", DATABASE_PATH: databasePath });

/**
 * The ballot servers side by side: the real action, the app's ballot code on bare node:http (one
 * commit per ballot, group commit) and the bare upsert endpoint (the same two), on its own file.
 */
async function ballotServers(input: {
  dir: string;
  databasePath: string;
  app: Running;
  data: ScaleData;
  ledger: Ledger;
  servers: string[];
}) {
  const { data, ledger } = input;
  const file = join(input.dir, "bare-ballots.sqlite");
  const bareArgs = (mode: string) => [
    "--import",
    "tsx",
    BARE_SERVERS,
    "ballots",
    file,
    String(settings.panelists),
    String(settings.statements),
    mode,
  ];
  log("bare ballot endpoint (fills its table first)…");
  const bare = await startNode(bareArgs("full"));
  const bareGroup = await startNode(bareArgs("group"));
  const domain = await domainServer("each", input.databasePath);
  const domainGroup = await domainServer("group", input.databasePath);
  input.servers.push(...[bare, bareGroup, domain, domainGroup].map((server) => server.command));
  const bareLedger = newLedger();
  const bareBallots = (server: Running) => (s: LoadSettings) =>
    ballotLoad({
      url: server.url,
      path: "/ballot",
      settings: s,
      panelists: settings.panelists,
      statements: settings.statements,
      ledger: bareLedger,
      request: ({ m, i, choice }) => ({ cookie: `member=${bareMember(m)}`, body: `intent=item&choice.${bareItem(i)}=${choice}` }),
    });
  // New sessions before every load, so that none is due for renewal during it.
  const appLike = (server: Running) => async (s: LoadSettings) => appBallots(server, data, await logInPanel(data), ledger, s);
  const compared = await inTurns([
    { name: "bare", run: bareBallots(bare) },
    { name: "action", run: appLike(input.app) },
    { name: "domain", run: appLike(domain) },
    { name: "bareGroup", run: bareBallots(bareGroup) },
    { name: "domainGroup", run: appLike(domainGroup) },
  ]);
  await Promise.all([bare, bareGroup, domain, domainGroup].map((server) => server.stop()));
  return {
    app: compared.get("action")!,
    bare: compared.get("bare")!,
    group: compared.get("bareGroup")!,
    domain: { each: compared.get("domain")!, group: compared.get("domainGroup")! },
  };
}

/**
 * A new session for each panelist, as after a login `agoMs` before now. The server renews a
 * session's idle expiry at most once a minute: a session younger than that is only read, an
 * older one is also written (its own commit) on its next request. The cookie is made the app's
 * way, for production (`__Host-session`), like the server's.
 */
async function logIn(userIds: string[], agoMs = 0): Promise<string[]> {
  const at = new Date(Date.now() - agoMs);
  const tokens = getDb().transaction(() => userIds.map((id) => createSession(id, at).token));
  return Promise.all(tokens.map(async (token) => (await sessionCookie().serialize(token)).split(";")[0]!));
}

const logInPanel = (data: ScaleData, agoMs = 0) =>
  logIn(
    data.panel.map((p) => p.userId),
    agoMs,
  );

function appBallots(server: Running, data: ScaleData, cookies: string[], ledger: Ledger, s: LoadSettings) {
  return ballotLoad({
    url: server.url,
    path: VOTE,
    settings: s,
    panelists: data.panel.length,
    statements: data.items.length,
    ledger,
    request: ({ m, i, choice }) => ({ cookie: cookies[m]!, body: `intent=item&choice.${data.items[i]}=${choice}` }),
  });
}

/** One ballot through fetch before the load: a refusal here (e.g. no session) stops the benchmark. */
async function castOne(server: Running, data: ScaleData, cookies: string[], ledger: Ledger) {
  const k = ledger.next++;
  const { m, i, choice } = ballotOf(k, data.panel.length, data.items.length);
  ledger.sent.add(k);
  const response = await fetch(server.url + VOTE, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", Cookie: cookies[m]! },
    body: `intent=item&choice.${data.items[i]}=${choice}`,
  });
  const body = await response.text();
  if (!isSaved(response.status, body)) throw new Error(`A ballot was not saved: ${response.status} ${body}`);
  ledger.acknowledged.add(k);
}

/** A page as its user gets it: the median time of five requests after one more, body read to the end. */
async function page(server: Running, label: string, path: string, cookie: string) {
  const once = async () => {
    const start = performance.now();
    const response = await fetch(server.url + path, { headers: { Cookie: cookie } });
    const body = await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - start, bytes: body.byteLength };
  };
  await once();
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await once());
  const { status, bytes } = runs[0]!;
  return { label, path, status, ms: median(runs.map((r) => r.ms)), runs: runs.map((r) => r.ms), bytes };
}

/**
 * Every acknowledged ballot is in the database with its choice, every changed ballot was sent
 * by the benchmark, and each change left exactly one audit event.
 */
function checkBallots(db: DB, data: ScaleData, ledger: Ledger, auditBefore: number): string[] {
  const P = data.panel.length;
  const memberIndex = new Map(data.panel.map((p, m) => [p.membershipId, m]));
  const itemIndex = new Map(data.items.map((id, i) => [id, i]));
  const changed = db
    .select({ item: ballots.roundItemId, member: ballots.membershipId, choice: ballots.choice })
    .from(ballots)
    .where(gt(ballots.updatedAt, data.castAt))
    .all();
  const saved = new Map<number, string>();
  for (const row of changed) saved.set(itemIndex.get(row.item)! * P + memberIndex.get(row.member)!, row.choice ?? "");
  const lost = [...ledger.acknowledged].filter((k) => saved.get(k) !== ballotOf(k, P, data.items.length).choice);
  const unsent = [...saved.keys()].filter((k) => !ledger.sent.has(k));
  const inFlight = changed.length - ledger.acknowledged.size;
  const audited = db.$client
    .prepare("select count(*) as n from audit_events where id > ? and action like 'ballot.%'")
    .get(auditBefore) as { n: number };
  const total = ballotsOfRound(db, data.roundId);
  const problems = [
    lost.length ? `${lost.length} acknowledged ballots are missing or differ` : "",
    unsent.length ? `${unsent.length} changed ballots were never sent` : "",
    audited.n !== changed.length ? `${audited.n} ballot audit events for ${changed.length} changed ballots` : "",
    total !== data.ballots ? `${total} ballots instead of ${data.ballots}` : "",
    ledger.next > P * data.items.length
      ? `the loads sent ${ledger.next} ballots, more than the ${P * data.items.length} panelist × statement pairs: use more panelists or statements`
      : "",
  ].filter(Boolean);
  if (problems.length) throw new Error(`Ballot check failed: ${problems.join("; ")}`);
  return [
    `${ledger.acknowledged.size.toLocaleString("en-US")} ballots acknowledged as saved (200 \`{"ok":true…}\`) over all ballot loads (warm-ups included); every one is in the database with its choice.`,
    `${changed.length.toLocaleString("en-US")} ballots changed (${inFlight} more than acknowledged: requests still in flight when autocannon stopped), each sent by the benchmark, each with exactly one \`ballot.*\` audit event; ${total.toLocaleString("en-US")} ballots in the round, as before.`,
    `Not saved, by status: ${JSON.stringify(ledger.refused)}.`,
  ];
}

function ballotsOfRound(db: DB, roundId: string): number {
  return db
    .select({ n: count() })
    .from(ballots)
    .innerJoin(roundItems, eq(roundItems.id, ballots.roundItemId))
    .where(eq(roundItems.roundId, roundId))
    .get()!.n;
}

function auditHead(db: DB): number {
  return (db.$client.prepare("select coalesce(max(id), 0) as id from audit_events").get() as { id: number }).id;
}

/**
 * The published version from the app, and the same bytes from memory through bare node:http (the
 * baseline), streamed from a file and from memory through Express (second lines), 200 and 304.
 */
async function publishedVersion(dir: string, app: Running, servers: string[]) {
  const first = await fetch(app.url + VERSION);
  const bytes = Buffer.from(await first.arrayBuffer());
  const appTag = first.headers.get("ETag");
  if (first.status !== 200 || !appTag) throw new Error(`${VERSION} answered ${first.status} without an ETag.`);
  const file = join(dir, "version-1.json");
  writeFileSync(file, bytes);

  log("the in-memory baseline and the second lines…");
  const bare = await startNode(["--import", "tsx", BARE_SERVERS, "static", file]);
  const express = await startNode(["--import", "tsx", BARE_SERVERS, "cached-express", file]);
  const http = await startNode(["--import", "tsx", BARE_SERVERS, "cached-http", file]);
  servers.push(bare.command, express.command, http.command);
  const bareTag = (await fetch(bare.url)).headers.get("ETag")!;
  const both = (name: string, url: string, etag: string): Contender[] => [
    { name: `${name}200`, run: (s) => getLoad(url, s) },
    { name: `${name}304`, run: (s) => getLoad(url, s, { "If-None-Match": etag }) },
  ];
  const compared = await inTurns([
    ...both("static", bare.url + "/", bareTag),
    ...both("app", app.url + VERSION, appTag),
    ...both("express", express.url + "/", bareTag),
    ...both("http", http.url + "/", bareTag),
  ]);
  await Promise.all([bare, express, http].map((server) => server.stop()));
  const get = (name: string) => compared.get(name)!;
  return {
    bytes: bytes.length,
    etag: appTag,
    app200: get("app200"),
    static200: get("static200"),
    app304: get("app304"),
    static304: get("static304"),
    cachedExpress: { ok: get("express200"), notModified: get("express304") },
    memory: { ok: get("http200"), notModified: get("http304") },
  };
}

/** The production server under `--cpu-prof` through a load, summarised over the measured part only. */
async function profileServer(input: {
  dir: string;
  databasePath: string;
  label: string;
  steps: Record<string, string>;
  load: (server: Running, s: LoadSettings) => Promise<Measured>;
}): Promise<ProfileRun> {
  const profileDir = join(input.dir, `cpu-profile-${input.label.replace(/\W+/g, "-")}`);
  log(`${input.label} again under --cpu-prof…`);
  const spawned = performance.now();
  const server = await startNode(["--cpu-prof", "--cpu-prof-dir", profileDir, "build/index.js"], {
    NODE_ENV: "production",
    DATABASE_PATH: input.databasePath,
  });
  if (settings.warmup > 0) await input.load(server, warmUp);
  const fromMs = performance.now() - spawned;
  const run = await input.load(server, measure);
  const toMs = performance.now() - spawned;
  await server.stop();
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("The server wrote no CPU profile.");
  const summary = summariseProfile(join(profileDir, file), { limit: 20, window: { fromMs, toMs }, steps: input.steps });
  return { ...summary, label: input.label, run, command: server.command.replace(profileDir, "<dir>").replace(input.dir, "$TMP") };
}

async function profiles(input: {
  dir: string;
  databasePath: string;
  data: ScaleData;
  ledger: Ledger;
  etag: string;
}): Promise<ProfileRun[]> {
  const cookies = await logInPanel(input.data);
  return [
    await profileServer({
      ...input,
      label: "the ballot load",
      steps: BALLOT_STEPS,
      load: (server, s) => appBallots(server, input.data, cookies, input.ledger, s),
    }),
    await profileServer({
      ...input,
      label: "the published-version load with If-None-Match (304)",
      steps: PUBLISHED_STEPS,
      load: (server, s) => getLoad(server.url + VERSION, s, { "If-None-Match": input.etag }),
    }),
  ];
}

/**
 * The raw GROUP BY, then closeRound: twice inside an outer transaction that is rolled back
 * (everything but the final commit), then for real; the median of the three, since one timing
 * on shared cores can be off by a burst of someone else's work.
 */
function closeAtScale(db: DB, data: ScaleData) {
  const sqlite = db.$client;
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  const groupBy = sqlite.prepare(
    `select round_item_id, sum(choice = 'agree'), sum(choice = 'disagree'), sum(choice = 'abstain')
     from ballots where round_item_id in (select id from round_items where round_id = ?) group by round_item_id`,
  );
  log("raw GROUP BY…");
  groupBy.all(data.roundId);
  const groupByS = median([1, 2, 3].map(() => seconds(() => groupBy.all(data.roundId))));
  // What closing needs beyond that: the counts per stakeholder group too, each ballot's group being
  // its member's in the round's panel snapshot. The fastest raw SQL found for it (issue 15).
  const snapshot = sqlite.prepare("select panel_snapshot from rounds where id = ?").pluck().get(data.roundId) as string;
  const itemIds = sqlite.prepare("select id from round_items where round_id = ?").pluck().all(data.roundId) as string[];
  sqlite.exec("create temp table bench_panel (membership_id text primary key, grp text not null) without rowid");
  const fillPanel = sqlite.prepare(
    `insert into temp.bench_panel select json_extract(value, '$.membershipId'),
       coalesce(json_extract(value, '$.group'), json_extract(value, '$.discipline'), 'Unspecified')
     from json_each(?, '$.members')`,
  );
  const countItem = sqlite.prepare(
    `select p.grp, b.choice, b.rating, count(*) from ballots b join temp.bench_panel p on p.membership_id = b.membership_id
     where b.round_item_id = ? group by p.grp, b.choice, b.rating`,
  );
  const byGroup = () => {
    sqlite.exec("delete from temp.bench_panel");
    fillPanel.run(snapshot);
    for (const id of itemIds) countItem.all(id);
  };
  log("raw GROUP BY per group…");
  byGroup();
  const byGroupS = median([1, 2, 3].map(() => seconds(byGroup)));
  sqlite.exec("drop table temp.bench_panel");
  const close = () => closeRound(db, { roundId: data.roundId, actorId: data.secretaryId });
  log("closeRound, twice rolled back, then for real…");
  const rehearsals = [1, 2].map(() => {
    sqlite.exec("begin immediate");
    try {
      return seconds(close);
    } finally {
      sqlite.exec("rollback");
    }
  });
  const finalS = seconds(close);
  const closeS = median([...rehearsals, finalS]);
  const counted = db
    .select({ n: sql<number>`sum(json_extract(${roundResults.verdict}, '$.participants'))`, items: count() })
    .from(roundResults)
    .innerJoin(roundItems, eq(roundItems.id, roundResults.roundItemId))
    .where(eq(roundItems.roundId, data.roundId))
    .get()!;
  const cast = ballotsOfRound(db, data.roundId);
  if (counted.n !== cast || counted.items !== data.items.length) {
    throw new Error(`The frozen results count ${counted.n} ballots on ${counted.items} items; the round has ${cast}.`);
  }
  return {
    ballots: cast,
    groupByS,
    byGroupS,
    closeS,
    closeRuns: [...rehearsals, finalS],
    checks: [`the frozen results of the ${counted.items} items add up to the round's ${cast.toLocaleString("en-US")} ballots.`],
  };
}

/**
 * Which sources changed after build/index.js was built: the real action and the pages then run
 * older code than the in-process measurements (closeRound, the domain server), which use the sources.
 */
function staleBuild(): string | null {
  const built = statSync(join(ROOT, "build", "index.js")).mtime;
  const sources = ["app", "db"]
    .flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" }).map((f) => join(dir, f)))
    .concat("server.ts")
    .filter((f) => /\.(tsx?|sql|css)$/.test(f) && statSync(join(ROOT, f)).mtime > built);
  if (sources.length === 0) return null;
  return (
    `build/index.js (built ${built.toISOString().slice(0, 16).replace("T", " ")} UTC) is older than ${sources.length} source ` +
    `file(s), e.g. ${sources.slice(0, 3).join(", ")}: the real action and the pages ran the older build. Run \`npm run build\`, then the benchmark again.`
  );
}

async function main() {
  if (!existsSync(join(ROOT, "build", "index.js"))) throw new Error("build/index.js is missing: run `npm run build` first.");
  const dir = mkdtempSync(join(os.tmpdir(), "delphi-bench-"));
  const databasePath = join(dir, "app.sqlite");
  process.env.DATABASE_PATH = databasePath;
  // The demo seed refuses production; the server itself runs with NODE_ENV=production below.
  process.env.NODE_ENV = "test";
  const machine = {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    ramGb: os.totalmem() / 2 ** 30,
    node: process.version,
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    loadAverage: os.loadavg(),
  };
  const builtAt = statSync(join(ROOT, "build", "index.js")).mtimeMs;
  const stale = staleBuild();
  if (stale) log(`warning: ${stale}`);
  const servers: string[] = [];
  try {
    log(`building ${settings.panelists} panelists × ${settings.statements} statements in ${dir}…`);
    const data = await buildScaleData(databasePath, { panelists: settings.panelists, statements: settings.statements });
    // From here on this process shares the server's environment (read once, then cached), so the
    // session cookies it makes carry the production name.
    process.env.NODE_ENV = "production";
    const db = getDb();

    log("app server…");
    let app = await startNode(["build/index.js"], { NODE_ENV: "production", DATABASE_PATH: databasePath });
    servers.push(app.command);
    let memory = memorySampler(app.pid);
    const ledger = newLedger();
    const auditBefore = auditHead(db);
    const [secretary] = await logIn([data.secretaryId]);
    await castOne(app, data, await logInPanel(data), ledger);
    memory.phase("ballot loads, every round (the app idles during the other servers' turns)");
    const ballot = await ballotServers({ dir, databasePath, app, data, ledger, servers });
    log("app server: ballots, every session due for renewal…");
    const renewing = await appBallots(app, data, await logInPanel(data, 120_000), ledger, measure);
    memory.phase("the ballot page of a panelist and the round page of the secretary");
    const cookies = await logInPanel(data);
    const pages = [
      await page(app, "Ballot page of a panelist (open round)", "/g/imt-consensus/vote", cookies[0]!),
      await page(app, "Round page of the secretary (open round)", `/g/imt-consensus/rounds/${data.roundNumber}`, secretary!),
    ];
    memory.phase("published-version loads, 200 and 304, every round");
    const published = await publishedVersion(dir, app, servers);
    const phases: MemoryPhase[] = memory.stop();
    await app.stop();

    const profiled = flags["no-profile"] ? [] : await profiles({ dir, databasePath, data, ledger, etag: published.etag });
    const ballotChecks = checkBallots(db, data, ledger, auditBefore);

    const close = closeAtScale(db, data);

    log("app server: pages of the closed round…");
    app = await startNode(["build/index.js"], { NODE_ENV: "production", DATABASE_PATH: databasePath });
    memory = memorySampler(app.pid);
    memory.phase("restarted: the results page of a panelist and the round page of the secretary (closed round)");
    pages.push(
      await page(app, "Results page of a panelist (closed round)", `/g/imt-consensus/results/${data.roundNumber}`, cookies[0]!),
      await page(app, "Round page of the secretary (closed round)", `/g/imt-consensus/rounds/${data.roundNumber}`, secretary!),
    );
    phases.push(...memory.stop());
    await app.stop();

    const results: Results = {
      machine,
      staleBuild:
        statSync(join(ROOT, "build", "index.js")).mtimeMs !== builtAt
          ? "build/index.js was rebuilt during the run, so the figures mix two builds: run the benchmark again."
          : stale,
      command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
      settings,
      servers: [...new Set(servers.map((s) => s.replace(dir, "$TMP").replace(/PORT=\d+/, "PORT=…")))],
      ballot: { ...ballot, renewing, checks: ballotChecks },
      close,
      published,
      memory: phases,
      pages,
      profiles: profiled,
    };
    const section = renderResults(results);
    console.log(`\n${section}\n`);
    writeReport(join(ROOT, "BENCHMARKS.md"), section);
    log("BENCHMARKS.md updated.");
  } finally {
    await stopAll();
    if (flags.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
