import { useTranslation } from "react-i18next";
import { Pager } from "~/components/pager";
import { ProgressBar } from "~/components/progress-bar";
import { Distribution, noResponseOf } from "~/components/distribution";
import { ChoiceList } from "./choice-list";
import { ConfirmForm, DeadlineForm, StatementText } from "./forms";
import { ReminderHistory, RemindForm, ScheduledReminders } from "./reminders";
import type { Open, Reminders } from "./types";

function ResponseRates({ progress }: { progress: Open["progress"] }) {
  const { t } = useTranslation("rounds");
  return (
    <section className="panel" aria-labelledby="progress-title">
      <h3 id="progress-title">{t("Response rate")}</h3>
      <ProgressBar
        label={t("Responded (at least one statement)")}
        value={progress.responded}
        max={progress.eligible}
        unit="member"
      />
      <ProgressBar label={t("Complete (every statement)")} value={progress.complete} max={progress.eligible} unit="member" />
      <h4>{t("By discipline")}</h4>
      <ul className="discipline-progress">
        {progress.disciplines.map((d) => (
          <li key={d.discipline}>
            <ProgressBar label={d.discipline} value={d.responded} max={d.eligible} unit="member" after="responded" />
            <p className="meta">{t("{{complete}} complete", { complete: d.complete })}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Waiting({
  waiting,
  waitingPage,
  left,
  reminded,
  recent,
  canManage,
}: {
  waiting: NonNullable<Open["progress"]["waiting"]>;
  waitingPage: Open["progress"]["waitingPage"];
  /** How many have not answered everything, on every page. */
  left: number;
  reminded: number | null;
  recent: Reminders["recent"];
  canManage: boolean;
}) {
  const { t } = useTranslation("rounds");
  return (
    <section className="panel" aria-labelledby="waiting-title">
      <h3 id="waiting-title">{t("Not yet complete")}</h3>
      {reminded ? (
        <p className="notice" role="status">
          {t("A reminder was queued for {{count}} members. Without SMTP it waits in the outbox.", { count: reminded })}
        </p>
      ) : null}
      {waiting.length === 0 ? (
        <p>{t("Every panelist has answered all their statements.")}</p>
      ) : (
        <>
          {waitingPage.pages > 1 ? (
            <p>
              {t("{{left}} members have not answered everything, non-responders first; {{shown}} per page.", {
                left,
                shown: waitingPage.size,
              })}
            </p>
          ) : null}
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t("Name")}</th>
                <th scope="col">{t("E-mail")}</th>
                <th scope="col">{t("Discipline")}</th>
                <th scope="col">{t("Answered")}</th>
              </tr>
            </thead>
            <tbody>
              {waiting.map((m) => (
                <tr key={m.membershipId}>
                  <td>
                    {m.name}
                    {m.removed ? <span className="badge">{t("Removed")}</span> : null}
                  </td>
                  <td>{m.email}</td>
                  <td>{m.discipline ?? t("Unspecified")}</td>
                  <td>
                    {m.answered === 0
                      ? t("Not responded")
                      : t("{{answered}} of {{items}} answered", { answered: m.answered, items: m.items })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label={t("Pages of members who have not answered everything")}
            page={waitingPage.page}
            pages={waitingPage.pages}
            href={(page) => `?waiting=${page}#waiting-title`}
          />
          {canManage ? <RemindForm recent={recent} /> : null}
        </>
      )}
    </section>
  );
}

/** Why an open round shows no counts: anonymity (for everyone), or a named guideline's setting. */
function HiddenCounts({ anonymity, canManage }: { anonymity: Open["anonymity"]; canManage: boolean }) {
  const { t } = useTranslation("rounds");
  return (
    <p className="notice notice-locked">
      {anonymity === "anonymous"
        ? t(
            "This guideline is anonymous: nobody sees any count while the round is open, so that no one can work out a ballot by watching the counts move as members answer. The results show when the round closes.",
          )
        : canManage
          ? t("Running counts are off in this guideline's settings; the results show when the round closes.")
          : t("Counts show when the round closes.")}
    </p>
  );
}

export function OpenRound({
  round,
  reminders,
  canManage,
  reminded,
  linksToLocal,
}: {
  round: Open;
  reminders: Reminders;
  canManage: boolean;
  reminded: number | null;
  linksToLocal: boolean;
}) {
  const { t } = useTranslation("rounds");
  const counts = new Map(round.counts?.map((c) => [c.roundItemId, c]));
  return (
    <>
      <ResponseRates progress={round.progress} />
      {round.progress.waiting ? (
        <Waiting
          waiting={round.progress.waiting}
          waitingPage={round.progress.waitingPage}
          left={round.progress.eligible - round.progress.complete}
          reminded={reminded}
          recent={reminders.recent}
          canManage={canManage}
        />
      ) : null}
      <section className="panel" aria-labelledby="reminders-title">
        <h3 id="reminders-title">{t("Reminders")}</h3>
        <ReminderHistory history={reminders.history} />
        <ScheduledReminders
          scheduled={reminders.scheduled}
          status={round.status}
          closesAt={round.closesAt}
          canManage={canManage}
          linksToLocal={linksToLocal}
        />
      </section>
      <section className="panel" aria-labelledby="open-items-title">
        <h3 id="open-items-title">{t("Statements")}</h3>
        <p className="meta">{t("Rule: {{rule}}", { rule: round.rule })}</p>
        {round.counts ? null : <HiddenCounts anonymity={round.anonymity} canManage={canManage} />}
        <ol className="card-list round-items">
          {round.items.map((item) => {
            const tally = counts.get(item.itemId)?.tally;
            return (
              <li key={item.itemId} className="card">
                <h4>{t("Statement {{number}}", { number: item.number })}</h4>
                <StatementText item={item} />
                {tally ? (
                  <Distribution
                    tally={tally}
                    scale={round.scale}
                    label={
                      round.scale.kind === "rating"
                        ? t("Ratings so far on statement {{number}}", { number: item.number })
                        : t("Votes so far on statement {{number}}", { number: item.number })
                    }
                    noResponse={noResponseOf(tally)}
                    noResponseLabel={t("not yet answered")}
                  />
                ) : null}
                <ChoiceList choices={round.choices} itemId={item.itemId} />
              </li>
            );
          })}
        </ol>
      </section>
      {canManage ? (
        <>
          <section className="panel" aria-labelledby="extend-title">
            <h3 id="extend-title">{t("Extend the deadline")}</h3>
            <DeadlineForm
              intent="extend-deadline"
              current={round.closesAt}
              label={t("New deadline (date and time in UTC; later than the current one)")}
              button={t("Extend deadline")}
            />
          </section>
          <section className="panel" aria-labelledby="close-title">
            <h3 id="close-title">{t("Close the round")}</h3>
            <p>{t("Closing counts the ballots, decides every statement under the rule and freezes the results.")}</p>
            <ConfirmForm
              intent="close"
              confirm={t("Closing is irreversible: ballots can no longer change")}
              button={t("Close round {{number}}", { number: round.number })}
              danger
            />
          </section>
        </>
      ) : null}
    </>
  );
}
