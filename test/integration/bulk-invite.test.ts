import type * as RemixReact from "@remix-run/react";
import { and, count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, invitations, memberships, outboxMails, users } from "@db/schema";
import { action as joinAction } from "~/routes/join.$token/route";
import PanelPage, { action as panelAction, loader as panelLoader } from "~/routes/g.$slug.panel/route";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, formRequest, getRequest, respond } from "../support/requests";

const page = vi.hoisted(() => ({ loaderData: undefined as unknown, actionData: undefined as unknown, search: "" }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => page.actionData,
  useSearchParams: () => [new URLSearchParams(page.search)],
  useSubmit: () => () => undefined,
  Form: (props: ComponentProps<"form">) => createElement("form", props),
  Link: ({ to, ...props }: ComponentProps<"a"> & { to: string }) => createElement("a", { href: to, ...props }),
}));

const db = () => getDb();

async function workspace() {
  const g = await guidelineWithPanel(db(), { panelSize: 2, statements: ["Imaging first"] });
  return { ...g, slug: g.guideline.slug, cookie: await cookieFor(g.secretary.id) };
}

const loadPanel = (slug: string, cookie: string, search = "") =>
  respond(() => panelLoader({ request: getRequest(`/g/${slug}/panel${search}`, { cookie }), params: { slug }, context: {} }));

const post = (slug: string, request: Request) => respond(() => panelAction({ request, params: { slug }, context: {} }));

/** The pasted-CSV form, or the send step, posted as a browser would (urlencoded). */
const paste = (slug: string, cookie: string, fields: Record<string, string>) =>
  post(slug, formRequest(`/g/${slug}/panel`, fields, { cookie }));

/** The preview form with a chosen file, as multipart (the way the page sends it). */
function upload(slug: string, cookie: string, file: File, csv = "") {
  const form = new FormData();
  form.append("intent", "bulk-preview");
  form.append("csv", csv);
  form.append("file", file);
  return post(slug, new Request(`http://localhost/g/${slug}/panel`, { method: "POST", headers: { Cookie: cookie }, body: form }));
}

async function render(loaderResponse: Response, actionResponse?: Response, search = "") {
  page.loaderData = await loaderResponse.json();
  page.actionData = actionResponse ? await actionResponse.clone().json() : undefined;
  page.search = search;
  return renderToStaticMarkup(createElement(PanelPage));
}

/** Rows the bulk invitation may write, for "nothing was written". */
function written(guidelineId: string) {
  const n = <T extends typeof invitations | typeof outboxMails | typeof auditEvents>(table: T) =>
    db().select({ n: count() }).from(table).where(eq(table.guidelineId, guidelineId)).get()!.n;
  return { invitations: n(invitations), mails: n(outboxMails), audit: n(auditEvents) };
}

type PreviewRow = { row: number; email: string; problems: string[] };
const problemsOf = async (response: Response) =>
  ((await response.clone().json()).bulk.rows as PreviewRow[]).map((r) => [r.row, r.email, r.problems]);

/** A list with one row of each kind of problem, and two rows that can be invited. */
async function listWithProblems() {
  const g = await workspace();
  const member = `p${g.slug.split("-")[1]}-0@example.org`;
  expect(
    (
      await paste(g.slug, g.cookie, {
        intent: "invite",
        email: "pending@example.org",
        role: "panelist",
      })
    ).status,
  ).toBe(302);
  const csv = [
    "Name,E-mail,Discipline,Affiliation,Group,Role",
    'Ada Lovelace,ada@example.org,Pathology,"Lyon, France",Clinicians,',
    "Grace Hopper,GRACE@example.org,Methods,,,observer",
    "No Address,not-an-address,Surgery,,,",
    ",nameless@example.org,Surgery,,,",
    "Ada Again,ada@example.org,Pathology,,,",
    `Already Member,${member.toUpperCase()},Radiology,,,`,
    "Already Invited,pending@example.org,Radiology,,,",
    "Unknown Role,chair@example.org,,,,chair",
  ].join("\r\n");
  return { ...g, csv, member };
}

