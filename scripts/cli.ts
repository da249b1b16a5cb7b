/**
 * The operators' command-line tool: `npm run -s cli -- COMMAND [options]`, on the database named
 * by DATABASE_PATH (created and migrated on first use). Errors go to stderr with a non-zero exit.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { getDb, type DB } from "@db/client.server";
import { users } from "@db/schema";
import { renderSet, SET_FORMATS, type SetFormat } from "~/consensus/table1";
import { auditSize, brokenLinks, brokenSize, verifyAudit } from "~/server/audit-verify.server";
import { hashPassword, normalizeEmail } from "~/server/auth.server";
import { openSealedBackup } from "~/server/backup-crypto.server";
import { backupDatabase, backupPassed, describeBackup } from "~/server/backup.server";
import { env, EnvError } from "~/server/env.server";
import { Refusal } from "~/server/errors.server";
import { restoreDatabase, RestoreRefused } from "~/server/restore.server";
import { ImportRefused, importRecord } from "~/server/imports.server";
import { methodsReportDoc, renderReport } from "~/server/methods-report.server";
import { findPublished, publish } from "~/server/publications.server";
import { freezeLegacyVerdicts } from "~/server/results.server";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DemoRefused, seedDemo } from "./seed-demo";

class UsageError extends Error {}

/** The database, its results frozen before verdicts were frozen whole given theirs (as the server does at start-up). */
function database(): DB {
  const db = getDb();
  freezeLegacyVerdicts(db);
  return db;
}

type Command = { usage: string; summary: string; run: (args: string[]) => Promise<void> };

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write("Password (input is not hidden; pipe it in to avoid that): ");
    for await (const line of process.stdin) return String(line).split("\n")[0] ?? "";
    return "";
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

const AdminInput = z.object({
  email: z.email("--email: not a valid email address"),
  name: z.string().trim().min(1, "--name: must not be empty").max(200, "--name: at most 200 characters"),
  password: z
    .string()
    .min(12, "password: at least 12 characters for an administrator")
    .max(128, "password: at most 128 characters"),
});

function fail(issues: z.core.$ZodIssue[]): never {
  throw new UsageError(issues.map((issue) => issue.message).join("\n"));
}

