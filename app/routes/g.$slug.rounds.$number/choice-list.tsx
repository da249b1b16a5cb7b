import { useTranslation } from "react-i18next";
import { msg } from "~/i18n";

type Choices = { itemId: string; choices: { name: string; choice: string }[] }[];

/** A ballot's choice as the list names it; a rating stays its number. */
const CHOICE = new Map([
  ["agree", msg("agree")],
  ["disagree", msg("disagree")],
  ["abstain", msg("abstain")],
  ["unable", msg("unable to score")],
]);

/** Who chose what on an item: only ever sent for named guidelines, to their secretaries. */
export function ChoiceList({ choices, itemId }: { choices: Choices | null; itemId: string }) {
  const { t } = useTranslation("rounds");
  const list = choices?.find((c) => c.itemId === itemId)?.choices;
  if (!choices) return null;
  return (
    <details className="choices">
      <summary>{t("Who chose what (named guideline)")}</summary>
      {list?.length ? (
        <ul>
          {list.map((c, i) => (
            <li key={i}>
              {t("{{name}}: {{choice}}", { name: c.name, choice: CHOICE.has(c.choice) ? t(CHOICE.get(c.choice)!) : c.choice })}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t("No ballots.")}</p>
      )}
    </details>
  );
}
