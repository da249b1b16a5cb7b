/**
 * Shared by the authorization matrix, the fuzz and the accessibility tests: the table of who may
 * load and post to every route (MATRIX), the IMT demo with one account per kind of visitor, two
 * other guidelines whose rows supply "foreign" ids, and digests that tell whether a request changed
 * anything in the database.
 */
import { createHash } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { DB } from "@db/client.server";
import { guidelines, invitations, memberships, roundItems, rounds, statements, users } from "@db/schema";
import { generateSessionToken, hashToken } from "~/server/session-token";
import { DEMO_ACCOUNTS, DEMO_SLUG, seedDemo } from "../../scripts/seed-demo";
import { addMember, createGuideline, createRound, createStatement, createUser } from "./factories";
import { cookieFor } from "./requests";
import { routeName } from "./transport";

export const IDENTITIES = ["anonymous", "otherPanelist", "panelist", "observer", "secretary", "admin"] as const;
export type Identity = (typeof IDENTITIES)[number];
/** The matrix's identities, plus the secretary of a guideline whose rule is not locked yet. */
export type Actor = Identity | "draftSecretary";

type GuidelineIds = {
  slug: string;
  guidelineId: string;
  statementIds: string[];
  membershipIds: string[];
  roundItemIds: string[];
  invitationIds: string[];
  /** A valid, unused invitation link token. */
  invitationToken: string;
};

export type World = {
  users: Record<Exclude<Actor, "anonymous">, { id: string; email: string }>;
  /** The IMT demo: round 1 closed and published, round 2 open. */
  imt: GuidelineIds & { openItemIds: string[]; closedItemIds: string[] };
  /** Another guideline with its own panelist and an open round: its rows must never change from IMT's pages. */
  other: GuidelineIds;
  /** A guideline with statements and no round yet, so its settings can still change. */
  draft: GuidelineIds;
};

function invite(db: DB, guidelineId: string, email: string) {
  const token = generateSessionToken();
  const invitation = db
    .insert(invitations)
    .values({
      guidelineId,
      email,
      role: "panelist",
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + 7 * 86_400_000),
    })
    .returning()
    .get();
  return { token, id: invitation.id };
}

function idsOf(db: DB, slug: string, invitation: { token: string; id: string }): GuidelineIds {
  const guideline = db.select().from(guidelines).where(eq(guidelines.slug, slug)).get()!;
  const rows = <T extends { id: string }>(list: T[]) => list.map((r) => r.id);
  return {
    slug,
    guidelineId: guideline.id,
    statementIds: rows(
      db.select().from(statements).where(eq(statements.guidelineId, guideline.id)).orderBy(asc(statements.position)).all(),
    ),
    membershipIds: rows(db.select().from(memberships).where(eq(memberships.guidelineId, guideline.id)).all()),
    roundItemIds: rows(
      db
        .select({ id: roundItems.id })
        .from(roundItems)
        .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
        .where(eq(rounds.guidelineId, guideline.id))
        .all(),
    ),
    invitationIds: [invitation.id],
    invitationToken: invitation.token,
  };
}

function itemsOfRound(db: DB, guidelineId: string, number: number): string[] {
  return db
    .select({ id: roundItems.id })
    .from(roundItems)
    .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
    .where(and(eq(rounds.guidelineId, guidelineId), eq(rounds.number, number)))
    .orderBy(asc(roundItems.position))
    .all()
    .map((r) => r.id);
}

async function guidelineWithPanelist(db: DB, slug: string, withRound: boolean) {
  const secretary = await createUser(db, { email: `secretary@${slug}.example`, name: `Secretary of ${slug}` });
  const panelist = await createUser(db, { email: `panelist@${slug}.example`, name: `Panelist of ${slug}` });
  const guideline = createGuideline(db, { slug, title: `The ${slug} guideline`, createdBy: secretary.id });
  addMember(db, { guidelineId: guideline.id, userId: secretary.id, role: "secretary" });
  addMember(db, { guidelineId: guideline.id, userId: panelist.id, role: "panelist", discipline: "Pathology" });
  const drafted = ["Biopsy confirms the diagnosis", "ALK testing is recommended"].map((text, i) =>
    createStatement(db, { guidelineId: guideline.id, position: i + 1, text, authorId: secretary.id }),
  );
  if (withRound)
    createRound(db, { guidelineId: guideline.id, number: 1, status: "open", revisionIds: drafted.map((d) => d.revision.id) });
  return { secretary, panelist, invitation: invite(db, guideline.id, `invitee@${slug}.example`) };
}

