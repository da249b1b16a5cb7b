import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { Translate } from "~/i18n";
import { FormErrors } from "~/components/form";
import { MemberFields } from "./member-fields";
import { EditSchema } from "./schemas";
import { ForScreenReaders, panelHref, resultFor, RowErrors, type PanelData, type PanelPerson, type Result } from "./shared";

type Joined = PanelPerson & { membershipId: string };

/** When a change to the panel counts: a round fixes its panel when it opens. */
function fromNextRound(openRound: number | null, t: Translate): string {
  return openRound === null
    ? t("A new role, discipline or group applies from the next round that opens.")
    : t(
        "Round {{number}} keeps the panel it opened with: a new role, discipline or group applies from the next round that opens.",
        {
          number: openRound,
        },
      );
}

/** A member's role, discipline, affiliation and stakeholder group (`?edit=<membership>`). */
export function EditMemberForm({ person, data, result }: { person: Joined; data: PanelData; result: Result }) {
  const { t } = useTranslation("panel");
  const [form, fields] = useForm({
    id: `edit-form-${person.membershipId}`,
    lastResult: resultFor(result, "edit", { membershipId: person.membershipId }),
    defaultValue: {
      role: person.role,
      discipline: person.discipline ?? "",
      affiliation: person.affiliation ?? "",
      group: person.stakeholderGroup ?? "",
    },
    constraint: getZodConstraint(EditSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: EditSchema }),
  });
  const name = person.name ?? person.email;
  const helpId = `${form.id}-help`;
  return (
    <Form method="post" {...getFormProps(form)} className="person-form" aria-describedby={helpId}>
      <fieldset>
        <legend>{t("Change {{name}}", { name })}</legend>
        <input type="hidden" name="intent" value="edit" />
        <input type="hidden" name="membershipId" value={person.membershipId} />
        <FormErrors id={form.errorId} errors={form.errors?.map((error) => t(error))} />
        <p className="muted" id={helpId}>
          {fromNextRound(data.openRound, t)}
          {data.openRound !== null && person.role === "panelist"
            ? ` ${t(
                "If {{name}} stops being a panelist, the ballots they cast in round {{number}} still count, but they can no longer change them.",
                { name, number: data.openRound },
              )}`
            : ""}
        </p>
        <div className="person-form-fields">
          <MemberFields fields={fields} groupPlaceholder={person.discipline ?? t("e.g. Patients")} />
        </div>
        <div className="row">
          <button type="submit" className="button">
            {t("Save")}
            <ForScreenReaders> {t("the changes to {{name}}", { name })}</ForScreenReaders>
          </button>
          <Link to={panelHref(data)} className="button button-secondary">
            {t("Cancel")}
          </Link>
        </div>
      </fieldset>
    </Form>
  );
}

/** The removal's confirmation step (`?remove=<membership>`): nothing is removed before it. */
export function RemoveConfirmation({ person, data, result }: { person: Joined; data: PanelData; result: Result }) {
  const { t } = useTranslation("panel");
  const name = person.name ?? person.email;
  const whatCounts =
    data.openRound === null
      ? t("Their past ballots still count.")
      : t("Their past ballots still count, and so do those they cast in round {{number}}, which is open.", {
          number: data.openRound,
        });
  return (
    <Form method="post" className="person-form remove-confirm">
      <input type="hidden" name="intent" value="remove" />
      <input type="hidden" name="membershipId" value={person.membershipId} />
      <p>
        <strong>{t("Remove {{name}}?", { name })}</strong> {whatCounts}{" "}
        {t("They will no longer see this guideline; you can invite them again later.")}
      </p>
      <div className="row">
        <button type="submit" name="confirm" value="on" className="button button-danger">
          {t("Remove {{name}}", { name })}
        </button>
        <Link to={panelHref(data)} className="button button-secondary">
          {t("Cancel")}
        </Link>
      </div>
      <RowErrors result={resultFor(result, "remove", { membershipId: person.membershipId })} />
    </Form>
  );
}
