import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getDb } from "@db/client.server";
import type { Anonymity } from "~/consensus/anonymity";
import { FormErrors } from "~/components/form";
import { ANONYMITY_HELP, ANONYMITY_LABEL, AnonymityChoice, GuidelineFieldInputs } from "~/components/guideline-fields";
import {
  applyPreset,
  BLANK_RULE_FORM,
  describeDenominator,
  parseRuleForm,
  presetOf,
  PresetButtons,
  previewRule,
  previewScale,
  RULE_FORM_FIELDS,
  ruleFormShape,
  ruleFormValues,
  RuleFieldset,
  ScaleFieldset,
  type Preset,
  type PresetId,
  type RuleFormValues,
} from "~/components/rule-form";
import { Time } from "~/components/time";
import { slot, withElements } from "~/components/translations";
import { msg, namespaces } from "~/i18n";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { AnonymitySchema, GuidelineFieldsSchema } from "~/server/guideline-form";
import { settingsFor, settingsLock, updateSettings } from "~/server/guidelines.server";
import { tr } from "~/server/i18n.server";
import { requireMember } from "~/server/permissions.server";
import styles from "~/styles/settings.css";

export const handle = namespaces("settings", "rules");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Settings · Delphi consensus" }];

const isRuleFormField = (name: unknown) => (RULE_FORM_FIELDS as readonly unknown[]).includes(name);

const SettingsFields = GuidelineFieldsSchema.extend({
  anonymity: AnonymitySchema,
  showRunningCounts: z.boolean().default(false),
  ...ruleFormShape,
});

const SettingsSchema = SettingsFields.superRefine(
  (value, ctx) => {
    const parsed = parseRuleForm(value);
    if (parsed.success) return;
    for (const issue of parsed.issues) ctx.addIssue({ code: "custom", path: [issue.field], message: issue.message });
  },
  // The scale and the rule are read once their fields are strings (they always are from a
  // browser), so their errors come back together with every other field's.
  { when: ({ issues }) => issues.every((issue) => !isRuleFormField(issue.path?.[0])) },
).transform(
  ({ title, description, language, translations, registration, source, anonymity, showRunningCounts, ...ruleForm }, ctx) => {
    const parsed = parseRuleForm(ruleForm);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: msg("The scale and the rule were not checked.") });
      return z.NEVER;
    }
    const fields = { title, description, language, translations, registration, source };
    return { ...fields, anonymity, showRunningCounts, scale: parsed.scale, rule: parsed.rule };
  },
);

/** The settings form's values: the guideline's basics and the scale and rule as strings. */
type SettingsValues = {
  title?: string;
  description?: string;
  language?: string;
  translations?: string;
  registration?: string | null;
  source?: string | null;
  anonymity?: Anonymity;
  showRunningCounts?: boolean | string;
} & RuleFormValues;

/** What the form echoes back when a preset is chosen: every field it knows, and no other. */
const ECHOED = [
  "title",
  "description",
  "language",
  "translations",
  "registration",
  "source",
  "anonymity",
  "showRunningCounts",
  ...RULE_FORM_FIELDS,
];

function submittedValues(formData: FormData): Record<string, string> {
  return Object.fromEntries(
    ECHOED.flatMap((name) => {
      const value = formData.get(name);
      return typeof value === "string" ? [[name, value]] : [];
    }),
  );
}

