import type { FieldMetadata } from "@conform-to/react";
import { getInputProps, getSelectProps } from "@conform-to/react";
import { z } from "zod";
import { Field } from "~/components/form";
import { DENOMINATORS, describeRule, RuleSchema, type Denominator, type Rule } from "~/consensus/rule";

/**
 * The adoption rule as a form: a bound kind and a percentage for agreement and for opposition,
 * the denominator and an optional quorum. Pure helpers turn these fields into a rule checked by
 * RuleSchema (its messages mapped back onto the fields) and a rule back into fields.
 */
export const AGREEMENT_KINDS = ["atLeast", "above"] as const;
export const OPPOSITION_KINDS = ["none", "below", "atMost"] as const;
export type AgreementKind = (typeof AGREEMENT_KINDS)[number];
export type OppositionKind = (typeof OPPOSITION_KINDS)[number];

export type RuleFields = {
  agreement: AgreementKind;
  agreePercent?: number;
  opposition: OppositionKind;
  disagreePercent?: number;
  denominator: Denominator;
  quorum?: number;
};

export type RuleFieldName = keyof RuleFields;

const AGREE_KEY = { atLeast: "agreeAtLeast", above: "agreeAbove" } as const;
const OPPOSE_KEY = { below: "disagreeBelow", atMost: "disagreeAtMost" } as const;

/** Where each RuleSchema key is edited, and how the form calls it in messages. */
const RULE_KEY_FIELD: Record<string, { field: RuleFieldName; label: string }> = {
  agreeAtLeast: { field: "agreePercent", label: "The agreement percentage" },
  agreeAbove: { field: "agreePercent", label: "The agreement percentage" },
  disagreeBelow: { field: "disagreePercent", label: "The opposition percentage" },
  disagreeAtMost: { field: "disagreePercent", label: "The opposition percentage" },
  denominator: { field: "denominator", label: "The denominator" },
  quorum: { field: "quorum", label: "The quorum" },
};

/** Form field types, shared by every form that edits a rule; RuleSchema checks the values. */
export const ruleFieldsShape = {
  agreement: z.enum(AGREEMENT_KINDS, { error: "Choose at least or more than" }),
  agreePercent: z.number({ error: "Enter the agreement percentage as a number" }).optional(),
  opposition: z.enum(OPPOSITION_KINDS, { error: "Choose an opposition bound, or none" }),
  disagreePercent: z.number({ error: "Enter the opposition percentage as a number" }).optional(),
  denominator: z.enum(DENOMINATORS, { error: "Choose what the percentages are of" }),
  quorum: z.number({ error: "Enter the quorum as a number, or leave it empty" }).optional(),
};

export type RuleIssue = { field: RuleFieldName; message: string };

export type RuleFieldsResult = { success: true; rule: Rule } | { success: false; issues: RuleIssue[] };

/** The rule the fields spell, not yet checked. */
export function ruleCandidate(fields: RuleFields): Record<string, unknown> {
  const candidate: Record<string, unknown> = {
    [AGREE_KEY[fields.agreement]]: fields.agreePercent,
    denominator: fields.denominator,
  };
  if (fields.opposition !== "none") candidate[OPPOSE_KEY[fields.opposition]] = fields.disagreePercent;
  if (fields.quorum !== undefined) candidate.quorum = fields.quorum;
  return candidate;
}

export function parseRuleFields(fields: RuleFields): RuleFieldsResult {
  const issues: RuleIssue[] = [];
  if (fields.agreePercent === undefined) {
    issues.push({ field: "agreePercent", message: "Enter the share that must agree, from 0 to 100" });
  }
  if (fields.opposition !== "none" && fields.disagreePercent === undefined) {
    issues.push({ field: "disagreePercent", message: "Enter the opposition percentage, or choose no opposition bound" });
  }
  if (issues.length > 0) return { success: false, issues };

  const parsed = RuleSchema.safeParse(ruleCandidate(fields));
  if (parsed.success) return { success: true, rule: parsed.data };
  return {
    success: false,
    issues: parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      const target = RULE_KEY_FIELD[key] ?? { field: "agreePercent" as const, label: key };
      return { field: target.field, message: issue.message.replace(new RegExp(`^${key}\\b`), target.label) };
    }),
  };
}

export function fieldsFromRule(rule: Rule): RuleFields {
  const fields: RuleFields = {
    agreement: rule.agreeAbove !== undefined ? "above" : "atLeast",
    agreePercent: rule.agreeAbove ?? rule.agreeAtLeast,
    opposition: rule.disagreeAtMost !== undefined ? "atMost" : rule.disagreeBelow !== undefined ? "below" : "none",
    denominator: rule.denominator,
  };
  const disagreePercent = rule.disagreeAtMost ?? rule.disagreeBelow;
  if (disagreePercent !== undefined) fields.disagreePercent = disagreePercent;
  if (rule.quorum != null) fields.quorum = rule.quorum;
  return fields;
}

function oneOf<T extends string>(values: readonly T[], value: unknown, fallback: T): T {
  return values.find((v) => v === value) ?? fallback;
}

function percentInput(value: unknown): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  return Number(value);
}

