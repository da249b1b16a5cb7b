import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getDb, type DB } from "@db/client.server";
import type { User } from "~/server/auth.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { tr } from "~/server/i18n.server";
import { publicOrigin } from "~/server/env.server";
import { PANEL_STATUSES } from "~/consensus/values";
import { msg, namespaces } from "~/i18n";
import { readInviteCsv } from "~/server/invite-csv";
import { deliverOutbox } from "~/server/mail.server";
import {
  checkInvitations,
  invitationConflict,
  inviteMember,
  listPanel,
  recuseMember,
  removeMember,
  resendInvitation,
  revokeInvitation,
  sendInvitations,
  unrecuseMember,
  updateMember,
} from "~/server/panel.server";
import { requireMember } from "~/server/permissions.server";
import styles from "~/styles/panel.css";
import { BulkInvite } from "./bulk-invite";
import { InvitationsTable, InviteForm } from "./invitations";
import { Notice } from "./notice";
import { PeopleSection } from "./people-table";
import { RecuseForm } from "./recuse-form";
import { panelSchema, type PanelChange } from "./schemas";
import type { ActionData, Result } from "./shared";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const handle = namespaces("panel");

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Panel · Delphi consensus" }];

/** The list's search (`?q=`) and status filter: a view, so a value that makes no sense shows everyone. */
const FilterSchema = z.object({
  q: z
    .string()
    .trim()
    .transform((q) => q.slice(0, 200)),
  status: z.enum(["all", ...PANEL_STATUSES]).catch("all"),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, user } = await requireMember(request, params.slug, "secretary");
  const search = new URL(request.url).searchParams;
  const filter = FilterSchema.parse({ q: search.get("q") ?? "", status: search.get("status") ?? "all" });
  return {
    title: `${tr("Panel", {}, "panel")} · ${tr("Delphi consensus", {}, "common")}`,
    slug: guideline.slug,
    me: user.id,
    filter,
    /** The member whose row shows its edit form (`?edit=`) or the removal to confirm (`?remove=`). */
    editing: search.get("edit"),
    removing: search.get("remove"),
    ...listPanel(getDb(), { guidelineId: guideline.id, filter }),
  };
}

/**
 * The bulk invitation: step 1 (`bulk-preview`) checks pasted or uploaded CSV and writes nothing;
 * step 2 (`bulk-send`) sends the CSV back, checks it again, and invites the rows that can be
 * invited, as long as they are still the ones the preview showed.
 */
const BulkSchema = z
  .object({
    intent: z.enum(["bulk-preview", "bulk-send"]),
    csv: z.string({ error: msg("Paste the rows as text") }).optional(),
    file: z.instanceof(File, { error: msg("Choose a .csv file") }).optional(),
    /** The row numbers the preview found ready ("2,5"), so the send invites exactly those or nothing. */
    expected: z
      .string({ error: msg("Preview the list before sending it") })
      .regex(/^(\d+(,\d+)*)?$/, msg("Preview the list before sending it"))
      .optional(),
  })
  .superRefine((value, ctx) => {
    if (value.csv !== undefined && value.file !== undefined) {
      ctx.addIssue({ code: "custom", path: ["file"], message: msg("Paste the rows or choose a file, not both.") });
    } else if (value.csv === undefined && value.file === undefined) {
      ctx.addIssue({ code: "custom", path: ["csv"], message: msg("Paste the rows, header row first, or choose a .csv file.") });
    }
    if (value.intent === "bulk-send" && value.expected === undefined) {
      ctx.addIssue({ code: "custom", path: ["expected"], message: msg("Preview the list before sending it") });
    }
  })
  .transform(async ({ csv, file, ...rest }, ctx) => {
    const text = file ? await file.text() : (csv ?? "");
    const field = file ? "file" : "csv";
    if (file && text.includes("\uFFFD")) {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: msg("The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”."),
      });
      return z.NEVER;
    }
    // The rows' problems are shown as they are, so they are written in the request's language.
    const read = readInviteCsv(text, (key, values) => tr(key, values, "panel"));
    if (!read.ok) {
      ctx.addIssue({ code: "custom", path: [field], message: read.error });
      return z.NEVER;
    }
    return { ...rest, csv: text, rows: read.rows };
  });

const STALE = msg("The list changed since the preview (someone joined or was invited): check it again, then send.");

