/**
 * Generated input for every form action, the public API and the consensus-record import: wrong
 * types, huge strings, unicode (right-to-left, emoji, NUL, lone surrogates), other guidelines' ids
 * and missing fields. Whatever arrives, the answer is never a 5xx; a 4xx says why and changes no
 * row; and no request on one guideline's pages ever changes another guideline's rows. Form
 * actions and reads are put both in-process and over HTTP to the built server (on this file's
 * database), where actions go as a fetcher (`?_data`) or as a page without JavaScript, and bodies
 * around the 1 MiB limit are sent too.
 * FUZZ_RUNS=500 npx vitest run test/integration/fuzz.test.ts runs it longer by hand.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { ANONYMITY, CHOICES, ROLES } from "@db/schema";
import { AGREEMENT_KINDS, OPPOSITION_KINDS } from "~/components/rule-form";
import { DENOMINATORS } from "~/consensus/rule";
import { Refusal } from "~/server/errors.server";
import { ImportRefused, importRecord } from "~/server/imports.server";
import { cookieOf, digest, guidelineDigest, reasonsOf, seedWorld, type Actor, type World } from "../support/matrix";
import { startServer, type RunningServer } from "../support/server";
import { dataOf, inProcess, locationOf, overHttp, routeName } from "../support/transport";

const RUNS = Number(process.env.FUZZ_RUNS) || 30;
/** A generous budget per property on a busy machine, growing with FUZZ_RUNS. */
const TIMEOUT = Math.max(30_000, RUNS * 1_000);
const ORIGIN = "http://localhost";

// ---------------------------------------------------------------------------------------------
// Generated values

/** A form value: text as a browser encodes it, bytes already percent-encoded (possibly invalid UTF-8), or a file. */
type Value = string | { raw: string } | { file: string };
type Body = { multipart: boolean; entries: [string, Value][] };

const SPECIAL = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u202Eevil\u202C",
  "مرحبا بالعالم",
  "שלום עולם",
  "👩🏽‍⚕️🧬",
  "\uD800",
  "x\uDFFFy",
  "\uFEFF",
  "\u200B",
  "\r\n",
  "0",
  "-1",
  "1.5",
  "1e309",
  "-0",
  "NaN",
  "Infinity",
  "true",
  "false",
  "on",
  "off",
  "null",
  "undefined",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "../../etc/passwd",
  "%00",
  "2026-02-30T10:00",
  "2099-03-31T17:00",
  "0000-01-01T00:00",
  "9999-12-31T23:59:59",
];

/** Percent-encoded bytes a browser would never send: UTF-8 of surrogates, overlong forms, stray bytes, broken escapes. */
const RAW = ["%ED%A0%80", "%ED%BF%BF", "%C0%AF", "%FF%FE%FD", "%00", "%E2%80%AE", "%F0%9F%98%80", "%", "%G1", "+", "a%26b%3Dc"];

const huge = fc
  .tuple(fc.constantFrom("x", "é", "👩🏽‍⚕️", "\u202E", "\u0000", "مرحبا ", "a\uD800"), fc.integer({ min: 1_000, max: 100_000 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()).map(String) },
);

const nasty: fc.Arbitrary<Value> = fc.oneof(
  { weight: 8, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom(...RAW).map((raw) => ({ raw })) },
  { weight: 1, arbitrary: text.map((file) => ({ file })) },
);

const fieldName = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "intent[0]",
    "a.b.c",
    "[0]",
    "x[]",
    "",
    "choice.",
    "confirm",
  ),
  fc.string({ unit: "binary", maxLength: 20 }),
);

const plausibleText = fc.oneof(
  { weight: 3, arbitrary: fc.lorem({ maxCount: 8 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
const email = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom("expert02@imt.example", "panelist@other-consensus.example", "not-an-address"),
);
const deadline = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 16)),
  fc.constantFrom("2099-01-01T09:00"),
);
const checkbox = fc.constantFrom("on", "on", "true", "");
const percent = fc
  .oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 1, arbitrary: fc.double() })
  .map(String);
const oneOf = (...lists: readonly (readonly string[])[]) => fc.constantFrom(...lists.flat());

type Fields = Record<string, fc.Arbitrary<string>>;
type Entry = [string, Value];

/** One defect in an otherwise well-formed form. */
type Defect =
  | { kind: "missing"; at: number }
  | { kind: "wrong"; at: number; value: Value }
  | { kind: "repeated"; at: number; value: Value }
  | { kind: "stray"; entry: Entry };

