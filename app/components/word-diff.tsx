import type { CSSProperties } from "react";
import { useTranslation } from "react-i18next";
import type { DiffSegment } from "~/consensus/diff";

/** Read by screen readers, never shown: works even on pages that do not link statements.css. */
const visuallyHidden: CSSProperties = {
  position: "absolute",
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
  border: 0,
};

/**
 * A word-level diff, inline (it may sit inside a paragraph). Removed words are struck through and
 * added words underlined, so the changes read without colour and in print; screen readers hear
 * "removed:" and "added:" before them. Colours come from statements.css (`.word-diff`).
 */
export function WordDiff({ segments }: { segments: DiffSegment[] }) {
  const { t } = useTranslation();
  return (
    <span className="word-diff">
      {segments.map((segment, index) =>
        segment.kind === "same" ? (
          <span key={index}>{segment.text}</span>
        ) : segment.kind === "removed" ? (
          <del key={index}>
            <span style={visuallyHidden}>{t("removed: ")}</span>
            {segment.text}
          </del>
        ) : (
          <ins key={index}>
            <span style={visuallyHidden}>{t("added: ")}</span>
            {segment.text}
          </ins>
        ),
      )}
    </span>
  );
}