type Filled = { preset: PresetId; values: SettingsValues };
type ActionData = SubmissionResult<string[]> | Filled;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, "secretary");
  const { settings, lock, panelists, preview, scalePreview } = settingsFor(getDb(), guideline);
  const { rule, scale, translations, ...basics } = settings;
  const values: SettingsValues = {
    ...basics,
    translations: translations.join(", "),
    ...BLANK_RULE_FORM,
    ...ruleFormValues(rule, scale),
  };
  return {
    title: `${tr("Settings", {}, "settings")} · ${tr("Delphi consensus", {}, "settings")}`,
    settings: values,
    /** What the saved rule's percentages are of (RAND/UCLA has none). */
    denominator: rule.family === "rand-ucla" ? null : rule.denominator,
    lock: lock && {
      number: lock.number,
      openedAt: lock.openedAt?.toISOString() ?? null,
      closedAt: lock.closedAt?.toISOString() ?? null,
    },
    panelists,
    preview,
    scalePreview,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { guideline, user } = await requireMember(request, params.slug, "secretary");
  const formData = await readForm(request);
  if (formData.has("preset")) {
    // A preset button fills the form in and saves nothing: the page comes back with it, to check and save.
    const preset = presetOf(formData.get("preset"));
    const locked = settingsLock(getDb(), guideline.id);
    if (!preset || locked) {
      const submission = parseWithZod(formData, { schema: z.object({}) });
      const message = locked ?? tr("Choose one of the presets on the page.", {}, "settings");
      return Response.json(submission.reply({ formErrors: [message] }), { status: locked ? 409 : 400 });
    }
    return Response.json({ preset: preset.id, values: applyPreset(submittedValues(formData), preset) } satisfies Filled);
  }
  const submission = parseWithZod(formData, { schema: SettingsSchema });
  if (submission.status !== "success") return invalid(submission);
  const result = await attempt(submission, () =>
    updateSettings(getDb(), { guidelineId: guideline.id, actorId: user.id, settings: submission.value }),
  );
  if (result instanceof Response) return result;
  return redirect(`/g/${encodeURIComponent(guideline.slug)}/settings?saved=1`);
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function LockNotice({ lock }: { lock: NonNullable<LoaderData["lock"]> }) {
  const { t } = useTranslation("settings");
  const number = lock.number;
  return (
    <p className="notice notice-locked" role="status">
      {lock.openedAt
        ? withElements(t("Locked since round {{number}} opened on {{date}}.", { number, date: slot("date") }), {
            date: <Time value={lock.openedAt} dateOnly />,
          })
        : lock.closedAt
          ? withElements(t("Locked since round {{number}} was imported (closed on {{date}}).", { number, date: slot("date") }), {
              date: <Time value={lock.closedAt} dateOnly />,
            })
          : t("Locked since round {{number}} was imported.", { number })}{" "}
      {t("Rounds are voted on this scale, under this rule and anonymity, so none of them can change any more.")}
    </p>
  );
}

function LockedRule({ data }: { data: LoaderData }) {
  const { settings } = data;
  const anonymity = settings.anonymity ?? "anonymous";
  const { t } = useTranslation(["settings", "rules"]);
  return (
    <section className="locked-settings" aria-labelledby="locked-heading">
      <h3 id="locked-heading">{t("Ballot scale, adoption rule and anonymity")}</h3>
      {data.lock ? <LockNotice lock={data.lock} /> : null}
      <dl className="settings-list">
        <dt>{t("Ballot scale")}</dt>
        <dd>{data.scalePreview}</dd>
        <dt>{t("Adoption rule")}</dt>
        <dd>{data.preview}</dd>
        {data.denominator ? (
          <>
            <dt>{t("Percentages are of")}</dt>
            <dd>{describeDenominator(data.denominator, t)}</dd>
          </>
        ) : null}
        <dt>{t("Anonymity")}</dt>
        <dd>
          {t(ANONYMITY_LABEL[anonymity])} — {t(ANONYMITY_HELP[anonymity])}
        </dd>
      </dl>
    </section>
  );
}

/** The form's own values, as the browser would submit them now. */
function currentValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) if (typeof value === "string" && name !== "preset") values[name] = value;
  return values;
}

type SettingsFormProps = {
  data: LoaderData;
  lastResult: SubmissionResult<string[]> | undefined;
  filled: Filled | null;
  /** A preset was just filled in here, in the browser: its notice takes the focus from the button. */
  focusNotice: boolean;
  onPreset: (preset: Preset, form: HTMLFormElement) => void;
};

