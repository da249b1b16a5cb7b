/**
 * The benchmark's data set: the IMT demo, whose round 2 is closed, and a round 3 of `statements`
 * statements voted by a panel of `panelists` (the 31 demo experts and generated ones), every
 * panelist having answered every statement. Built with raw SQL in one transaction without fsync;
 * the connection is closed afterwards so the benchmarks reopen the file with the app's settings.
 */
import { and, asc, eq } from "drizzle-orm";
import { openDatabase } from "@db/client.server";
import { guidelines, memberships, rounds, statementTranslations, users, type Choice } from "@db/schema";
import { closeRound } from "~/server/rounds.server";
import { createRound, createStatement } from "../../test/support/factories";
import { DEMO_ACCOUNTS, DEMO_SLUG, seedDemo } from "../seed-demo";

export type ScaleData = {
  slug: string;
  roundId: string;
  roundNumber: number;
  secretaryId: string;
  /** Panelists in a fixed order: index m in `choiceOf(m, i)`. */
  panel: { membershipId: string; userId: string }[];
  /** Round items in position order: index i in `choiceOf(m, i)`. */
  items: string[];
  ballots: number;
  /** When the data set's ballots were cast: later `updated_at` values were written by the benchmark. */
  castAt: Date;
};

/** 70 % agree, 20 % disagree, 10 % abstain, spread over panelists and statements. */
export function choiceOf(m: number, i: number): Choice {
  const slot = (m * 7 + i * 13) % 10;
  return slot < 7 ? "agree" : slot < 9 ? "disagree" : "abstain";
}

const CHOICE_SQL = `case (m.idx * 7 + i.idx * 13) % 10 when 7 then 'disagree' when 8 then 'disagree' when 9 then 'abstain' else 'agree' end`;

/** A random 16-character id, the length of the app's own ids. */
const RANDOM_ID_SQL = "lower(hex(randomblob(8)))";

export async function buildScaleData(path: string, size: { panelists: number; statements: number }): Promise<ScaleData> {
  const db = openDatabase(path);
  const sqlite = db.$client;
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -1000000");
  try {
    await seedDemo(db);
    const guideline = db.select().from(guidelines).where(eq(guidelines.slug, DEMO_SLUG)).get()!;
    const secretary = db.select().from(users).where(eq(users.email, DEMO_ACCOUNTS.secretary)).get()!;
    const castAt = new Date(Date.now() - 60_000);

    return db.transaction(
      (tx) => {
        const open = tx
          .select()
          .from(rounds)
          .where(and(eq(rounds.guidelineId, guideline.id), eq(rounds.status, "open")))
          .get();
        if (open) closeRound(tx, { roundId: open.id, actorId: secretary.id, now: castAt });

        const demoPanel = tx
          .select({ id: memberships.id })
          .from(memberships)
          .where(and(eq(memberships.guidelineId, guideline.id), eq(memberships.role, "panelist")))
          .all().length;
        const extra = Math.max(0, size.panelists - demoPanel);
        const passwordHash = tx.select({ hash: users.passwordHash }).from(users).where(eq(users.id, secretary.id)).get()!.hash;
        sqlite
          .prepare(
            `insert into users (id, email, name, password_hash, is_admin, created_at)
           with recursive n(k) as (select 1 union all select k + 1 from n where k < :extra)
           select ${RANDOM_ID_SQL}, printf('bench%05d@bench.example', k), printf('Bench panelist %05d', k), :hash, 0, :at
           from n where :extra > 0`,
          )
          .run({ extra, hash: passwordHash, at: castAt.getTime() });
        sqlite
          .prepare(
            `insert into memberships (id, guideline_id, user_id, role, discipline, created_at)
           select ${RANDOM_ID_SQL}, :guideline, u.id, 'panelist',
             case u.rowid % 4 when 0 then 'Medical oncology' when 1 then 'Pathology' when 2 then 'Radiology' else 'Thoracic surgery' end,
             :at
           from users u where u.email like 'bench%@bench.example'`,
          )
          .run({ guideline: guideline.id, at: castAt.getTime() });

        const drafted = Array.from({ length: size.statements }, (_, i) =>
          createStatement(tx, {
            guidelineId: guideline.id,
            position: 100 + i,
            section: `Benchmark section ${1 + Math.floor(i / 20)}`,
            text: `Benchmark statement ${i + 1}: patients with this presentation should be offered the reference treatment`,
            authorId: secretary.id,
            createdAt: castAt,
          }),
        );
        // The demo reads its statements in Chinese too: a round opens only with their translations.
        tx.insert(statementTranslations)
          .values(
            drafted.map((d, i) => ({
              revisionId: d.revision.id,
              language: "zh",
              text: `基准陈述 ${i + 1}：此类表现的患者应接受参考治疗`,
              updatedAt: castAt,
            })),
          )
          .run();
        const number =
          1 +
          Math.max(
            ...tx
              .select({ number: rounds.number })
              .from(rounds)
              .where(eq(rounds.guidelineId, guideline.id))
              .all()
              .map((r) => r.number),
          );
        const { round, items } = createRound(tx, {
          guidelineId: guideline.id,
          number,
          status: "open",
          revisionIds: drafted.map((d) => d.revision.id),
          openedAt: castAt,
        });
        const panel = tx
          .select({ membershipId: memberships.id, userId: memberships.userId })
          .from(memberships)
          .where(and(eq(memberships.guidelineId, guideline.id), eq(memberships.role, "panelist")))
          .orderBy(asc(memberships.createdAt), asc(memberships.id))
          .all();

        sqlite.exec("create temp table bench_members (idx integer primary key, id text not null)");
        sqlite.exec("create temp table bench_items (idx integer primary key, id text not null)");
        const member = sqlite.prepare("insert into temp.bench_members (idx, id) values (?, ?)");
        panel.forEach((p, m) => member.run(m, p.membershipId));
        const item = sqlite.prepare("insert into temp.bench_items (idx, id) values (?, ?)");
        items.forEach((it, i) => item.run(i, it.id));
        const inserted = sqlite
          .prepare(
            `insert into ballots (id, round_item_id, membership_id, choice, comment, created_at, updated_at)
           select ${RANDOM_ID_SQL}, i.id, m.id, ${CHOICE_SQL}, null, ${castAt.getTime()}, ${castAt.getTime()}
           from temp.bench_items i cross join temp.bench_members m`,
          )
          .run().changes;
        return {
          slug: guideline.slug,
          roundId: round.id,
          roundNumber: number,
          secretaryId: secretary.id,
          panel,
          items: items.map((it) => it.id),
          ballots: inserted,
          castAt,
        };
      },
      { behavior: "immediate" },
    );
  } finally {
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    sqlite.close();
  }
}
