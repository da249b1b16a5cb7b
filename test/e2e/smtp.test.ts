import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { openDatabase, type DB } from "@db/client.server";
import { outboxMails } from "@db/schema";
import { INTERRUPTED, queueMail } from "~/server/mail.server";
import { freePort, startServer, type RunningServer } from "../support/server";
import { partTypes, selfSignedCertificate, startSmtp, type SmtpServer } from "../support/smtp";

// A mail server as an operator would run one: STARTTLS with its own certificate (self-signed
// here, as a private CA's would be), and a login required before any mail.
const LOGIN = { user: "delphi", pass: "s3cret pass" };
let cert: ReturnType<typeof selfSignedCertificate>;
let smtp: SmtpServer;
let port: number;

beforeAll(async () => {
  cert = selfSignedCertificate();
  port = await freePort();
  smtp = await startSmtp({ port, tls: { key: cert.key, cert: cert.cert }, login: LOGIN });
});
afterAll(() => smtp.stop());

const smtpUrl = (pass: string) => `smtp://${LOGIN.user}:${encodeURIComponent(pass)}@localhost:${port}`;

/** A new database holding one queued mail (a password reset, which belongs to no guideline). */
function databaseWithMail(to: string): { path: string; db: DB; id: string } {
  const path = join(mkdtempSync(join(tmpdir(), "delphi-e2e-smtp-")), "e2e.sqlite");
  const db = openDatabase(path);
  const id = queueMail(db, {
    guidelineId: null,
    kind: "password-reset",
    to,
    subject: "Set a new password",
    body: `Dear Ada,\n\nSet a new password here: http://localhost/reset/abc123\n`,
  });
  return { path, db, id };
}

async function running(path: string, env: Record<string, string>, check: () => void): Promise<RunningServer> {
  const server = await startServer({ database: path, env });
  try {
    await vi.waitFor(check, { timeout: 20_000, interval: 100 });
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\nServer output:\n${server.output()}`);
  }
  return server;
}

describe("SMTP_URL with STARTTLS and a login", () => {
  test("delivers over TLS after logging in, trusting the certificate through NODE_EXTRA_CA_CERTS; a claim left by the last process is failed, not resent", async () => {
    const { path, db, id } = databaseWithMail("ada@example.org");
    const claimed = queueMail(db, {
      guidelineId: null,
      kind: "password-changed",
      to: "maybe@example.org",
      subject: "Your password was changed",
      body: "Your password was changed.\n",
    });
    db.update(outboxMails).set({ sendingAt: new Date() }).where(eq(outboxMails.id, claimed)).run();
    const row = (mailId: string) => db.select().from(outboxMails).where(eq(outboxMails.id, mailId)).get()!;

    const before = smtp.received.length;
    const server = await running(path, { SMTP_URL: smtpUrl(LOGIN.pass), NODE_EXTRA_CA_CERTS: cert.certPath }, () =>
      expect(row(id).sentAt).toBeInstanceOf(Date),
    );
    await server.stop();

    const received = smtp.received.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ to: ["ada@example.org"], secure: true, user: LOGIN.user });
    expect(received[0]!.mail.subject).toBe("Set a new password");
    expect(partTypes(received[0]!.raw)).toEqual(["text/plain", "text/html"]);
    expect(received[0]!.mail.html).toContain('<a href="http://localhost/reset/abc123">http://localhost/reset/abc123</a>');
    expect(row(id)).toMatchObject({ attempts: 1, failedAt: null, sendingAt: null });
    expect(row(claimed)).toMatchObject({ sentAt: null, sendingAt: null, lastError: INTERRUPTED, attempts: 0 });
    expect(row(claimed).failedAt).toBeInstanceOf(Date);
    db.$client.close();
  });

  test("a wrong password waits and is retried (the operator's to fix, not the recipient's); so does an untrusted certificate", async () => {
    const wrong = databaseWithMail("wrong.password@example.org");
    const row = (db: DB, mailId: string) => db.select().from(outboxMails).where(eq(outboxMails.id, mailId)).get()!;
    const before = smtp.received.length;
    const started = Date.now();
    const server = await running(wrong.path, { SMTP_URL: smtpUrl("not the password"), NODE_EXTRA_CA_CERTS: cert.certPath }, () =>
      expect(row(wrong.db, wrong.id).attempts).toBe(1),
    );
    await server.stop();
    const waiting = row(wrong.db, wrong.id);
    expect(waiting).toMatchObject({ sentAt: null, failedAt: null, sendingAt: null });
    expect(waiting.lastError).toContain("535");
    expect(waiting.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(started + 60_000);
    expect(waiting.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    wrong.db.$client.close();

    // Without NODE_EXTRA_CA_CERTS the self-signed certificate is not trusted: nothing is sent in clear.
    const untrusted = databaseWithMail("untrusted@example.org");
    const other = await running(untrusted.path, { SMTP_URL: smtpUrl(LOGIN.pass) }, () =>
      expect(row(untrusted.db, untrusted.id).attempts).toBe(1),
    );
    await other.stop();
    const refused = row(untrusted.db, untrusted.id);
    expect(refused).toMatchObject({ sentAt: null, failedAt: null });
    expect(refused.lastError).toMatch(/self[- ]signed certificate/i);
    untrusted.db.$client.close();

    expect(smtp.received.length).toBe(before);
  });
});
