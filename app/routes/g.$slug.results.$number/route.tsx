import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getDb } from "@db/client.server";
import { RuleSchema } from "~/consensus/rule";
import { describeScale } from "~/consensus/scale";
import { distributionStyles, groupNote } from "~/components/distribution";
import { RoundFeedback } from "~/components/feedback";
import { closedRoundFeedback, findClosedRound } from "~/server/ballots.server";
import { refusing } from "~/server/errors";
import { requireMember } from "~/server/permissions.server";
import styles from "~/styles/ballot.css";
import { barStyles } from "~/components/vote-bar";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }, barStyles, distributionStyles];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["panelist", "observer", "secretary"]);
  const number = Number(params.number);
  if (!Number.isInteger(number) || number < 1) throw Response.json({ error: "Not a round number." }, { status: 404 });
  const db = getDb();
  return refusing(() => {
    const round = findClosedRound(db, { guidelineId: guideline.id, number });
    const own = membership.role === "panelist" ? membership.id : null;
    const rule = RuleSchema.parse(round.ruleSnapshot);
    const items = closedRoundFeedback(db, { round, membershipId: own, anonymity: guideline.anonymity });
    return { slug: guideline.slug, number, rule, groupNote: groupNote(rule, guideline.anonymity), items };
  });
}

export default function RoundResults() {
  const { slug, number, rule, groupNote, items } = useLoaderData<typeof loader>();
  const scale = items[0]?.scale;
  return (
    <section className="stack">
      <div className="panel">
        <h2>Round {number} results</h2>
        <p>
          The group&apos;s answers on each statement, the verdict under the adoption rule, and the comments — anonymous: no one
          sees who chose what or who wrote a comment. <Link to={`/g/${slug}/results`}>All closed rounds</Link>
        </p>
        {scale?.kind === "rating" ? <p className="muted">Scale: {describeScale(scale)}.</p> : null}
      </div>
      <ol className="ballot-list">
        {items.map((item) => (
          <li key={item.number} id={`statement-${item.number}`} className="ballot-item">
            <h3 className="ballot-heading">
              Statement {item.number} <span className="muted">· {item.section}</span>
            </h3>
            <p className="statement-text">{item.text}</p>
            <RoundFeedback feedback={item} rule={rule} groupNote={groupNote} subject={`Statement ${item.number}`} />
          </li>
        ))}
      </ol>
    </section>
  );
}
