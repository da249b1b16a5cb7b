import type * as RemixReact from "@remix-run/react";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import AuditLog, { loader } from "~/routes/g.$slug.audit/route";
import { recordAudit } from "~/server/audit.server";
import { describeEvent } from "~/server/audit-log.server";
import { publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import { addMember, createGuideline, createUser } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";
import { cookieFor, getRequest, respond } from "../support/requests";

// The page is rendered from its loader's data, as Remix would on the server.
const page = vi.hoisted(() => ({ data: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.data,
  Link: ({ to, ...props }: { to: string }) => createElement("a", { href: to, ...props }),
}));

type Entry = { id: number; at: string; who: string; what: string };

function load(slug: string, cookie?: string, search = "") {
  return respond(() => loader({ request: getRequest(`/g/${slug}/audit${search}`, { cookie }), params: { slug }, context: {} }));
}

async function entriesOf(slug: string, cookie: string, search = ""): Promise<Entry[]> {
  const response = await load(slug, cookie, search);
  expect(response.status).toBe(200);
  return (await response.json()).entries;
}

const at = (minute: number) => new Date(Date.UTC(2026, 0, 10, 10, 0, minute * 60));

/** A round opened by the system, voted, closed and published by the secretary, with events of each kind in between. */
async function eventfulGuideline(anonymity: "anonymous" | "named") {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 3, statements: ["Imaging first", "Biopsy always"] });
  if (anonymity === "named") {
    db.$client.prepare("update guidelines set anonymity = 'named' where id = ?").run(g.guideline.id);
  }
  const event = (minute: number, action: string, details: Record<string, unknown>, actorId: string | null = g.secretary.id) =>
    recordAudit(db, { guidelineId: g.guideline.id, actorId, action, details, at: at(minute) });
  event(1, "member.invited", { email: "a@b.org", role: "panelist" });
  event(2, "statement.revised", { statement: 2, revision: 2, previousRevision: 1 });
  const round = openRoundWithBallots(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    panel: g.panel,
    votes: [votes(3, 3), votes(3, 1, 2)],
  });
  db.$client
    .prepare("update audit_events set created_at = ? where action = 'round.opened' and guideline_id = ?")
    .run(at(3).getTime(), g.guideline.id);
  event(4, "ballot.cast", { round: 1, item: 2, choice: "disagree" }, g.panel[1]!.userId);
  event(5, "ballot.changed", { round: 1, item: 1, choice: "agree", previousChoice: "abstain" }, g.panel[2]!.userId);
  event(5.5, "ballot.withdrawn", { round: 1, item: 2 }, g.panel[1]!.userId);
  event(6, "custom.thing", { weight: 3, note: "kept" });
  event(6.5, "member.recused", {
    membershipId: g.panel[0]!.id,
    email: "p@b.org",
    statementId: g.statements[1]!.statement.id,
    reason: "Consults for a biopsy maker",
  });
  closeRound(db, { roundId: round.round.id, actorId: g.secretary.id, now: at(7) });
  publish(db, { slug: g.guideline.slug, actorId: g.secretary.id, now: at(8) });
  return { db, ...g, slug: g.guideline.slug, cookie: await cookieFor(g.secretary.id) };
}