/** Seeds the IMT demo and the other guidelines; call once per test file, on its empty database. */
export async function seedWorld(db: DB): Promise<World> {
  await seedDemo(db);
  const other = await guidelineWithPanelist(db, "other-consensus", true);
  const draft = await guidelineWithPanelist(db, "draft-consensus", false);
  const byEmail = (email: string) => {
    const user = db.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, email)).get();
    if (!user) throw new Error(`No demo account ${email}.`);
    return user;
  };
  const imtGuideline = db.select().from(guidelines).where(eq(guidelines.slug, DEMO_SLUG)).get()!;
  return {
    users: {
      otherPanelist: { id: other.panelist.id, email: other.panelist.email },
      panelist: byEmail(DEMO_ACCOUNTS.panelist(1)),
      observer: byEmail(DEMO_ACCOUNTS.observer),
      secretary: byEmail(DEMO_ACCOUNTS.secretary),
      admin: byEmail(DEMO_ACCOUNTS.admin),
      draftSecretary: { id: draft.secretary.id, email: draft.secretary.email },
    },
    imt: {
      ...idsOf(db, DEMO_SLUG, invite(db, imtGuideline.id, "new.expert@imt.example")),
      openItemIds: itemsOfRound(db, imtGuideline.id, 2),
      closedItemIds: itemsOfRound(db, imtGuideline.id, 1),
    },
    other: idsOf(db, "other-consensus", other.invitation),
    draft: idsOf(db, "draft-consensus", draft.invitation),
  };
}

/** A fresh session's Cookie header for the identity (none for anonymous), so a logout never affects another test. */
export async function cookieOf(world: World, actor: Actor): Promise<string | undefined> {
  return actor === "anonymous" ? undefined : cookieFor(world.users[actor].id);
}

function hashRows(rows: unknown[][]): string {
  return `${rows.length} rows, sha256:${createHash("sha256").update(JSON.stringify(rows)).digest("hex").slice(0, 16)}`;
}

function rowsOf(db: DB, query: string, params: Record<string, string> = {}): unknown[][] {
  return db.$client.prepare(query).raw().all(params) as unknown[][];
}

/**
 * Every table's rows in primary-key order, as a count and a hash per table. Sessions are left
 * out: reading a page renews its session's idle expiry, which changes nothing a committee owns.
 */
export function digest(db: DB): Record<string, string> {
  const tables = db.$client
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables
      .filter((t) => t !== "sessions")
      .map((t) => [t, hashRows(rowsOf(db, `SELECT * FROM "${t}" ORDER BY ${primaryKey(db, t)}`))]),
  );
}

function primaryKey(db: DB, table: string): string {
  const columns = db.$client.prepare(`SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`).all(table) as {
    name: string;
  }[];
  return columns.length > 0 ? columns.map((c) => `"${c.name}"`).join(", ") : "rowid";
}

const MEMBERS = "SELECT id FROM memberships WHERE guideline_id = :g";
const STATEMENTS = "SELECT id FROM statements WHERE guideline_id = :g";
const REVISIONS = `SELECT id FROM statement_revisions WHERE statement_id IN (${STATEMENTS})`;
const ROUNDS = "SELECT id FROM rounds WHERE guideline_id = :g";
const ITEMS = `SELECT id FROM round_items WHERE round_id IN (${ROUNDS})`;

/** Every row that belongs to a guideline or points into it, table by table. */
const GUIDELINE_ROWS: Record<string, string> = {
  guidelines: "SELECT * FROM guidelines WHERE id = :g",
  // A member's interface language is theirs, not the guideline's: choosing it changes no guideline.
  users:
    "SELECT id, email, name, password_hash, is_admin, deactivated_at, created_at FROM users WHERE id IN (SELECT user_id FROM memberships WHERE guideline_id = :g)",
  memberships: "SELECT * FROM memberships WHERE guideline_id = :g",
  invitations: "SELECT * FROM invitations WHERE guideline_id = :g",
  statements: `SELECT * FROM statements WHERE guideline_id = :g`,
  statement_revisions: `SELECT * FROM statement_revisions WHERE id IN (${REVISIONS})`,
  statement_translations: `SELECT * FROM statement_translations WHERE revision_id IN (${REVISIONS})`,
  recusals: `SELECT * FROM recusals WHERE membership_id IN (${MEMBERS}) OR statement_id IN (${STATEMENTS})`,
  rounds: "SELECT * FROM rounds WHERE guideline_id = :g",
  round_items: `SELECT * FROM round_items WHERE round_id IN (${ROUNDS}) OR revision_id IN (${REVISIONS})`,
  ballots: `SELECT * FROM ballots WHERE membership_id IN (${MEMBERS}) OR round_item_id IN (${ITEMS})`,
  round_results: `SELECT * FROM round_results WHERE round_item_id IN (${ITEMS})`,
  reminder_schedules: `SELECT * FROM reminder_schedules WHERE round_id IN (${ROUNDS})`,
  recommendation_sets: "SELECT * FROM recommendation_sets WHERE guideline_id = :g",
  audit_events: "SELECT * FROM audit_events WHERE guideline_id = :g",
  outbox_mails: "SELECT * FROM outbox_mails WHERE guideline_id = :g",
};