function withDefect(entries: Entry[], defect: Defect): Entry[] {
  if (defect.kind === "stray") return [...entries, defect.entry];
  if (entries.length === 0) return entries;
  const at = defect.at % entries.length;
  const [name] = entries[at]!;
  if (defect.kind === "missing") return entries.filter((_, i) => i !== at);
  if (defect.kind === "wrong") return entries.map((entry, i): Entry => (i === at ? [name, defect.value] : entry));
  return [...entries, [name, defect.value]];
}

/**
 * A form with the route's own fields: three times in four well-formed but for up to two defects
 * (a field missing, wrong or repeated, a stray field); otherwise any mix of right and wrong
 * values, missing fields and strays. Sent urlencoded, or as multipart one time in five.
 */
function formBody(fields: Fields, stray: fc.Arbitrary<Entry> = fc.tuple(fieldName, nasty)): fc.Arbitrary<Body> {
  const wellFormed = fc.record(fields).map((values) => Object.entries(values) as Entry[]);
  const defect: fc.Arbitrary<Defect> = fc.oneof(
    fc.record({ kind: fc.constant("missing" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("wrong" as const), at: fc.nat(), value: nasty }),
    fc.record({ kind: fc.constant("repeated" as const), at: fc.nat(), value: nasty }),
    fc.record({ kind: fc.constant("stray" as const), entry: stray }),
  );
  const nearlyRight = fc
    .tuple(wellFormed, fc.array(defect, { maxLength: 2 }))
    .map(([entries, defects]) => defects.reduce(withDefect, entries));
  const own = Object.entries(fields).map(([name, plausible]) => {
    const value = fc.oneof(plausible as fc.Arbitrary<Value>, nasty);
    return fc.option(
      fc.array(value, { minLength: 1, maxLength: 3 }).map((vs) => vs.map((v): Entry => [name, v])),
      { nil: [], freq: 4 },
    );
  });
  const chaos = fc
    .tuple(fc.tuple(...own), fc.array(stray, { maxLength: 3 }))
    .map(([groups, extra]) => [...groups.flat(), ...extra]);
  return fc.record({
    multipart: fc.constantFrom(false, false, false, false, true),
    entries: fc.oneof({ weight: 3, arbitrary: nearlyRight }, { weight: 1, arbitrary: chaos }),
  });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** UTF-8 percent-encoding, as a browser sends a form: a lone surrogate goes as U+FFFD. */
function percentEncode(value: string): string {
  return encodeURIComponent(value.replace(LONE_SURROGATE, "\uFFFD"));
}

function post(path: string, body: Body, cookie?: string): Request {
  const headers = new Headers(cookie ? { Cookie: cookie } : {});
  if (body.multipart) {
    const form = new FormData();
    for (const [name, value] of body.entries) {
      if (typeof value === "string") form.append(name, value);
      else if ("raw" in value) form.append(name, value.raw);
      else form.append(name, new File([value.file], "upload.txt", { type: "text/plain" }));
    }
    return new Request(ORIGIN + path, { method: "POST", headers, body: form });
  }
  headers.set("Content-Type", "application/x-www-form-urlencoded");
  const encoded = body.entries.map(([name, value]) => {
    const v = typeof value === "string" ? percentEncode(value) : "raw" in value ? value.raw : percentEncode(value.file);
    return `${percentEncode(name)}=${v}`;
  });
  return new Request(ORIGIN + path, { method: "POST", headers, body: encoded.join("&") });
}

// ---------------------------------------------------------------------------------------------
// The invariants

let world: World;
const GUIDELINES = ["imt", "other", "draft"] as const;
type GuidelineKey = (typeof GUIDELINES)[number];

let server: RunningServer;
const TRANSPORTS = [inProcess, overHttp(() => server)];

beforeAll(async () => {
  world = await seedWorld(getDb());
  server = await startServer({ database: process.env.DATABASE_PATH });
});
afterAll(() => server?.stop());

/**
/** Every ballot row as JSON, by round item: what a partly refused ballot must leave alone. */
function ballotRows(): Map<string, string[]> {
  const rows = getDb().$client.prepare("SELECT * FROM ballots ORDER BY id").all() as { round_item_id: string }[];
  const byItem = new Map<string, string[]>();
  for (const row of rows) byItem.set(row.round_item_id, [...(byItem.get(row.round_item_id) ?? []), JSON.stringify(row)]);
  return byItem;
}

/** The round items a ballot refusal names in its field errors (`choice.<item>`, `comment.<item>`). */
function refusedItems(body: unknown): string[] {
  const fieldErrors = (body as { fieldErrors?: Record<string, unknown> } | null)?.fieldErrors ?? {};
  return Object.keys(fieldErrors).map((field) => field.slice(field.indexOf(".") + 1));
}

/**
 * Runs one request and checks: no 5xx (nor an exception, which Remix would turn into one); a
 * redirect stays on this site; a 4xx says why and leaves every table as it was; and the
 * guidelines the request is not about keep every row. A whole ballot (`partial`) may save its
 * valid statements while refusing others: then only ballots and their audit events change, and
 * never on a statement the refusal names.
 */
async function expectHandled(
  send: () => Promise<Response>,
  about: GuidelineKey | null,
  options: { readOnly?: boolean; partial?: boolean } = {},
) {
  const db = getDb();
  const before = digest(db);
  const ballotsBefore = options.partial ? ballotRows() : null;
  const bystanders = GUIDELINES.filter((g) => g !== about).map((g) => world[g].guidelineId);
  const untouched = bystanders.map((id) => guidelineDigest(db, id));
  const response = await send();
  expect(response.status, "never a 5xx").toBeLessThan(500);
  expect(
    bystanders.map((id) => guidelineDigest(db, id)),
    "another guideline's rows never change",
  ).toEqual(untouched);
  const location = locationOf(response);
  if (location !== null) expect(location, "a redirect stays on this site").toMatch(/^\/(?![/\\])/);
  if (response.status >= 400) {
    const body = await dataOf(response);
    expect(await reasonsOf(response), "a refusal says why").not.toEqual([]);
    const refused = ballotsBefore ? refusedItems(body) : [];
    if (ballotsBefore && refused.length > 0) {
      // round_responses counts ballots per member: it moves with them.
      const { ballots: _b, audit_events: _e, audit_heads: _h, round_responses: _r, ...rest } = digest(db);
      const { ballots: _b0, audit_events: _e0, audit_heads: _h0, round_responses: _r0, ...restBefore } = before;
      expect(rest, "a partly refused ballot changes only ballots").toEqual(restBefore);
      const after = ballotRows();
      for (const item of refused)
        expect(after.get(item), `a refused statement's ballot stays as it was`).toEqual(ballotsBefore.get(item));
    } else {
      expect(digest(db), "a refusal changes nothing").toEqual(before);
    }
  } else if (options.readOnly) {
    expect(digest(db), "a read changes nothing").toEqual(before);
  }
}

type ActionTarget = {
  title: string;
  file: string;
  as: Actor;
  /** The guideline the action is about, whose rows it may change. */
  about: GuidelineKey | null;
  params: (w: World) => fc.Arbitrary<Record<string, string>>;
  body: (w: World) => fc.Arbitrary<Body>;
  /** Saves what is valid and refuses the rest (the whole ballot form). */
  partial?: boolean;
};

const slugOf = (key: GuidelineKey) => (w: World) => fc.constant({ slug: w[key].slug });
const allStatementIds = (w: World) => oneOf(w.imt.statementIds, w.other.statementIds, w.draft.statementIds);

/** Ballots on the open round's statements; the strays include ballots on closed, foreign and made-up items. */
function voteBody(w: World): fc.Arbitrary<Body> {
  const [first, second] = w.imt.openItemIds as [string, string];
  const choice = fc.constantFrom(...CHOICES);
  const elsewhere = fc.oneof(oneOf(w.imt.closedItemIds, w.other.roundItemIds), fc.stringMatching(/^[a-z0-9]{1,64}$/));
  const foreignBallot = fc.tuple(
    elsewhere.map((id) => `choice.${id}`),
    fc.oneof(choice as fc.Arbitrary<Value>, nasty),
  );
  return formBody(
    {
      [`choice.${first}`]: choice,
      [`choice.${second}`]: choice,
      [`comment.${first}`]: plausibleText,
      intent: fc.constantFrom("item", "all"),
    },
    fc.oneof(
      foreignBallot,
      fc.tuple(fieldName, nasty),
      fc.tuple(fc.constant("withdraw"), fc.oneof(fc.constantFrom(first, second), elsewhere, nasty as fc.Arbitrary<string>)),
    ),
  );
}

function statementFields(): Fields {
  return { section: plausibleText, text: plausibleText, rationale: plausibleText, references: plausibleText };
}

function settingsFields(): Fields {
  return {
    title: plausibleText,
    description: plausibleText,
    language: fc.constantFrom("en", "fr", "pt-BR", "zz-ABCDEFGHI"),
    anonymity: fc.constantFrom(...ANONYMITY),
    showRunningCounts: checkbox,
    agreement: fc.constantFrom(...AGREEMENT_KINDS),
    agreePercent: percent,
    opposition: fc.constantFrom(...OPPOSITION_KINDS),
    disagreePercent: percent,
    denominator: fc.constantFrom(...DENOMINATORS),
    quorum: fc.oneof(fc.constant(""), percent),
  };
}

function roundFields(w: World, key: GuidelineKey): Fields {
  return {
    intent: fc.constantFrom(
      "add-items",
      "remove-item",
      "set-deadline",
      "open",
      "delete",
      "remind",
      "extend-deadline",
      "close",
      "carry-over",
      "schedule-reminder",
      "unschedule-reminder",
    ),
    statementIds: allStatementIds(w),
    itemId: oneOf(w[key].roundItemIds, w.imt.roundItemIds, w.other.roundItemIds),
    closesAt: deadline,
    confirm: fc.oneof(checkbox, fc.constant("yes")),
    again: fc.constantFrom("yes", "", "on"),
    hoursBefore: fc.oneof(fc.constantFrom("24", "72", "1", "720", "0", "721", "1.5"), text),
    scheduleId: text,
  };
}

/** In order: what a later action may break (a removed panelist, a closed round) comes later. */
const ACTIONS: ActionTarget[] = [
  {
    title: "casting ballots",
    file: "g.$slug.vote/route.tsx",
    as: "panelist",
    about: "imt",
    params: slugOf("imt"),
    body: voteBody,
    partial: true,
  },
  {
    title: "logging in",
    file: "login/route.tsx",
    as: "anonymous",
    about: null,
    params: () => fc.constant({}),
    body: () =>
      formBody({
        email: fc.oneof(email, fc.constantFrom("expert03@imt.example", " SECRETARY@imt.example ")),
        password: fc.constantFrom("delphi-demo", "delphi-demo", "wrong password"),
        redirectTo: fc.constantFrom(
          "/",
          "/g/imt-consensus",
          "//evil.example",
          "/\\evil.example",
          "https://evil.example",
          "javascript:alert(1)",
        ),
      }),
  },
  {
    title: "joining from an invitation",
    file: "join.$token/route.tsx",
    as: "anonymous",
    about: "imt",
    params: (w) =>
      fc.record({ token: fc.oneof({ weight: 3, arbitrary: fc.constant(w.imt.invitationToken) }, fc.string({ maxLength: 40 })) }),
    body: () =>
      formBody({
        intent: fc.constantFrom("create", "accept"),
        name: plausibleText,
        password: fc.constantFrom("tumour-board-2026", "password123", "short"),
        coi: plausibleText,
      }),
  },
  {
    title: "choosing the interface language",
    file: "language.ts",
    as: "panelist",
    about: null,
    params: () => fc.constant({}),
    body: () =>
      formBody({
        language: fc.constantFrom("en", "zh", "fr", "", "zh-CN", "EN"),
        redirectTo: fc.constantFrom("/", "/g/imt-consensus/vote", "//evil.example", "https://evil.example"),
      }),
  },
  {
    title: "logging out",
    file: "logout/route.tsx",
    as: "secretary",
    about: null,
    params: () => fc.constant({}),
    body: () => formBody({}),
  },
  {
    title: "settings before round 1",
    file: "g.$slug.settings/route.tsx",
    as: "draftSecretary",
    about: "draft",
    params: slugOf("draft"),
    body: () => formBody(settingsFields()),
  },
  {
    title: "settings with the rule locked",
    file: "g.$slug.settings/route.tsx",
    as: "secretary",
    about: "imt",
    params: slugOf("imt"),
    body: () => formBody(settingsFields()),
  },
  {
    title: "drafting a statement",
    file: "g.$slug.statements.new/route.tsx",
    as: "secretary",
    about: "imt",
    params: slugOf("imt"),
    body: () => formBody(statementFields()),
  },
  {
    title: "moving a statement",
    file: "g.$slug.statements._index/route.tsx",
    as: "secretary",
    about: "imt",
    params: slugOf("imt"),
    body: (w) =>
      formBody({ intent: fc.constant("move"), statementId: allStatementIds(w), direction: fc.constantFrom("up", "down") }),
  },
  {
    title: "editing, retiring and restoring a statement",
    file: "g.$slug.statements.$statementId/route.tsx",
    as: "secretary",
    about: "imt",
    params: (w) =>
      fc.record({
        slug: fc.constant(w.imt.slug),
        statementId: fc.oneof({ weight: 3, arbitrary: oneOf(w.imt.statementIds) }, allStatementIds(w), text),
      }),
    body: () =>
      formBody({
        intent: fc.constantFrom("edit", "retire", "restore"),
        ...statementFields(),
        changeNote: plausibleText,
        confirm: checkbox,
      }),
  },
  {
    title: "publishing",
    file: "g.$slug.publish/route.tsx",
    as: "secretary",
    about: "imt",
    params: slugOf("imt"),
    body: () => formBody({ confirm: checkbox }),
  },
  {
    title: "creating a round while one is open",
    file: "g.$slug.rounds._index/route.tsx",
    as: "secretary",
    about: "imt",
    params: slugOf("imt"),
    body: (w) => formBody({ statementIds: allStatementIds(w), closesAt: deadline }),
  },
  {
    title: "creating round 1",
    file: "g.$slug.rounds._index/route.tsx",
    as: "draftSecretary",
    about: "draft",
    params: slugOf("draft"),
    body: (w) =>
      formBody({ statementIds: oneOf(w.draft.statementIds, w.imt.statementIds, w.other.statementIds), closesAt: deadline }),
  },
  {
    title: "managing a draft round",
    file: "g.$slug.rounds.$number/route.tsx",
    as: "draftSecretary",
    about: "draft",
    params: (w) =>
      fc.record({
        slug: fc.constant(w.draft.slug),
        number: fc.oneof({ weight: 3, arbitrary: fc.constant("1") }, fc.constantFrom("2", "0", "1.0"), text),
      }),
    body: (w) => formBody(roundFields(w, "draft")),
  },
  {
    title: "managing open and closed rounds",
    file: "g.$slug.rounds.$number/route.tsx",
    as: "secretary",
    about: "imt",
    params: (w) =>
      fc.record({
        slug: fc.constant(w.imt.slug),
        number: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("1", "2") }, fc.constantFrom("3", "-1", "02"), text),
      }),
    body: (w) => formBody(roundFields(w, "imt")),
  },
  {
    title: "managing the panel",
    file: "g.$slug.panel/route.tsx",
    as: "secretary",
    about: "imt",
    params: slugOf("imt"),
    body: (w) =>
      formBody({
        intent: fc.constantFrom(
          "invite",
          "resend",
          "revoke",
          "remove",
          "recuse",
          "unrecuse",
          "edit",
          "bulk-preview",
          "bulk-send",
        ),
        email,
        role: fc.constantFrom(...ROLES),
        discipline: plausibleText,
        affiliation: plausibleText,
        group: plausibleText,
        invitationId: oneOf(w.imt.invitationIds, w.other.invitationIds, w.draft.invitationIds),
        membershipId: oneOf(w.imt.membershipIds, w.other.membershipIds),
        statementId: allStatementIds(w),
        reason: plausibleText,
        confirm: checkbox,
        csv: fc.oneof(
          plausibleText,
          fc.constantFrom(
            "name,email\r\nNew Expert,new.expert@imt.example",
            'email,name,group,role\nexpert02@imt.example,Expert 02,,\n"a@b.example","Quote ""A""",Patients,chair',
          ),
        ),
        expected: fc.constantFrom("", "2", "2,3", "3,2", "-1", "x"),
      }),
  },
  {
    title: "creating a guideline",
    file: "admin._index/route.tsx",
    as: "admin",
    about: null,
    params: () => fc.constant({}),
    body: () =>
      formBody({
        slug: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/), fc.constantFrom("imt-consensus", "other-consensus")),
        title: plausibleText,
        description: plausibleText,
        language: fc.constantFrom("en", "pt-BR", "x"),
        registration: plausibleText,
        source: plausibleText,
        anonymity: fc.constantFrom(...ANONYMITY),
        secretaries: fc.oneof(email, fc.constantFrom("admin@imt.example", "a@b.example, c@d.example", "secretary@imt.example")),
      }),
  },
  {
    title: "deactivating, reactivating and resetting accounts",
    file: "admin.users/route.tsx",
    as: "admin",
    // The only account it may change belongs to the other guideline (the admin cannot deactivate itself).
    about: "other",
    params: () => fc.constant({}),
    body: (w) =>
      formBody({
        intent: fc.constantFrom("deactivate", "reactivate", "reset"),
        userId: oneOf([w.users.otherPanelist.id, w.users.admin.id]),
      }),
  },
  {
    title: "resending a secretary's invitation",
    file: "admin.guidelines/route.tsx",
    as: "admin",
    about: "imt",
    params: () => fc.constant({}),
    body: (w) => formBody({ intent: fc.constant("resend"), invitationId: oneOf(w.imt.invitationIds) }),
  },
  {
    title: "setting a password from a reset link",
    file: "reset.$token/route.tsx",
    as: "anonymous",
    about: null,
    params: () => fc.record({ token: fc.string({ maxLength: 40 }) }),
    body: () => formBody({ password: fc.constantFrom("tumour-board-2026", "password123", "short"), repeat: plausibleText }),
  },
];

