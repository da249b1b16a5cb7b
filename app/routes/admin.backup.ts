import type { ActionFunctionArgs } from "@remix-run/node";
import { readFileSync } from "node:fs";
import { getDb } from "@db/client.server";
import { requireAdmin } from "~/server/auth.server";
import { downloadBackup } from "~/server/backup.server";
import { env } from "~/server/env.server";
import { tr } from "~/server/i18n.server";

/**
 * A checked backup of the database as a download, sealed to the operator's public key
 * (BACKUP_PUBLIC_KEY): the copy names who cast every ballot, so no admin reads it in a browser.
 * POST only (the button on /admin), so no link followed by a crawler or a prefetch takes a copy.
 */
export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const keyFile = env().BACKUP_PUBLIC_KEY;
  if (!keyFile) {
    return Response.json(
      {
        error: tr(
          "Backups are downloaded sealed to the operator's public key, and BACKUP_PUBLIC_KEY is not set: the copy names who cast every ballot, which no one may read through the web. On the server, `npm run -s cli -- backup FILE` takes a plain copy.",
          {},
          "admin",
        ),
      },
      { status: 409 },
    );
  }
  const backup = await downloadBackup(getDb(), { actorId: admin.id, publicKey: readFileSync(keyFile, "utf8") });
  if (!backup.intact) {
    return Response.json(
      {
        error: tr(
          "The copy failed SQLite's integrity check, so it was not kept: {{problems}} On the server, `npm run -s cli -- backup FILE` keeps such a copy and lists every problem.",
          { problems: backup.problems.join(" ") },
          "admin",
        ),
      },
      { status: 500 },
    );
  }
  return new Response(new Uint8Array(backup.sealed), {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Disposition": `attachment; filename="${backup.filename}"`,
      "Content-Length": String(backup.sealed.length),
      "Cache-Control": "no-store",
    },
  });
}
