import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { users } from "@db/schema";
import { verifyLogin } from "~/server/auth.server";
import { runCli } from "../support/cli";

describe("cli", () => {
  test("--help lists the commands", () => {
    const result = runCli(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("admin:create --email E --name N");
  });

  test("an unknown command is refused with the help", () => {
    const result = runCli(["frobnicate"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
  });

  test("admin:create makes an administrator whose password comes from stdin", async () => {
    const result = runCli(["admin:create", "--email", "Root@Example.org", "--name", "Root"], "a strong admin passphrase\n");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const row = getDb().select().from(users).where(eq(users.email, "root@example.org")).get();
    expect(row?.isAdmin).toBe(true);
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await verifyLogin("root@example.org", "a strong admin passphrase"))?.name).toBe("Root");
  });

  test("bad input names every problem, exits non-zero and creates nothing", () => {
    const before = getDb().select().from(users).all().length;
    const result = runCli(["admin:create", "--email", "nope", "--name", " "], "short");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--email: not a valid email address");
    expect(result.stderr).toContain("--name: must not be empty");
    expect(result.stderr).toContain("password: at least 12 characters");
    expect(getDb().select().from(users).all().length).toBe(before);
  });

  test("an existing account is not overwritten", () => {
    runCli(["admin:create", "--email", "twice@example.org", "--name", "One"], "first admin passphrase");
    const result = runCli(["admin:create", "--email", "twice@example.org", "--name", "Two"], "second admin passphrase");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("already exists");
    expect(getDb().select().from(users).where(eq(users.email, "twice@example.org")).get()?.name).toBe("One");
  });

  test("a bad environment variable stops the command, naming the variable", () => {
    const result = runCli(["admin:create", "--email", "x@example.org", "--name", "X"], "a strong admin passphrase", {
      SESSION_MAX_DAYS: "soon",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("SESSION_MAX_DAYS: must be a number");
  });
});
