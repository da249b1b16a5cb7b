import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getDb } from "@db/client.server";
import { Deadline } from "~/components/deadline";
import { formatUtc } from "~/time";
import { ProgressBar } from "~/components/progress-bar";
import { barStyles } from "~/components/vote-bar";
import { requireMember } from "~/server/permissions.server";
import { guidelineOverview } from "~/server/progress.server";
import styles from "~/styles/rounds.css";

export const links: LinksFunction = () => [barStyles, { rel: "stylesheet", href: styles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "panelist", "observer"]);
  const db = getDb();
  return { slug: guideline.slug, overview: guidelineOverview(db, { guideline, membership }) };
}

type Overview = ReturnType<typeof useLoaderData<typeof loader>>["overview"];
type StaffOverview = Exclude<Overview, { role: "panelist" }>;
type PanelistOverview = Extract<Overview, { role: "panelist" }>;

function Description({ text }: { text: string }) {
  return text ? <p>{text}</p> : <p className="muted">No description yet.</p>;
}

function PanelistView({ slug, overview }: { slug: string; overview: PanelistOverview }) {
  const open = overview.open;
  return (
    <div className="stack">
      {open ? (
        <section className="panel open-round-callout" aria-labelledby="vote-title">
          <h2 id="vote-title">Round {open.number} is open</h2>
          <p>
            Deadline: <Deadline closesAt={open.closesAt} left={open.timeLeft} />
          </p>
          {open.eligible ? (
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
      <section className="panel">
        <h2>About this guideline</h2>
        <Description text={overview.description} />
      </section>
    </div>
  );
}

function StaffView({ slug, overview }: { slug: string; overview: StaffOverview }) {
  const { open, draft, lastClosed, latestVersion } = overview;
  const secretary = overview.role === "secretary";
  const rounds = `/g/${slug}/rounds`;
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="open-title">
        <h2 id="open-title">{open ? `Round ${open.number} is open` : "No round is open"}</h2>
        {open ? (
          <>
            <p>
              Deadline: <Deadline closesAt={open.closesAt} left={open.timeLeft} />
            </p>
            <ProgressBar label="Responded" value={open.responded} max={open.eligible} unit="panelists" />
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
  const { slug, overview } = useLoaderData<typeof loader>();
  return overview.role === "panelist" ? (
    <PanelistView slug={slug} overview={overview} />
  ) : (
    <StaffView slug={slug} overview={overview} />
  );
}
