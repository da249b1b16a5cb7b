import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getUser } from "~/server/auth.server";
import { formatUtc } from "~/time";
import { listGuidelinesForUser, type GuidelineSummary } from "~/server/guidelines.server";

export const meta: MetaFunction = () => [{ title: "Delphi consensus" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return { guidelines: user ? listGuidelinesForUser({ userId: user.id }) : null };
}

const ROLE_LABEL = { secretary: "Secretary", panelist: "Panelist", observer: "Observer" } as const;

function formatDate(value: string | null): string {
  return value ? formatUtc(value) : "no deadline";
}

type OpenRoundData = { number: number; closesAt: string | null; items: number; answered: number };

function OpenRound({ slug, round, role }: { slug: string; round: OpenRoundData; role: GuidelineSummary["role"] }) {
  const left = round.items - round.answered;
  return (
    <p className="open-round">
      <strong>Round {round.number} is open</strong> · {round.items} statement{round.items === 1 ? "" : "s"} · closes{" "}
      {formatDate(round.closesAt)}
      {role === "panelist" ? (
        <>
          <span className={left > 0 ? "badge badge-todo" : "badge badge-done"}>
            {left > 0 ? `${left} left to answer` : "all answered"}
          </span>{" "}
          <Link to={`/g/${slug}/vote`}>{left > 0 ? "Vote now" : "Review your answers"}</Link>
        </>
      ) : null}
    </p>
  );
}

export default function Home() {
  const { guidelines } = useLoaderData<typeof loader>();
  if (!guidelines) {
    return (
      <section className="panel">
        <h1>Expert consensus, voted and published</h1>
        <p>
          Guideline committees draft statements, vote on them in anonymous Delphi rounds under a pre-registered adoption rule, and
          publish each edition as a versioned recommendation set.
        </p>
        <p>
          <Link to="/login" className="button">
            Log in
          </Link>
        </p>
      </section>
    );
  }
  // Guidelines waiting for this user's vote come first.
  const sorted = [...guidelines].sort((a, b) => Number(needsVote(b)) - Number(needsVote(a)) || a.title.localeCompare(b.title));
  return (
    <section>
      <h1>Your guidelines</h1>
      {sorted.length === 0 ? <p>You are not on any guideline yet.</p> : null}
      <ul className="card-list">
        {sorted.map((g) => (
          <li key={g.slug} className="card">
            <h2>
              <Link to={`/g/${g.slug}`}>{g.title}</Link>
            </h2>
            <p className="meta">
              <span className="badge">{ROLE_LABEL[g.role]}</span>
              {g.discipline ? <span> {g.discipline}</span> : null}
            </p>
            {g.openRounds.length === 0 ? <p className="muted">No round is open.</p> : null}
            {g.openRounds.map((round) => (
              <OpenRound key={round.number} slug={g.slug} round={round} role={g.role} />
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

function needsVote(g: { role: string; openRounds: { items: number; answered: number }[] }): boolean {
  return g.role === "panelist" && g.openRounds.some((r) => r.answered < r.items);
}
