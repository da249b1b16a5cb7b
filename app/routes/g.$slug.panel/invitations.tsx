import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field, FormErrors } from "~/components/form";
import { msg } from "~/i18n";
import { MemberFields } from "./member-fields";
import { Time } from "~/components/time";
import { inviteSchema } from "./schemas";
import { ROLE_LABEL, resultFor, RowErrors, type PanelData, type Result } from "./shared";

const STATE_LABEL = { valid: msg("pending"), expired: msg("expired"), revoked: msg("revoked"), used: msg("used") } as const;

export function InviteForm({ result }: { result: Result }) {
  const { t } = useTranslation("panel");
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
      <h3 id="invite-heading">{t("Invite a member")}</h3>
      <Form method="post" {...getFormProps(form)} className="invite-form">
        <input type="hidden" name="intent" value="invite" />
        <FormErrors id={form.errorId} errors={form.errors?.map((error) => t(error))} />
        <Field
          id={fields.email.id}
          label={t("E-mail")}
          errorId={fields.email.errorId}
          errors={fields.email.errors?.map((error) => t(error))}
        >
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="off" />
        </Field>
        <MemberFields fields={fields} optional />
        <button type="submit" className="button">
          {t("Send invitation")}
        </button>
      </Form>
    </section>
  );
}

/** Every invitation, newest first: the links' history, with resend and revoke. */
export function InvitationsTable({ data, result }: { data: PanelData; result: Result }) {
  const { t } = useTranslation("panel");
  if (data.invitations.length === 0) {
    return (
      <section aria-labelledby="invitations-heading" className="panel-section">
        <h3 id="invitations-heading">{t("Invitations")}</h3>
        <p className="muted">{t("No invitations yet.")}</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="invitations-heading" className="panel-section">
      <h3 id="invitations-heading">{t("Invitations")}</h3>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{t("E-mail")}</th>
            <th scope="col">{t("Role")}</th>
            <th scope="col">{t("Discipline")}</th>
            <th scope="col">{t("Group")}</th>
            <th scope="col">{t("Expires")}</th>
            <th scope="col">{t("Status")}</th>
            <th scope="col">{t("Actions")}</th>
          </tr>
        </thead>
        <tbody>
          {data.invitations.map((invitation) => (
            <tr key={invitation.id}>
              <td className="member-email">{invitation.email}</td>
              <td data-label={t("Role")}>{t(ROLE_LABEL[invitation.role])}</td>
              <td data-label={t("Discipline")}>{invitation.discipline ?? <span className="muted">—</span>}</td>
              <td data-label={t("Group")}>{invitation.stakeholderGroup ?? <span className="muted">—</span>}</td>
              <td data-label={t("Expires")}>
                <Time value={invitation.expiresAt} />
              </td>
              <td data-label={t("Status")}>
                <span className={`badge invitation-${invitation.state}`}>{t(STATE_LABEL[invitation.state])}</span>
              </td>
              <td>
                <InvitationActions invitation={invitation} />
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

/** Resend (a new link, the old one stops working) for an unused invitation; revoke while its link works. */
export function InvitationActions({ invitation }: { invitation: { id: string; email: string; state: string } }) {
  const { t } = useTranslation("panel");
  const email = invitation.email;
  return (
    <div className="row">
      {invitation.state === "valid" || invitation.state === "expired" ? (
        <Form method="post" className="inline-form">
          <input type="hidden" name="intent" value="resend" />
          <input type="hidden" name="invitationId" value={invitation.id} />
          <button
            type="submit"
            className="button button-secondary"
            aria-label={t("Resend the invitation to {{email}}", { email })}
          >
            {t("Resend")}
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
            aria-label={t("Revoke the invitation to {{email}}", { email })}
          >
            {t("Revoke")}
          </button>
        </Form>
      ) : null}
    </div>
  );
}
