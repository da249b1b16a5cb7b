import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { getDb, type DB } from "@db/client.server";
import { ROLES } from "~/consensus/values";
import { Field, FormErrors } from "~/components/form";
import { Time } from "~/components/time";
import type { User } from "~/server/auth.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { publicOrigin } from "~/server/env.server";
import { deliverOutbox } from "~/server/mail.server";
import {
  invitationConflict,
  inviteMember,
  listPanel,
  recuseMember,
  removeMember,
  resendInvitation,
  revokeInvitation,
  setStakeholderGroup,
  unrecuseMember,
} from "~/server/panel.server";
import { requireMember } from "~/server/permissions.server";
import styles from "~/styles/panel.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Panel · Delphi consensus" }];

const CONFIRM_REMOVAL = "Tick the box to confirm the removal.";

const optionalText = (label: string, max: number) =>
  z.string().trim().max(max, `${label} has at most ${max} characters`).optional();

/** The invitation form; `conflict` says why an address cannot be invited (checked on the server only). */
function inviteSchema(conflict: (email: string) => string | null = () => null) {
  return z.object({
    intent: z.literal("invite"),
    email: z
      .string({ error: "Enter the e-mail address to invite" })
      .trim()
      .toLowerCase()
      .pipe(z.email("Enter a valid e-mail address, such as name@example.org"))
      .superRefine((email, ctx) => {
        const why = conflict(email);
        if (why) ctx.addIssue({ code: "custom", message: why });
      }),
    role: z.enum(ROLES, { error: "Choose panelist, observer or secretary" }),
    discipline: optionalText("A discipline", 100),
    affiliation: optionalText("An affiliation", 200),
  });
}

const RecuseSchema = z.object({
  intent: z.literal("recuse"),
  membershipId: z.string({ error: "Choose the panelist to recuse" }),
  statementId: z.string({ error: "Choose the statement" }),
  reason: z
    .string({ error: "Say why, e.g. the conflict of interest they declared" })
    .trim()
    .max(1000, "A reason has at most 1000 characters"),
});

/** Every panel action, told apart by its intent. */
function panelSchema(conflict?: (email: string) => string | null) {
  return z.discriminatedUnion("intent", [
    inviteSchema(conflict),
    z.object({ intent: z.literal("resend"), invitationId: z.string() }),
    z.object({ intent: z.literal("revoke"), invitationId: z.string() }),
    z.object({
      intent: z.literal("remove"),
      membershipId: z.string(),
      confirm: z.boolean({ error: CONFIRM_REMOVAL }).refine((ticked) => ticked, CONFIRM_REMOVAL),
    }),
    RecuseSchema,
    z.object({ intent: z.literal("unrecuse"), membershipId: z.string(), statementId: z.string() }),
    z.object({ intent: z.literal("group"), membershipId: z.string(), group: optionalText("A stakeholder group", 100) }),
  ]);
}

type PanelChange = z.output<ReturnType<typeof panelSchema>>;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, user } = await requireMember(request, params.slug, "secretary");
  return {
    slug: guideline.slug,
    me: user.id,
    ...listPanel(getDb(), { guidelineId: guideline.id }),
  };
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
    case "group":
      return setStakeholderGroup(db, {
        guidelineId,
        membershipId: change.membershipId,
        group: change.group ?? null,
        actorId: user.id,
      });
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { guideline, user } = await requireMember(request, params.slug, "secretary");
  const db = getDb();
  const schema = panelSchema((email) => invitationConflict(db, { guidelineId: guideline.id, email }));
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return invalid(submission);
  const change = submission.value;
  const result = await attempt(submission, () =>
    applyChange(db, { change, guidelineId: guideline.id, user, origin: publicOrigin(request) }),
  );
  if (result instanceof Response) return result;
  if (change.intent === "invite" || change.intent === "resend") void deliverOutbox();
  return redirect(`/g/${encodeURIComponent(guideline.slug)}/panel?done=${change.intent}`);
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type Result = SubmissionResult<string[]> | undefined;

/** The last submission, if it was this form's (same intent and same row). */
function resultFor(result: Result, intent: string, row: Record<string, string> = {}): Result {
  const submitted = result?.initialValue;
  if (!submitted || submitted.intent !== intent) return undefined;
  return Object.entries(row).every(([key, value]) => submitted[key] === value) ? result : undefined;
}

