import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { ANONYMITY } from "~/consensus/anonymity";
import { Field, FormErrors } from "~/components/form";
import {
  describeDenominator,
  fieldsFromRule,
  parseRuleFields,
  previewRule,
  ruleCandidate,
  ruleFieldsFromValues,
  ruleFieldsShape,
  RuleFieldset,
  type RuleFieldName,
} from "~/components/rule-form";
import { Time } from "~/components/time";
import { RuleSchema } from "~/consensus/rule";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { settingsFor, updateSettings } from "~/server/guidelines.server";
import { requireMember } from "~/server/permissions.server";
import styles from "~/styles/settings.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Settings · Delphi consensus" }];

const RULE_FIELD_NAMES = Object.keys(ruleFieldsShape) as RuleFieldName[];

const SettingsFields = z.object({
  title: z.string({ error: "Enter a title" }).trim().min(1, "Enter a title").max(200, "A title has at most 200 characters"),
  description: z.string().trim().max(5000, "A description has at most 5000 characters").default(""),
  language: z
    .string()
    .trim()
    .max(35, "A language tag has at most 35 characters")
    .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/, "Use a language tag such as en, fr or pt-BR")
    .default("en"),
  anonymity: z.enum(ANONYMITY, { error: "Choose anonymous or named" }),
  showRunningCounts: z.boolean().default(false),
  ...ruleFieldsShape,
});

const SettingsSchema = SettingsFields.superRefine(
  (value, ctx) => {
    const parsed = parseRuleFields(value);
    if (parsed.success) return;
    for (const issue of parsed.issues) ctx.addIssue({ code: "custom", path: [issue.field], message: issue.message });
  },
  // Check the rule as a whole only once its own fields have the right types, so every other
  // field error still comes back together with the rule's.
  { when: ({ issues }) => issues.every((issue) => !RULE_FIELD_NAMES.includes(issue.path?.[0] as RuleFieldName)) },
).transform(({ agreement, agreePercent, opposition, disagreePercent, denominator, quorum, ...settings }) => ({
  ...settings,
  rule: RuleSchema.parse(ruleCandidate({ agreement, agreePercent, opposition, disagreePercent, denominator, quorum })),
}));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, "secretary");
  const { settings, lock, panelists, preview } = settingsFor(getDb(), guideline);
  const { rule, ...basics } = settings;
  return {
    settings: { ...basics, ...fieldsFromRule(rule) },
    lock: lock && {
      number: lock.number,
      openedAt: lock.openedAt?.toISOString() ?? null,
      closedAt: lock.closedAt?.toISOString() ?? null,
    },
    panelists,
    preview,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { guideline, user } = await requireMember(request, params.slug, "secretary");
  const submission = parseWithZod(await readForm(request), { schema: SettingsSchema });
  if (submission.status !== "success") return invalid(submission);
  const result = await attempt(submission, () =>
    updateSettings(getDb(), { guidelineId: guideline.id, actorId: user.id, settings: submission.value }),
  );
  if (result instanceof Response) return result;
  return redirect(`/g/${encodeURIComponent(guideline.slug)}/settings?saved=1`);
}

const ANONYMITY_HELP = {
  anonymous:
    "Nobody sees who chose what, nor any count before a round closes; secretaries see who has responded, to remind them.",
  named: "Secretaries can see each panelist's ballots; panelists still never see each other's.",
} as const;

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function LockNotice({ lock }: { lock: NonNullable<LoaderData["lock"]> }) {
  return (
    <p className="notice notice-locked" role="status">
      {lock.openedAt ? (
        <>
          Locked since round {lock.number} opened on <Time value={lock.openedAt} dateOnly />.
        </>
      ) : (
        <>
          Locked since round {lock.number} was imported
          {lock.closedAt ? (
            <>
              {" "}
              (closed on <Time value={lock.closedAt} dateOnly />)
            </>
          ) : null}
          .
        </>
      )}{" "}
      Rounds are voted under this rule and anonymity, so neither can change any more.
    </p>
  );
}

