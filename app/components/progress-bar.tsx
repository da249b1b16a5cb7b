import { useId } from "react";
import { shareOf } from "./vote-bar";

export { barStyles } from "./vote-bar";

/**
 * A labelled <progress> (a progressbar with its value for assistive technology) with the
 * numbers as visible text, e.g. "Responded — 23 of 31 (74.2%)".
 */
export function ProgressBar({ value, max, label, unit }: { value: number; max: number; label: string; unit?: string }) {
  const id = useId();
  const text = `${value} of ${max}${unit ? ` ${unit}` : ""} (${shareOf(value, max)}%)`;
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
