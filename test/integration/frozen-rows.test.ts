/**
 * SQLite resolves a REPLACE conflict by deleting the row in the way, and that delete fires no
 * trigger: without triggers of their own, REPLACE INTO, INSERT OR REPLACE, upserts and UPDATE OR
 * REPLACE could overwrite what migration 0001 freezes. Every attempt here is made with raw SQL on
 * the app's connection and on a bare one without foreign keys, as anyone with the file could.
 */
import Database from "better-sqlite3";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, ballots, guidelines, memberships, roundResults } from "@db/schema";
import { castBallots } from "~/server/ballots.server";
import { publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import { addRevision, createRound } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";

const REFUSED = {
  set: "UNIQUE key taken by a published recommendation set (id, or guideline_id and version), which never changes",
  round: "UNIQUE key taken by a round that has been opened (id, or guideline_id and number): only a draft round is replaced",
  item:
    "UNIQUE key taken by an item of a round that has been opened (id, or round_id with revision_id or position): " +
    "items change only while their round is a draft",
  result: "UNIQUE key taken by a round result (round_item_id): round results never change",
  ballot:
    "UNIQUE key taken by a ballot of a closed round (id, or round_item_id and membership_id): " +
    "ballots change only while their round is open",
  revision:
    "UNIQUE key taken by a revision that went to a vote (id, or statement_id and revision): it never changes; add a new revision",
  audit: "UNIQUE key taken by an audit event (id, or chain and seq): the audit trail is append-only",
};

const FROZEN = [
  "recommendation_sets",
  "rounds",
  "round_items",
  "round_results",
  "ballots",
  "statement_revisions",
  "audit_events",
];

let bare: Database.Database;

beforeAll(() => {
  getDb();
  bare = new Database(process.env.DATABASE_PATH!);
  bare.pragma("foreign_keys = OFF");
  bare.pragma("busy_timeout = 5000");
});

afterAll(() => bare.close());

const connections = () => [
  { connection: "the app's", sqlite: getDb().$client },
  { connection: "a bare one without foreign keys", sqlite: bare },
];

/** Every frozen table, rowids included: a row deleted and inserted again shows. */
function frozenRows(sqlite: Database.Database) {
  const rows = (table: string) => sqlite.prepare(`select rowid as "(rowid)", * from ${table} order by rowid`).all();
  return Object.fromEntries(FROZEN.map((table) => [table, rows(table)]));
}

function failureOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return "(no error: the statement went through)";
}

/** Each statement is refused with exactly `message` on both connections, and no frozen row changes. */
function expectRefused(statements: string[], params: unknown[], message: string) {
  for (const statement of statements) {
    for (const { connection, sqlite } of connections()) {
      const before = frozenRows(sqlite);
      const refused = failureOf(() => sqlite.prepare(statement).run(...params));
      expect({ connection, statement, message: refused }).toEqual({ connection, statement, message });
      expect(frozenRows(sqlite)).toEqual(before);
    }
  }
}

/** The row `select` reads, written back into `table` by REPLACE INTO, INSERT OR REPLACE and an upsert. */
function rewrites(table: string, columns: string, select: string, upsert: string): string[] {
  const into = `${table} (${columns}) ${select}`;
  return [`replace into ${into}`, `insert or replace into ${into}`, `insert into ${into} ${upsert}`];
}

const row = <T>(statement: string, ...params: unknown[]) =>
  getDb()
    .$client.prepare(statement)
    .get(...params) as T;

/**
 * A guideline with round 1 closed (Alpha and Beta, ballots and results) and published as version 1,
 * round 2 open on Gamma with one ballot, and round 3 a draft on Alpha's unvoted revision 2. Delta
 * is in no round.
 */
async function world() {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 2, statements: ["Alpha", "Beta", "Gamma", "Delta"] });
  const [alpha, beta, gamma, delta] = [0, 1, 2, 3].map((i) => g.statements[i]!);
  const guidelineId = g.guideline.id;
  const closed = openRoundWithBallots(db, {
    guidelineId,
    number: 1,
    revisionIds: [alpha!.revision.id, beta!.revision.id],
    panel: g.panel,
    votes: [votes(2, 2), votes(2, 1, 1)],
  });
  closeRound(db, { roundId: closed.round.id, actorId: g.secretary.id });
  publish(db, { slug: g.guideline.slug, actorId: g.secretary.id });
  const open = openRoundWithBallots(db, {
    guidelineId,
    number: 2,
    revisionIds: [gamma!.revision.id],
    panel: g.panel,
    votes: [votes(2, 1)],
  });
  const alpha2 = addRevision(db, {
    statementId: alpha!.statement.id,
    revision: 2,
    text: "Alpha, reworded",
    changeNote: "Reworded",
  });
  const draft = createRound(db, { guidelineId, number: 3, revisionIds: [alpha2.id] });
  const ballotOf = (roundItemId: string) =>
    db
      .select()
      .from(ballots)
      .where(and(eq(ballots.roundItemId, roundItemId), eq(ballots.membershipId, g.panel[0]!.id)))
      .get()!;
  return {
    db,
    g,
    guidelineId,
    closed: { round: closed.round, item: closed.items[0]!, ballot: ballotOf(closed.items[0]!.id), revision: alpha!.revision },
    open: { round: open.round, item: open.items[0]!, ballot: ballotOf(open.items[0]!.id), revision: gamma!.revision },
    draft: { round: draft.round, item: draft.items[0]!, revision: alpha2 },
    unvoted: delta!.revision,
    set: row<{ id: string }>("select id from recommendation_sets where guideline_id = ?", guidelineId),
  };
}

