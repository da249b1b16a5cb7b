/**
 * Fault test: panelists keep voting through the production server (build/index.js) while it is
 * killed with SIGKILL at random moments and restarted on the same database. After each restart
 * every ballot that got a 2xx must be in the database with its acknowledged choice (or with the
 * choice of a request still in flight at the kill, whose outcome is unknown), PRAGMA
 * integrity_check must say "ok", and the audit chain must verify.
 *
 *   npx tsx scripts/faults.ts --cycles 100 [--voters 16]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { and, eq, inArray, sql } from "drizzle-orm";
import { openDatabase, type DB } from "@db/client.server";
import { auditEvents, CHOICES, guidelines, memberships, roundItems, rounds, sessions, type Choice } from "@db/schema";
import { sessionCookie, sessionPolicy } from "~/server/auth.server";
import { generateSessionToken, hashToken, newSessionTimes } from "~/server/session-token";
import { freePort } from "../test/support/server";
import { DEMO_SLUG, seedDemo } from "./seed-demo";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SERVER = join(ROOT, "build", "index.js");
const VOTE_DATA = `/g/${DEMO_SLUG}/vote?_data=${encodeURIComponent("routes/g.$slug.vote")}`;

export type Panelist = { userId: string; membershipId: string; cookie: string };

/** The demo's open round and its panel, each panelist with a fresh session (as after a login). */
export async function votingPanel(db: DB): Promise<{ guidelineId: string; roundId: string; items: string[]; panel: Panelist[] }> {
  const guideline = db.select().from(guidelines).where(eq(guidelines.slug, DEMO_SLUG)).get();
  if (!guideline) throw new Error(`The database has no guideline "${DEMO_SLUG}".`);
  const round = db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, guideline.id), eq(rounds.status, "open")))
    .get();
  if (!round?.panelSnapshot) throw new Error(`No round of "${DEMO_SLUG}" is open.`);
  const items = db.select({ id: roundItems.id }).from(roundItems).where(eq(roundItems.roundId, round.id)).all();
  const eligible = round.panelSnapshot.members.map((m) => m.membershipId);
  const members = db
    .select({ userId: memberships.userId, membershipId: memberships.id })
    .from(memberships)
    .where(inArray(memberships.id, eligible))
    .all();
  const now = new Date();
  const times = newSessionTimes(now, sessionPolicy());
  const panel = await Promise.all(
    members.map(async (member) => {
      const token = generateSessionToken();
      db.insert(sessions)
        .values({ id: hashToken(token), userId: member.userId, createdAt: now, ...times })
        .run();
      const cookie = (await sessionCookie().serialize(token)).split(";")[0]!;
      return { ...member, cookie };
    }),
  );
  return { guidelineId: guideline.id, roundId: round.id, items: items.map((i) => i.id), panel };
}

/** One statement saved on its own, as the ballot page does with JavaScript. */
export function castVote(url: string, panelist: Panelist, roundItemId: string, choice: Choice): Promise<Response> {
  return fetch(url + VOTE_DATA, {
    method: "POST",
    headers: {
      Cookie: panelist.cookie,
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
    },
    body: new URLSearchParams({ intent: "item", [`choice.${roundItemId}`]: choice }),
    signal: AbortSignal.timeout(15_000),
  });
}

export const pairKey = (membershipId: string, roundItemId: string) => `${membershipId}:${roundItemId}`;

/** Every ballot of a round, by (member, item). */
export function ballotsOf(db: DB, roundId: string): Map<string, Choice> {
  const rows = db.all<{ membershipId: string; roundItemId: string; choice: Choice }>(sql`
    select b.membership_id as membershipId, b.round_item_id as roundItemId, b.choice as choice
    from ballots b join round_items i on i.id = b.round_item_id
    where i.round_id = ${roundId}`);
  return new Map(rows.map((row) => [pairKey(row.membershipId, row.roundItemId), row.choice]));
}

export type Server = { url: string; process: ChildProcess; output: () => string; startedInMs: number };

