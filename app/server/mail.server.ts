import { and, eq, isNull } from "drizzle-orm";
import { createTransport, type Transporter } from "nodemailer";
import type { Queryable } from "@db/client.server";
import { getDb } from "@db/client.server";
import { outboxMails } from "@db/schema";
import { env } from "./env.server";

export type Mail = { guidelineId: string | null; kind: string; to: string; subject: string; body: string };

/**
 * Every mail goes through the outbox table first, inside the caller's transaction, so an
 * invitation and its mail are written together. `deliverOutbox` then sends what is pending
 * when SMTP_URL is set; without it the mails stay in the outbox for the secretary to copy.
 */
export function queueMail(db: Queryable, mail: Mail, now = new Date()): string {
  return db
    .insert(outboxMails)
    .values({ ...mail, createdAt: now })
    .returning({ id: outboxMails.id })
    .get().id;
}

let transport: Transporter | undefined;

function smtp(): Transporter | null {
  const url = env().SMTP_URL;
  if (!url) return null;
  transport ??= createTransport(url);
  return transport;
}

type Delivery = { sent: number; failed: number };

/** The delivery under way in this process, and whether mails were queued while it ran. */
let delivering: Promise<Delivery> | null = null;
let queuedMeanwhile = false;

/**
 * Sends the pending mails over SMTP, marking each sent; failures stay pending and are logged.
 * One delivery runs at a time: a call while one is under way (the tick and an action, say) joins
 * it and makes it look again for mails when it is done, so no mail is read twice and sent twice.
 */
export function deliverOutbox(): Promise<Delivery> {
  if (delivering) {
    queuedMeanwhile = true;
    return delivering;
  }
  delivering = (async () => {
    const total = { sent: 0, failed: 0 };
    do {
      queuedMeanwhile = false;
      const round = await deliverPending();
      total.sent += round.sent;
      total.failed += round.failed;
    } while (queuedMeanwhile);
    return total;
  })().finally(() => {
    delivering = null;
  });
  return delivering;
}

async function deliverPending(): Promise<Delivery> {
  const transporter = smtp();
  if (!transporter) return { sent: 0, failed: 0 };
  const db = getDb();
  const pending = db.select().from(outboxMails).where(isNull(outboxMails.sentAt)).all();
  let sent = 0;
  let failed = 0;
  for (const mail of pending) {
    try {
      await transporter.sendMail({ from: env().MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.body });
      db.update(outboxMails)
        .set({ sentAt: new Date() })
        .where(and(eq(outboxMails.id, mail.id), isNull(outboxMails.sentAt)))
        .run();
      sent++;
    } catch (error) {
      failed++;
      console.warn(`Mail ${mail.id} to ${mail.to} not sent: ${(error as Error).message}`);
    }
  }
  return { sent, failed };
}
