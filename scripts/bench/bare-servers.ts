/**
 * The baselines: the least a server can do for the same result, with node:http and nothing else.
 *
 *   node --import tsx scripts/bench/bare-servers.ts ballots FILE PANELISTS STATEMENTS full|group
 *   node --import tsx scripts/bench/bare-servers.ts static|cached-express|cached-http FILE
 *
 * `ballots` upserts one ballot per POST into a table shaped like `ballots` (same columns and
 * indexes, pre-filled with PANELISTS × STATEMENTS rows), WAL with synchronous=FULL, and answers
 * after the commit. `full` commits each request on its own; `group` commits every request that
 * arrived in the same turn of the event loop in one transaction and answers them all after it.
 * `static` serves a file's bytes with an ETag, and 304 when If-None-Match has it; `cached-express`
 * and `cached-http` do the same from memory (`cached-http` is the published-version baseline).
 * Listens on 127.0.0.1:$PORT and prints "listening" when ready.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Database from "better-sqlite3";
import express from "express";

function openBallots(file: string, panelists: number, statements: number): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec(`
    create table if not exists ballots (
      id text primary key not null,
      round_item_id text not null,
      membership_id text not null,
      choice text not null,
      comment text,
      created_at integer not null,
      updated_at integer not null,
      constraint ballots_choice check (choice in ('agree', 'disagree', 'abstain')));
    create unique index if not exists ballots_item_member_unique on ballots (round_item_id, membership_id);
    create index if not exists ballots_member_idx on ballots (membership_id);`);
  const empty = (db.prepare("select count(*) as n from ballots").get() as { n: number }).n === 0;
  if (empty) {
    db.pragma("synchronous = OFF");
    db.prepare(
      `insert into ballots (id, round_item_id, membership_id, choice, comment, created_at, updated_at)
       with recursive
         i(k) as (select 0 union all select k + 1 from i where k + 1 < :statements),
         m(k) as (select 0 union all select k + 1 from m where k + 1 < :panelists)
       select lower(hex(randomblob(8))), printf('i%015d', i.k), printf('m%015d', m.k),
         case (m.k * 7 + i.k * 13) % 10 when 7 then 'disagree' when 8 then 'disagree' when 9 then 'abstain' else 'agree' end,
         null, :at, :at
       from i cross join m`,
    ).run({ panelists, statements, at: Date.now() });
    db.pragma("wal_checkpoint(TRUNCATE)");
  }
  db.pragma("synchronous = FULL");
  return db;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

type Ballot = { itemId: string; memberId: string; choice: string };

/** `Cookie: member=<id>` and a body of `choice.<itemId>=<choice>`, like the real ballot form. */
function parseBallot(cookie: string | undefined, body: string): Ballot | null {
  const memberId = /(?:^|;\s*)member=([a-z0-9]+)/.exec(cookie ?? "")?.[1];
  for (const [name, value] of new URLSearchParams(body)) {
    const item = /^choice\.([a-z0-9]+)$/.exec(name)?.[1];
    if (item && memberId && (value === "agree" || value === "disagree" || value === "abstain")) {
      return { itemId: item, memberId, choice: value };
    }
  }
  return null;
}

const SAVED = JSON.stringify({ ok: true, saved: 1 });

function answer(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function ballotServer(file: string, panelists: number, statements: number, mode: "full" | "group") {
  const db = openBallots(file, panelists, statements);
  const upsert = db.prepare(
    `insert into ballots (id, round_item_id, membership_id, choice, comment, created_at, updated_at)
     values (?, ?, ?, ?, null, ?, ?)
     on conflict (round_item_id, membership_id) do update
       set choice = excluded.choice, comment = excluded.comment, updated_at = excluded.updated_at`,
  );
  const save = (b: Ballot) => {
    const now = Date.now();
    upsert.run(randomBytes(8).toString("hex"), b.itemId, b.memberId, b.choice, now, now);
  };

  let pending: { ballot: Ballot; res: ServerResponse }[] = [];
  const commitPending = db.transaction((batch: typeof pending) => batch.forEach((p) => save(p.ballot)));
  const flush = () => {
    const batch = pending;
    pending = [];
    try {
      commitPending.immediate(batch);
      batch.forEach((p) => answer(p.res, 200, SAVED));
    } catch (error) {
      batch.forEach((p) => answer(p.res, 500, JSON.stringify({ error: String(error) })));
    }
  };

  return createServer(async (req, res) => {
    const ballot = req.method === "POST" ? parseBallot(req.headers.cookie, await readBody(req)) : null;
    if (!ballot) return answer(res, 400, JSON.stringify({ error: "Not a ballot." }));
    if (mode === "full") {
      save(ballot);
      return answer(res, 200, SAVED);
    }
    if (pending.length === 0) setImmediate(flush);
    pending.push({ ballot, res });
  });
}

function staticServer(file: string) {
  const bytes = readFileSync(file);
  const etag = `"${createHash("sha256").update(bytes).digest("hex")}"`;
  const { size } = statSync(file);
  const validators = { ETag: etag, "Cache-Control": "public, max-age=31536000, immutable" };
  return createServer((req, res) => {
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, validators);
      return res.end();
    }
    res.writeHead(200, { ...validators, "Content-Type": "application/json; charset=utf-8", "Content-Length": size });
    createReadStream(file).pipe(res);
  });
}

/**
 * What serving a published version could cost when answered from memory (a published set never
 * changes), as server.ts could do ahead of Remix: through an Express route (`cached-express`),
 * or in the node:http request listener before Express (`cached-http`).
 */
function cachedServer(file: string, through: "express" | "http") {
  const bytes = readFileSync(file);
  const etag = `"${createHash("sha256").update(bytes).digest("hex")}"`;
  const validators = { ETag: etag, "Cache-Control": "public, max-age=31536000, immutable" };
  if (through === "http") {
    return createServer((req, res) => {
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304, validators);
        return res.end();
      }
      res.writeHead(200, { ...validators, "Content-Type": "application/json; charset=utf-8", "Content-Length": bytes.length });
      res.end(bytes);
    });
  }
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.get("*", (req, res) => {
    res.set(validators);
    if (req.get("If-None-Match") === etag) return res.status(304).end();
    res.type("application/json; charset=utf-8").send(bytes);
  });
  return createServer(app);
}

function main() {
  const [kind, file, ...rest] = process.argv.slice(2);
  if (!file) throw new Error("usage: bare-servers.ts ballots|static|cached-express|cached-http FILE …");
  const servers = {
    ballots: () => ballotServer(file, Number(rest[0]), Number(rest[1]), rest[2] === "group" ? "group" : "full"),
    static: () => staticServer(file),
    "cached-express": () => cachedServer(file, "express"),
    "cached-http": () => cachedServer(file, "http"),
  };
  const make = servers[kind as keyof typeof servers];
  if (!make) throw new Error(`Unknown server "${kind}".`);
  const server = make();
  server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log(`bare ${kind} server listening`));
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}

main();
