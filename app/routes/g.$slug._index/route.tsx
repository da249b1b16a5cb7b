import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { Deadline } from "~/components/deadline";
import { distributionStyles, OutcomeTable } from "~/components/distribution";
import { Time } from "~/components/time";
import { useLanguage } from "~/components/translations";
import { namespaces } from "~/i18n";
import { formatUtc } from "~/time";
import { ProgressBar } from "~/components/progress-bar";
import { barStyles } from "~/components/vote-bar";
import { requireMember } from "~/server/permissions.server";
import { deadlinePassed, guidelineOverview } from "~/server/progress.server";
import { panelistOutcome } from "~/server/round-outcome.server";
import styles from "~/styles/rounds.css";
import overviewStyles from "~/styles/overview.css";

// The outcome table is distribution.tsx's (rules).
export const handle = namespaces("panelist", "rules");

export const links: LinksFunction = () => [
  barStyles,
  distributionStyles,
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: overviewStyles },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "panelist", "observer"]);
  const db = getDb();
  const now = new Date();
  const overview = guidelineOverview(db, { guideline, membership, now });
  return {
    slug: guideline.slug,
    overview,
    // The server's tick closes an overdue round soon after its deadline; until then it is still open.
    deadlinePassed: overview.open ? deadlinePassed(overview.open.closesAt, now) : false,
    outcome: membership.role === "panelist" ? panelistOutcome(db, { guideline }) : null,
  };
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Overview = Data["overview"];
type StaffOverview = Exclude<Overview, { role: "panelist" }>;
type PanelistOverview = Extract<Overview, { role: "panelist" }>;

function Description({ text }: { text: string }) {
  const { t } = useTranslation("panelist");
  return text ? <p>{text}</p> : <p className="muted">{t("No description yet.")}</p>;
}

/** The open round's deadline with the time left, or, once it has passed, that the round is closing. */
function OpenDeadline({ open, passed }: { open: { closesAt: string | null; timeLeft: string | null }; passed: boolean }) {
  const { t } = useTranslation("panelist");
  return (
    <p>
      {t("Deadline:")}{" "}
      {passed && open.closesAt ? (
        <span>
          <Time value={open.closesAt} /> <strong>{t("(deadline passed — closing now)")}</strong>
        </span>
      ) : (
        <Deadline closesAt={open.closesAt} left={open.timeLeft} />
      )}
    </p>
  );
}

/** The latest closed round's outcome, statement by statement, and the latest published Table 1. */
function Outcome({ slug, outcome }: { slug: string; outcome: NonNullable<Data["outcome"]> }) {
  const { lastClosed, latestVersion } = outcome;
  const { t } = useTranslation("panelist");
  const language = useLanguage();
  return (
    <>
      {lastClosed ? (
        <section className="panel overview-outcome" aria-labelledby="outcome-title">
          <h2 id="outcome-title">{t("Round {{number}} results", { number: lastClosed.number })}</h2>
          <p className="meta">
            {t("{{adopted}} of {{count}} statements adopted", {
              adopted: lastClosed.items.filter((i) => i.verdict.adopted).length,
              count: lastClosed.items.length,
            })}
            {lastClosed.closedAt ? (
              <>
                {" "}
                · {t("closed")} <Time value={lastClosed.closedAt} />
              </>
            ) : null}
            {t(".")}
          </p>
          <OutcomeTable
            rows={lastClosed.items}
            rule={lastClosed.rule}
            caption={t("Round {{number}}: each statement's votes and outcome", { number: lastClosed.number })}
            resultsPath={`/g/${slug}/results/${lastClosed.number}`}
          />
          <p>
            <Link to={`/g/${slug}/results/${lastClosed.number}`}>
              {t("Round {{number}} in full: distributions, comments and your ballot", { number: lastClosed.number })}
            </Link>
          </p>
        </section>
      ) : null}
      {latestVersion ? (
        <section className="panel" aria-labelledby="published-title">
          <h2 id="published-title">{t("Published")}</h2>
          <p>
            <Link to={`/g/${slug}/v/${latestVersion.version}`}>
              {t("Version {{version}}: Table 1", { version: latestVersion.version })}
            </Link>
            {t(", published {{date}}.", { date: formatUtc(latestVersion.publishedAt, false, language) })}
          </p>
        </section>
      ) : null}
    </>
  );
}

function PanelistView({
  slug,
  overview,
  outcome,
  deadlinePassed,
}: {
  slug: string;
  overview: PanelistOverview;
  outcome: Data["outcome"];
  deadlinePassed: boolean;
}) {
  const open = overview.open;
  const { t } = useTranslation("panelist");
  return (
    <div className="stack">
      {open ? (
        <section className="panel open-round-callout" aria-labelledby="vote-title">
          <h2 id="vote-title">{t("Round {{number}} is open", { number: open.number })}</h2>
          <OpenDeadline open={open} passed={deadlinePassed} />
          {deadlinePassed ? (
            <p className="notice">{t("Ballots can no longer change: the results appear here once the round has closed.")}</p>
          ) : open.eligible ? (
            <p>
              <Link to={`/g/${slug}/vote`} className="button">
                {t("Vote on round {{number}} ({{answered}} of {{items}} answered)", {
                  number: open.number,
                  answered: open.answered,
                  items: open.items,
                })}
              </Link>
            </p>
          ) : (
            <p className="notice">
              {t("You joined after round {{number}} opened: you can vote from the next round.", { number: open.number })}
            </p>
          )}
        </section>
      ) : null}
      {outcome ? <Outcome slug={slug} outcome={outcome} /> : null}
      <section className="panel">
        <h2>{t("About this guideline")}</h2>
        <Description text={overview.description} />
      </section>
    </div>
  );
}