/** The URL of a flat route file: dots are slashes, `[.]` a literal dot, `$name` a parameter. */
function pathFor(file: string, params: Record<string, string>): string {
  const segments = routeName(file)
    .split(/(?<!\[)\.(?!\])/)
    .filter((s) => s !== "_index");
  const segment = (s: string) =>
    s.startsWith("$") ? percentEncode(params[s.slice(1).replace(/_$/, "")] ?? "") : s.replace(/_$/, "").replace("[.]", ".");
  return `/${segments.map(segment).join("/")}`;
}

describe.each(TRANSPORTS.map((t) => [t.name, t] as const))(
  "form actions %s never answer 5xx, and a refusal says why and changes nothing",
  (_, transport) => {
    test.each(ACTIONS.map((t) => [`${t.title} (${t.file} as ${t.as})`, t] as const))(
      "%s",
      async (_, target) => {
        await fc.assert(
          fc.asyncProperty(target.params(world), target.body(world), fc.boolean(), async (params, body, asDocument) => {
            const request = post(pathFor(target.file, params), body, await cookieOf(world, target.as));
            await expectHandled(() => transport.send({ file: target.file, request, params, asDocument }), target.about, {
              partial: target.partial,
            });
          }),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );
  },
);

describe("over HTTP, bodies around the 1 MiB limit: under it the route answers, over it a 413 before anything runs", () => {
  const limit = 1024 * 1024;
  const files = [...new Map(ACTIONS.map((t) => [t.file, t])).values()];
  test.each(files.map((t) => [t.file, t] as const))(
    "%s",
    async (_, target) => {
      const http = overHttp(() => server);
      const about = world[target.about ?? "imt"];
      const params = { slug: about.slug, statementId: about.statementIds[0]!, number: "1", token: world.imt.invitationToken };
      const cookie = await cookieOf(world, target.as);
      const sizes = fc.oneof(
        fc.integer({ min: limit - 4096, max: limit - 64 }),
        fc.integer({ min: limit + 1, max: limit + 4096 }),
      );
      await fc.assert(
        fc.asyncProperty(sizes, fc.boolean(), async (size, multipart) => {
          const padding = "x".repeat(Math.max(0, size - 80));
          const request = post(pathFor(target.file, params), { multipart, entries: [["padding", padding]] }, cookie);
          const bytes = (await request.clone().arrayBuffer()).byteLength;
          const before = digest(getDb());
          const response = await http.send({ file: target.file, request, params });
          if (bytes > limit) {
            expect(response.status).toBe(413);
            expect(await response.json()).toEqual({ error: "The request body is larger than 1 MiB." });
          } else {
            expect(response.status).toBeLessThan(500);
            expect(response.status).not.toBe(413);
          }
          if (response.status >= 400) expect(digest(getDb())).toEqual(before);
        }),
        { numRuns: 4 },
      );
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// Reads: the public API, the Table 1 page and the exports

const version = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom("1", "latest", "1.csv") },
  fc.constantFrom("1", "2", "latest", "1.csv", "latest.csv", "0", "01", "-1", "1e3", "1.json", "9007199254740993", "1.CSV"),
  text,
);
const slugParam = fc.oneof(
  { weight: 2, arbitrary: fc.constant("imt-consensus") },
  fc.constantFrom("other-consensus", "draft-consensus", "no-such-guideline"),
  text,
);
const query = fc.array(fc.tuple(fc.oneof(fieldName, fc.constantFrom("page", "version")), text), { maxLength: 3 });

type ReadTarget = { title: string; file: string; as: Actor; params: fc.Arbitrary<Record<string, string>> };

const READS: ReadTarget[] = [
  { title: "the list of published guidelines", file: "api.guidelines._index.ts", as: "anonymous", params: fc.constant({}) },
  {
    title: "a guideline's versions",
    file: "api.guidelines.$slug.versions._index.ts",
    as: "anonymous",
    params: fc.record({ slug: slugParam }),
  },
  {
    title: "a published version",
    file: "api.guidelines.$slug.versions.$version.ts",
    as: "anonymous",
    params: fc.record({ slug: slugParam, version }),
  },
  { title: "the JSON Schema", file: "api.schema.recommendation-set[.]json.ts", as: "anonymous", params: fc.constant({}) },
  {
    title: "the Table 1 page",
    file: "g.$slug_.v.$version/route.tsx",
    as: "anonymous",
    params: fc.record({ slug: slugParam, version }),
  },
  {
    title: "a comparison of versions",
    file: "api.guidelines.$slug.changes.$range.ts",
    as: "anonymous",
    params: fc.record({ slug: slugParam, range: fc.oneof(fc.constantFrom("1..latest", "1..2", "2..1", "0..1", "1..1"), text) }),
  },
  {
    title: "the comparison page",
    file: "g.$slug_.v.$version_.changes.$other/route.tsx",
    as: "anonymous",
    params: fc.record({ slug: slugParam, version, other: version }),
  },
  {
    title: "the methods report",
    file: "g.$slug.report/route.tsx",
    as: "secretary",
    params: fc.record({ slug: fc.constant("imt-consensus") }),
  },
  {
    title: "the methods report in Markdown",
    file: "g.$slug.report[.]md.ts",
    as: "observer",
    params: fc.record({ slug: fc.constant("imt-consensus") }),
  },
  {
    title: "an analysis export",
    file: "g.$slug.exports.$file.ts",
    as: "secretary",
    params: fc.record({
      slug: fc.constant("imt-consensus"),
      file: fc.oneof(fc.constantFrom("rounds.csv", "ballots.csv", "comments.csv", "v1.md", "v1.docx", "rounds.pdf"), text),
    }),
  },
];

describe.each(TRANSPORTS.map((t) => [t.name, t] as const))(
  "reads %s never answer 5xx nor write, whatever the parameters, query and validators",
  (_, transport) => {
    test.each(READS.map((t) => [`${t.title} (${t.file})`, t] as const))(
      "%s",
      async (_, target) => {
        const ifNoneMatch = fc.option(fc.oneof(fc.constantFrom("*", 'W/"x"', '"a", "b"', ""), fc.string({ maxLength: 80 })), {
          nil: undefined,
        });
        await fc.assert(
          fc.asyncProperty(target.params, query, ifNoneMatch, async (params, pairs, etag) => {
            const search = pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join("&");
            const headers = new Headers();
            const cookie = await cookieOf(world, target.as);
            if (cookie) headers.set("Cookie", cookie);
            if (etag !== undefined) headers.set("If-None-Match", etag.replace(/[^\x20-\x7e]/g, ""));
            const request = new Request(`${ORIGIN}${pathFor(target.file, params)}?${search}`, { headers });
            await expectHandled(() => transport.send({ file: target.file, request, params }), null, { readOnly: true });
          }),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );
  },
);

// ---------------------------------------------------------------------------------------------
// The consensus-record import

const FIXTURE_TEXT = readFileSync(join(process.cwd(), "fixtures/imt-2025-table1.json"), "utf8");

/** Imports a text and checks the outcome: imported, or refused with its problems and nothing written. */
function expectImportHandled(text: string): "imported" | "refused" {
  const db = getDb();
  const before = digest(db);
  try {
    const imported = importRecord(db, { text, actorId: null });
    expect(imported.slug).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    return "imported";
  } catch (error) {
    if (error instanceof ImportRefused) {
      expect(error.problems.length).toBeGreaterThan(0);
      for (const problem of error.problems) {
        expect(problem.path).not.toBe("");
        expect(problem.message.trim()).not.toBe("");
      }
    } else if (error instanceof Refusal) {
      // A valid record whose slug is taken: refused whole.
      expect(error.status).toBe(409);
      expect(error.message).toMatch(/already exists/);
    } else {
      throw error;
    }
    expect(digest(db), "a refused import writes nothing").toEqual(before);
    return "refused";
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Mutation = { at: number; op: "replace" | "delete" | "duplicate"; value: Json };

const jsonLike: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  text,
  fc.constantFrom(-1, 0, 1.5, 1e308, -1e308, 2 ** 53 + 1, 100_001, "", null, [], {}, "1", true),
);

/** Every node of a JSON document, as the path to it. */
function nodePaths(node: Json, path: (string | number)[] = []): (string | number)[][] {
  const here = [path];
  if (Array.isArray(node)) return here.concat(...node.map((child, i) => nodePaths(child, [...path, i])));
  if (node && typeof node === "object")
    return here.concat(...Object.entries(node).map(([k, child]) => nodePaths(child, [...path, k])));
  return here;
}

function mutate(document: Json, { at, op, value }: Mutation): Json {
  const paths = nodePaths(document);
  const path = paths[at % paths.length]!;
  if (path.length === 0) return op === "replace" ? value : document;
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key]!, document) as
    Json[] | Record<string, Json>;
  const key = path.at(-1)!;
  if (Array.isArray(parent)) {
    const i = key as number;
    if (op === "delete") parent.splice(i, 1);
    else if (op === "duplicate") parent.splice(i, 0, structuredClone(parent[i]!));
    else parent[i] = value;
  } else if (op === "delete") {
    delete parent[key as string];
  } else {
    parent[key as string] = op === "duplicate" ? structuredClone(parent[key as string]!) : value;
  }
  return document;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("replace", "delete", "duplicate"),
  value: jsonLike,
});

describe("importing a consensus record: imported, or refused with its problems and nothing written", () => {
  test(
    "random text and random JSON",
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: "binary" }),
            fc.json(),
            fc.jsonValue().map((v) => JSON.stringify(v)),
            huge,
          ),
          (text) => {
            expect(expectImportHandled(text)).toBe("refused");
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  test(
    "the IMT record with a fresh slug and one to three mutations",
    () => {
      let n = 0;
      const outcomes = { imported: 0, refused: 0 };
      fc.assert(
        fc.property(fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (freshSlug, mutations) => {
          const document = JSON.parse(FIXTURE_TEXT) as { guideline: { slug: string } };
          if (freshSlug) document.guideline.slug = `fuzz-import-${++n}`;
          const mutated = mutations.reduce<Json>((doc, m) => mutate(doc, m), document as unknown as Json);
          outcomes[expectImportHandled(JSON.stringify(mutated))]++;
        }),
        { numRuns: RUNS * 2 },
      );
      expect(outcomes.refused).toBeGreaterThan(0);
    },
    2 * TIMEOUT,
  );

  test(
    "the IMT record's text cut, or with characters inserted",
    () => {
      fc.assert(
        fc.property(fc.nat({ max: FIXTURE_TEXT.length }), fc.oneof(fc.constant(""), text), (at, inserted) => {
          const cut = inserted === "" ? FIXTURE_TEXT.slice(0, at) : FIXTURE_TEXT.slice(0, at) + inserted + FIXTURE_TEXT.slice(at);
          expectImportHandled(cut);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// Bodies that are not forms at all

const NOT_FORMS: { kind: string; headers: Record<string, string>; body: BodyInit }[] = [
  { kind: "JSON", headers: { "Content-Type": "application/json" }, body: '{"intent":"invite","email":"a@b.example"}' },
  { kind: "plain text", headers: { "Content-Type": "text/plain" }, body: "intent=invite" },
  { kind: "no content type", headers: {}, body: new Uint8Array([105, 61, 49]) },
  {
    kind: "truncated multipart",
    headers: { "Content-Type": "multipart/form-data; boundary=xyz" },
    body: '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1',
  },
];

/**
 * Found by this file: every action but logout reads `await request.formData()`, which throws a
 * TypeError for such a body, so Remix answers 500 (anonymously, on /login and /join too).
 */
describe.each(TRANSPORTS.map((t) => [t.name, t] as const))(
  "a POST %s whose body is not a form gets a 4xx, not the 500 of request.formData()'s TypeError",
  (_, transport) => {
    const files = [...new Map(ACTIONS.map((t) => [t.file, t])).values()];
    test.each(files.flatMap((t) => NOT_FORMS.map((b) => [`${t.file}, ${b.kind}`, t, b] as const)))(
      "%s",
      async (_, target, notForm) => {
        const about = world[target.about ?? "imt"];
        const params = { slug: about.slug, statementId: about.statementIds[0]!, number: "1", token: world.imt.invitationToken };
        const cookie = await cookieOf(world, target.as);
        const request = new Request(ORIGIN + pathFor(target.file, params), {
          method: "POST",
          headers: { ...notForm.headers, ...(cookie ? { Cookie: cookie } : {}) },
          body: notForm.body,
        });
        await expectHandled(() => transport.send({ file: target.file, request, params }), target.about);
      },
    );
  },
);
