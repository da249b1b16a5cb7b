import { Link } from "@remix-run/react";
import { Distribution, GroupResults, VerdictFacts } from "~/components/distribution";
import { stableBelowOf } from "~/consensus/rule";
import { ChoiceList } from "./choice-list";
import { IntentForm, StatementText } from "./forms";
import { ReminderHistory } from "./reminders";
import type { Closed, Reminders } from "./types";

function CarryOver({ carryOver, number }: { carryOver: Closed["carryOver"]; number: number }) {
  if (carryOver.statements === 0) return null;
  const n = carryOver.statements;
  return (
    <section className="panel" aria-labelledby="carry-title">
      <h3 id="carry-title">Not adopted: vote again</h3>
      {carryOver.blockedBy ? (
        <p className="notice">
          {n} statement{n === 1 ? " was" : "s were"} not adopted. Round {carryOver.blockedBy.number} is{" "}
          {carryOver.blockedBy.status}: {carryOver.blockedBy.status === "draft" ? "add them to it, or delete it" : "close it"}{" "}
          before carrying them into a new round.
        </p>
      ) : (
        <IntentForm intent="carry-over" className="stack">
          <p>
            Starts draft round {carryOver.nextNumber} with the {n} statement{n === 1 ? "" : "s"} round {number} did not adopt,
            each as a new revision for you to re-word before the round opens.
          </p>
          <p>
            <button type="submit" className="button">
              Carry {n} not-adopted statement{n === 1 ? "" : "s"} into round {carryOver.nextNumber}
            </button>
          </p>
        </IntentForm>
      )}
    </section>
  );
}

type Result = Closed["results"]["items"][number];
type Stability = NonNullable<Result["stability"]>;

/** A change with its sign: "+3.2", "−1.5", "0"; null when there was nothing to compare. */
function signed(change: number | null): string {
  if (change === null) return "not comparable";
  if (change === 0) return "0";
  return change > 0 ? `+${change}` : `−${-change}`;
}

const roundsWord = (numbers: number[]) =>
  numbers.length === 1 ? `round ${numbers[0]}` : `rounds ${numbers.slice(0, -1).join(", ")} and ${numbers.at(-1)}`;

/** How far a statement moved since the previous round that voted on it (DESIGN §3.4). */
function StabilityLine({
  stability,
  rating,
  stableBelow,
}: {
  stability: Stability | null;
  rating: boolean;
  stableBelow: number;
}) {
  if (!stability) {
    return <p className="stability muted">Stability: first voted in this round, nothing to compare with.</p>;
  }
  const changes = [`agreement share ${signed(stability.shareChange)} points`];
  if (rating) changes.push(`median ${signed(stability.medianChange)}`, `IQR ${signed(stability.iqrChange)}`);
  return (
    <p className="stability">
      Since round {stability.previousRound}: {changes.join(", ")} —{" "}
      <span className={stability.stable ? "stability-stable" : "stability-moving"}>
        {stability.stable ? "stable" : "not stable"}
      </span>{" "}
      <span className="muted">(stable when the share moves less than {stableBelow} points)</span>
    </p>
  );
}

/** The suggestion to stop: only when every statement of the round was voted before and is stable. */
function StabilitySummary({ items, stableBelow }: { items: Result[]; stableBelow: number }) {
  const compared = items.filter((i) => i.stability !== null);
  if (compared.length === 0) return null;
  const since = roundsWord([...new Set(compared.map((i) => i.stability!.previousRound))].sort((a, b) => a - b));
  if (compared.length === items.length && compared.every((i) => i.stability!.stable)) {
    return (
      <p className="notice stability-summary" role="status">
        Every statement is stable (moved less than {stableBelow} points since {since}): you may stop here and publish.
      </p>
    );
  }
  const stable = compared.filter((i) => i.stability!.stable).length;
  return (
    <p className="stability-summary">
      {stable} of {items.length} statement{items.length === 1 ? "" : "s"} stable since {since} (moved less than {stableBelow}{" "}
      points){compared.length < items.length ? `; ${items.length - compared.length} voted for the first time` : ""}.
    </p>
  );
}

export function ClosedRound({
  round,
  reminders,
  canManage,
  slug,
}: {
  round: Closed;
  reminders: Reminders;
  canManage: boolean;
  slug: string;
}) {
  const { items, rule, scale, groupNote: note } = round.results;
  const adopted = items.filter((r) => r.verdict.adopted).length;
  const stableBelow = stableBelowOf(rule);
  const rating = scale.kind === "rating";
  return (
    <>
      <section className="panel">
        <h3>Results</h3>
        <p>
          <strong>
            {adopted} of {items.length} statements adopted.
          </strong>{" "}
          Rule: {round.rule}
        </p>
        {canManage ? <StabilitySummary items={items} stableBelow={stableBelow} /> : null}
        {canManage ? (
          <p>
            <Link to={`/g/${slug}/publish`}>Preview and publish the next version</Link>
          </p>
        ) : null}
      </section>
      <ol className="card-list round-items">
        {items.map((item) => (
          <li key={item.itemId} className="card result">
            <h3 className="result-heading">
              Statement {item.number}{" "}
              <span className={item.verdict.adopted ? "badge verdict-adopted" : "badge verdict-not-adopted"}>
                {item.verdict.adopted ? "Adopted" : "Not adopted"}
              </span>
            </h3>
            <StatementText item={item} />
            <Distribution
              tally={item.tally}
              scale={scale}
              verdict={item.verdict}
              rule={rule}
              label={`${rating ? "Ratings" : "Votes"} on statement ${item.number}`}
              noResponse={item.noResponse}
            />
            <p className="explanation">{item.explanation}</p>
            <VerdictFacts verdict={item.verdict} rule={rule} />
            <GroupResults
              groups={item.shownGroups}
              results={item.verdict.groupResults}
              rule={rule}
              caption={`Statement ${item.number} by stakeholder group`}
              note={note}
            />
            {canManage ? <StabilityLine stability={item.stability} rating={rating} stableBelow={stableBelow} /> : null}
            {item.comments.length > 0 ? (
              <details className="comments">
                <summary>
                  {item.comments.length} anonymous comment{item.comments.length === 1 ? "" : "s"}
                </summary>
                <ul>
                  {item.comments.map((comment, i) => (
                    <li key={i}>{comment}</li>
                  ))}
                </ul>
              </details>
            ) : null}
            <ChoiceList choices={round.choices} itemId={item.itemId} />
          </li>
        ))}
      </ol>
      {reminders.history.length > 0 ? (
        <section className="panel" aria-labelledby="reminders-title">
          <h3 id="reminders-title">Reminders</h3>
          <ReminderHistory history={reminders.history} />
        </section>
      ) : null}
      {canManage ? <CarryOver carryOver={round.carryOver} number={round.number} /> : null}
    </>
  );
}
