import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { auditHeads, guidelines, memberships, users } from "@db/schema";
import { chainOf, eventHash, INSTANCE_CHAIN, type ChainHead } from "~/consensus/audit-chain";
import { canonicalJson } from "~/consensus/canonical";
import { recordAudit } from "~/server/audit.server";
import { verifyAudit } from "~/server/audit-verify.server";
import { castBallots } from "~/server/ballots.server";
import { importRecord } from "~/server/imports.server";
import { findPublished, publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import { DEMO_ACCOUNTS, DEMO_SLUG, seedDemo } from "../../scripts/seed-demo";
import { runCli } from "../support/cli";
import { createGuideline } from "../support/factories";
import { expectValidSet } from "../support/schema";

const sqlite = () => getDb().$client;

type Row = {
  id: number;
  chain: string;
  seq: number;
  guideline_id: string | null;
  actor_id: string | null;
  action: string;
  details: string;
  created_at: number;
  prev_hash: string | null;
  hash: string;
};

const allRows = () => sqlite().prepare("select * from audit_events order by id").all() as Row[];
const allHeads = () => sqlite().prepare("select chain, seq, hash from audit_heads").all() as ChainHead[];
const IMPORTED = "imt-imported";
const idOf = (slug: string) => sqlite().prepare("select id from guidelines where slug = ?").pluck().get(slug) as string;
const demoId = () => idOf(DEMO_SLUG);
const chainRows = (chain: string) => allRows().filter((r) => r.chain === chain);

/** The demo's open round voted by the panelists who had not voted, a few changing their mind. */
function voteRoundTwo() {
  const db = getDb();
  const guideline = db.select().from(guidelines).where(eq(guidelines.slug, DEMO_SLUG)).get()!;
  const items = sqlite()
    .prepare(
      "select i.id from round_items i join rounds r on r.id = i.round_id where r.guideline_id = ? and r.status = 'open' order by i.position",
    )
    .pluck()
    .all(guideline.id) as string[];
  for (let n = 1; n <= 19; n++) {
    const membership = db
      .select({ m: memberships })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.guidelineId, guideline.id), eq(users.email, DEMO_ACCOUNTS.panelist(n))))
      .get()!.m;
    const choice = n % 3 === 0 ? "disagree" : "agree";
    castBallots(db, {
      guideline,
      membership,
      ballots: items.map((roundItemId) => ({ roundItemId, answer: choice, comment: null })),
    });
    if (n % 4 === 0) {
      castBallots(db, {
        guideline,
        membership,
        ballots: [{ roundItemId: items[0]!, answer: "abstain", comment: "On reflection" }],
      });
    }
  }
}

beforeAll(async () => {
  const db = getDb();
  await seedDemo(db);
  voteRoundTwo();
  const record = JSON.parse(readFileSync("fixtures/imt-2025-table1.json", "utf8")) as { guideline: { slug: string } };
  record.guideline.slug = IMPORTED;
  importRecord(db, { text: JSON.stringify(record), actorId: null });
  publish(db, { slug: IMPORTED, actorId: null });
  for (const email of ["ops1@example.org", "ops2@example.org", "ops3@example.org"]) {
    recordAudit(db, { guidelineId: null, actorId: null, action: "admin.created", details: { email } });
  }
});

/** Runs `tamper` and returns what verification then says, undoing the tampering whatever happens. */
function verifiedAfter(tamper: () => void, options: { slug?: string } = {}) {
  sqlite().exec("SAVEPOINT tamper");
  try {
    tamper();
    return verifyAudit(sqlite(), options);
  } finally {
    sqlite().exec("ROLLBACK TO tamper");
    sqlite().exec("RELEASE tamper");
  }
}