const commands: Record<string, Command> = {
  "admin:create": {
    usage: "admin:create --email E --name N   (password from stdin)",
    summary: "create an instance administrator",
    async run(args) {
      const { values } = parseArgs({ args, options: { email: { type: "string" }, name: { type: "string" } } });
      const parsed = AdminInput.safeParse({ ...values, password: await readStdin() });
      if (!parsed.success) fail(parsed.error.issues);
      const email = normalizeEmail(parsed.data.email);
      const db = database();
      const passwordHash = await hashPassword(parsed.data.password);
      const created = db
        .insert(users)
        .values({ email, name: parsed.data.name, passwordHash, isAdmin: true })
        .onConflictDoNothing()
        .returning()
        .get();
      if (!created) throw new UsageError(`--email: an account for ${email} already exists`);
      console.log(`Administrator ${email} created.`);
    },
  },
  import: {
    usage: "import FILE",
    summary: "import a consensus record (DESIGN §6); prints the guideline's slug",
    async run(args) {
      const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
      const [file, ...extra] = positionals;
      if (!file || extra.length > 0) throw new UsageError("usage: import FILE");
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        throw new UsageError(`Cannot read ${file}: ${missing ? "no such file" : (error as Error).message}`);
      }
      try {
        const { slug, warnings } = importRecord(database(), { text, actorId: null });
        for (const warning of warnings) console.error(`warning: ${warning}`);
        console.log(slug);
      } catch (error) {
        if (!(error instanceof ImportRefused)) throw error;
        for (const warning of error.warnings) console.error(`warning: ${warning}`);
        const count = `${error.problems.length} ${error.problems.length === 1 ? "problem" : "problems"}`;
        throw new UsageError(
          [`Refused: ${count} in ${file}`, ...error.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n"),
        );
      }
    },
  },
  publish: {
    usage: "publish SLUG",
    summary: "publish the next version from the closed rounds; prints its number",
    async run(args) {
      const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
      const [slug, ...extra] = positionals;
      if (!slug || extra.length > 0) throw new UsageError("usage: publish SLUG");
      const { version, contentHash } = publish(database(), { slug, actorId: null });
      console.log(version);
      console.error(`Published ${slug} version ${version} (${contentHash}).`);
    },
  },
  export: {
    usage: "export SLUG [--version N|latest] [--format json|csv|md]",
    summary: "write a published version to stdout, byte-identical to the API for json and csv",
    async run(args) {
      const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: { version: { type: "string", default: "latest" }, format: { type: "string", default: "json" } },
      });
      const [slug, ...extra] = positionals;
      if (!slug || extra.length > 0) throw new UsageError("usage: export SLUG [--version N|latest] [--format json|csv|md]");
      const version = values.version === "latest" ? "latest" : Number(values.version);
      if (version !== "latest" && !(Number.isInteger(version) && version >= 1)) {
        throw new UsageError(`--version: must be a version number (1, 2, …) or "latest", got "${values.version}"`);
      }
      if (!(SET_FORMATS as readonly string[]).includes(values.format)) {
        throw new UsageError(`--format: must be one of ${SET_FORMATS.join(", ")}, got "${values.format}"`);
      }
      const published = findPublished(database(), { slug, version });
      if (!published) {
        throw new UsageError(
          version === "latest" ? `"${slug}" has no published version.` : `"${slug}" has no version ${version}.`,
        );
      }
      process.stdout.write(renderSet(published.body, values.format as SetFormat));
    },
  },
  report: {
    usage: "report SLUG [--version N] [--format md|docx] [--out FILE]",
    summary: "write the methods report (every closed round, or up to version N): Markdown to stdout, Word to FILE or a pipe",
    async run(args) {
      const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: { version: { type: "string" }, format: { type: "string", default: "md" }, out: { type: "string" } },
      });
      const [slug, ...extra] = positionals;
      if (!slug || extra.length > 0) throw new UsageError(`usage: ${commands.report!.usage}`);
      const version = values.version === undefined ? undefined : Number(values.version);
      if (version !== undefined && !(Number.isInteger(version) && version >= 1)) {
        throw new UsageError(`--version: must be a published version number (1, 2, …), got "${values.version}"`);
      }
      if (values.format !== "md" && values.format !== "docx") {
        throw new UsageError(`--format: must be md or docx, got "${values.format}"`);
      }
      if (values.format === "docx" && !values.out && process.stdout.isTTY) {
        throw new UsageError("--format docx: a Word file is not for a terminal; name a file with --out FILE or pipe the output");
      }
      const report = await renderReport(methodsReportDoc(database(), { slug, version }), values.format);
      if (values.out) {
        writeFileSync(values.out, report);
        console.error(`Wrote the methods report of ${slug} to ${values.out}.`);
      } else {
        process.stdout.write(report);
      }
    },
  },
  "audit:verify": {
    usage: "audit:verify [SLUG]",
    summary: "check the audit trail's hash chains (all, or SLUG's) and the rows they record; report each one's first broken link",
    async run(args) {
      const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
      const [slug, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError("usage: audit:verify [SLUG]");
      const result = verifyAudit(database().$client, slug === undefined ? {} : { slug });
      if (result.broken.length > 0) {
        const header = `audit: ${brokenSize(result)}; the first broken link of each:`;
        throw new UsageError([header, ...brokenLinks(result).map((line) => `  ${line}`)].join("\n"));
      }
      console.log(`ok: ${auditSize(result)}`);
    },
  },
  backup: {
    usage: "backup FILE",
    summary: "copy the database online into a new FILE, then check the copy's integrity and audit trail",
    async run(args) {
      const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
      const [file, ...extra] = positionals;
      if (!file || extra.length > 0) throw new UsageError("usage: backup FILE");
      const backup = await backupDatabase(database().$client, file);
      const report = describeBackup(backup).join("\n");
      if (!backupPassed(backup)) throw new UsageError(report);
      console.log(report);
    },
  },
  "backup:open": {
    usage: "backup:open SEALED FILE --key PRIVATE.pem",
    summary: "open a backup downloaded from /admin (sealed to BACKUP_PUBLIC_KEY) into a new SQLite FILE",
    async run(args) {
      const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { key: { type: "string" } } });
      const [sealed, file, ...extra] = positionals;
      if (!sealed || !file || !values.key || extra.length > 0) throw new UsageError(`usage: ${commands["backup:open"]!.usage}`);
      if (existsSync(file)) throw new UsageError(`${file} already exists: a backup never overwrites a file.`);
      writeFileSync(file, openSealedBackup(readFileSync(sealed), readFileSync(values.key, "utf8")), { flag: "wx" });
      console.log(`Opened ${sealed} into ${file}; check it with DATABASE_PATH=${file} npm run -s cli -- audit:verify.`);
    },
  },
  restore: {
    usage: "restore BACKUP",
    summary: "replace the database by a checked BACKUP while no server runs on it, keeping the old one beside it",
    async run(args) {
      const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
      const [file, ...extra] = positionals;
      if (!file || extra.length > 0) throw new UsageError("usage: restore BACKUP");
      const database = env().DATABASE_PATH;
      const { backup, migrations, kept } = restoreDatabase({ file, database });
      const { had, known } = migrations;
      console.log(`Backup ${file} checked: integrity ok, audit ok (${auditSize(backup.audit)}), ${had} of ${known} migrations.`);
      console.log(
        kept
          ? `Old database kept at ${kept.file}${kept.wal ? ` (with its write-ahead log ${kept.file}-wal)` : ""}.`
          : `There was no database at ${database} before.`,
      );
      console.log(`Restored ${file} onto ${database}.`);
    },
  },
  "demo:seed": {
    usage: "demo:seed",
    summary: "seed the IMT demo into an empty database, in one transaction (any row already there: refused)",
    async run() {
      await seedDemo(database());
      console.log(`Seeded the IMT demo into ${process.env.DATABASE_PATH ?? "data/delphi.sqlite"}.`);
      printDemoLogins();
    },
  },
  "demo:logins": {
    usage: "demo:logins",
    summary: "print the demo's accounts and password",
    async run() {
      printDemoLogins();
    },
  },
};

