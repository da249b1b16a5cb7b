import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getDb } from "@db/client.server";
import { closedRounds } from "~/server/ballots.server";
import { requireMember } from "~/server/permissions.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, ["panelist", "observer", "secretary"]);
  return {
    slug: guideline.slug,
    rounds: closedRounds(getDb(), guideline.id).map((r) => ({ number: r.number, closedAt: r.closedAt })),
  };
}

export default function Results() {
  const { slug, rounds } = useLoaderData<typeof loader>();
  return (
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
  );
}
