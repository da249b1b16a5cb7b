import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { RuleSchema } from "~/consensus/rule";
import { describeScale } from "~/consensus/scale";
import { distributionStyles, groupNote } from "~/components/distribution";
import { RoundFeedback } from "~/components/feedback";
import { namespaces } from "~/i18n";
import { closedRoundFeedback, findClosedRound } from "~/server/ballots.server";
import { refusing } from "~/server/errors.server";
import { currentLanguage, tr, translator } from "~/server/i18n.server";
import { requireMember } from "~/server/permissions.server";
import styles from "~/styles/ballot.css";
import { barStyles } from "~/components/vote-bar";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }, barStyles, distributionStyles];

export const handle = namespaces("rules");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["panelist", "observer", "secretary"]);
  const number = Number(params.number);
  if (!Number.isInteger(number) || number < 1) {
    throw Response.json({ error: tr("Not a round number.", undefined, "rules") }, { status: 404 });
  }
  const db = getDb();
  return refusing(() => {
    const round = findClosedRound(db, { guidelineId: guideline.id, number });
    const own = membership.role === "panelist" ? membership.id : null;
    const rule = RuleSchema.parse(round.ruleSnapshot);
    const items = closedRoundFeedback(db, { round, membershipId: own, anonymity: guideline.anonymity });
    const note = groupNote(rule, guideline.anonymity, translator(currentLanguage(), "rules"));
    return { slug: guideline.slug, number, rule, groupNote: note, items };
  });
}

export default function RoundResults() {
  const { slug, number, rule, groupNote, items } = useLoaderData<typeof loader>();
  const { t } = useTranslation("rules");
  const scale = items[0]?.scale;
  return (
    <section className="stack">
      <div className="panel">
        <h2>{t("Round {{round}} results", { round: number })}</h2>
        <p>
          {`${t(
            "The group's answers on each statement, the verdict under the adoption rule, and the comments — anonymous: no one sees who chose what or who wrote a comment.",
          )} `}
          <Link to={`/g/${slug}/results`}>{t("All closed rounds")}</Link>
        </p>
        {scale?.kind === "rating" ? <p className="muted">{t("Scale: {{scale}}.", { scale: describeScale(scale, t) })}</p> : null}
      </div>
      <ol className="ballot-list">
        {items.map((item) => (
          <li key={item.number} id={`statement-${item.number}`} className="ballot-item">
            <h3 className="ballot-heading">
              {`${t("Statement {{number}}", { number: item.number })} `}
              <span className="muted">· {item.section}</span>
            </h3>
            <p className="statement-text">{item.text}</p>
            <RoundFeedback
              feedback={item}
              rule={rule}
              groupNote={groupNote}
              subject={t("Statement {{number}}", { number: item.number })}
            />
          </li>
        ))}
      </ol>
    </section>
  );
}