/** The digest of one guideline's rows, and of every row elsewhere that points into it. */
export function guidelineDigest(db: DB, guidelineId: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(GUIDELINE_ROWS).map(([table, query]) => [
      table,
      hashRows(rowsOf(db, `${query} ORDER BY ${primaryKey(db, table)}`, { g: guidelineId })),
    ]),
  );
}

/**
 * Why a refused request was refused, as the person would read it: the `error` of a JSON body
 * (a message, or conform's field errors), the vote form's `formErrors`/`fieldErrors`, Remix's own
 * `message` (a `?_data` request for a route the URL does not match), or plain text.
 */
export async function reasonsOf(response: Response): Promise<string[]> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text.trim() ? [text.trim()] : [];
  }
  const found: string[] = [];
  const collect = (value: unknown) => {
    if (typeof value === "string" && value.trim()) found.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  if (body && typeof body === "object") {
    const { error, formErrors, fieldErrors, message } = body as Record<string, unknown>;
    [error, formErrors, fieldErrors, message].forEach(collect);
  }
  return found;
}

/** GET: "ok" is a 2xx, or a 3xx that is not to /login; "login" is a 302 to /login?redirectTo=<the page>. */
export type Read = "ok" | "login" | 400 | 403 | 404;
/**
 * POST with an empty body: "allowed" means the identity got past authorization, so anything
 * but a redirect to /login, 403 or 404 (an empty form is usually a 400 with field errors).
 */
export type Write = "allowed" | "login" | 403 | 404;
export type Entry = { GET?: Record<Identity, Read>; POST?: Record<Identity, Write> };

/**
 * Who may load and post to every route module in app/routes, against the six identities: checked by
 * the authorization matrix test; the accessibility test visits every page it lists as "ok".
 */