/** Starts build/index.js on a free port and the given database; resolves once it listens. */
export async function launchServer(databasePath: string): Promise<Server> {
  if (!existsSync(SERVER)) throw new Error("build/index.js is missing: run `npm run build` first.");
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [SERVER], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "info", PORT: String(port), DATABASE_PATH: databasePath },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The server did not start within 30 s:\n${output}`)), 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`The server exited with ${code} while starting:\n${output}`));
    };
    child.once("exit", onExit);
    child.stdout.on("data", function listening() {
      if (!output.includes("listening on")) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.stdout.off("data", listening);
      resolve();
    });
  });
  return { url: `http://127.0.0.1:${port}`, process: child, output: () => output, startedInMs: performance.now() - started };
}

export function stopServer(server: Server, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  const child = server.process;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

type Load = {
  /** Per (member, item), the choice of the last 2xx, in the order the member's requests were sent. */
  acknowledged: Map<string, Choice>;
  /** Per (member, item), choices whose request was in flight when the server died. */
  inFlight: Map<string, Choice>;
  acks: number;
  /** Acknowledged requests that changed a ballot (a repeated choice is no change, and no audit event). */
  changes: number;
  failures: string[];
};

/**
 * Voters each own a slice of the panel and send one request at a time, so for any (member, item)
 * requests never overlap and "the last acknowledged choice" is well defined.
 */
async function vote(
  url: string,
  input: {
    panel: Panelist[];
    items: string[];
    voters: number;
    before: Map<string, Choice>;
    killed: () => boolean;
    firstAck: () => void;
  },
): Promise<Load> {
  const load: Load = { acknowledged: new Map(), inFlight: new Map(), acks: 0, changes: 0, failures: [] };
  const slices = Array.from({ length: input.voters }, (_, v) => input.panel.filter((_, i) => i % input.voters === v));
  await Promise.all(
    slices
      .filter((slice) => slice.length > 0)
      .map(async (slice) => {
        while (!input.killed()) {
          const panelist = pick(slice);
          const item = pick(input.items);
          const choice = pick(CHOICES);
          const key = pairKey(panelist.membershipId, item);
          let response: Response;
          try {
            response = await castVote(url, panelist, item, choice);
          } catch (error) {
            load.inFlight.set(key, choice);
            if (!input.killed()) load.failures.push(`request failed before the kill: ${String(error)}`);
            return;
          }
          const body = await response.text().catch(() => "");
          if (response.ok) {
            if ((load.acknowledged.get(key) ?? input.before.get(key)) !== choice) load.changes++;
            load.acknowledged.set(key, choice);
            if (load.acks++ === 0) input.firstAck();
          } else {
            load.failures.push(`HTTP ${response.status}: ${body.slice(0, 200)}`);
          }
        }
      }),
  );
  return load;
}

function ballotEvents(db: DB, guidelineId: string): number {
  return db
    .select({ n: sql<number>`count(*)` })
    .from(auditEvents)
    .where(and(eq(auditEvents.guidelineId, guidelineId), inArray(auditEvents.action, ["ballot.cast", "ballot.changed"])))
    .get()!.n;
}

export type AuditCheck =
  { state: "ok"; events: number } | { state: "skipped"; note: string } | { state: "broken"; output: string };

type AuditVerifier = (sqlite: DB["$client"]) => AuditCheck;

/** The tamper-evident audit chain's verification, once app/server/audit-verify.server.ts exists. */
async function auditVerifier(): Promise<AuditVerifier> {
  if (!existsSync(join(ROOT, "app", "server", "audit-verify.server.ts"))) {
    return () => ({ state: "skipped", note: "app/server/audit-verify.server.ts does not exist yet" });
  }
  const { verifyAudit, brokenLinks } = await import("~/server/audit-verify.server");
  return (sqlite) => {
    const result = verifyAudit(sqlite);
    return result.broken.length
      ? { state: "broken", output: brokenLinks(result).join("; ") }
      : { state: "ok", events: result.events };
  };
}

export type CycleResult = {
  cycle: number;
  acknowledged: number;
  inFlight: number;
  /** In-flight ballots visibly committed: the database holds their choice, whose response never arrived. */
  inFlightCommitted: number;
  killedAfterMs: number;
  /** Acknowledged ballots missing from the database or holding another choice. */
  lost: string[];
  /** Ballots that changed although no request asked for it. */
  unexpected: string[];
  /** Ballot audit events written this cycle, which must lie between the acknowledged changes and those + in flight. */
  auditEvents: number;
  integrity: string;
  audit: AuditCheck;
  failures: string[];
  restartMs: number;
};

export type FaultSummary = {
  cycles: CycleResult[];
  acknowledged: number;
  lost: number;
  unexpected: number;
  failures: number;
  integrityOk: boolean;
  auditOk: boolean;
  ok: boolean;
  databasePath: string;
  elapsedMs: number;
};

function check(
  db: DB,
  input: {
    roundId: string;
    guidelineId: string;
    before: Map<string, Choice>;
    eventsBefore: number;
    load: Load;
    verifyAudit: AuditVerifier;
  },
) {
  const after = ballotsOf(db, input.roundId);
  const lost: string[] = [];
  const unexpected: string[] = [];
  let inFlightCommitted = 0;
  for (const key of new Set([...input.before.keys(), ...after.keys(), ...input.load.inFlight.keys()])) {
    const actual = after.get(key);
    const acked = input.load.acknowledged.get(key);
    const expected = acked ?? input.before.get(key);
    if (actual === expected) continue;
    if (actual !== undefined && actual === input.load.inFlight.get(key)) {
      inFlightCommitted++;
      continue;
    }
    const line = `${key}: expected ${expected ?? "no ballot"}${input.load.inFlight.has(key) ? ` or ${input.load.inFlight.get(key)}` : ""}, found ${actual ?? "no ballot"}`;
    (acked ? lost : unexpected).push(line);
  }
  const auditEvents = ballotEvents(db, input.guidelineId) - input.eventsBefore;
  if (auditEvents < input.load.changes || auditEvents > input.load.changes + input.load.inFlight.size) {
    unexpected.push(
      `${auditEvents} ballot audit events for ${input.load.changes} acknowledged changes and ${input.load.inFlight.size} in flight`,
    );
  }
  const integrity = String(db.$client.pragma("integrity_check", { simple: true }));
  const foreignKeys = db.$client.pragma("foreign_key_check") as unknown[];
  return {
    after,
    lost,
    unexpected,
    inFlightCommitted,
    auditEvents,
    integrity: foreignKeys.length ? `${integrity}; ${foreignKeys.length} foreign key violations` : integrity,
    audit: input.verifyAudit(db.$client),
  };
}

/** Reads the database with no other connection open, so the server's start did the crash recovery. */
function inspect<T>(databasePath: string, read: (db: DB) => T): T {
  const db = openDatabase(databasePath);
  try {
    return read(db);
  } finally {
    db.$client.close();
  }
}

export async function runFaults(options: {
  cycles: number;
  voters?: number;
  killAfterMs?: [number, number];
  log?: (line: string) => void;
}): Promise<FaultSummary> {
  const { cycles, voters = 16, killAfterMs = [100, 800], log = console.log } = options;
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "delphi-faults-"));
  const databasePath = join(dir, "faults.sqlite");
  const setup = await (async () => {
    const db = openDatabase(databasePath);
    try {
      await seedDemo(db);
      const voting = await votingPanel(db);
      return { ...voting, ballots: ballotsOf(db, voting.roundId), events: ballotEvents(db, voting.guidelineId) };
    } finally {
      db.$client.close();
    }
  })();
  const verifyAudit = await auditVerifier();
  let before = setup.ballots;
  let eventsBefore = setup.events;
  const results: CycleResult[] = [];
  let server = await launchServer(databasePath);
  try {
    for (let cycle = 1; cycle <= cycles; cycle++) {
      let killed = false;
      const killedAfterMs = between(...killAfterMs);
      const running = server;
      const kill = () => {
        killed = true;
        running.process.kill("SIGKILL");
      };
      // The clock starts at the first acknowledged ballot: a freshly started server warms up first.
      let timer = setTimeout(kill, 30_000);
      const load = await vote(running.url, {
        panel: setup.panel,
        items: setup.items,
        voters,
        before,
        killed: () => killed,
        firstAck: () => {
          clearTimeout(timer);
          timer = setTimeout(kill, killedAfterMs);
        },
      });
      clearTimeout(timer);
      await stopServer(running, "SIGKILL");
      if (load.acks === 0) load.failures.push("no ballot was acknowledged within 30 s");

      server = await launchServer(databasePath);
      const found = inspect(databasePath, (db) =>
        check(db, { roundId: setup.roundId, guidelineId: setup.guidelineId, before, eventsBefore, load, verifyAudit }),
      );
      const alive = await fetch(server.url + VOTE_DATA, { headers: { Cookie: setup.panel[0]!.cookie } });
      if (alive.status !== 200) load.failures.push(`the restarted server answered ${alive.status} to the ballot page`);
      await alive.text();

      const result: CycleResult = {
        cycle,
        acknowledged: load.acks,
        inFlight: load.inFlight.size,
        inFlightCommitted: found.inFlightCommitted,
        killedAfterMs,
        lost: found.lost,
        unexpected: found.unexpected,
        auditEvents: found.auditEvents,
        integrity: found.integrity,
        audit: found.audit,
        failures: load.failures,
        restartMs: Math.round(server.startedInMs),
      };
      results.push(result);
      log(describeCycle(result, cycles));
      before = found.after;
      eventsBefore += found.auditEvents;
    }
  } finally {
    await stopServer(server);
  }
  const summary: FaultSummary = {
    cycles: results,
    acknowledged: results.reduce((n, r) => n + r.acknowledged, 0),
    lost: results.reduce((n, r) => n + r.lost.length, 0),
    unexpected: results.reduce((n, r) => n + r.unexpected.length, 0),
    failures: results.reduce((n, r) => n + r.failures.length, 0),
    integrityOk: results.every((r) => r.integrity === "ok"),
    auditOk: results.every((r) => r.audit.state !== "broken"),
    ok: false,
    databasePath,
    elapsedMs: Math.round(performance.now() - started),
  };
  summary.ok = summary.lost === 0 && summary.unexpected === 0 && summary.failures === 0 && summary.integrityOk && summary.auditOk;
  // A failed run keeps its database for inspection.
  if (summary.ok) rmSync(dir, { recursive: true, force: true });
  return summary;
}

