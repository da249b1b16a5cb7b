type Choices = { itemId: string; choices: { name: string; choice: string }[] }[];

/** Who chose what on an item: only ever sent for named guidelines, to their secretaries. */
export function ChoiceList({ choices, itemId }: { choices: Choices | null; itemId: string }) {
  const list = choices?.find((c) => c.itemId === itemId)?.choices;
  if (!choices) return null;
  return (
    <details className="choices">
      <summary>Who chose what (named guideline)</summary>
      {list?.length ? (
        <ul>
          {list.map((c, i) => (
            <li key={i}>
              {c.name}: {c.choice === "unable" ? "unable to score" : c.choice}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No ballots.</p>
      )}
    </details>
  );
}