describe("bulk invitations: the preview", () => {
  test("lists every row with its problems and the number that can be invited, and writes nothing", async () => {
    const g = await listWithProblems();
    const before = written(g.guideline.id);
    const response = await paste(g.slug, g.cookie, { intent: "bulk-preview", csv: g.csv });
    expect(response.status).toBe(200);
    expect(await problemsOf(response)).toEqual([
      [2, "ada@example.org", []],
      [3, "grace@example.org", []],
      [4, "not-an-address", ["“not-an-address” is not a valid e-mail address."]],
      [5, "nameless@example.org", ["The name is missing."]],
      [6, "ada@example.org", ["The same e-mail address as row 2."]],
      [7, g.member, [`${g.member} is already on this guideline as a panelist.`]],
      [8, "pending@example.org", ["pending@example.org already has a pending invitation: resend it instead."]],
      [9, "chair@example.org", ["Unknown role “chair”: use panelist, observer or secretary."]],
    ]);
    const { bulk } = await response.clone().json();
    expect(bulk.ready).toBe(2);
    expect(bulk.csv).toBe(g.csv);
    expect(bulk.rows[0]).toMatchObject({
      name: "Ada Lovelace",
      role: "panelist",
      discipline: "Pathology",
      affiliation: "Lyon, France",
      group: "Clinicians",
    });
    expect(written(g.guideline.id)).toEqual(before);

    const html = await render(await loadPanel(g.slug, g.cookie), response);
    expect(html).toContain('<h4 id="bulk-preview-heading">Preview: 2 of 8 rows can be invited</h4>');
    expect(html).toContain('<tr class="bulk-problem"><th scope="row" data-label="Row">4</th>');
    expect(html).toContain("<li>The same e-mail address as row 2.</li>");
    expect(html).toContain('<td data-label="Check">ready</td>');
    expect(html).toContain("6 rows with a problem will be left out: correct them above and preview again to include them.");
    // Step 2 carries the checked CSV and the rows the secretary saw ready.
    expect(html).toContain('<input type="hidden" name="intent" value="bulk-send"/>');
    expect(html).toContain('<input type="hidden" name="expected" value="2,3"/>');
    expect(html).toContain('<button type="submit" class="button">Send 2 invitations</button>');
    // The textarea keeps the list, to correct it and preview again.
    expect(html).toMatch(/<textarea id="bulk-csv" name="csv" rows="6"[^>]*>Name,E-mail,Discipline/);
  });

  test("an uploaded .csv file (BOM, CRLF, quoted line breaks) previews like pasted text", async () => {
    const g = await workspace();
    const text = '\uFEFFemail,name,affiliation\r\nzoe@example.org,Zoë Ñúñez,"Hôpital Nord\r\nMarseille"\r\n';
    const before = written(g.guideline.id);
    const response = await upload(g.slug, g.cookie, new File([text], "panel.csv", { type: "text/csv" }));
    expect(response.status).toBe(200);
    const { bulk } = await response.json();
    expect(bulk.ready).toBe(1);
    // Read as UTF-8, which drops the byte order mark.
    expect(bulk.csv).toBe(text.slice(1));
    expect(bulk.rows).toEqual([
      {
        row: 2,
        name: "Zoë Ñúñez",
        email: "zoe@example.org",
        role: "panelist",
        discipline: null,
        affiliation: "Hôpital Nord Marseille",
        group: null,
        problems: [],
      },
    ]);
    expect(written(g.guideline.id)).toEqual(before);
  });

  test("a text that is not a usable CSV, or no text at all, is a 400 naming the field; nothing is written", async () => {
    const g = await workspace();
    const before = written(g.guideline.id);
    const cases: [Promise<Response>, Record<string, string[]>][] = [
      [
        paste(g.slug, g.cookie, { intent: "bulk-preview", csv: "Ada,ada@example.org" }),
        {
          csv: [
            "The first row must name the columns (name, email, discipline, affiliation, group, role): column 1, “Ada”, is not one of them.",
          ],
        },
      ],
      [
        paste(g.slug, g.cookie, { intent: "bulk-preview", csv: 'name,email\n"Ada,ada@example.org' }),
        { csv: ["Line 2: a double quote opens a field that never closes."] },
      ],
      [
        paste(g.slug, g.cookie, { intent: "bulk-preview", csv: "" }),
        { csv: ["Paste the rows, header row first, or choose a .csv file."] },
      ],
      [
        upload(g.slug, g.cookie, new File(["name,email\nA,a@example.org"], "a.csv"), "name,email\nB,b@example.org"),
        { file: ["Paste the rows or choose a file, not both."] },
      ],
      [
        upload(
          g.slug,
          g.cookie,
          new File(
            [new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x2c, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xe9, 0x2c, 0x61])],
            "latin1.csv",
          ),
        ),
        { file: ["The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”."] },
      ],
      [
        paste(g.slug, g.cookie, { intent: "bulk-send", csv: "name,email\nA,a@example.org" }),
        { expected: ["Preview the list before sending it"] },
      ],
    ];
    for (const [sent, errors] of cases) {
      const response = await sent;
      expect(response.status).toBe(400);
      expect((await response.json()).error).toEqual(errors);
    }
    const refused = await paste(g.slug, g.cookie, { intent: "bulk-preview", csv: "name,discipline\nAda,Pathology" });
    const html = await render(await loadPanel(g.slug, g.cookie), refused);
    expect(html).toContain('<p class="field-error" id="bulk-csv-error">The header row has no email column.</p>');
    expect(html).toContain('aria-invalid="true" aria-describedby="bulk-csv-error"');
    expect(written(g.guideline.id)).toEqual(before);
  });
});