describe("the audit log page", () => {
  test("shows each event newest first: UTC time, who (or system) and a sentence", async () => {
    const { slug, cookie, secretary } = await eventfulGuideline("anonymous");
    const entries = await entriesOf(slug, cookie);
    expect(entries.map(({ at, who, what }) => [at, who, what])).toEqual([
      [at(8).toISOString(), secretary.name, "published version 1"],
      [at(7).toISOString(), secretary.name, "closed round 1: 1 of 2 adopted"],
      [at(6.5).toISOString(), secretary.name, "recused p@b.org from statement 2: Consults for a biopsy maker"],
      [at(6).toISOString(), secretary.name, 'custom.thing {"weight":3,"note":"kept"}'],
      [at(5.5).toISOString(), "Panelist 1", "withdrew their ballot on statement 2 in round 1"],
      [at(5).toISOString(), "Panelist 2", "changed their ballot on statement 1 in round 1"],
      [at(4).toISOString(), "Panelist 1", "voted on statement 2 in round 1"],
      [at(3).toISOString(), "system", "opened round 1 (2 statements, 3 eligible)"],
      [at(2).toISOString(), secretary.name, "revised statement 2 (r1 → r2)"],
      [at(1).toISOString(), secretary.name, "invited a@b.org as panelist"],
    ]);
  });

  test("in an anonymous guideline no ballot choice leaves the server, even one an event recorded", async () => {
    const { slug, cookie } = await eventfulGuideline("anonymous");
    const response = await load(slug, cookie);
    const body = await response.text();
    expect(body).not.toMatch(/choice/i);
    expect(body).not.toMatch(/disagree|abstain|"agree|\bagree\b/);
    expect(JSON.parse(body).anonymous).toBe(true);
  });

  test("in a named guideline a ballot event says what was chosen", async () => {
    const { slug, cookie } = await eventfulGuideline("named");
    const entries = await entriesOf(slug, cookie);
    expect(entries.map((e) => e.what)).toContain("voted on statement 2 in round 1: disagree");
    expect(entries.map((e) => e.what)).toContain("changed their ballot on statement 1 in round 1 to agree");
  });

  test("renders the events as a table with the anonymity note", async () => {
    const { slug, cookie, secretary } = await eventfulGuideline("anonymous");
    page.data = await (await load(slug, cookie)).json();
    const html = renderToStaticMarkup(createElement(AuditLog));
    expect(html).toContain('<h2 id="audit-heading">Audit log</h2>');
    expect(html).toContain("10 events, newest first. This guideline is anonymous: ballot events never show what anyone chose.");
    expect(html).toContain(
      `<tr><td><time dateTime="${at(8).toISOString()}">2026-01-10 10:08:00</time></td><td>${
        secretary.name
      }</td><td>published version 1</td></tr>`,
    );
    expect(html).not.toContain("Audit log pages");
  });

  test("shows 50 events a page; ?page= moves through them, and a page past the end shows the last", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 1, statements: ["Paged"] });
    const cookie = await cookieFor(g.secretary.id);
    for (let i = 1; i <= 120; i++) {
      recordAudit(db, {
        guidelineId: g.guideline.id,
        actorId: null,
        action: "version.published",
        details: { version: i },
        at: new Date(Date.UTC(2026, 0, 1, 0, i)),
      });
    }
    const pageOf = async (search: string) => (await load(g.guideline.slug, cookie, search)).json();
    const first = await pageOf("");
    expect([first.page, first.pages, first.total, first.entries.length]).toEqual([1, 3, 120, 50]);
    expect(first.entries[0].what).toBe("published version 120");
    const second = await pageOf("?page=2");
    expect(second.entries.map((e: Entry) => e.what).slice(0, 1)).toEqual(["published version 70"]);
    const third = await pageOf("?page=3");
    expect([third.page, third.entries.length, third.entries.at(-1).what]).toEqual([3, 20, "published version 1"]);
    expect((await pageOf("?page=99")).page).toBe(3);
    for (const search of ["?page=0", "?page=abc", "?page=1.5", "?page=-2"]) expect((await pageOf(search)).page).toBe(1);

    page.data = second;
    const html = renderToStaticMarkup(createElement(AuditLog));
    expect(html).toContain('<a href="?page=1" rel="prev">Newer events</a>');
    expect(html).toContain('<a href="?page=3" rel="next">Older events</a>');
    expect(html).toContain("Page 2 of 3");
  });

  test("another guideline's events are not shown", async () => {
    const { slug, cookie } = await eventfulGuideline("anonymous");
    const other = createGuideline(getDb(), { slug: "audit-elsewhere", title: "Elsewhere" });
    recordAudit(getDb(), { guidelineId: other.id, actorId: null, action: "version.published", details: { version: 7 } });
    expect((await entriesOf(slug, cookie)).map((e) => e.what)).not.toContain("published version 7");
  });
});