export const MATRIX: Record<string, Entry> = {
  // Public pages and the public API: the same for everyone.
  "_index/route.tsx": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
  },
  "login/route.tsx": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
    POST: {
      anonymous: "allowed",
      otherPanelist: "allowed",
      panelist: "allowed",
      observer: "allowed",
      secretary: "allowed",
      admin: "allowed",
    },
  },
  "logout/route.tsx": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
    POST: {
      anonymous: "allowed",
      otherPanelist: "allowed",
      panelist: "allowed",
      observer: "allowed",
      secretary: "allowed",
      admin: "allowed",
    },
  },
  // The invitation token is the credential here.
  "join.$token/route.tsx": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
    POST: {
      anonymous: "allowed",
      otherPanelist: "allowed",
      panelist: "allowed",
      observer: "allowed",
      secretary: "allowed",
      admin: "allowed",
    },
  },
  "g.$slug_.v.$version/route.tsx": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
  },
  "api.guidelines._index.ts": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
  },
  "api.guidelines.$slug.versions._index.ts": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
  },
  "api.guidelines.$slug.versions.$version.ts": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
  },
  // The language switcher: anyone may choose; a GET (a link, a reload) goes home.
  "language.ts": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
    POST: {
      anonymous: "allowed",
      otherPanelist: "allowed",
      panelist: "allowed",
      observer: "allowed",
      secretary: "allowed",
      admin: "allowed",
    },
  },
  // The interface's translations, one namespace at a time: public, like the page text they hold.
  "locales.$language.$namespace.ts": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
  },
  "api.schema.recommendation-set[.]json.ts": {
    GET: { anonymous: "ok", otherPanelist: "ok", panelist: "ok", observer: "ok", secretary: "ok", admin: "ok" },
  },
  // Comparing versions: public; the test world has one version, so "1..latest" goes nowhere (400) for everyone.
  "api.guidelines.$slug.changes.$range.ts": {
    GET: { anonymous: 400, otherPanelist: 400, panelist: 400, observer: 400, secretary: 400, admin: 400 },
  },
  "g.$slug_.v.$version_.changes.$other/route.tsx": {
    GET: { anonymous: 400, otherPanelist: 400, panelist: 400, observer: 400, secretary: 400, admin: 400 },
  },

  // Instance administration: admins only.
  "admin._index/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: 403, admin: "ok" },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: 403, admin: "allowed" },
  },
  "admin.users/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: 403, admin: "ok" },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: 403, admin: "allowed" },
  },
  "admin.guidelines/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: 403, admin: "ok" },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: 403, admin: "allowed" },
  },
  // The backup download: POST only, so no crawler or prefetch takes a copy.
  "admin.backup.ts": {
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: 403, admin: "allowed" },
  },
  // The reset token is the credential, as an invitation's is; the world's token is no reset link: 404 for everyone.
  "reset.$token/route.tsx": {
    GET: { anonymous: 404, otherPanelist: 404, panelist: 404, observer: 404, secretary: 404, admin: 404 },
    POST: { anonymous: 404, otherPanelist: 404, panelist: 404, observer: 404, secretary: 404, admin: 404 },
  },

  // The workspace: members of the guideline only; being an instance admin grants no role in it.
  "g.$slug/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: "ok", observer: "ok", secretary: "ok", admin: 403 },
  },
  "g.$slug._index/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: "ok", observer: "ok", secretary: "ok", admin: 403 },
  },
  "g.$slug.vote/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: "ok", observer: 403, secretary: 403, admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: "allowed", observer: 403, secretary: 403, admin: 403 },
  },
  "g.$slug.results._index/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: "ok", observer: "ok", secretary: "ok", admin: 403 },
  },
  "g.$slug.results.$number/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: "ok", observer: "ok", secretary: "ok", admin: 403 },
  },
  "g.$slug.rounds._index/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: "ok", secretary: "ok", admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "allowed", admin: 403 },
  },
  "g.$slug.rounds.$number/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: "ok", secretary: "ok", admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "allowed", admin: 403 },
  },
  "g.$slug.statements._index/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: "ok", secretary: "ok", admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "allowed", admin: 403 },
  },
  "g.$slug.statements.$statementId/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: "ok", secretary: "ok", admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "allowed", admin: 403 },
  },
  "g.$slug.statements.new/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "ok", admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "allowed", admin: 403 },
  },
  "g.$slug.exports.$file.ts": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: "ok", secretary: "ok", admin: 403 },
  },
  "g.$slug.report/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: "ok", secretary: "ok", admin: 403 },
  },
  "g.$slug.report[.]md.ts": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: "ok", secretary: "ok", admin: 403 },
  },
  "g.$slug.report[.]docx.ts": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: "ok", secretary: "ok", admin: 403 },
  },
  "g.$slug.panel/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "ok", admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "allowed", admin: 403 },
  },
  "g.$slug.settings/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "ok", admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "allowed", admin: 403 },
  },
  "g.$slug.publish/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "ok", admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "allowed", admin: 403 },
  },
  "g.$slug.audit/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "ok", admin: 403 },
  },
  "g.$slug.outbox/route.tsx": {
    GET: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "ok", admin: 403 },
    POST: { anonymous: "login", otherPanelist: 403, panelist: 403, observer: 403, secretary: "allowed", admin: 403 },
  },
};

/** Remix flat-route segments of a file name: dots separate them, except inside [escapes]. */
function segments(file: string): string[] {
  return (routeName(file).match(/(\[[^\]]*\]|[^.])+/g) ?? []).filter((s) => s !== "_index");
}

/** The URL pattern of a route file, such as /g/:slug/statements/:statementId. */
export function pattern(file: string): string {
  const parts = segments(file).map((s) =>
    s
      .replace(/_$/, "")
      .replace(/^\$(.+)$/, ":$1")
      .replace(/\[([^\]]*)\]/g, "$1"),
  );
  return `/${parts.join("/")}`;
}

export function paramNames(file: string): string[] {
  return segments(file)
    .filter((s) => s.startsWith("$"))
    .map((s) => s.slice(1).replace(/_$/, ""));
}

/** Real values for every route parameter: the demo's guideline, round 1, version 1, a statement, an invitation. */
export function routeValues(world: World): Record<string, string> {
  return {
    slug: world.imt.slug,
    number: "1",
    version: "1",
    file: "ballots.csv",
    range: "1..latest",
    other: "latest",
    statementId: world.imt.statementIds[0]!,
    token: world.imt.invitationToken,
    language: "zh",
    namespace: "panelist",
  };
}