/** Deletes a chain's events from `seq` on and moves its head back to the last one left, as a forger would. */
function truncate(chain: string, seq: number) {
  sqlite().prepare("delete from audit_events where chain = ? and seq >= ?").run(chain, seq);
  const last = chainRows(chain).at(-1)!;
  sqlite().prepare("update audit_heads set seq = ?, hash = ? where chain = ?").run(last.seq, last.hash, chain);
}

/** Renumbers, relinks and rehashes a chain after a forger's edits, and moves its head: every link holds again. */
function rechain(chain: string) {
  const update = sqlite().prepare("update audit_events set seq = ?, prev_hash = ?, hash = ? where id = ?");
  const rows = chainRows(chain).sort((a, b) => a.seq - b.seq);
  let prevHash: string | null = null;
  rows.forEach((row, index) => {
    const event = { chain, seq: index + 1, guidelineId: row.guideline_id, actorId: row.actor_id, action: row.action, prevHash };
    const hash = eventHash({ ...event, details: JSON.parse(row.details), createdAt: new Date(row.created_at) });
    update.run(event.seq, prevHash, hash, row.id);
    prevHash = hash;
  });
  sqlite().prepare("update audit_heads set seq = ?, hash = ? where chain = ?").run(rows.length, prevHash, chain);
}

/** The newest event of a chain with that action (and those details). */
function lastEvent(chain: string, action: string, details: Record<string, unknown> = {}): Row {
  const matches = (r: Row) => r.action === action && Object.entries(details).every(([k, v]) => JSON.parse(r.details)[k] === v);
  return chainRows(chain).filter(matches).at(-1)!;
}

/** Puts deleted events back exactly as they were. */
function reinsert(rows: Row[]) {
  const insert = sqlite().prepare(
    `insert into audit_events (id, chain, seq, guideline_id, actor_id, action, details, created_at, prev_hash, hash)
     values (@id, @chain, @seq, @guideline_id, @actor_id, @action, @details, @created_at, @prev_hash, @hash)`,
  );
  for (const row of rows) insert.run(row);
}

const deleteEvent = (row: Row) => sqlite().prepare("delete from audit_events where id = ?").run(row.id);

const unrecorded = (slug: string, message: string) => ({
  label: `guideline "${slug}"`,
  kind: "unrecorded",
  eventId: null,
  seq: null,
  message,
});

/** Round 2's item 1, as the demo's ballot events name it. */
const ROUND_2_ITEM_1 = JSON.stringify({ round: 2, item: 1 });