describe("describing an event", () => {
  test.each([
    [
      "guideline.created",
      { slug: "x", title: "X", secretaries: ["s@x.org"], invitedSecretaries: ["t@x.org"] },
      "created the guideline with secretaries s@x.org, t@x.org",
    ],
    ["guideline.settings_changed", { fields: ["title", "rule"] }, "changed the settings: title, rule"],
    [
      "guideline.imported",
      { rounds: 1, statements: 9, warnings: 0 },
      "imported 1 round and 9 statements from a consensus record",
    ],
    ["invitation.resent", { invitationId: "i", email: "a@b.org" }, "resent the invitation to a@b.org"],
    ["invitation.revoked", { invitationId: "i", email: "a@b.org" }, "revoked the invitation to a@b.org"],
    ["member.joined", { role: "observer", email: "a@b.org" }, "joined as observer"],
    ["member.removed", { membershipId: "m", email: "a@b.org", role: "panelist" }, "removed a@b.org from the guideline"],
    [
      "member.unrecused",
      { membershipId: "m", email: "a@b.org", statementId: "s", statement: 4 },
      "lifted the recusal of a@b.org from statement 4",
    ],
    ["statement.created", { statementId: "s", statement: 10 }, "wrote statement 10"],
    [
      "statement.revised",
      { statementId: "s", statement: 8, previousRevision: 1, revision: 2, changeNote: "Narrowed" },
      "revised statement 8 (r1 → r2): Narrowed",
    ],
    ["statement.edited", { statementId: "s", statement: 3, revision: 1 }, "edited statement 3 (r1, not yet voted on)"],
    ["statement.retired", { statementId: "s", statement: 3, previousStatus: "adopted" }, "retired statement 3"],
    ["statement.restored", { statementId: "s", statement: 3, status: "not_adopted" }, "restored statement 3 as not adopted"],
    ["round.created", { round: 2, items: 1, carriedOverFrom: 1 }, "drafted round 2 (1 statement carried over from round 1)"],
    ["round.created", { round: 1, items: 9 }, "drafted round 1 (9 statements)"],
    ["round.items_added", { round: 1, items: 2 }, "added 2 statements to round 1"],
    ["round.item_removed", { round: 1, statementId: "s", statement: 5, revision: 1 }, "removed statement 5 from round 1"],
    [
      "round.deadline_set",
      { round: 1, from: null, to: "2026-02-01T17:00:00.000Z" },
      "set the deadline of round 1 to 2026-02-01 17:00 UTC",
    ],
    [
      "round.deadline_extended",
      { round: 1, from: "2026-02-01T17:00:00.000Z", to: "2026-02-08T17:00:00.000Z" },
      "moved the deadline of round 1 to 2026-02-08 17:00 UTC",
    ],
    ["round.deadline_set", { round: 1, from: "2026-02-01T17:00:00.000Z", to: null }, "removed the deadline of round 1"],
    ["round.deleted", { round: 3 }, "deleted draft round 3"],
    ["round.reminded", { round: 2, count: 4 }, "reminded 4 non-responders of round 2"],
    // A ballot event names the round item's place; read from the log, it names the statement's number instead.
    ["ballot.cast", { round: 1, item: 2 }, "voted on item 2 of round 1"],
    ["ballot.cast", { round: 1, item: 2, statement: 8 }, "voted on statement 8 in round 1"],
  ])("%s %j reads: %s", (action, details, sentence) => {
    expect(describeEvent(action, details)).toBe(sentence);
  });

  test("falls back to the action and its details when it has no sentence or lacks what the sentence needs", () => {
    expect(describeEvent("round.closed", { round: 1 })).toBe('round.closed {"round":1}');
    expect(describeEvent("guideline.archived", {})).toBe("guideline.archived");
    expect(describeEvent("member.recused", { membershipId: "m", email: "a@b.org", statementId: "gone" })).toBe(
      'member.recused {"membershipId":"m","email":"a@b.org","statementId":"gone"}',
    );
  });
});

describe("who may read the audit log", () => {
  test("only the guideline's secretaries: observers, panelists and other secretaries get 403, anonymous visitors log in", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 1, statements: ["Guarded"] });
    const other = await guidelineWithPanel(db, { panelSize: 1, statements: ["Elsewhere"] });
    const observer = await createUser(db, { email: "audit-observer@example.org", name: "Observer" });
    addMember(db, { guidelineId: g.guideline.id, userId: observer.id, role: "observer" });
    for (const userId of [observer.id, g.panel[0]!.userId, other.secretary.id]) {
      expect((await load(g.guideline.slug, await cookieFor(userId))).status).toBe(403);
    }
    const anonymous = await load(g.guideline.slug);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(`/g/${g.guideline.slug}/audit`)}`);
  });
});
