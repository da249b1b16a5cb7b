import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getDb } from "@db/client.server";
import { RuleSchema } from "~/consensus/rule";
import { Distribution, distributionStyles, noResponseOf, VerdictFacts } from "~/components/distribution";
import { barStyles } from "~/components/vote-bar";
import { closedRoundFeedback, closedRounds } from "~/server/ballots.server";
import { requireMember } from "~/server/permissions.server";
import { shownVerdict } from "~/server/results.server";
import styles from "~/styles/ballot.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }, barStyles, distributionStyles];

/** Every closed round, and the latest one at a glance: each statement's distribution, outcome and strength. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, ["panelist", "observer", "secretary"]);
  const db = getDb();
  const rounds = closedRounds(db, guideline.id);
  const last = rounds[0];
  const latest = last
    ? {
        number: last.number,
        rule: RuleSchema.parse(last.ruleSnapshot),
        items: closedRoundFeedback(db, { round: last, membershipId: null, anonymity: guideline.anonymity }).map(
          ({ position, section, text, scale, tally, verdict, explanation }) => ({
            position,
            section,
            text,
            scale,
            tally,
            explanation,
            // Neither groups nor comments here: the round's own page has them.
            verdict: shownVerdict(verdict, []),
          }),
        ),
      }
    : null;
  return {
    slug: guideline.slug,
    rounds: rounds.map((r) => ({ number: r.number, closedAt: r.closedAt })),
    latest,
  };
}

export default function Results() {
  const { slug, rounds, latest } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="panel">
        <h2>Results of closed rounds</h2>
        {rounds.length === 0 ? <p>No round has closed yet: results appear here once a round closes.</p> : null}
        <ul>
          {rounds.map((round) => (
            <li key={round.number}>
              <Link to={`/g/${slug}/results/${round.number}`}>Round {round.number}</Link>
              {round.closedAt ? (
                <span className="muted"> · closed {new Date(round.closedAt).toISOString().slice(0, 10)}</span>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      {latest ? (
        <section className="stack" aria-labelledby="latest-title">
          <h3 id="latest-title">Round {latest.number} at a glance</h3>
          <ol className="ballot-list">
            {latest.items.map((item) => (
              <li key={item.position} className="ballot-item">
                <h4 className="ballot-heading">
                  Statement {item.position} <span className="muted">· {item.section}</span>
                </h4>
                <p className="statement-text">{item.text}</p>
                <Distribution
                  tally={item.tally}
                  scale={item.scale}
                  verdict={item.verdict}
                  label={`${item.scale.kind === "rating" ? "Ratings" : "Votes"} on statement ${item.position}`}
                  noResponse={noResponseOf(item.tally)}
                />
                <p>
                  <span className={item.verdict.adopted ? "badge badge-done" : "badge badge-todo"}>
                    {item.verdict.adopted ? "Adopted" : "Not adopted"}
                  </span>{" "}
                  {item.explanation}
                </p>
                <VerdictFacts verdict={item.verdict} rule={latest.rule} />
              </li>
            ))}
          </ol>
          <p>
            <Link to={`/g/${slug}/results/${latest.number}`}>Round {latest.number} in full, with groups and comments</Link>
          </p>
        </section>
      ) : null}
    </div>
  );
}
