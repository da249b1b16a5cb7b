import { useId } from "react";
import { shareOf } from "./vote-bar";

export { barStyles } from "./vote-bar";

/**
 * A labelled <progress> (a progressbar with its value for assistive technology) with the
 * numbers as visible text, e.g. "Responded — 23 of 31 (74.2%)".
 */
export function ProgressBar({
  value,
  max,
  label,
  unit,
  after = "",
}: {
  value: number;
  max: number;
  label: string;
  /** What is counted, singular: "member" ("of 1 member", "of 3 members"). */
  unit?: string;
  /** Words after the count: "responded". */
  after?: string;
}) {
  const id = useId();
  const counted = unit ? ` ${unit}${max === 1 ? "" : "s"}` : "";
  const text = `${value} of ${max}${counted}${after ? ` ${after}` : ""} (${shareOf(value, max)}%)`;
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