/** Where the panel's actions return: the list as it was filtered, with what was done. */
function backTo(slug: string, request: Request, done: Record<string, string>): string {
  const from = new URL(request.url).searchParams;
  const params = new URLSearchParams();
  for (const key of ["q", "status"]) {
    const value = from.get(key);
    if (value) params.set(key, value);
  }
  for (const [key, value] of Object.entries(done)) params.set(key, value);
  return `/g/${encodeURIComponent(slug)}/panel?${params.toString()}`;
}

async function bulkAction(input: { request: Request; form: FormData; db: DB; guidelineId: string; slug: string; user: User }) {
  const { request, db, guidelineId, user } = input;
  const submission = await parseWithZod(input.form, { schema: BulkSchema, async: true });
  if (submission.status !== "success") return invalid(submission);
  const { intent, csv, rows, expected } = submission.value;
  if (intent === "bulk-preview") {
    return Response.json({ bulk: { csv, ...checkInvitations(db, { guidelineId, rows }) } });
  }
  const inviter = { id: user.id, name: user.name };
  const outcome = await attempt(submission, () =>
    sendInvitations(db, { guidelineId, rows, expected: expected ?? "", inviter, origin: publicOrigin(request) }),
  );
  if (outcome instanceof Response) return outcome;
  if ("changed" in outcome) {
    return Response.json({ ...submission.reply({ formErrors: [STALE] }), bulk: { csv, ...outcome.changed } }, { status: 409 });
  }
  void deliverOutbox();
  return redirect(backTo(input.slug, request, { done: "bulk", sent: String(outcome.sent) }));
}

function applyChange(db: DB, input: { change: PanelChange; guidelineId: string; user: User; origin: string }) {
  const { change, guidelineId, user, origin } = input;
  const actor = { id: user.id, name: user.name };
  switch (change.intent) {
    case "invite": {
      const invitee = {
        email: change.email,
        role: change.role,
        discipline: change.discipline ?? null,
        affiliation: change.affiliation ?? null,
        stakeholderGroup: change.group ?? null,
      };
      return inviteMember(db, { guidelineId, invitee, inviter: actor, origin });
    }
    case "resend":
      return resendInvitation(db, { guidelineId, invitationId: change.invitationId, actor, origin });
    case "revoke":
      return revokeInvitation(db, { guidelineId, invitationId: change.invitationId, actorId: user.id });
    case "remove":
      return removeMember(db, { guidelineId, membershipId: change.membershipId, actorId: user.id });
    case "recuse": {
      const { membershipId, statementId, reason } = change;
      return recuseMember(db, { guidelineId, membershipId, statementId, reason, actorId: user.id });
    }
    case "unrecuse":
      return unrecuseMember(db, {
        guidelineId,
        membershipId: change.membershipId,
        statementId: change.statementId,
        actorId: user.id,
      });
    case "edit": {
      const changes = {
        role: change.role,
        discipline: change.discipline ?? null,
        affiliation: change.affiliation ?? null,
        group: change.group ?? null,
      };
      return updateMember(db, { guidelineId, membershipId: change.membershipId, changes, actorId: user.id });
    }
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { guideline, user } = await requireMember(request, params.slug, "secretary");
  const db = getDb();
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent === "bulk-preview" || intent === "bulk-send") {
    return bulkAction({ request, form, db, guidelineId: guideline.id, slug: guideline.slug, user });
  }
  const schema = panelSchema((email) => invitationConflict(db, { guidelineId: guideline.id, email }));
  const submission = parseWithZod(form, { schema });
  if (submission.status !== "success") return invalid(submission);
  const change = submission.value;
  const result = await attempt(submission, () =>
    applyChange(db, { change, guidelineId: guideline.id, user, origin: publicOrigin(request) }),
  );
  if (result instanceof Response) return result;
  if (change.intent === "invite" || change.intent === "resend") void deliverOutbox();
  return redirect(backTo(guideline.slug, request, { done: change.intent }));
}

export default function Panel() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData;
  const result: Result = actionData?.initialValue ? (actionData as NonNullable<Result>) : undefined;
  const [searchParams] = useSearchParams();
  const { t } = useTranslation("panel");
  return (
    <section className="panel panel-page" aria-labelledby="panel-heading">
      <div className="row page-heading">
        <h2 id="panel-heading">{t("Panel")}</h2>
      </div>
      {actionData ? null : <Notice search={searchParams} data={data} />}
      <PeopleSection data={data} result={result} />
      <InviteForm result={result} />
      <BulkInvite bulk={actionData?.bulk} data={data} result={result} />
      <InvitationsTable data={data} result={result} />
      <RecuseForm data={data} result={result} />
    </section>
  );
}