describe("frozen rows cannot be replaced", () => {
  test("a published recommendation set", async () => {
    const w = await world();
    const columns = "id, guideline_id, version, published_at, published_by, body, content_hash";
    const forged = (id: string) =>
      `select ${id}, guideline_id, version, published_at, published_by, '{}', 'sha256:forged' from recommendation_sets where id = ?`;
    const upsert = "on conflict (id) do update set body = excluded.body";
    expectRefused(rewrites("recommendation_sets", columns, forged("id"), upsert), [w.set.id], REFUSED.set);
    expectRefused(
      rewrites("recommendation_sets", columns, forged("'forged'"), "on conflict do nothing"),
      [w.set.id],
      REFUSED.set,
    );
    expectRefused(
      ["update or replace recommendation_sets set body = '{}' where id = ?"],
      [w.set.id],
      "a published recommendation set never changes",
    );

    // Publishing the next version still works.
    closeRound(w.db, { roundId: w.open.round.id, actorId: null });
    expect(publish(w.db, { slug: w.g.guideline.slug, actorId: null }).version).toBe(2);
  });

  test("a round that has been opened, open or closed; a draft round still can be", async () => {
    const w = await world();
    const columns = "id, guideline_id, number, status, origin, created_at";
    const asDraft = (id: string) => `select ${id}, guideline_id, number, 'draft', origin, created_at from rounds where id = ?`;
    for (const round of [w.closed.round, w.open.round]) {
      expectRefused(
        rewrites("rounds", columns, asDraft("id"), "on conflict (id) do update set closes_at = 0"),
        [round.id],
        REFUSED.round,
      );
      expectRefused(rewrites("rounds", columns, asDraft("'forged'"), "on conflict do nothing"), [round.id], REFUSED.round);
      expectRefused(["update or replace rounds set number = ? where id = ?"], [round.number, w.draft.round.id], REFUSED.round);
      expectRefused(["update or replace rounds set id = ? where id = ?"], [round.id, w.draft.round.id], REFUSED.round);
    }

    const later = 4102444800000;
    getDb()
      .$client.prepare(`replace into rounds (${columns}, closes_at) select ${columns}, ? from rounds where id = ?`)
      .run(later, w.draft.round.id);
    expect(row("select number, status, closes_at from rounds where id = ?", w.draft.round.id)).toEqual({
      number: 3,
      status: "draft",
      closes_at: later,
    });
  });

  test("an item of a round that has been opened; a draft round's items still can be", async () => {
    const w = await world();
    const columns = "id, round_id, revision_id, position, eligible";
    const intoDraft = `select id, '${w.draft.round.id}', revision_id, 9, 0 from round_items where id = ?`;
    for (const item of [w.closed.item, w.open.item]) {
      expectRefused(
        rewrites("round_items", columns, intoDraft, "on conflict (id) do update set eligible = 0"),
        [item.id],
        REFUSED.item,
      );
      expectRefused(["update or replace round_items set id = ? where id = ?"], [item.id, w.draft.item.id], REFUSED.item);
    }

    const sqlite = getDb().$client;
    sqlite
      .prepare(`replace into round_items (${columns}) select id, round_id, revision_id, 2, 1 from round_items where id = ?`)
      .run(w.draft.item.id);
    sqlite.prepare("update or replace round_items set position = 1 where id = ?").run(w.draft.item.id);
    expect(row("select round_id, revision_id, position, eligible from round_items where id = ?", w.draft.item.id)).toEqual({
      round_id: w.draft.round.id,
      revision_id: w.draft.revision.id,
      position: 1,
      eligible: 1,
    });
  });

  test("a round result, even of a round that is still open", async () => {
    const w = await world();
    const columns = "round_item_id, eligible, tally, adopted, verdict";
    const reversed = `select round_item_id, eligible, '{"agree":0,"disagree":2,"abstain":0}', 0, '{"outcome":"out"}' from round_results where round_item_id = ?`;
    // Results are written while their round closes, so one may exist before the round is closed.
    getDb()
      .$client.prepare(
        `insert into round_results (${columns}) values (?, 2, '{"agree":1,"disagree":0,"abstain":0}', 1, '{"outcome":"in"}')`,
      )
      .run(w.open.item.id);
    for (const item of [w.open.item, w.closed.item]) {
      expectRefused(
        rewrites("round_results", columns, reversed, "on conflict do update set adopted = 0"),
        [item.id],
        REFUSED.result,
      );
    }
    expect(w.db.select().from(roundResults).where(eq(roundResults.roundItemId, w.closed.item.id)).get()).toMatchObject({
      tally: { agree: 2, disagree: 0, abstain: 0 },
      adopted: true,
    });
  });

  test("a ballot of a closed round; an open round's ballots are still replaced, by the app's upsert too", async () => {
    const w = await world();
    const columns = "id, round_item_id, membership_id, choice, comment, created_at, updated_at";
    const movedToOpen = `select id, '${w.open.item.id}', membership_id, 'disagree', 'forged', created_at, updated_at from ballots where id = ?`;
    expectRefused(
      rewrites("ballots", columns, movedToOpen, "on conflict (id) do update set choice = 'disagree'"),
      [w.closed.ballot.id],
      REFUSED.ballot,
    );
    expectRefused(["update or replace ballots set id = ? where id = ?"], [w.closed.ballot.id, w.open.ballot.id], REFUSED.ballot);

    const sqlite = getDb().$client;
    const replaced = `select id, round_item_id, membership_id, 'abstain', 'Replaced', created_at, updated_at from ballots where id = ?`;
    sqlite.prepare(`replace into ballots (${columns}) ${replaced}`).run(w.open.ballot.id);
    expect(row("select choice, comment from ballots where id = ?", w.open.ballot.id)).toEqual({
      choice: "abstain",
      comment: "Replaced",
    });

    const guideline = w.db.select().from(guidelines).where(eq(guidelines.id, w.guidelineId)).get()!;
    const membership = w.db.select().from(memberships).where(eq(memberships.id, w.open.ballot.membershipId)).get()!;
    const ballot = { roundItemId: w.open.item.id, answer: "disagree" as const, comment: null };
    expect(castBallots(w.db, { guideline, membership, ballots: [ballot] })).toEqual({ saved: 1, changed: 1, refused: [] });
    expect(
      row("select id, choice, comment from ballots where round_item_id = ? and membership_id = ?", w.open.item.id, membership.id),
    ).toEqual({
      id: w.open.ballot.id,
      choice: "disagree",
      comment: null,
    });
  });

  test("a revision that went to a vote; an unvoted one is still replaced", async () => {
    const w = await world();
    const columns = `id, statement_id, revision, text, rationale, "references", author_id, change_note, created_at`;
    const forged = (id: string) =>
      `select ${id}, statement_id, revision, 'Forged', rationale, "references", author_id, change_note, created_at ` +
      "from statement_revisions where id = ?";
    for (const voted of [w.closed.revision, w.open.revision]) {
      const upsert = "on conflict (id) do update set text = 'Forged'";
      expectRefused(rewrites("statement_revisions", columns, forged("id"), upsert), [voted.id], REFUSED.revision);
      expectRefused(
        rewrites("statement_revisions", columns, forged("'forged'"), "on conflict do nothing"),
        [voted.id],
        REFUSED.revision,
      );
    }
    expectRefused(
      ["update or replace statement_revisions set revision = 1 where id = ?"],
      [w.draft.revision.id],
      REFUSED.revision,
    );
    expectRefused(
      ["update or replace statement_revisions set id = ? where id = ?"],
      [w.closed.revision.id, w.draft.revision.id],
      REFUSED.revision,
    );

    for (const unvoted of [w.unvoted, w.draft.revision]) {
      getDb()
        .$client.prepare(`replace into statement_revisions (${columns}) ${forged("id")}`)
        .run(unvoted.id);
      expect(row("select revision, text from statement_revisions where id = ?", unvoted.id)).toEqual({
        revision: unvoted.revision,
        text: "Forged",
      });
    }
  });

  test("an audit event; the trail still grows, chained to its last event", async () => {
    const w = await world();
    const trail = () =>
      w.db.select().from(auditEvents).where(eq(auditEvents.guidelineId, w.guidelineId)).orderBy(auditEvents.seq).all();
    const events = trail();
    const [first, second] = [events[0]!, events[1]!];
    const columns = "id, chain, seq, guideline_id, actor_id, action, details, created_at, prev_hash, hash";
    const forged = (id: string) =>
      `select ${id}, chain, seq, guideline_id, actor_id, 'guideline.deleted', details, created_at, prev_hash, hash from audit_events where id = ?`;
    expectRefused(
      rewrites("audit_events", columns, forged("id"), "on conflict (id) do update set action = 'x'"),
      [first.id],
      REFUSED.audit,
    );
    expectRefused(
      rewrites("audit_events", columns, forged("null"), "on conflict (chain, seq) do update set action = 'x'"),
      [first.id],
      REFUSED.audit,
    );
    expectRefused(["update or replace audit_events set seq = ? where id = ?"], [first.seq, second.id], REFUSED.audit);
    expectRefused(["update or replace audit_events set id = ? where id = ?"], [first.id, second.id], REFUSED.audit);

    closeRound(w.db, { roundId: w.open.round.id, actorId: w.g.secretary.id });
    const after = trail();
    expect(after.slice(0, events.length)).toEqual(events);
    expect(after.at(-1)).toMatchObject({ seq: events.length + 1, action: "round.closed", prevHash: events.at(-1)!.hash });
  });
});