function describeAudit(audit: AuditCheck): string {
  if (audit.state === "ok") return `audit chain ok (${audit.events} events)`;
  if (audit.state === "skipped") return `audit chain not checked (${audit.note})`;
  return `AUDIT CHAIN BROKEN: ${audit.output}`;
}

function describeCycle(r: CycleResult, of: number): string {
  const problems = [
    ...r.lost.map((l) => `  lost ${l}`),
    ...r.unexpected.map((u) => `  unexpected ${u}`),
    ...r.failures.map((f) => `  ${f}`),
  ];
  return (
    `cycle ${r.cycle}/${of}: SIGKILL ${r.killedAfterMs} ms after the first ack, ${r.acknowledged} acknowledged, ${r.inFlight} in flight (${r.inFlightCommitted} of them committed), ` +
    `lost ${r.lost.length}, integrity ${r.integrity}, ${describeAudit(r.audit)}, restarted in ${r.restartMs} ms` +
    (problems.length ? `\n${problems.slice(0, 20).join("\n")}` : "")
  );
}

function describeSummary(s: FaultSummary): string {
  const skipped = s.cycles.find((c) => c.audit.state === "skipped")?.audit;
  return [
    `${s.cycles.length} cycles in ${(s.elapsedMs / 1000).toFixed(1)} s: ${s.acknowledged} ballots acknowledged, ` +
      `lost ${s.lost}, unexpected changes ${s.unexpected}, request failures ${s.failures}`,
    `integrity ${s.integrityOk ? "ok" : "FAILED"}; audit chain ${s.auditOk ? (skipped?.state === "skipped" ? `not checked (${skipped.note})` : "ok") : "BROKEN"}`,
    s.ok ? "PASS" : `FAIL (database kept at ${s.databasePath})`,
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { cycles: { type: "string", default: "5" }, voters: { type: "string", default: "16" } },
  });
  const cycles = Number(values.cycles);
  const voters = Number(values.voters);
  if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(voters) || voters < 1) {
    process.stderr.write("Usage: npx tsx scripts/faults.ts [--cycles N] [--voters N]   (whole numbers from 1)\n");
    return 2;
  }
  const summary = await runFaults({ cycles, voters });
  console.log(describeSummary(summary));
  return summary.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
