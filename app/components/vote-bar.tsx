import type { LinkDescriptor } from "@remix-run/node";
import { useTranslation } from "react-i18next";
import { counted } from "~/consensus/rule";
import { msg } from "~/i18n";
import styles from "~/styles/bars.css";

/** Link it from any route that shows a VoteBar or a ProgressBar. */
export const barStyles: LinkDescriptor = { rel: "stylesheet", href: styles };

/** count / total as a percentage rounded half up to one decimal (integers only), 0 when total is 0. */
export function shareOf(count: number, total: number): number {
  if (total <= 0) return 0;
  return Math.floor((2000 * count + total) / (2 * total)) / 10;
}

type Segment = "agree" | "disagree" | "abstain" | "noResponse";

/** What shares are of, as an adoption rule's `denominator` says. */
export type ShareBase = "participants" | "panel" | "decisive";

/** The answers each base counts: no response only in the eligible panel, abstentions not among those taking a side. */
const IN_BASE: Record<ShareBase, readonly Segment[]> = {
  participants: ["agree", "disagree", "abstain"],
  panel: ["agree", "disagree", "abstain", "noResponse"],
  decisive: ["agree", "disagree"],
};

const LABELS: Record<Segment, string> = {
  agree: msg("Agree"),
  disagree: msg("Disagree"),
  abstain: msg("Abstain"),
  noResponse: msg("No response"),
};

/**
 * How a statement's votes are spread: a coloured bar for the eye and, beside it, the counts and
 * shares as text (the bar itself is hidden from screen readers, the text says everything). Every
 * share names what it is of — the rule's denominator (`base`), so that the bar and the verdict
 * beside it never give the same count two percentages; answers outside it show their count only.
 * Leave `noResponse` out where not answering is not part of the picture.
 */
export function VoteBar({
  agree,
  disagree,
  abstain,
  noResponse,
  label,
  labels,
  base = "participants",
}: {
  agree: number;
  disagree: number;
  abstain: number;
  noResponse?: number;
  /** What the bar is about, e.g. "Votes on statement 3", in the page's language. */
  label: string;
  /** Names replacing the answers' own, in the page's language. */
  labels?: Partial<Record<Segment, string>>;
  base?: ShareBase;
}) {
  const counts: [Segment, number][] = [
    ["agree", agree],
    ["disagree", disagree],
    ["abstain", abstain],
  ];
  if (noResponse !== undefined) counts.push(["noResponse", noResponse]);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  // Without the non-responders the eligible panel is unknown: shares of the participants then.
  const shareBase = base === "panel" && noResponse === undefined ? "participants" : base;
  const inBase = new Set(IN_BASE[shareBase]);
  const of = counts.filter(([segment]) => inBase.has(segment)).reduce((sum, [, n]) => sum + n, 0);
  const { t } = useTranslation();
  const name = (segment: Segment) => labels?.[segment] ?? t(LABELS[segment]);
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
              <span>
                {t("{{answer}}: ", { answer: name(segment) })}
                <strong>{n}</strong>
                {inBase.has(segment) && of > 0 ? (
                  <span className="muted">
                    {t(" ({{share}}% of {{base}})", { share: shareOf(n, of), base: counted(shareBase, of, t) })}
                  </span>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