describe("the audit chain as the application writes it", () => {
  test("every event is chained and every chain verifies", () => {
    const rows = allRows();
    expect(rows.length).toBeGreaterThan(45);
    expect(verifyAudit(sqlite())).toEqual({ events: rows.length, chains: 4, broken: [] });
    for (const head of allHeads()) {
      const chain = rows.filter((r) => r.chain === head.chain);
      expect(chain.map((r) => r.seq)).toEqual(chain.map((_, i) => i + 1));
      expect(head).toEqual({ chain: head.chain, seq: chain.length, hash: chain.at(-1)!.hash });
    }
    const ballots = rows.filter((r) => r.action.startsWith("ballot."));
    // Ballot events sit in their guideline's chain (the demo's two guidelines have ballots).
    expect(ballots.every((r) => r.chain === r.guideline_id)).toBe(true);
    expect(ballots.some((r) => r.chain === demoId())).toBe(true);
    expect(rows.filter((r) => r.chain === INSTANCE_CHAIN).map((r) => r.guideline_id)).toEqual([null, null, null]);
  });

  test("hashes what reads back: no undefined, Date or NaN in the details", () => {
    recordAudit(getDb(), {
      guidelineId: null,
      actorId: null,
      action: "test.details",
      details: { gone: undefined, when: new Date(Date.UTC(2026, 0, 1)), nan: Number.NaN, list: [undefined] },
    });
    const row = allRows().at(-1)!;
    expect(JSON.parse(row.details)).toEqual({ when: "2026-01-01T00:00:00.000Z", nan: null, list: [null] });
    expect(verifyAudit(sqlite()).broken).toEqual([]);
  });

  test("an event in a transaction that rolls back leaves neither the event nor the head moved", () => {
    const before = { rows: allRows(), heads: allHeads() };
    expect(() =>
      getDb().transaction((tx) => {
        recordAudit(tx, { guidelineId: demoId(), actorId: null, action: "test.rolled_back" });
        throw new Error("changed my mind");
      }),
    ).toThrow("changed my mind");
    expect({ rows: allRows(), heads: allHeads() }).toEqual(before);
    expect(verifyAudit(sqlite()).broken).toEqual([]);
  });

  test("verifies one guideline's chain by its slug, and refuses an unknown slug", () => {
    const events = allRows().filter((r) => r.chain === demoId()).length;
    expect(verifyAudit(sqlite(), { slug: DEMO_SLUG })).toEqual({ events, chains: 1, broken: [] });
    expect(() => verifyAudit(sqlite(), { slug: "nope" })).toThrow('There is no guideline "nope".');
  });

  test("the demo and an imported record verify, and each published set holds its chain's head before its publication", () => {
    for (const slug of [DEMO_SLUG, IMPORTED]) {
      expect(verifyAudit(sqlite(), { slug })).toEqual({ events: chainRows(idOf(slug)).length, chains: 1, broken: [] });
      const body = findPublished(getDb(), { slug, version: 1 })!.body;
      const set = JSON.parse(body) as unknown;
      expectValidSet(set);
      const published = lastEvent(idOf(slug), "version.published", { version: 1 });
      const before = chainRows(idOf(slug)).find((r) => r.seq === published.seq - 1)!;
      expect(set.auditHead).toEqual({ seq: before.seq, hash: before.hash });
      expect(JSON.parse(published.details)).toEqual({ version: 1, contentHash: set.contentHash });
    }
    expect(lastEvent(idOf(IMPORTED), "version.published").seq).toBe(3);
  });
});