function RowErrors({ result }: { result: Result }) {
  const messages = Object.values(result?.error ?? {}).flatMap((errors) => errors ?? []);
  if (messages.length === 0) return null;
  return (
    <p className="form-error" role="alert">
      {messages.join(" ")}
    </p>
  );
}

function Notice({ done, smtpConfigured, slug }: { done: string | null; smtpConfigured: boolean; slug: string }) {
  const outbox = (
    <>
      SMTP is not configured: copy the link from the <Link to={`/g/${slug}/outbox`}>outbox</Link> and send it yourself.
    </>
  );
  const messages: Record<string, ReactNode> = {
    invite: smtpConfigured ? "Invitation sent." : <>Invitation created. {outbox}</>,
    resend: smtpConfigured ? (
      "A new link was sent; the old one no longer works."
    ) : (
      <>A new link was created; the old one no longer works. {outbox}</>
    ),
    revoke: "Invitation revoked: its link no longer works.",
    remove: "Member removed from the guideline.",
    recuse: "Recusal recorded.",
    unrecuse: "Recusal withdrawn.",
    group: "Stakeholder group saved: it applies from the next round that opens.",
  };
  const message = done ? messages[done] : undefined;
  return message ? (
    <p className="notice" role="status">
      {message}
    </p>
  ) : null;
}

const ROLE_LABEL = { secretary: "Secretary", panelist: "Panelist", observer: "Observer" } as const;
const STATE_LABEL = { valid: "pending", expired: "expired", revoked: "revoked", used: "used" } as const;

/**
 * A panelist's stakeholder group: their discipline unless set. Rounds snapshot the groups when
 * they open, so a change applies from the next round that opens.
 */
function GroupForm({ member, data, result }: { member: LoaderData["members"][number]; data: LoaderData; result: Result }) {
  const mine = resultFor(result, "group", { membershipId: member.id });
  const submitted = mine?.initialValue?.group;
  const inputId = `group-${member.id}`;
  const helpId = `group-help-${member.id}`;
  return (
    <Form method="post" className="group-form">
      <input type="hidden" name="intent" value="group" />
      <input type="hidden" name="membershipId" value={member.id} />
      <p className="member-group">
        {member.stakeholderGroup ?? (
          <>
            {member.discipline ?? "Unspecified"} <span className="muted">(discipline)</span>
          </>
        )}
      </p>
      <label htmlFor={inputId} className="group-label">
        New group<span className="group-label-name"> for {member.name}</span>
      </label>
      <div className="group-input">
        <input
          id={inputId}
          name="group"
          type="text"
          defaultValue={typeof submitted === "string" ? submitted : (member.stakeholderGroup ?? "")}
          placeholder={member.discipline ?? "e.g. patients"}
          maxLength={100}
          aria-describedby={helpId}
        />
        <button type="submit" className="button button-secondary" aria-label={`Set ${member.name}'s stakeholder group`}>
          Set
        </button>
      </div>
      <p className="muted group-help" id={helpId}>
        Empty: their discipline.{" "}
        {data.openRound === null
          ? "A change applies from the next round that opens."
          : `Round ${data.openRound} keeps the groups it opened with; a change applies from the next round that opens.`}
      </p>
      <RowErrors result={mine} />
    </Form>
  );
}

