import type { LinkDescriptor } from "@remix-run/node";
import styles from "~/styles/bars.css";

/** Link it from any route that shows a VoteBar or a ProgressBar. */
export const barStyles: LinkDescriptor = { rel: "stylesheet", href: styles };

/** count / total as a percentage rounded half up to one decimal (integers only), 0 when total is 0. */
export function shareOf(count: number, total: number): number {
  if (total <= 0) return 0;
  return Math.floor((2000 * count + total) / (2 * total)) / 10;
}

type Segment = "agree" | "disagree" | "abstain" | "noResponse";

const LABELS: Record<Segment, string> = {
  agree: "Agree",
  disagree: "Disagree",
  abstain: "Abstain",
  noResponse: "No response",
};

/**
 * How a statement's votes are spread: a coloured bar for the eye and, beside it, the counts and
 * shares as text (the bar itself is hidden from screen readers, the text says everything).
 * Leave `noResponse` out where not answering is not part of the picture.
 */
export function VoteBar({
  agree,
  disagree,
  abstain,
  noResponse,
  label,
  labels,
}: {
  agree: number;
  disagree: number;
  abstain: number;
  noResponse?: number;
  /** What the bar is about, e.g. "Votes on statement 3". */
  label: string;
  labels?: Partial<Record<Segment, string>>;
}) {
  const counts: [Segment, number][] = [
    ["agree", agree],
    ["disagree", disagree],
    ["abstain", abstain],
  ];
  if (noResponse !== undefined) counts.push(["noResponse", noResponse]);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  const name = (segment: Segment) => labels?.[segment] ?? LABELS[segment];
  return (
    <figure className="vote-bar" aria-label={label}>
      <div className="vote-bar-track" aria-hidden="true">
        {counts
          .filter(([, n]) => n > 0)
          .map(([segment, n]) => (
            <span key={segment} className={`vote-bar-segment vote-bar-${segment}`} style={{ width: `${(100 * n) / total}%` }} />
          ))}
      </div>
      <figcaption>
        <ul className="vote-bar-legend">
          {counts.map(([segment, n]) => (
            <li key={segment}>
              <span className={`vote-bar-swatch vote-bar-${segment}`} aria-hidden="true" />
              {name(segment)}: <strong>{n}</strong> <span className="muted">({shareOf(n, total)}%)</span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