function StaffView({ slug, overview, deadlinePassed }: { slug: string; overview: StaffOverview; deadlinePassed: boolean }) {
  const { open, draft, lastClosed, latestVersion } = overview;
  const secretary = overview.role === "secretary";
  const rounds = `/g/${slug}/rounds`;
  const { t } = useTranslation("panelist");
  const language = useLanguage();
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="open-title">
        <h2 id="open-title">{open ? t("Round {{number}} is open", { number: open.number }) : t("No round is open")}</h2>
        {open ? (
          <>
            <OpenDeadline open={open} passed={deadlinePassed} />
            <ProgressBar label={t("Responded")} value={open.responded} max={open.eligible} unit="panelist" />
            <p className="meta">
              {t("{{complete}} of {{eligible}} answered all {{count}} statements.", {
                complete: open.complete,
                eligible: open.eligible,
                count: open.items,
              })}
            </p>
            <p>
              <Link to={`${rounds}/${open.number}`} className="button">
                {secretary
                  ? t("Watch round {{number}}: who has not responded", { number: open.number })
                  : t("Round {{number}}", { number: open.number })}
              </Link>
            </p>
          </>
        ) : (
          <p className="muted">
            {draft
              ? t("Round {{number}} is being drafted.", { number: draft.number })
              : secretary
                ? t("Start a draft round from the rounds page.")
                : null}
          </p>
        )}
      </section>
      {draft ? (
        <section className="panel" aria-labelledby="draft-title">
          <h2 id="draft-title">{t("Draft: round {{number}}", { number: draft.number })}</h2>
          <p>
            {draft.closesAt
              ? t("{{count}} statements · deadline {{date}}", {
                  count: draft.items,
                  date: formatUtc(draft.closesAt, false, language),
                })
              : t("{{count}} statements · deadline not set", { count: draft.items })}
          </p>
          <p>
            <Link to={`${rounds}/${draft.number}`}>
              {secretary
                ? t("Prepare and open round {{number}}", { number: draft.number })
                : t("Round {{number}}", { number: draft.number })}
            </Link>
          </p>
        </section>
      ) : null}
      {lastClosed ? (
        <section className="panel" aria-labelledby="closed-title">
          <h2 id="closed-title">{t("Last closed: round {{number}}", { number: lastClosed.number })}</h2>
          <p>
            {lastClosed.closedAt
              ? t("{{adopted}} of {{count}} statements adopted · closed {{date}}.", {
                  adopted: lastClosed.adopted,
                  count: lastClosed.items,
                  date: formatUtc(lastClosed.closedAt, false, language),
                })
              : t("{{adopted}} of {{count}} statements adopted.", { adopted: lastClosed.adopted, count: lastClosed.items })}
          </p>
          <p>
            <Link to={`${rounds}/${lastClosed.number}`}>{t("Results of round {{number}}", { number: lastClosed.number })}</Link>
          </p>
        </section>
      ) : null}
      <section className="panel" aria-labelledby="published-title">
        <h2 id="published-title">{t("Published")}</h2>
        {latestVersion ? (
          <p>
            <Link to={`/g/${slug}/v/${latestVersion.version}`}>
              {t("Version {{version}}", { version: latestVersion.version })}
            </Link>
            {t(", published {{date}}.", { date: formatUtc(latestVersion.publishedAt, false, language) })}
          </p>
        ) : (
          <p className="muted">{t("Nothing published yet.")}</p>
        )}
      </section>
      <section className="panel">
        <h2>{t("About this guideline")}</h2>
        <Description text={overview.description} />
        <nav aria-label={t("Quick links")}>
          <ul className="quick-links">
            <li>
              <Link to={rounds}>{t("Rounds")}</Link>
            </li>
            <li>
              <Link to={`/g/${slug}/statements`}>{t("Statements")}</Link>
            </li>
            {secretary ? (
              <>
                <li>
                  <Link to={`/g/${slug}/panel`}>{t("Panel")}</Link>
                </li>
                <li>
                  <Link to={`/g/${slug}/publish`}>{t("Publish")}</Link>
                </li>
                <li>
                  <Link to={`/g/${slug}/outbox`}>{t("Outbox")}</Link>
                </li>
              </>
            ) : null}
          </ul>
        </nav>
      </section>
    </div>
  );
}

/** Where the guideline stands, the open round first: what a busy secretary needs to see. */
export default function GuidelineOverview() {
  const { slug, overview, outcome, deadlinePassed } = useLoaderData<typeof loader>();
  return overview.role === "panelist" ? (
    <PanelistView slug={slug} overview={overview} outcome={outcome} deadlinePassed={deadlinePassed} />
  ) : (
    <StaffView slug={slug} overview={overview} deadlinePassed={deadlinePassed} />
  );
}
