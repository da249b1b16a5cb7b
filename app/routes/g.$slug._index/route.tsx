import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getDb } from "@db/client.server";
import { Deadline } from "~/components/deadline";
import { distributionStyles, OutcomeTable } from "~/components/distribution";
import { Time } from "~/components/time";
import { formatUtc } from "~/time";
import { ProgressBar } from "~/components/progress-bar";
import { barStyles } from "~/components/vote-bar";
import { requireMember } from "~/server/permissions.server";
import { deadlinePassed, guidelineOverview } from "~/server/progress.server";
import { panelistOutcome } from "~/server/round-outcome.server";
import styles from "~/styles/rounds.css";
import overviewStyles from "~/styles/overview.css";

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
  return text ? <p>{text}</p> : <p className="muted">No description yet.</p>;
}

/** The open round's deadline with the time left, or, once it has passed, that the round is closing. */
function OpenDeadline({ open, passed }: { open: { closesAt: string | null; timeLeft: string | null }; passed: boolean }) {
  return (
    <p>
      Deadline:{" "}
      {passed && open.closesAt ? (
        <span>
          <Time value={open.closesAt} /> <strong>(deadline passed — closing now)</strong>
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
  return (
    <>
      {lastClosed ? (
        <section className="panel overview-outcome" aria-labelledby="outcome-title">
          <h2 id="outcome-title">Round {lastClosed.number} results</h2>
          <p className="meta">
            {lastClosed.items.filter((i) => i.verdict.adopted).length} of {lastClosed.items.length} statement
            {lastClosed.items.length === 1 ? "" : "s"} adopted
            {lastClosed.closedAt ? (
              <>
                {" "}
                · closed <Time value={lastClosed.closedAt} />
              </>
            ) : null}
            .
          </p>
          <OutcomeTable
            rows={lastClosed.items}
            rule={lastClosed.rule}
            caption={`Round ${lastClosed.number}: each statement's votes and outcome`}
            resultsPath={`/g/${slug}/results/${lastClosed.number}`}
          />
          <p>
            <Link to={`/g/${slug}/results/${lastClosed.number}`}>
              Round {lastClosed.number} in full: distributions, comments and your ballot
            </Link>
          </p>
        </section>
      ) : null}
      {latestVersion ? (
        <section className="panel" aria-labelledby="published-title">
          <h2 id="published-title">Published</h2>
          <p>
            <Link to={`/g/${slug}/v/${latestVersion.version}`}>Version {latestVersion.version}: Table 1</Link>, published{" "}
            {formatUtc(latestVersion.publishedAt)}.
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
  return (
    <div className="stack">
      {open ? (
        <section className="panel open-round-callout" aria-labelledby="vote-title">
          <h2 id="vote-title">Round {open.number} is open</h2>
          <OpenDeadline open={open} passed={deadlinePassed} />
          {deadlinePassed ? (
            <p className="notice">Ballots can no longer change: the results appear here once the round has closed.</p>
          ) : open.eligible ? (
            <p>
              <Link to={`/g/${slug}/vote`} className="button">
                Vote on round {open.number} ({open.answered} of {open.items} answered)
              </Link>
            </p>
          ) : (
            <p className="notice">You joined after round {open.number} opened: you can vote from the next round.</p>
          )}
        </section>
      ) : null}
      {outcome ? <Outcome slug={slug} outcome={outcome} /> : null}
      <section className="panel">
        <h2>About this guideline</h2>
        <Description text={overview.description} />
      </section>
    </div>
  );
}

function StaffView({ slug, overview, deadlinePassed }: { slug: string; overview: StaffOverview; deadlinePassed: boolean }) {
  const { open, draft, lastClosed, latestVersion } = overview;
  const secretary = overview.role === "secretary";
  const rounds = `/g/${slug}/rounds`;
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="open-title">
        <h2 id="open-title">{open ? `Round ${open.number} is open` : "No round is open"}</h2>
        {open ? (
          <>
            <OpenDeadline open={open} passed={deadlinePassed} />
            <ProgressBar label="Responded" value={open.responded} max={open.eligible} unit="panelist" />
            <p className="meta">
              {open.complete} of {open.eligible} answered all {open.items} statement{open.items === 1 ? "" : "s"}.
            </p>
            <p>
              <Link to={`${rounds}/${open.number}`} className="button">
                {secretary ? `Watch round ${open.number}: who has not responded` : `Round ${open.number}`}
              </Link>
            </p>
          </>
        ) : (
          <p className="muted">
            {draft ? `Round ${draft.number} is being drafted.` : secretary ? "Start a draft round from the rounds page." : null}
          </p>
        )}
      </section>
      {draft ? (
        <section className="panel" aria-labelledby="draft-title">
          <h2 id="draft-title">Draft: round {draft.number}</h2>
          <p>
            {draft.items} statement{draft.items === 1 ? "" : "s"} · deadline{" "}
            {draft.closesAt ? formatUtc(draft.closesAt) : "not set"}
          </p>
          <p>
            <Link to={`${rounds}/${draft.number}`}>
              {secretary ? `Prepare and open round ${draft.number}` : `Round ${draft.number}`}
            </Link>
          </p>
        </section>
      ) : null}
      {lastClosed ? (
        <section className="panel" aria-labelledby="closed-title">
          <h2 id="closed-title">Last closed: round {lastClosed.number}</h2>
          <p>
            {lastClosed.adopted} of {lastClosed.items} statement{lastClosed.items === 1 ? "" : "s"} adopted
            {lastClosed.closedAt ? ` · closed ${formatUtc(lastClosed.closedAt)}` : ""}.
          </p>
          <p>
            <Link to={`${rounds}/${lastClosed.number}`}>Results of round {lastClosed.number}</Link>
          </p>
        </section>
      ) : null}
      <section className="panel" aria-labelledby="published-title">
        <h2 id="published-title">Published</h2>
        {latestVersion ? (
          <p>
            <Link to={`/g/${slug}/v/${latestVersion.version}`}>Version {latestVersion.version}</Link>, published{" "}
            {formatUtc(latestVersion.publishedAt)}.
          </p>
        ) : (
          <p className="muted">Nothing published yet.</p>
        )}
      </section>
      <section className="panel">
        <h2>About this guideline</h2>
        <Description text={overview.description} />
        <nav aria-label="Quick links">
          <ul className="quick-links">
            <li>
              <Link to={rounds}>Rounds</Link>
            </li>
            <li>
              <Link to={`/g/${slug}/statements`}>Statements</Link>
            </li>
            {secretary ? (
              <>
                <li>
                  <Link to={`/g/${slug}/panel`}>Panel</Link>
                </li>
                <li>
                  <Link to={`/g/${slug}/publish`}>Publish</Link>
                </li>
                <li>
                  <Link to={`/g/${slug}/outbox`}>Outbox</Link>
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