describe("bulk invitations: sending", () => {
  test("invites exactly the rows without a problem, each with its mail, group and audit event", async () => {
    const g = await listWithProblems();
    const before = written(g.guideline.id);
    const response = await paste(g.slug, g.cookie, { intent: "bulk-send", csv: g.csv, expected: "2,3" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${g.slug}/panel?done=bulk&sent=2`);
    expect(written(g.guideline.id)).toEqual({
      invitations: before.invitations + 2,
      mails: before.mails + 2,
      audit: before.audit + 2,
    });
    const sent = db()
      .select()
      .from(invitations)
      .where(and(eq(invitations.guidelineId, g.guideline.id), eq(invitations.invitedBy, g.secretary.id)))
      .all()
      .filter((i) => i.email !== "pending@example.org")
      .map((i) => [i.email, i.role, i.discipline, i.affiliation, i.stakeholderGroup]);
    expect(sent.sort()).toEqual([
      ["ada@example.org", "panelist", "Pathology", "Lyon, France", "Clinicians"],
      ["grace@example.org", "observer", "Methods", null, null],
    ]);
    const mail = db().select().from(outboxMails).where(eq(outboxMails.to, "ada@example.org")).get()!;
    expect(mail.body).toContain("Hello Ada Lovelace,");
    expect(mail.body).toContain(`invited you to join the guideline "${g.guideline.title}" as a panelist (Pathology).`);
    expect(mail.body).not.toContain("UTC UTC");
    const events = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.guidelineId, g.guideline.id), eq(auditEvents.action, "member.invited")))
      .all()
      .map((e) => (e.details as { email: string }).email);
    expect(events).toEqual(["pending@example.org", "ada@example.org", "grace@example.org"]);

    const html = await render(await loadPanel(g.slug, g.cookie, "?done=bulk&sent=2"), undefined, "?done=bulk&sent=2");
    expect(html).toContain("2 invitations created. SMTP is not configured: copy the links from the");
    expect(html).toContain('<td data-label="E-mail" class="member-email">ada@example.org</td>');

    // The link from the mail joins the member in the group the list gave them.
    const token = /\/join\/([a-z0-9]+)$/m.exec(mail.body)![1]!;
    const joined = await respond(() =>
      joinAction({
        request: formRequest(`/join/${token}`, {
          intent: "create",
          name: "Ada Lovelace",
          password: "analytical-engine-1843",
          coi: "None",
        }),
        params: { token },
        context: {},
      }),
    );
    expect(joined.status).toBe(302);
    const user = db().select().from(users).where(eq(users.email, "ada@example.org")).get()!;
    expect(db().select().from(memberships).where(eq(memberships.userId, user.id)).get()).toMatchObject({
      guidelineId: g.guideline.id,
      role: "panelist",
      discipline: "Pathology",
      affiliation: "Lyon, France",
      stakeholderGroup: "Clinicians",
    });
  });

  test("when the list changed since the preview nothing is sent: 409 with the fresh preview", async () => {
    const g = await listWithProblems();
    // Rows 2 and 3 were ready; a send that claims other rows, even as many, sends nothing.
    const before0 = written(g.guideline.id);
    const other = await paste(g.slug, g.cookie, { intent: "bulk-send", csv: g.csv, expected: "2,5" });
    expect(other.status).toBe(409);
    expect(written(g.guideline.id)).toEqual(before0);
    expect((await paste(g.slug, g.cookie, { intent: "invite", email: "grace@example.org", role: "observer" })).status).toBe(302);
    const before = written(g.guideline.id);
    const response = await paste(g.slug, g.cookie, { intent: "bulk-send", csv: g.csv, expected: "2,3" });
    expect(response.status).toBe(409);
    const body = await response.clone().json();
    expect(body.error).toEqual({
      "": ["The list changed since the preview (someone joined or was invited): check it again, then send."],
    });
    expect(body.bulk.ready).toBe(1);
    expect((await problemsOf(response))[1]).toEqual([
      3,
      "grace@example.org",
      ["grace@example.org already has a pending invitation: resend it instead."],
    ]);
    expect(written(g.guideline.id)).toEqual(before);
    const html = await render(await loadPanel(g.slug, g.cookie), response);
    expect(html).toContain("The list changed since the preview");
    expect(html).toContain('<button type="submit" class="button">Send 1 invitation</button>');
  });

  test("a list where no row can be invited sends nothing", async () => {
    const g = await workspace();
    const csv = "name,email\n,nameless@example.org";
    const preview = await paste(g.slug, g.cookie, { intent: "bulk-preview", csv });
    const html = await render(await loadPanel(g.slug, g.cookie), preview);
    expect(html).toContain("No row can be invited: correct the rows above and preview them again.");
    expect(html).not.toContain('value="bulk-send"');
    const before = written(g.guideline.id);
    // A send made up without a preview (no row was ready, so the page offered none) is refused.
    const response = await paste(g.slug, g.cookie, { intent: "bulk-send", csv, expected: "2" });
    expect(response.status).toBe(409);
    expect((await response.json()).bulk.ready).toBe(0);
    expect(written(g.guideline.id)).toEqual(before);
  });
});
