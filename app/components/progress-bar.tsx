import { useId } from "react";
import { useTranslation } from "react-i18next";
import type { Translate } from "~/i18n";
import { shareOf } from "./vote-bar";

export { barStyles } from "./vote-bar";

/** What a progress bar counts. */
export type ProgressUnit = "member" | "panelist";

/** "23 of 31 members (74.2%)", "5 of 6 members responded (83.3%)", "23 of 31 (74.2%)". */
function progressText(t: Translate, value: number, max: number, share: number, unit?: ProgressUnit, after?: "responded"): string {
  if (unit === "member") {
    return after === "responded"
      ? t("{{value}} of {{count}} members responded ({{share}}%)", { value, count: max, share })
      : t("{{value}} of {{count}} members ({{share}}%)", { value, count: max, share });
  }
  if (unit === "panelist") {
    return after === "responded"
      ? t("{{value}} of {{count}} panelists responded ({{share}}%)", { value, count: max, share })
      : t("{{value}} of {{count}} panelists ({{share}}%)", { value, count: max, share });
  }
  return after === "responded"
    ? t("{{value}} of {{max}} responded ({{share}}%)", { value, max, share })
    : t("{{value}} of {{max}} ({{share}}%)", { value, max, share });
}

/**
 * A labelled <progress> (a progressbar with its value for assistive technology) with the
 * numbers as visible text, e.g. "Responded — 23 of 31 (74.2%)".
 */
export function ProgressBar({
  value,
  max,
  label,
  unit,
  after,
}: {
  value: number;
  max: number;
  /** Already in the page's language. */
  label: string;
  /** What is counted: "member" ("of 1 member", "of 3 members"). */
  unit?: ProgressUnit;
  /** Words after the count: "responded". */
  after?: "responded";
}) {
  const id = useId();
  const { t } = useTranslation();
  const text = progressText(t, value, max, shareOf(value, max), unit, after);
  return (
    <div className="progress">
      <div className="progress-text">
        <span id={`${id}-label`} className="progress-label">
          {label}
        </span>
        <span id={`${id}-value`}>{text}</span>
      </div>
      <progress value={value} max={Math.max(max, 1)} aria-labelledby={`${id}-label`} aria-describedby={`${id}-value`}>
        {text}
      </progress>
    </div>
  );
}