function MemberRow({ member, data, result }: { member: LoaderData["members"][number]; data: LoaderData; result: Result }) {
  const removal = resultFor(result, "remove", { membershipId: member.id });
  const confirmId = `remove-confirm-${member.id}`;
  return (
    <tr>
      <td>
        <strong>{member.name}</strong>
        <br />
        <span className="muted member-email">{member.email}</span>
      </td>
      <td data-label="Role">{ROLE_LABEL[member.role]}</td>
      <td data-label="Discipline">{member.discipline ?? <span className="muted">—</span>}</td>
      <td data-label="Stakeholder group">
        {member.role === "panelist" ? (
          <GroupForm member={member} data={data} result={result} />
        ) : (
          <span className="muted">— (does not vote)</span>
        )}
      </td>
      <td data-label="Affiliation">{member.affiliation ?? <span className="muted">—</span>}</td>
      <td data-label="Conflict of interest">
        {member.coiDeclaredAt ? (
          <>
            <p className="coi-text">{member.coiText || "No conflicts declared."}</p>
            <p className="meta">
              Declared <Time value={member.coiDeclaredAt} dateOnly />
            </p>
          </>
        ) : (
          <span className="muted">not declared yet</span>
        )}
      </td>
      <td data-label="Recusals">
        {member.recusals.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className="recusal-list">
            {member.recusals.map((recusal) => (
              <li key={recusal.statementId}>
                <span>
                  Statement {recusal.position}
                  {recusal.reason ? `: ${recusal.reason}` : ""}
                </span>
                <Form method="post" className="inline-form">
                  <input type="hidden" name="intent" value="unrecuse" />
                  <input type="hidden" name="membershipId" value={member.id} />
                  <input type="hidden" name="statementId" value={recusal.statementId} />
                  <button
                    type="submit"
                    className="button-link"
                    aria-label={`Withdraw ${member.name}'s recusal from statement ${recusal.position}`}
                  >
                    Withdraw
                  </button>
                </Form>
                <RowErrors
                  result={resultFor(result, "unrecuse", { membershipId: member.id, statementId: recusal.statementId })}
                />
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        {member.userId === data.me ? (
          <span className="muted">you</span>
        ) : (
          <Form method="post" className="remove-form">
            <input type="hidden" name="intent" value="remove" />
            <input type="hidden" name="membershipId" value={member.id} />
            <label htmlFor={confirmId} className="confirm">
              <input type="checkbox" id={confirmId} name="confirm" required />
              <span>Yes, remove {member.name}; their ballots in closed rounds still count</span>
            </label>
            <button type="submit" className="button button-danger">
              Remove
            </button>
            <RowErrors result={removal} />
          </Form>
        )}
      </td>
    </tr>
  );
}

function MembersTable({ data, result }: { data: LoaderData; result: Result }) {
  return (
    <section aria-labelledby="members-heading" className="panel-section">
      <h3 id="members-heading">Members ({data.members.length})</h3>
      <div className="table-scroll">
        <table className="data-table members-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Discipline</th>
              <th scope="col">Stakeholder group</th>
              <th scope="col">Affiliation</th>
              <th scope="col">Conflict of interest</th>
              <th scope="col">Recusals</th>
              <th scope="col">Remove</th>
            </tr>
          </thead>
          <tbody>
            {data.members.map((member) => (
              <MemberRow key={member.id} member={member} data={data} result={result} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function InvitationsTable({ data, result }: { data: LoaderData; result: Result }) {
  if (data.invitations.length === 0) {
    return (
      <section aria-labelledby="invitations-heading" className="panel-section">
        <h3 id="invitations-heading">Invitations</h3>
        <p className="muted">No invitations yet.</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="invitations-heading" className="panel-section">
      <h3 id="invitations-heading">Invitations</h3>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Discipline</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {data.invitations.map((invitation) => (
            <tr key={invitation.id}>
              <td className="member-email">{invitation.email}</td>
              <td data-label="Role">{ROLE_LABEL[invitation.role]}</td>
              <td data-label="Discipline">{invitation.discipline ?? <span className="muted">—</span>}</td>
              <td data-label="Expires">
                <Time value={invitation.expiresAt} />
              </td>
              <td data-label="Status">
                <span className={`badge invitation-${invitation.state}`}>{STATE_LABEL[invitation.state]}</span>
              </td>
              <td>
                <div className="row">
                  {invitation.state === "valid" || invitation.state === "expired" ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="resend" />
                      <input type="hidden" name="invitationId" value={invitation.id} />
                      <button
                        type="submit"
                        className="button button-secondary"
                        aria-label={`Resend the invitation to ${invitation.email}`}
                      >
                        Resend
                      </button>
                    </Form>
                  ) : null}
                  {invitation.state === "valid" ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="revoke" />
                      <input type="hidden" name="invitationId" value={invitation.id} />
                      <button
                        type="submit"
                        className="button button-secondary"
                        aria-label={`Revoke the invitation to ${invitation.email}`}
                      >
                        Revoke
                      </button>
                    </Form>
                  ) : null}
                </div>
                <RowErrors result={resultFor(result, "resend", { invitationId: invitation.id })} />
                <RowErrors result={resultFor(result, "revoke", { invitationId: invitation.id })} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function InviteForm({ result }: { result: Result }) {
  const schema = inviteSchema();
  const [form, fields] = useForm({
    id: "invite",
    lastResult: resultFor(result, "invite"),
    defaultValue: { role: "panelist" },
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  return (
    <section aria-labelledby="invite-heading" className="panel-section">
      <h3 id="invite-heading">Invite a member</h3>
      <Form method="post" {...getFormProps(form)} className="invite-form">
        <input type="hidden" name="intent" value="invite" />
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field id={fields.email.id} label="E-mail" errorId={fields.email.errorId} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="off" />
        </Field>
        <Field id={fields.role.id} label="Role" errorId={fields.role.errorId} errors={fields.role.errors}>
          <select {...getSelectProps(fields.role)}>
            <option value="panelist">Panelist (votes)</option>
            <option value="observer">Observer (reads closed rounds and drafts)</option>
            <option value="secretary">Secretary (runs the process)</option>
          </select>
        </Field>
        <Field
          id={fields.discipline.id}
          label="Discipline (optional)"
          errorId={fields.discipline.errorId}
          errors={fields.discipline.errors}
        >
          <input {...getInputProps(fields.discipline, { type: "text" })} placeholder="e.g. Radiology" />
        </Field>
        <Field
          id={fields.affiliation.id}
          label="Affiliation (optional)"
          errorId={fields.affiliation.errorId}
          errors={fields.affiliation.errors}
        >
          <input {...getInputProps(fields.affiliation, { type: "text" })} />
        </Field>
        <button type="submit" className="button">
          Send invitation
        </button>
      </Form>
    </section>
  );
}

function RecuseForm({ data, result }: { data: LoaderData; result: Result }) {
  const schema = RecuseSchema;
  const [form, fields] = useForm({
    id: "recuse",
    lastResult: resultFor(result, "recuse"),
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  const panelists = data.members.filter((m) => m.role === "panelist");
  return (
    <section aria-labelledby="recuse-heading" className="panel-section">
      <h3 id="recuse-heading">Recuse a panelist from a statement</h3>
      <p className="muted">A recused panelist is not counted for that statement: neither their ballot nor as eligible.</p>
      {panelists.length === 0 || data.statements.length === 0 ? (
        <p className="muted">This needs at least one panelist and one statement.</p>
      ) : (
        <Form method="post" {...getFormProps(form)} className="recuse-form">
          <input type="hidden" name="intent" value="recuse" />
          <FormErrors id={form.errorId} errors={form.errors} />
          <Field
            id={fields.membershipId.id}
            label="Panelist"
            errorId={fields.membershipId.errorId}
            errors={fields.membershipId.errors}
          >
            <select {...getSelectProps(fields.membershipId)}>
              <option value="">Choose a panelist</option>
              {panelists.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                  {m.discipline ? ` (${m.discipline})` : ""}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id={fields.statementId.id}
            label="Statement"
            errorId={fields.statementId.errorId}
            errors={fields.statementId.errors}
          >
            <select {...getSelectProps(fields.statementId)}>
              <option value="">Choose a statement</option>
              {data.statements.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.position}. {s.text.length > 80 ? `${s.text.slice(0, 79)}…` : s.text}
                </option>
              ))}
            </select>
          </Field>
          <Field id={fields.reason.id} label="Reason" errorId={fields.reason.errorId} errors={fields.reason.errors}>
            <textarea {...getTextareaProps(fields.reason)} rows={2} />
          </Field>
          <button type="submit" className="button">
            Recuse
          </button>
        </Form>
      )}
    </section>
  );
}

export default function Panel() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result;
  const [searchParams] = useSearchParams();
  return (
    <section className="panel panel-page" aria-labelledby="panel-heading">
      <div className="row page-heading">
        <h2 id="panel-heading">Panel</h2>
      </div>
      {result ? null : <Notice done={searchParams.get("done")} smtpConfigured={data.smtpConfigured} slug={data.slug} />}
      <MembersTable data={data} result={result} />
      <InviteForm result={result} />
      <InvitationsTable data={data} result={result} />
      <RecuseForm data={data} result={result} />
    </section>
  );
}
