import { AsyncResource } from "node:async_hooks";
import type { DB } from "@db/client.server";

type Job = { change: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };

const queues = new WeakMap<DB, Job[]>();

/**
 * Group commit: the changes submitted during one turn of the event loop run in one immediate
 * transaction, each in its own savepoint, and are made durable by one commit (one fsync with
 * synchronous=FULL) instead of one each. Each promise settles only after that commit: a change
 * that was acknowledged is as durable as with a commit of its own. A change that throws (a
 * refusal, or a failure) is rolled back alone and rejects alone; if the commit itself fails,
 * every change of the group rejects and none was saved. Each change runs in its caller's async
 * context (the request's language, for one), not in the turn that flushes the group.
 */
export function commitTogether<T>(db: DB, change: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let queue = queues.get(db);
    if (!queue) {
      queue = [];
      queues.set(db, queue);
    }
    if (queue.length === 0) setImmediate(() => flush(db));
    queue.push({ change: AsyncResource.bind(change), resolve: resolve as (value: unknown) => void, reject });
  });
}

function flush(db: DB) {
  const jobs = queues.get(db) ?? [];
  queues.set(db, []);
  const sqlite = db.$client;
  const settled: (() => void)[] = [];
  try {
    sqlite
      .transaction(() => {
        for (const job of jobs) {
          try {
            // Nested in the open transaction, better-sqlite3 runs it in a savepoint.
            const value = sqlite.transaction(job.change)();
            settled.push(() => job.resolve(value));
          } catch (error) {
            settled.push(() => job.reject(error));
          }
        }
      })
      .immediate();
  } catch (error) {
    for (const job of jobs) job.reject(error);
    return;
  }
  for (const settle of settled) settle();
}
