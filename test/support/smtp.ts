import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One message the server accepted: its envelope, how it came, and the message parsed. */
export type Received = { to: string[]; secure: boolean; user: string | undefined; raw: string; mail: ParsedMail };
/** An SMTP reply refusing a recipient, such as 451 (try later) or 550 (no such user). */
export type Reply = { code: number; message: string };

export type SmtpServer = {
  received: Received[];
  /** Recipients offered so far (RCPT TO), refused or not: how many times a mail was tried. */
  attempts: () => number;
  stop: () => Promise<void>;
};

/**
 * A real SMTP server (smtp-server) on `port`, keeping what it receives. Plain by default; with
 * `tls` it offers STARTTLS with that certificate, and with `login` it requires AUTH (which it only
 * allows after STARTTLS). `refuse` answers the n-th recipient offered with a reply, or accepts it.
 */
export async function startSmtp(input: {
  port: number;
  tls?: { key: string; cert: string };
  login?: { user: string; pass: string };
  refuse?: (attempt: number) => Reply | undefined;
}): Promise<SmtpServer> {
  const received: Received[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    logger: false,
    ...(input.tls ? { key: input.tls.key, cert: input.tls.cert } : { disabledCommands: ["STARTTLS"] }),
    authOptional: !input.login,
    onAuth(auth, _session, callback) {
      const { login } = input;
      if (login && auth.username === login.user && auth.password === login.pass) return callback(null, { user: login.user });
      callback(new Error("Invalid username or password"));
    },
    onRcptTo(_address, _session, callback) {
      attempts++;
      const reply = input.refuse?.(attempts);
      if (!reply) return callback();
      callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw).then(
          (mail) => {
            received.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              secure: session.secure,
              user: typeof session.user === "string" ? session.user : undefined,
              raw,
              mail,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(input.port, () => resolve());
  });
  return {
    received,
    attempts: () => attempts,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A self-signed certificate for localhost, made by openssl for one day, as PEM files and text. */
export function selfSignedCertificate() {
  const dir = mkdtempSync(join(tmpdir(), "delphi-smtp-tls-"));
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-days",
      "1",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stdio: "ignore" },
  );
  return { keyPath, certPath, key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
}

/** The content types of a raw message's parts, such as ["text/plain", "text/html"]. */
export function partTypes(raw: string): string[] {
  return [...raw.matchAll(/^Content-Type: (text\/[a-z]+)/gim)].map((m) => m[1]!.toLowerCase());
}
