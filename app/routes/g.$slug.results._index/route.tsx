import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { distributionStyles, OutcomeTable } from "~/components/distribution";
import { namespaces } from "~/i18n";
import { closedRounds } from "~/server/ballots.server";
import { requireMember } from "~/server/permissions.server";
import { roundOutcome } from "~/server/round-outcome.server";

export const links: LinksFunction = () => [distributionStyles];

export const handle = namespaces("rules");

/** Every closed round, and the latest one at a glance: each statement's counts, outcome and agreement share. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, ["panelist", "observer", "secretary"]);
  const db = getDb();
  const rounds = closedRounds(db, guideline.id);
  return {
    slug: guideline.slug,
    rounds: rounds.map((r) => ({ number: r.number, closedAt: r.closedAt })),
    latest: rounds[0] ? roundOutcome(db, rounds[0]) : null,
  };
}

export default function Results() {
  const { slug, rounds, latest } = useLoaderData<typeof loader>();
  const { t } = useTranslation("rules");
  return (
    <div className="stack">
      <section className="panel">
        <h2>{t("Results of closed rounds")}</h2>
        {rounds.length === 0 ? <p>{t("No round has closed yet: results appear here once a round closes.")}</p> : null}
        <ul>
          {rounds.map((round) => (
            <li key={round.number}>
              <Link to={`/g/${slug}/results/${round.number}`}>{t("Round {{round}}", { round: round.number })}</Link>
              {round.closedAt ? (
                <span className="muted">
                  {` · ${t("closed {{date}}", { date: new Date(round.closedAt).toISOString().slice(0, 10) })}`}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      {latest ? (
        <section className="panel stack" aria-labelledby="latest-title">
          <h3 id="latest-title">{t("Round {{round}} at a glance", { round: latest.number })}</h3>
          <OutcomeTable
            rows={latest.items}
            rule={latest.rule}
            caption={t("Round {{round}}: each statement's votes and outcome", { round: latest.number })}
            resultsPath={`/g/${slug}/results/${latest.number}`}
          />
          <p>
            <Link to={`/g/${slug}/results/${latest.number}`}>
              {t("Round {{round}} in full, with distributions, groups and comments", { round: latest.number })}
            </Link>
          </p>
        </section>
      ) : null}
    </div>
  );
}
