import { Link } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Distribution, GroupResults, VerdictFacts } from "~/components/distribution";
import { useLanguageTag, slots, withElements } from "~/components/translations";
import { stableBelowOf } from "~/consensus/rule";
import { ChoiceList } from "./choice-list";
import { IntentForm, StatementText } from "./forms";
import { ReminderHistory } from "./reminders";
import type { Closed, Reminders } from "./types";

function CarryOver({ carryOver, number }: { carryOver: Closed["carryOver"]; number: number }) {
  const { t } = useTranslation("rounds");
  if (carryOver.statements === 0) return null;
  const count = carryOver.statements;
  const next = carryOver.nextNumber;
  const blockedBy = carryOver.blockedBy;
  return (
    <section className="panel" aria-labelledby="carry-title">
      <h3 id="carry-title">{t("Not adopted: vote again")}</h3>
      {blockedBy ? (
        <p className="notice">
          {blockedBy.status === "draft"
            ? t(
                "{{count}} statements were not adopted. Round {{round}} is draft: add them to it, or delete it before carrying them into a new round.",
                { count, round: blockedBy.number },
              )
            : t(
                "{{count}} statements were not adopted. Round {{round}} is open: close it before carrying them into a new round.",
                { count, round: blockedBy.number },
              )}
        </p>
      ) : (
        <IntentForm intent="carry-over" className="stack">
          <p>
            {t(
              "Starts draft round {{next}} with the {{count}} statements round {{number}} did not adopt, each as a new revision for you to re-word before the round opens.",
              { count, next, number },
            )}
          </p>
          <p>
            <button type="submit" className="button">
              {t("Carry {{count}} not-adopted statements into round {{next}}", { count, next })}
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
function signed(change: number | null, t: TFunction<"rounds">): string {
  if (change === null) return t("not comparable");
  if (change === 0) return "0";
  return change > 0 ? `+${change}` : `−${-change}`;
}

/** "round 2", "rounds 1, 2 and 3", in the page's language. */
function roundsWord(numbers: number[], t: TFunction<"rounds">, languageTag: string): string {
  if (numbers.length === 1) return t("round {{number}}", { number: numbers[0] });
  const list = new Intl.ListFormat(languageTag === "en" ? "en-GB" : languageTag, { type: "conjunction" });
  return t("rounds {{list}}", { list: list.format(numbers.map(String)) });
}

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
  const { t } = useTranslation("rounds");
  if (!stability) {
    return <p className="stability muted">{t("Stability: first voted in this round, nothing to compare with.")}</p>;
  }
  const changes = [t("agreement share {{change}} points", { change: signed(stability.shareChange, t) })];
  if (rating) {
    changes.push(
      t("median {{change}}", { change: signed(stability.medianChange, t) }),
      t("IQR {{change}}", { change: signed(stability.iqrChange, t) }),
    );
  }
  return (
    <p className="stability">
      {withElements(
        t("Since round {{round}}: {{changes}} — {{verdict}}", {
          round: stability.previousRound,
          changes: changes.join(t(", ")),
          ...slots("verdict"),
        }),
        {
          verdict: (
            <span className={stability.stable ? "stability-stable" : "stability-moving"}>
              {stability.stable ? t("stable") : t("not stable")}
            </span>
          ),
        },
      )}{" "}
      <span className="muted">{t("(stable when the share moves less than {{points}} points)", { points: stableBelow })}</span>
    </p>
  );
}

/** The suggestion to stop: only when every statement of the round was voted before and is stable. */
function StabilitySummary({ items, stableBelow }: { items: Result[]; stableBelow: number }) {
  const { t } = useTranslation("rounds");
  const languageTag = useLanguageTag();
  const compared = items.filter((i) => i.stability !== null);
  if (compared.length === 0) return null;
  const since = roundsWord(
    [...new Set(compared.map((i) => i.stability!.previousRound))].sort((a, b) => a - b),
    t,
    languageTag,
  );
  if (compared.length === items.length && compared.every((i) => i.stability!.stable)) {
    return (
      <p className="notice stability-summary" role="status">
        {t("Every statement is stable (moved less than {{points}} points since {{since}}): you may stop here and publish.", {
          points: stableBelow,
          since,
        })}
      </p>
    );
  }
  const stable = compared.filter((i) => i.stability!.stable).length;
  const first = items.length - compared.length;
  return (
    <p className="stability-summary">
      {t("{{stable}} of {{count}} statements stable since {{since}} (moved less than {{points}} points){{first}}.", {
        count: items.length,
        stable,
        since,
        points: stableBelow,
        first: first > 0 ? t("; {{first}} voted for the first time", { first }) : "",
      })}
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
  const { t } = useTranslation("rounds");
  const { items, rule, scale, groupNote: note } = round.results;
  const adopted = items.filter((r) => r.verdict.adopted).length;
  const stableBelow = stableBelowOf(rule);
  const rating = scale.kind === "rating";
  return (
    <>
      <section className="panel">
        <h3>{t("Results")}</h3>
        <p>
          <strong>{t("{{adopted}} of {{total}} statements adopted.", { adopted, total: items.length })}</strong>{" "}
          {t("Rule: {{rule}}", { rule: round.rule })}
        </p>
        {canManage ? <StabilitySummary items={items} stableBelow={stableBelow} /> : null}
        {canManage ? (
          <p>
            <Link to={`/g/${slug}/publish`}>{t("Preview and publish the next version")}</Link>
          </p>
        ) : null}
      </section>
      <ol className="card-list round-items">
        {items.map((item) => (
          <li key={item.itemId} className="card result">
            <h3 className="result-heading">
              {t("Statement {{number}}", { number: item.number })}{" "}
              <span className={item.verdict.adopted ? "badge verdict-adopted" : "badge verdict-not-adopted"}>
                {item.verdict.adopted ? t("Adopted") : t("Not adopted")}
              </span>
            </h3>
            <StatementText item={item} />
            <Distribution
              tally={item.tally}
              scale={scale}
              verdict={item.verdict}
              rule={rule}
              label={
                rating
                  ? t("Ratings on statement {{number}}", { number: item.number })
                  : t("Votes on statement {{number}}", { number: item.number })
              }
              noResponse={item.noResponse}
            />
            <p className="explanation">{item.explanation}</p>
            <VerdictFacts verdict={item.verdict} rule={rule} />
            <GroupResults
              groups={item.shownGroups}
              results={item.verdict.groupResults}
              rule={rule}
              caption={t("Statement {{number}} by stakeholder group", { number: item.number })}
              note={note}
            />
            {canManage ? <StabilityLine stability={item.stability} rating={rating} stableBelow={stableBelow} /> : null}
            {item.comments.length > 0 ? (
              <details className="comments">
                <summary>{t("{{count}} anonymous comments", { count: item.comments.length })}</summary>
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
          <h3 id="reminders-title">{t("Reminders")}</h3>
          <ReminderHistory history={reminders.history} />
        </section>
      ) : null}
      {canManage ? <CarryOver carryOver={round.carryOver} number={round.number} /> : null}
    </>
  );
}