/** Rule fields as a browser submits them (strings), for the live preview. */
export function ruleFieldsFromValues(values: Record<string, unknown>): RuleFields {
  return {
    agreement: oneOf(AGREEMENT_KINDS, values.agreement, "atLeast"),
    agreePercent: percentInput(values.agreePercent),
    opposition: oneOf(OPPOSITION_KINDS, values.opposition, "none"),
    disagreePercent: percentInput(values.disagreePercent),
    denominator: oneOf(DENOMINATORS, values.denominator, "participants"),
    quorum: percentInput(values.quorum),
  };
}

/** The rule in plain language for n panelists, or what is missing before it means anything. */
export function previewRule(fields: RuleFields, panelists: number): string {
  const parsed = parseRuleFields(fields);
  if (!parsed.success) return `Not a complete rule yet: ${parsed.issues.map((i) => i.message).join("; ")}.`;
  // With no panelist yet there are no thresholds to show, only the rule itself.
  return panelists > 0
    ? describeRule(parsed.rule, panelists)
    : `${describeRule(parsed.rule)} The vote counts it needs appear here once panelists have joined.`;
}

const DENOMINATOR_HELP: Record<Denominator, { label: string; help: string }> = {
  participants: {
    label: "Participants",
    help: "Ballots cast on the statement, abstentions included (the IMT consensus rule).",
  },
  panel: {
    label: "The whole panel",
    help: "Every eligible, non-recused panelist of the round: not responding counts against.",
  },
  decisive: {
    label: "Members taking a side",
    help: "Agree plus disagree only: abstentions are left out.",
  },
};

type Fields = Record<RuleFieldName, FieldMetadata<unknown, Record<string, unknown>, string[]>>;

/** The editable rule: labelled controls with their field errors. */
export function RuleFieldset({ fields }: { fields: Fields }) {
  const denominatorValue = fields.denominator.initialValue ?? "participants";
  return (
    <fieldset className="rule-fieldset">
      <legend>Adoption rule</legend>
      <div className="rule-bound">
        <Field
          id={fields.agreement.id}
          label="Agreement must be"
          errorId={fields.agreement.errorId}
          errors={fields.agreement.errors}
        >
          <select {...getSelectProps(fields.agreement)}>
            <option value="atLeast">at least</option>
            <option value="above">more than</option>
          </select>
        </Field>
        <Field
          id={fields.agreePercent.id}
          label="Agreement percentage (%)"
          errorId={fields.agreePercent.errorId}
          errors={fields.agreePercent.errors}
        >
          <input {...getInputProps(fields.agreePercent, { type: "number" })} step="0.01" min="0" max="100" inputMode="decimal" />
        </Field>
      </div>
      <div className="rule-bound">
        <Field
          id={fields.opposition.id}
          label="Opposition must be"
          errorId={fields.opposition.errorId}
          errors={fields.opposition.errors}
        >
          <select {...getSelectProps(fields.opposition)}>
            <option value="none">no opposition bound</option>
            <option value="below">under</option>
            <option value="atMost">at most</option>
          </select>
        </Field>
        <Field
          id={fields.disagreePercent.id}
          label="Opposition percentage (%)"
          errorId={fields.disagreePercent.errorId}
          errors={fields.disagreePercent.errors}
        >
          <input
            {...getInputProps(fields.disagreePercent, { type: "number" })}
            step="0.01"
            min="0"
            max="100"
            inputMode="decimal"
          />
        </Field>
      </div>
      <fieldset className="choices" aria-describedby={fields.denominator.errors?.length ? fields.denominator.errorId : undefined}>
        <legend>Percentages are of</legend>
        {DENOMINATORS.map((denominator) => (
          <label key={denominator} className="choice">
            <input
              type="radio"
              name={fields.denominator.name}
              value={denominator}
              defaultChecked={denominatorValue === denominator}
            />
            <span>
              <strong>{DENOMINATOR_HELP[denominator].label}</strong>
              <span className="muted"> — {DENOMINATOR_HELP[denominator].help}</span>
            </span>
          </label>
        ))}
        {fields.denominator.errors?.length ? (
          <p className="field-error" id={fields.denominator.errorId}>
            {fields.denominator.errors.join(" ")}
          </p>
        ) : null}
      </fieldset>
      <Field id={fields.quorum.id} label="Quorum (%, optional)" errorId={fields.quorum.errorId} errors={fields.quorum.errors}>
        <input
          {...getInputProps(fields.quorum, { type: "number" })}
          step="0.01"
          min="0"
          max="100"
          inputMode="decimal"
          aria-describedby={[fields.quorum.errors?.length ? fields.quorum.errorId : null, `${fields.quorum.id}-help`]
            .filter(Boolean)
            .join(" ")}
        />
      </Field>
      <p className="muted field-help" id={`${fields.quorum.id}-help`}>
        The share of the eligible panel that must vote on a statement; below it there is no verdict.
      </p>
    </fieldset>
  );
}

export function describeDenominator(denominator: Denominator): string {
  return `${DENOMINATOR_HELP[denominator].label}: ${DENOMINATOR_HELP[denominator].help}`;
}