function LockedRule({ data }: { data: LoaderData }) {
  const { settings } = data;
  return (
    <section className="locked-settings" aria-labelledby="locked-heading">
      <h3 id="locked-heading">Adoption rule and anonymity</h3>
      {data.lock ? <LockNotice lock={data.lock} /> : null}
      <dl className="settings-list">
        <dt>Adoption rule</dt>
        <dd>{data.preview}</dd>
        <dt>Percentages are of</dt>
        <dd>{describeDenominator(settings.denominator)}</dd>
        <dt>Anonymity</dt>
        <dd>
          {settings.anonymity === "anonymous" ? "Anonymous" : "Named"} — {ANONYMITY_HELP[settings.anonymity]}
        </dd>
      </dl>
    </section>
  );
}

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const locked = data.lock !== null;
  const [form, fields] = useForm({
    id: "settings",
    lastResult,
    defaultValue: data.settings,
    // The browser's constraints come from the fields alone: conform cannot read them through a transform.
    constraint: getZodConstraint(SettingsFields),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SettingsSchema }),
  });
  const submitted = lastResult && "initialValue" in lastResult ? lastResult.initialValue : null;
  const [preview, setPreview] = useState(() =>
    submitted ? previewRule(ruleFieldsFromValues(submitted), data.panelists) : data.preview,
  );
  const updatePreview = (event: FormEvent<HTMLFormElement>) => {
    if (!locked)
      setPreview(previewRule(ruleFieldsFromValues(Object.fromEntries(new FormData(event.currentTarget))), data.panelists));
  };

  /** Running counts exist only in named guidelines; an anonymous one says why it has none. */
  const runningCounts =
    data.settings.anonymity === "named" ? (
      <div className="field checkbox-field">
        <label>
          <input {...getInputProps(fields.showRunningCounts, { type: "checkbox" })} />
          Secretaries see running counts while a round is open
        </label>
        <p className="muted field-help">
          The totals and, this guideline being named, who chose what — for secretaries only. Observers and panelists see nothing
          until the round closes. Off keeps the secretaries as blind as the panel until then.
        </p>
      </div>
    ) : (
      <p className="muted running-counts-note">
        <strong>Running counts:</strong> none while a round is open. In an anonymous guideline nobody — secretaries included —
        sees any count before a round closes: secretaries see who has responded (to remind them), and counts that move as each
        member answers would show what that member chose.
        {locked ? null : " Choose Named and save to decide whether secretaries see running counts."}
      </p>
    );

  return (
    <section className="panel settings" aria-labelledby="settings-heading">
      <div className="row settings-heading">
        <h2 id="settings-heading">Settings</h2>
      </div>
      {searchParams.get("saved") && !lastResult ? (
        <p className="notice" role="status">
          Settings saved.
        </p>
      ) : null}
      <Form method="post" {...getFormProps(form)} onChange={updatePreview}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field id={fields.title.id} label="Title" errorId={fields.title.errorId} errors={fields.title.errors}>
          <input {...getInputProps(fields.title, { type: "text" })} />
        </Field>
        <Field
          id={fields.description.id}
          label="Description"
          errorId={fields.description.errorId}
          errors={fields.description.errors}
        >
          <textarea {...getTextareaProps(fields.description)} rows={4} />
        </Field>
        <Field
          id={fields.language.id}
          label="Language (e.g. en, fr, pt-BR)"
          errorId={fields.language.errorId}
          errors={fields.language.errors}
        >
          <input {...getInputProps(fields.language, { type: "text" })} autoComplete="off" />
        </Field>
        {locked ? (
          <>
            {(["anonymity", ...RULE_FIELD_NAMES] as const).map((name) => (
              <input key={name} type="hidden" name={name} value={String(data.settings[name] ?? "")} />
            ))}
            <LockedRule data={data} />
            {runningCounts}
          </>
        ) : (
          <>
            <fieldset
              className="choices"
              aria-describedby={fields.anonymity.errors?.length ? fields.anonymity.errorId : undefined}
            >
              <legend>Anonymity</legend>
              {ANONYMITY.map((anonymity) => (
                <label key={anonymity} className="choice">
                  <input
                    type="radio"
                    name={fields.anonymity.name}
                    value={anonymity}
                    defaultChecked={fields.anonymity.initialValue === anonymity}
                  />
                  <span>
                    <strong>{anonymity === "anonymous" ? "Anonymous" : "Named"}</strong>
                    <span className="muted"> — {ANONYMITY_HELP[anonymity]}</span>
                  </span>
                </label>
              ))}
              {fields.anonymity.errors?.length ? (
                <p className="field-error" id={fields.anonymity.errorId}>
                  {fields.anonymity.errors.join(" ")}
                </p>
              ) : null}
            </fieldset>
            {runningCounts}
            <RuleFieldset fields={fields} />
            <section className="rule-preview" aria-labelledby="preview-heading">
              <h3 id="preview-heading">The rule in plain language</h3>
              <p aria-live="polite" id="rule-preview">
                {preview}
              </p>
              <p className="muted">
                Computed for the current panel of {data.panelists} panelist{data.panelists === 1 ? "" : "s"}. The rule and
                anonymity lock when round 1 opens.
              </p>
            </section>
          </>
        )}
        <button type="submit" className="button">
          Save settings
        </button>
      </Form>
    </section>
  );
}
