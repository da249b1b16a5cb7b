import { and, asc, eq, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { createTransport, type Transporter } from "nodemailer";
import type { DB, Queryable } from "@db/client.server";
import { getDb } from "@db/client.server";
import { outboxMails } from "@db/schema";
import { msg } from "~/i18n";
import { recordAudit } from "./audit.server";
import { env } from "./env.server";
import { Refusal } from "./errors.server";
import { log } from "./log.server";
import { mailHtml } from "./mail-html";

export type Mail = { guidelineId: string | null; kind: string; to: string; subject: string; body: string };

/**
 * Every mail goes through the outbox table first, inside the caller's transaction, so an
 * invitation and its mail are written together. `deliverOutbox` then sends what is due when
 * SMTP_URL is set; without it the mails stay in the outbox for the secretary to copy.
 */
export function queueMail(db: Queryable, mail: Mail, now = new Date()): string {
  return db
    .insert(outboxMails)
    .values({ ...mail, createdAt: now })
    .returning({ id: outboxMails.id })
    .get().id;
}

/** A mail that failed this many times is given up on: with the delays below, after about 8½ hours. */
export const MAX_ATTEMPTS = 10;
const FIRST_DELAY_MS = 60_000;
const LONGEST_DELAY_MS = 4 * 3_600_000;

/** The wait after the `attempts`-th failure: a minute, doubling, at most four hours. */
export function retryDelay(attempts: number): number {
  return Math.min(FIRST_DELAY_MS * 2 ** (attempts - 1), LONGEST_DELAY_MS);
}

export const INTERRUPTED =
  "delivery state unknown after a restart: the server stopped while sending this mail, which may or may not have arrived. Check with the recipient or send it again.";

/**
 * SMTP replies about the app's own login (RFC 4954: authentication required, mechanism too
 * weak, credentials invalid, encryption required): the operator's to fix in SMTP_URL, after
 * which the mail should go out, so they are retried like a server that is down.
 */
const LOGIN_REPLIES = new Set([530, 534, 535, 538]);

type SmtpError = Error & { code?: string; responseCode?: number };

/**
 * Whether the server refused this mail for good: a 5xx reply to it (no such user, rejected
 * content). A connection that fails, a timeout, a 4xx reply or a refused login may pass later.
 */
function isPermanent(error: SmtpError): boolean {
  const reply = error.responseCode;
  return reply !== undefined && reply >= 500 && reply < 600 && error.code !== "EAUTH" && !LOGIN_REPLIES.has(reply);
}

let transport: Transporter | undefined;

function smtp(): Transporter | null {
  const url = env().SMTP_URL;
  if (!url) return null;
  transport ??= createTransport(url);
  return transport;
}

/** Not sent, not given up on, not being sent, and its time has come. */
function due(now: Date) {
  return and(
    isNull(outboxMails.sentAt),
    isNull(outboxMails.failedAt),
    isNull(outboxMails.sendingAt),
    or(isNull(outboxMails.nextAttemptAt), lte(outboxMails.nextAttemptAt, now)),
  );
}

type OutboxMail = typeof outboxMails.$inferSelect;
type Delivery = { sent: number; failed: number };

/**
 * Sends the mails that are due over SMTP. Each is claimed (`sending_at`) before the SMTP call
 * and marked sent after it, so concurrent deliveries (the tick and an action, or two actions)
 * split the mails between them and none is sent twice. A failure is retried after
 * `retryDelay`, or marked failed when the server refused the mail or after MAX_ATTEMPTS.
 * `now` is the clock, for tests; by default each step reads the time.
 */
export async function deliverOutbox(options: { now?: Date } = {}): Promise<Delivery> {
  const transporter = smtp();
  const delivery = { sent: 0, failed: 0 };
  if (!transporter) return delivery;
  const clock = () => options.now ?? new Date();
  const db = getDb();
  const waiting = db
    .select({ id: outboxMails.id })
    .from(outboxMails)
    .where(due(clock()))
    .orderBy(asc(outboxMails.createdAt), asc(sql`rowid`))
    .all();
  for (const { id } of waiting) {
    const now = clock();
    const mail = db
      .update(outboxMails)
      .set({ sendingAt: now })
      .where(and(eq(outboxMails.id, id), due(now)))
      .returning()
      .get();
    if (!mail) continue; // another delivery claimed it, or sent it, meanwhile
    try {
      await transporter.sendMail({
        from: env().MAIL_FROM,
        to: mail.to,
        subject: mail.subject,
        text: mail.body,
        html: mailHtml(mail.body),
      });
      db.update(outboxMails)
        .set({ sentAt: clock(), sendingAt: null, attempts: mail.attempts + 1, nextAttemptAt: null, lastError: null })
        .where(eq(outboxMails.id, id))
        .run();
      delivery.sent++;
    } catch (error) {
      recordFailure(db, mail, error as SmtpError, clock());
      delivery.failed++;
    }
  }
  return delivery;
}

function recordFailure(db: DB, mail: OutboxMail, error: SmtpError, now: Date): void {
  const attempts = mail.attempts + 1;
  const reason = error.message;
  const permanent = isPermanent(error);
  const givenUp = permanent || attempts >= MAX_ATTEMPTS;
  const lastError = permanent || !givenUp ? reason : `gave up after ${attempts} attempts: ${reason}`;
  db.update(outboxMails)
    .set({
      sendingAt: null,
      attempts,
      lastError,
      failedAt: givenUp ? now : null,
      nextAttemptAt: givenUp ? null : new Date(now.getTime() + retryDelay(attempts)),
    })
    .where(eq(outboxMails.id, mail.id))
    .run();
  // The server's reply often repeats the recipient's address: the log names the mail only.
  log().warn(
    {
      mailId: mail.id,
      kind: mail.kind,
      attempts,
      permanent: givenUp,
      code: error.code,
      responseCode: error.responseCode,
      error: reason.replaceAll(mail.to, "[recipient]"),
    },
    "mail not sent",
  );
}

/**
 * A mail still claimed when the process starts was being sent when the last one stopped: it may
 * have arrived or not, and sending it again could deliver it twice, so it is marked failed for
 * the secretary to check and send again. Returns how many.
 */
export function failInterruptedDeliveries(db: DB, now = new Date()): number {
  const interrupted = db
    .update(outboxMails)
    .set({ sendingAt: null, failedAt: now, lastError: INTERRUPTED })
    .where(and(isNotNull(outboxMails.sendingAt), isNull(outboxMails.sentAt), isNull(outboxMails.failedAt)))
    .returning({ id: outboxMails.id, kind: outboxMails.kind })
    .all();
  for (const mail of interrupted) log().warn({ mailId: mail.id, kind: mail.kind }, "mail delivery interrupted by a restart");
  return interrupted.length;
}

/** How often the server looks for mails whose next attempt has come. */
const RETRY_EVERY_MS = 30_000;

/**
 * At server start: settles the deliveries the last process left unfinished, sends what is due,
 * and from then on retries what failed as its time comes.
 */
export function startMailDelivery(): void {
  failInterruptedDeliveries(getDb());
  const deliver = () => {
    deliverOutbox().catch((error: unknown) => log().error({ err: error }, "mail delivery failed"));
  };
  deliver();
  setInterval(deliver, RETRY_EVERY_MS).unref();
}

/**
 * "Send again" for a mail that failed: pending once more, its attempts from zero, sent by the
 * next delivery. Only a failed mail of this guideline; recorded in its audit trail.
 */
export function resendMail(db: DB, input: { guidelineId: string; mailId: string; actorId: string; now?: Date }): void {
  const now = input.now ?? new Date();
  db.transaction(
    (tx) => {
      const mail = tx
        .select()
        .from(outboxMails)
        .where(and(eq(outboxMails.id, input.mailId), eq(outboxMails.guidelineId, input.guidelineId)))
        .get();
      if (!mail) throw new Refusal(msg("No such mail in this guideline's outbox."), 404);
      if (!mail.failedAt) throw new Refusal(msg("This mail has not failed: it is sent or still being tried."), 409);
      tx.update(outboxMails)
        .set({ failedAt: null, sendingAt: null, attempts: 0, nextAttemptAt: null, lastError: null })
        .where(eq(outboxMails.id, mail.id))
        .run();
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "mail.resent",
        details: { mailId: mail.id, kind: mail.kind, email: mail.to },
        at: now,
      });
    },
    { behavior: "immediate" },
  );
}
