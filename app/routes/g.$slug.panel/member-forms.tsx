import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { Form, Link } from "@remix-run/react";
import { FormErrors } from "~/components/form";
import { MemberFields } from "./member-fields";
import { EditSchema } from "./schemas";
import { ForScreenReaders, panelHref, resultFor, RowErrors, type PanelData, type PanelPerson, type Result } from "./shared";

type Joined = PanelPerson & { membershipId: string };

/** When a change to the panel counts: a round fixes its panel when it opens. */
function fromNextRound(openRound: number | null): string {
  return openRound === null
    ? "A new role, discipline or group applies from the next round that opens."
    : `Round ${openRound} keeps the panel it opened with: a new role, discipline or group applies from the next round that opens.`;
}

/** A member's role, discipline, affiliation and stakeholder group (`?edit=<membership>`). */
export function EditMemberForm({ person, data, result }: { person: Joined; data: PanelData; result: Result }) {
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
        <legend>Change {name}</legend>
        <input type="hidden" name="intent" value="edit" />
        <input type="hidden" name="membershipId" value={person.membershipId} />
        <FormErrors id={form.errorId} errors={form.errors} />
        <p className="muted" id={helpId}>
          {fromNextRound(data.openRound)}
          {data.openRound !== null && person.role === "panelist"
            ? ` If ${name} stops being a panelist, the ballots they cast in round ${data.openRound} still count, but they can no longer change them.`
            : ""}
        </p>
        <div className="person-form-fields">
          <MemberFields fields={fields} groupPlaceholder={person.discipline ?? "e.g. Patients"} />
        </div>
        <div className="row">
          <button type="submit" className="button">
            Save<ForScreenReaders> the changes to {name}</ForScreenReaders>
          </button>
          <Link to={panelHref(data)} className="button button-secondary">
            Cancel
          </Link>
        </div>
      </fieldset>
    </Form>
  );
}

/** The removal's confirmation step (`?remove=<membership>`): nothing is removed before it. */
export function RemoveConfirmation({ person, data, result }: { person: Joined; data: PanelData; result: Result }) {
  const name = person.name ?? person.email;
  const whatCounts =
    data.openRound === null
      ? "Their past ballots still count."
      : `Their past ballots still count, and so do those they cast in round ${data.openRound}, which is open.`;
  return (
    <Form method="post" className="person-form remove-confirm">
      <input type="hidden" name="intent" value="remove" />
      <input type="hidden" name="membershipId" value={person.membershipId} />
      <p>
        <strong>Remove {name}?</strong> {whatCounts} They will no longer see this guideline; you can invite them again later.
      </p>
      <div className="row">
        <button type="submit" name="confirm" value="on" className="button button-danger">
          Remove {name}
        </button>
        <Link to={panelHref(data)} className="button button-secondary">
          Cancel
        </Link>
      </div>
      <RowErrors result={resultFor(result, "remove", { membershipId: person.membershipId })} />
    </Form>
  );
}