describe("checking the trail against the rows it records", () => {
  test("a guideline without any trail fails: a row never audited, or a chain deleted whole with its head", () => {
    const message = "there is no audit trail at all: every event and the head were deleted";
    const gone = (slug: string) => ({ kind: "deleted", eventId: null, seq: null, message, label: `guideline "${slug}"` });
    const quiet = () => createGuideline(getDb(), { slug: "quiet", title: "A guideline without events" });
    expect(verifiedAfter(quiet)).toMatchObject({ events: allRows().length, chains: 5, broken: [gone("quiet")] });
    expect(verifiedAfter(quiet, { slug: "quiet" })).toMatchObject({ events: 0, chains: 1, broken: [gone("quiet")] });

    const erase = () => {
      sqlite().prepare("delete from audit_events where chain = ?").run(idOf(IMPORTED));
      sqlite().prepare("delete from audit_heads where chain = ?").run(idOf(IMPORTED));
    };
    const erased = verifiedAfter(erase);
    expect(erased).toMatchObject({ events: allRows().length - 3, chains: 4, broken: [gone(IMPORTED)] });
  });

  test("the newest events deleted and the head moved back: the rows they recorded, or the published head, still show it", () => {
    const demo = demoId();
    const newest = chainRows(demo).at(-1)!;
    expect(newest.action).toBe("ballot.cast");
    const { round, item } = JSON.parse(newest.details) as { round: number; item: number };
    const ballot = `the ballot of user ${newest.actor_id} on round ${round}, item ${item}`;
    expect(verifiedAfter(() => truncate(demo, newest.seq)).broken).toEqual([
      { ...unrecorded(DEMO_SLUG, `${ballot} has no "ballot.cast" event in the audit trail`), chain: demo },
    ]);

    const { seq } = (JSON.parse(findPublished(getDb(), { slug: DEMO_SLUG, version: 1 })!.body) as { auditHead: ChainHead })
      .auditHead;
    expect(verifiedAfter(() => truncate(demo, seq)).broken).toEqual([
      {
        chain: demo,
        label: `guideline "${DEMO_SLUG}"`,
        kind: "truncated",
        eventId: null,
        seq,
        message: `version 1 was published after seq ${seq}, but the chain ends at seq ${seq - 1}: the newest events were deleted`,
      },
    ]);

    const imported = idOf(IMPORTED);
    const { contentHash } = findPublished(getDb(), { slug: IMPORTED, version: 1 })!;
    expect(verifiedAfter(() => truncate(imported, 3)).broken).toEqual([
      {
        ...unrecorded(
          IMPORTED,
          `version 1 (${contentHash}) was published but the audit trail has no "version.published" event with that content hash`,
        ),
        chain: imported,
      },
    ]);
  });

  test("a round's event deleted and the chain rehashed around the gap: the round still shows it", () => {
    const demo = demoId();
    const opened = () => {
      deleteEvent(lastEvent(demo, "round.opened", { round: 2 }));
      rechain(demo);
    };
    expect(verifiedAfter(opened).broken).toMatchObject([
      unrecorded(DEMO_SLUG, 'round 2 was opened but the audit trail has no "round.opened" event'),
    ]);
    const closed = () => {
      const round = sqlite().prepare("select id from rounds where guideline_id = ? and number = 2").pluck().get(demo) as string;
      closeRound(getDb(), { roundId: round, actorId: null });
      truncate(demo, lastEvent(demo, "round.closed", { round: 2 }).seq);
    };
    expect(verifiedAfter(closed).broken).toMatchObject([
      unrecorded(DEMO_SLUG, 'round 2 was closed but the audit trail has no "round.closed" event'),
    ]);
    const reimported = () => {
      const record = JSON.parse(readFileSync("fixtures/imt-2025-table1.json", "utf8")) as { guideline: { slug: string } };
      record.guideline.slug = "imt-again";
      importRecord(getDb(), { text: JSON.stringify(record), actorId: null });
      truncate(idOf("imt-again"), lastEvent(idOf("imt-again"), "guideline.imported").seq);
    };
    expect(verifiedAfter(reimported).broken).toMatchObject([
      unrecorded("imt-again", '1 round was imported but the audit trail has no "guideline.imported" event with that count'),
    ]);
  });

  test("a ballot's event deleted or altered, the chain rehashed: the ballot still shows it", () => {
    const demo = demoId();
    const ballot = (email: string, item: number) =>
      sqlite()
        .prepare(
          `select u.id as userId, b.updated_at as updatedAt from ballots b join memberships m on m.id = b.membership_id
           join users u on u.id = m.user_id join round_items i on i.id = b.round_item_id join rounds r on r.id = i.round_id
           where r.guideline_id = ? and r.number = 2 and i.position = ? and u.email = ?`,
        )
        .get(demo, item, email) as { userId: string; updatedAt: number };

    // Expert 20 answered once, when the demo was seeded; expert 04 changed their first answer.
    const once = ballot(DEMO_ACCOUNTS.panelist(20), 1);
    const castEvent = chainRows(demo).find((r) => r.actor_id === once.userId && r.details === ROUND_2_ITEM_1)!;
    const of = (userId: string) => `the ballot of user ${userId} on round 2, item 1`;
    expect(castEvent.action).toBe("ballot.cast");
    const deleted = verifiedAfter(() => {
      deleteEvent(castEvent);
      rechain(demo);
    });
    expect(deleted.broken).toMatchObject([
      unrecorded(DEMO_SLUG, `${of(once.userId)} has no "ballot.cast" event in the audit trail`),
    ]);

    const withdrawn = verifiedAfter(() => {
      sqlite().prepare("update audit_events set action = 'ballot.withdrawn' where id = ?").run(castEvent.id);
      rechain(demo);
    });
    expect(withdrawn.broken).toMatchObject([
      unrecorded(DEMO_SLUG, `${of(once.userId)} exists, but its latest event in the audit trail is "ballot.withdrawn"`),
    ]);

    const changed = ballot(DEMO_ACCOUNTS.panelist(4), 1);
    const events = chainRows(demo).filter((r) => r.actor_id === changed.userId && r.details === ROUND_2_ITEM_1);
    expect(events.map((r) => r.action)).toEqual(["ballot.cast", "ballot.changed"]);
    const [cast, change] = events as [Row, Row];
    const undone = verifiedAfter(() => {
      deleteEvent(change);
      rechain(demo);
    });
    const at = (ms: number) => new Date(ms).toISOString();
    const message = `${of(changed.userId)} was last saved at ${at(changed.updatedAt)}, but its latest event ("ballot.cast") is at`;
    expect(undone.broken).toMatchObject([unrecorded(DEMO_SLUG, `${message} ${at(cast.created_at)}`)]);
  });

  test("a history rewritten consistently no longer holds the head a published set recorded", () => {
    const imported = idOf(IMPORTED);
    const event = lastEvent(imported, "guideline.imported");
    const rewritten = verifiedAfter(() => {
      sqlite().prepare("update audit_events set details = json_set(details, '$.statements', 8) where id = ?").run(event.id);
      rechain(imported);
    });
    expect(rewritten.broken).toEqual([
      {
        chain: imported,
        label: `guideline "${IMPORTED}"`,
        kind: "rewritten",
        eventId: event.id,
        seq: 2,
        message: `event #${event.id} (seq 2) is not the event version 1 was published after (its auditHead): the history was rewritten`,
      },
    ]);
  });
});