function printDemoLogins(): void {
  console.log(`Demo logins (password "${DEMO_PASSWORD}"):`);
  console.log(`  secretary  ${DEMO_ACCOUNTS.secretary}`);
  console.log(`  panelists  ${DEMO_ACCOUNTS.panelist(1)} … ${DEMO_ACCOUNTS.panelist(31)} (the IMT consensus)`);
  console.log(`             ${DEMO_ACCOUNTS.chinesePanelist} reads the interface in Chinese (中文)`);
  console.log(`             ${DEMO_ACCOUNTS.cosParticipant(1)} … ${DEMO_ACCOUNTS.cosParticipant(40)} (the IMT core outcome set)`);
  console.log(`  observer   ${DEMO_ACCOUNTS.observer}`);
  console.log(`  admin      ${DEMO_ACCOUNTS.admin}`);
}

function help(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  return [
    "Usage: npm run -s cli -- COMMAND [options]",
    "Works on the database named by DATABASE_PATH (default data/delphi.sqlite).",
    "",
    "Commands:",
    ...Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${help()}`);
    return 2;
  }
  try {
    env();
    await command.run(args);
    return 0;
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof Refusal ||
      error instanceof RestoreRefused ||
      error instanceof EnvError ||
      error instanceof DemoRefused ||
      (error instanceof TypeError && "code" in error)
    ) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