function SettingsForm({ data, lastResult, filled, focusNotice, onPreset }: SettingsFormProps) {
  const { t } = useTranslation(["settings", "rules"]);
  const locked = data.lock !== null;
  const defaultValue = filled?.values ?? data.settings;
  const [form, fields] = useForm<SettingsValues & { agreeBand?: string; opposeBand?: string }, z.output<typeof SettingsSchema>>({
    id: "settings",
    lastResult,
    defaultValue,
    // The browser's constraints come from the fields alone: conform cannot read them through a transform.
    constraint: getZodConstraint(SettingsFields),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SettingsSchema }),
  });
  const [preview, setPreview] = useState(() => {
    const values = { ...defaultValue, ...lastResult?.initialValue };
    return { rule: previewRule(values, data.panelists, t), scale: previewScale(values, t) };
  });
  const updatePreview = (event: FormEvent<HTMLFormElement>) => {
    if (locked) return;
    const values = currentValues(event.currentTarget);
    setPreview({ rule: previewRule(values, data.panelists, t), scale: previewScale(values, t) });
  };
  const notice = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (focusNotice) notice.current?.focus();
  }, [focusNotice]);
  const preset = filled ? presetOf(filled.preset) : undefined;

  /** Running counts exist only in named guidelines; an anonymous one says why it has none. */
  const runningCounts =
    data.settings.anonymity === "named" ? (
      <div className="field checkbox-field">
        <label>
          <input {...getInputProps(fields.showRunningCounts, { type: "checkbox" })} />
          {t("Secretaries see running counts while a round is open")}
        </label>
        <p className="muted field-help">
          {t(
            "The totals and, this guideline being named, who chose what — for secretaries only. Observers and panelists see nothing until the round closes. Off keeps the secretaries as blind as the panel until then.",
          )}
        </p>
      </div>
    ) : (
      <p className="muted running-counts-note">
        <strong>{t("Running counts:")}</strong>{" "}
        {t(
          "none while a round is open. In an anonymous guideline nobody — secretaries included — sees any count before a round closes: secretaries see who has responded (to remind them), and counts that move as each member answers would show what that member chose.",
        )}
        {locked ? null : ` ${t("Choose Named and save to decide whether secretaries see running counts.")}`}
      </p>
    );

  return (
    <Form method="post" {...getFormProps(form)} onChange={updatePreview}>
      {locked ? null : (
        // Enter in a text field submits with the form's first submit button: saving, not a preset.
        <button type="submit" className="default-submit" tabIndex={-1} aria-hidden="true">
          {t("Save settings")}
        </button>
      )}
      {preset ? (
        <p className="notice notice-unsaved" role="status" tabIndex={-1} ref={notice}>
          <strong>{t("Not saved yet:")}</strong>{" "}
          {t("the ballot scale and the adoption rule are filled in from “{{preset}}”. Check them, then press Save settings.", {
            preset: t(preset.label),
          })}
        </p>
      ) : null}
      <FormErrors id={form.errorId} errors={form.errors} />
      <GuidelineFieldInputs fields={fields} />
      {locked ? (
        <>
          {(["anonymity", ...RULE_FORM_FIELDS] as const).map((name) => {
            const value = data.settings[name];
            return typeof value === "string" ? <input key={name} type="hidden" name={name} value={value} /> : null;
          })}
          <LockedRule data={data} />
          {runningCounts}
        </>
      ) : (
        <>
          <AnonymityChoice field={fields.anonymity} />
          {runningCounts}
          <PresetButtons onPreset={onPreset} />
          <ScaleFieldset fields={fields} />
          <RuleFieldset fields={fields} />
          <section className="rule-preview" aria-labelledby="preview-heading">
            <h3 id="preview-heading">{t("The rule in plain language")}</h3>
            <p aria-live="polite" id="rule-preview">
              {preview.rule}
            </p>
            {preview.scale ? <p id="scale-preview">{t("Ballots: {{scale}}", { scale: preview.scale })}</p> : null}
            <p className="muted">
              {t("Computed for the current panel of {{count}} panelists.", { count: data.panelists })}
              {preset ? ` ${t("Not saved yet.")}` : ""} {t("The ballot scale, the rule and anonymity lock when round 1 opens.")}
            </p>
          </section>
        </>
      )}
      <button type="submit" className="button">
        {t("Save settings")}
      </button>
    </Form>
  );
}

type Chosen = { basis: LoaderData; after: ActionData | undefined; filled: Filled; n: number };

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const [searchParams] = useSearchParams();
  const { t } = useTranslation("settings");
  // A preset filled in by the browser belongs to the settings it was filled into (a save starts afresh).
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const local = chosen && chosen.basis === data ? chosen : null;
  // What the server answered since then: a preset (without JavaScript), or a refused save.
  const answer = local && local.after === actionData ? undefined : actionData;
  const fromServer = answer && "preset" in answer ? answer : null;
  const lastResult = answer && !("preset" in answer) ? answer : undefined;
  const filled = fromServer ?? local?.filled ?? null;
  const key = fromServer ? `server-${fromServer.preset}` : local ? `browser-${local.n}` : "saved";
  const choosePreset = (preset: Preset, form: HTMLFormElement) => {
    const values = applyPreset(currentValues(form), preset);
    setChosen((previous) => ({
      basis: data,
      after: actionData,
      filled: { preset: preset.id, values },
      n: (previous?.n ?? 0) + 1,
    }));
  };

  return (
    <section className="panel settings" aria-labelledby="settings-heading">
      <div className="row settings-heading">
        <h2 id="settings-heading">{t("Settings")}</h2>
      </div>
      {searchParams.get("saved") && !actionData && !local ? (
        <p className="notice" role="status">
          {t("Settings saved.")}
        </p>
      ) : null}
      <SettingsForm
        key={key}
        data={data}
        lastResult={lastResult}
        filled={filled}
        focusNotice={key.startsWith("browser-")}
        onPreset={choosePreset}
      />
    </section>
  );
}