describe("migrating to the audit chain", () => {
  test("refuses a database that holds events from before the chain, changing nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "delphi-legacy-"));
    cpSync("db/migrations", join(dir, "migrations"), { recursive: true });
    const journal = join(dir, "migrations", "meta", "_journal.json");
    const entries = (JSON.parse(readFileSync(journal, "utf8")) as { entries: { tag: string }[] }).entries;
    const before = entries.slice(
      0,
      entries.findIndex((e) => e.tag === "0003_audit_chain"),
    );
    writeFileSync(journal, JSON.stringify({ ...JSON.parse(readFileSync(journal, "utf8")), entries: before }));

    const legacy = new Database(join(dir, "legacy.sqlite"));
    migrate(drizzle(legacy), { migrationsFolder: join(dir, "migrations") });
    legacy.prepare("insert into audit_events (action, details, created_at) values ('guideline.created', '{}', 0)").run();
    let refusal: unknown;
    try {
      migrate(drizzle(legacy), { migrationsFolder: "db/migrations" });
    } catch (error) {
      refusal = (error as Error).cause;
    }
    expect(refusal).toMatchObject({
      message:
        "CHECK constraint failed: this database holds audit events from before the audit chain (migration 0003): delete it and start from a new one",
    });
    expect(legacy.prepare("select count(*) from audit_events").pluck().get()).toBe(1);
    expect(legacy.prepare("select name from sqlite_master where name = 'audit_heads'").all()).toEqual([]);
    legacy.close();
  });
});

