import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { useLanguage } from "~/components/translations";
import { msg, namespaces } from "~/i18n";
import { getUser } from "~/server/auth.server";
import { tr } from "~/server/i18n.server";
import { formatUtc } from "~/time";
import { listGuidelinesForUser, type GuidelineSummary } from "~/server/guidelines.server";

export const handle = namespaces("panelist");

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Delphi consensus" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return {
    title: tr("Delphi consensus", undefined, "common"),
    guidelines: user ? listGuidelinesForUser({ userId: user.id }) : null,
  };
}

const ROLE_LABEL = { secretary: msg("Secretary"), panelist: msg("Panelist"), observer: msg("Observer") } as const;

type OpenRoundData = { number: number; closesAt: string | null; items: number; answered: number };

function OpenRound({ slug, round, role }: { slug: string; round: OpenRoundData; role: GuidelineSummary["role"] }) {
  const { t } = useTranslation("panelist");
  const language = useLanguage();
  const left = round.items - round.answered;
  return (
    <p className="open-round">
      <strong>{t("Round {{number}} is open", { number: round.number })}</strong> ·{" "}
      {t("{{count}} statements", { count: round.items })} ·{" "}
      {round.closesAt ? t("closes {{date}}", { date: formatUtc(round.closesAt, false, language) }) : t("closes no deadline")}
      {role === "panelist" ? (
        <>
          <span className={left > 0 ? "badge badge-todo" : "badge badge-done"}>
            {left > 0 ? t("{{count}} left to answer", { count: left }) : t("all answered")}
          </span>{" "}
          <Link to={`/g/${slug}/vote`}>{left > 0 ? t("Vote now") : t("Review your answers")}</Link>
        </>
      ) : null}
    </p>
  );
}

export default function Home() {
  const { guidelines } = useLoaderData<typeof loader>();
  const { t } = useTranslation("panelist");
  if (!guidelines) {
    return (
      <section className="panel">
        <h1>{t("Expert consensus, voted and published")}</h1>
        <p>
          {t(
            "Guideline committees draft statements, vote on them in anonymous Delphi rounds under a pre-registered adoption rule, and publish each edition as a versioned recommendation set.",
          )}
        </p>
        <p>
          <Link to="/login" className="button">
            {t("Log in")}
          </Link>
        </p>
      </section>
    );
  }
  // Guidelines waiting for this user's vote come first.
  const sorted = [...guidelines].sort((a, b) => Number(needsVote(b)) - Number(needsVote(a)) || a.title.localeCompare(b.title));
  return (
    <section>
      <h1>{t("Your guidelines")}</h1>
      {sorted.length === 0 ? <p>{t("You are not on any guideline yet.")}</p> : null}
      <ul className="card-list">
        {sorted.map((g) => (
          <li key={g.slug} className="card">
            <h2>
              <Link to={`/g/${g.slug}`}>{g.title}</Link>
            </h2>
            <p className="meta">
              <span className="badge">{t(ROLE_LABEL[g.role])}</span>
              {g.discipline ? <span> {g.discipline}</span> : null}
            </p>
            {g.openRounds.length === 0 ? <p className="muted">{t("No round is open.")}</p> : null}
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