describe("tampering with the stored trail", () => {
  const plausibleHash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${Buffer.from(b).toString("hex")}`);

  const sameDetails = (a: string, b: string) => {
    try {
      return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
    } catch {
      return a === b;
    }
  };

  type Tamper = { describe: string; chain: string; apply: () => void };

  /** One random change made with raw SQL, as someone with the database file could. */
  function tampering(rows: Row[], heads: ChainHead[], userIds: string[], guidelineIds: string[]): fc.Arbitrary<Tamper> {
    const row = fc.nat({ max: rows.length - 1 }).map((i) => rows[i]!);
    const set = (r: Row, column: string, value: unknown) => () =>
      sqlite().prepare(`update audit_events set ${column} = ? where id = ?`).run(value, r.id);
    const other = <T>(values: T[], current: T) => fc.constantFrom(...values.filter((v) => v !== current));
    const edit = (r: Row, column: string, value: unknown): Tamper => ({
      describe: `set ${column} of #${r.id} to ${JSON.stringify(value)}`,
      chain: r.chain,
      apply: set(r, column, value),
    });
    const chainOfRows = (chain: string) => rows.filter((r) => r.chain === chain);

    const edits = row.chain((r) =>
      fc.oneof(
        fc
          .string({ minLength: 1, maxLength: 40 })
          .filter((s) => s !== r.action)
          .map((s) => edit(r, "action", s)),
        fc
          .oneof(
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.string(),
          )
          .filter((d) => !sameDetails(d, r.details))
          .map((d) => edit(r, "details", d)),
        other<string | null>([null, ...userIds], r.actor_id).map((id) => edit(r, "actor_id", id)),
        other<string | null>([null, ...guidelineIds], r.guideline_id).map((id) => edit(r, "guideline_id", id)),
        fc
          .integer({ min: -1e12, max: 1e12 })
          .filter((d) => d !== 0)
          .map((d) => edit(r, "created_at", r.created_at + d)),
        plausibleHash.filter((h) => h !== r.hash).map((h) => edit(r, "hash", h)),
        fc
          .option(plausibleHash)
          .filter((h) => h !== r.prev_hash)
          .map((h) => edit(r, "prev_hash", h)),
      ),
    );

    const deletion = row.map<Tamper>((r) => ({
      describe: `delete #${r.id}`,
      chain: r.chain,
      apply: () => sqlite().prepare("delete from audit_events where id = ?").run(r.id),
    }));

    const truncation = fc.constantFrom(...heads).chain((head) =>
      fc.integer({ min: 1, max: head.seq }).map<Tamper>((k) => ({
        describe: `delete the newest ${k} of ${head.chain}`,
        chain: head.chain,
        apply: () =>
          sqlite()
            .prepare("delete from audit_events where chain = ? and seq > ?")
            .run(head.chain, head.seq - k),
      })),
    );

    const swap = row
      .filter((r) => chainOfRows(r.chain).length >= 2)
      .chain((a) =>
        other(chainOfRows(a.chain), a).map<Tamper>((b) => ({
          describe: `swap the places of #${a.id} and #${b.id}`,
          chain: a.chain,
          apply: () => {
            const move = sqlite().prepare("update audit_events set seq = ? where id = ?");
            move.run(1e9, a.id);
            move.run(a.seq, b.id);
            move.run(b.seq, a.id);
          },
        })),
      );

    const chains = [...heads.map((h) => h.chain), ...guidelineIds.filter((id) => !heads.some((h) => h.chain === id))];
    const insertion = fc
      .record({
        chain: fc.constantFrom(...chains),
        beyond: fc.nat({ max: 3 }),
        actorId: fc.constantFrom<string | null>(null, ...userIds),
        action: fc.string({ minLength: 1, maxLength: 40 }),
        details: fc.jsonValue().map((v) => JSON.stringify(v)),
        createdAt: fc.integer({ min: 0, max: 4e12 }),
        link: fc.oneof(fc.constant("head" as const), fc.constant(null), plausibleHash),
        hash: fc.oneof(fc.constant("recomputed" as const), plausibleHash),
      })
      .map<Tamper>((forged) => {
        const head = heads.find((h) => h.chain === forged.chain);
        const seq = (head?.seq ?? 0) + 1 + forged.beyond;
        const guidelineId = forged.chain === INSTANCE_CHAIN ? null : forged.chain;
        const prevHash = forged.link === "head" ? (head?.hash ?? null) : forged.link;
        const event = { ...forged, chain: chainOf(guidelineId), seq, guidelineId, prevHash };
        const hash =
          forged.hash === "recomputed"
            ? eventHash({ ...event, details: JSON.parse(forged.details), createdAt: new Date(forged.createdAt) })
            : forged.hash;
        return {
          describe: `insert a forged seq ${seq} into ${forged.chain}`,
          chain: forged.chain,
          apply: () =>
            sqlite()
              .prepare(
                `insert into audit_events (chain, seq, guideline_id, actor_id, action, details, created_at, prev_hash, hash)
                 values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              )
              .run(
                event.chain,
                seq,
                guidelineId,
                forged.actorId,
                forged.action,
                forged.details,
                forged.createdAt,
                prevHash,
                hash,
              ),
        };
      });

    return fc.oneof(edits, deletion, truncation, swap, insertion);
  }

  test("every random edit, deletion, insertion or reordering breaks the chain it touched (property)", () => {
    const rows = allRows();
    const heads = allHeads();
    const userIds = sqlite().prepare("select id from users order by id").pluck().all() as string[];
    const guidelineIds = sqlite().prepare("select id from guidelines order by id").pluck().all() as string[];
    expect(verifyAudit(sqlite()).broken).toEqual([]);

    const seen = new Set<string>();
    fc.assert(
      fc.property(tampering(rows, heads, userIds, guidelineIds), (tamper) => {
        seen.add(tamper.describe.split(" ")[0]!);
        sqlite().exec("SAVEPOINT tamper");
        try {
          tamper.apply();
          const { broken } = verifyAudit(sqlite());
          expect(
            broken.map((b) => b.chain),
            tamper.describe,
          ).toContain(tamper.chain);
        } finally {
          sqlite().exec("ROLLBACK TO tamper");
          sqlite().exec("RELEASE tamper");
        }
      }),
      { numRuns: 250 },
    );
    expect([...seen].sort()).toEqual(["delete", "insert", "set", "swap"]);
    expect(allRows()).toEqual(rows);
    expect(verifyAudit(sqlite()).broken).toEqual([]);
  });

  test("a changed or deleted head shows", () => {
    const head = allHeads().find((h) => h.chain === demoId())!;
    const db = getDb();
    sqlite().exec("SAVEPOINT tamper");
    try {
      db.update(auditHeads).set({ hash: allRows()[0]!.hash }).where(eq(auditHeads.chain, head.chain)).run();
      expect(verifyAudit(sqlite()).broken).toMatchObject([{ chain: head.chain, kind: "head" }]);
      db.delete(auditHeads).where(eq(auditHeads.chain, head.chain)).run();
      expect(verifyAudit(sqlite()).broken).toMatchObject([
        {
          chain: head.chain,
          kind: "head",
          label: `guideline "${DEMO_SLUG}"`,
          message: "the chain has no head: its events were inserted or its head deleted",
        },
      ]);
    } finally {
      sqlite().exec("ROLLBACK TO tamper");
      sqlite().exec("RELEASE tamper");
    }
    expect(verifyAudit(sqlite()).broken).toEqual([]);
  });
});

describe("npm run -s cli -- audit:verify", () => {
  test("prints the size of an intact trail", () => {
    const rows = allRows();
    expect(runCli(["audit:verify"])).toEqual({ status: 0, stdout: `ok: ${rows.length} events in 4 chains\n`, stderr: "" });
    const demo = rows.filter((r) => r.chain === demoId()).length;
    expect(runCli(["audit:verify", DEMO_SLUG])).toEqual({ status: 0, stdout: `ok: ${demo} events in 1 chain\n`, stderr: "" });
  }, 60_000);

  test("an unknown guideline or extra arguments exit 1 with a message", () => {
    expect(runCli(["audit:verify", "nope"])).toEqual({ status: 1, stdout: "", stderr: 'There is no guideline "nope".\n' });
    expect(runCli(["audit:verify", "a", "b"])).toEqual({ status: 1, stdout: "", stderr: "usage: audit:verify [SLUG]\n" });
  }, 60_000);

  test("a broken trail exits 1 with the first broken link of each chain", () => {
    const rows = allRows();
    const demo = rows.filter((r) => r.chain === demoId());
    const [deleted, next] = [demo[9]!, demo[10]!];
    const newestOps = rows.filter((r) => r.chain === INSTANCE_CHAIN).at(-1)!;
    const remove = sqlite().prepare("delete from audit_events where id = ?");
    remove.run(deleted.id);
    remove.run(newestOps.id);
    sqlite().prepare("update audit_events set action = 'guideline.deleted' where id = ?").run(demo[20]!.id);
    try {
      const all = runCli(["audit:verify"]);
      expect(all.status).toBe(1);
      expect(all.stdout).toBe("");
      const lines = all.stderr.trimEnd().split("\n");
      expect(lines[0]).toBe(`audit: 2 of 4 chains broken (${rows.length - 2} events); the first broken link of each:`);
      expect(lines.slice(1).sort()).toEqual([
        `  guideline "${DEMO_SLUG}": event #${next.id} (seq 11) follows a gap: seq 10 is missing, events were deleted`,
        `  instance: the head is at seq ${newestOps.seq} but the last event is seq ${newestOps.seq - 1}: the newest events were deleted`,
      ]);
      expect(runCli(["audit:verify", DEMO_SLUG]).stderr).toBe(
        `audit: 1 of 1 chain broken (${demo.length - 1} events); the first broken link of each:\n` +
          `  guideline "${DEMO_SLUG}": event #${next.id} (seq 11) follows a gap: seq 10 is missing, events were deleted\n`,
      );
    } finally {
      reinsert([deleted, newestOps]);
      sqlite().prepare("update audit_events set action = ? where id = ?").run(demo[20]!.action, demo[20]!.id);
    }
    expect(verifyAudit(sqlite()).broken).toEqual([]);
  }, 60_000);

  test("a trail cut short with its head moved back, and one deleted whole, exit 1 with a line each", () => {
    const [demo, imported] = [demoId(), idOf(IMPORTED)];
    const newest = chainRows(demo).at(-1)!;
    const { round, item } = JSON.parse(newest.details) as { round: number; item: number };
    const erased = chainRows(imported);
    const heads = allHeads();
    truncate(demo, newest.seq);
    sqlite().prepare("delete from audit_events where chain = ?").run(imported);
    sqlite().prepare("delete from audit_heads where chain = ?").run(imported);
    try {
      const all = runCli(["audit:verify"]);
      expect(all.status).toBe(1);
      expect(all.stdout).toBe("");
      const [header, ...lines] = all.stderr.trimEnd().split("\n");
      expect(header).toBe(`audit: 2 of 4 chains broken (${allRows().length} events); the first broken link of each:`);
      const ballot = `the ballot of user ${newest.actor_id} on round ${round}, item ${item}`;
      expect(lines.sort()).toEqual([
        `  guideline "${DEMO_SLUG}": ${ballot} has no "ballot.cast" event in the audit trail`,
        `  guideline "${IMPORTED}": there is no audit trail at all: every event and the head were deleted`,
      ]);
      expect(runCli(["audit:verify", IMPORTED])).toEqual({
        status: 1,
        stdout: "",
        stderr:
          "audit: 1 of 1 chain broken (0 events); the first broken link of each:\n" +
          `  guideline "${IMPORTED}": there is no audit trail at all: every event and the head were deleted\n`,
      });
    } finally {
      reinsert([newest, ...erased]);
      const restore = sqlite().prepare("insert or replace into audit_heads (chain, seq, hash) values (@chain, @seq, @hash)");
      for (const head of heads) restore.run(head);
    }
    expect(verifyAudit(sqlite()).broken).toEqual([]);
  }, 60_000);
});
