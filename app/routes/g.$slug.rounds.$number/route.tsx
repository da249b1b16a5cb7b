import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { distributionStyles, groupNote } from "~/components/distribution";
import { Time } from "~/components/time";
import { barStyles } from "~/components/vote-bar";
import { msg, namespaces } from "~/i18n";
import { env, publicOrigin } from "~/server/env.server";
import { refusing } from "~/server/errors.server";
import { currentLanguage, tr, translator } from "~/server/i18n.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { deliverOutbox } from "~/server/mail.server";
import { requireMember } from "~/server/permissions.server";
import { roundWorkspace } from "~/server/progress.server";
import { remindNonResponders, roundReminders, scheduleReminder, unscheduleReminder } from "~/server/reminders.server";
import { RoundActionSchema } from "~/server/round-forms";
import {
  addRoundItems,
  carryOverNotAdopted,
  closeOverdueRounds,
  closeRound,
  deleteDraftRound,
  findRoundByNumber,
  openDraftRound,
  removeRoundItem,
  setRoundDeadline,
} from "~/server/rounds.server";
import styles from "~/styles/rounds.css";
import { ClosedRound } from "./closed-round";
import { DraftRound } from "./draft-round";
import { slots, withElements } from "~/components/translations";
import { OpenRound } from "./open-round";
import type { Workspace } from "./types";

export const handle = namespaces("rounds", "rules");

export const links: LinksFunction = () => [barStyles, distributionStyles, { rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? data.title : "Round · Delphi consensus" }];

function roundNumber(param: string | undefined): number {
  const number = Number(param);
  if (!Number.isInteger(number) || number < 1)
    throw Response.json({ error: tr("Not a round number.", undefined, "rounds") }, { status: 404 });
  return number;
}

/**
 * What of a round reaches the page: an open round's counts without groups (per-group results
 * come after close only); a closed round's results with the groups that may be shown and their
 * verdicts, never every group's tally.
 */
function forPage(workspace: ReturnType<typeof roundWorkspace>, anonymity: "anonymous" | "named") {
  switch (workspace.status) {
    case "draft":
      return workspace;
    case "open":
      return { ...workspace, counts: workspace.counts?.map(({ roundItemId, tally }) => ({ roundItemId, tally })) ?? null };
    case "closed": {
      const { rule, scale, items } = workspace.results;
      return {
        ...workspace,
        results: {
          rule,
          scale,
          groupNote: groupNote(rule, anonymity, translator(currentLanguage(), "rules")),
          items,
        },
      };
    }
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "observer"]);
  const number = roundNumber(params.number);
  const db = getDb();
  const search = new URL(request.url).searchParams;
  const canManage = membership.role === "secretary";
  return refusing(() => {
    return {
      title: tr("Round {{number}} · Delphi consensus", { number }, "rounds"),
      slug: guideline.slug,
      canManage,
      reminded: Number(search.get("reminded")) || null,
      confirming: search.get("confirm") === "open",
      round: forPage(
        roundWorkspace(db, { guideline, membership, number, waitingPage: Number(search.get("waiting")) || 1 }),
        guideline.anonymity,
      ),
      reminders: roundReminders(db, { guideline, number, names: canManage }),
      linksToLocal: canManage && !env().PUBLIC_URL,
    };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, guideline } = await requireMember(request, params.slug, "secretary");
  const number = roundNumber(params.number);
  const db = getDb();
  closeOverdueRounds(db, new Date(), { guidelineId: guideline.id });
  const submission = parseWithZod(await readForm(request), { schema: RoundActionSchema });
  if (submission.status !== "success") return invalid(submission);
  const value = submission.value;
  const here = `/g/${guideline.slug}/rounds/${number}`;
  const voteUrl = `${publicOrigin(request)}/g/${guideline.slug}/vote`;
  const actorId = user.id;
  return attempt(submission, () => {
    if (value.intent === "remind") {
      const count = remindNonResponders(db, { guideline, number, voteUrl, actorId, again: value.again === "yes" });
      void deliverOutbox();
      return redirect(`${here}?reminded=${count}`);
    }
    const roundId = findRoundByNumber(db, { guidelineId: guideline.id, number }).id;
    switch (value.intent) {
      case "add-items":
        addRoundItems(db, { roundId, statementIds: value.statementIds, actorId });
        return redirect(here);
      case "remove-item":
        removeRoundItem(db, { roundId, itemId: value.itemId, actorId });
        return redirect(here);
      case "set-deadline":
      case "extend-deadline":
        setRoundDeadline(db, { roundId, closesAt: value.closesAt ?? null, actorId });
        return redirect(here);
      case "schedule-reminder":
        scheduleReminder(db, { roundId, hoursBefore: value.hoursBefore, actorId });
        return redirect(`${here}#reminders-title`);
      case "unschedule-reminder":
        unscheduleReminder(db, { roundId, scheduleId: value.scheduleId, actorId });
        return redirect(`${here}#reminders-title`);
      case "open":
        openDraftRound(db, { roundId, actorId, voteUrl });
        void deliverOutbox();
        return redirect(here);
      case "delete":
        deleteDraftRound(db, { roundId, actorId });
        return redirect(`/g/${guideline.slug}/rounds`);
      case "close":
        closeRound(db, { roundId, actorId });
        return redirect(here);
      case "carry-over": {
        const next = carryOverNotAdopted(db, { roundId, actorId });
        return redirect(`/g/${guideline.slug}/rounds/${next.number}`);
      }
    }
  });
}

/** The deadline as the header states it: none, how long is left, or passed (an open round then closes on the next tick). */
function DeadlineLine({ round }: { round: Workspace }) {
  const { t } = useTranslation("rounds");
  if (round.status === "closed") {
    return (
      <>{withElements(t("Closed {{when}}", slots("when")), { when: round.closedAt ? <Time value={round.closedAt} /> : null })}</>
    );
  }
  if (!round.closesAt) return <>{t("No deadline set")}</>;
  const when = <Time value={round.closesAt} />;
  if (round.overdue) {
    return round.status === "open" ? (
      <>
        <strong>{t("Deadline passed — closing now")}</strong>{" "}
        <span className="muted">{withElements(t("(it was {{when}})", slots("when")), { when })}</span>
      </>
    ) : (
      <>
        <strong>{withElements(t("The deadline, {{when}}, has passed:", slots("when")), { when })}</strong>{" "}
        {t("set a new one before opening")}
      </>
    );
  }
  return (
    <>
      {withElements(t("Deadline {{when}} {{left}}", slots("when", "left")), {
        when,
        left: <strong>{t("({{left}})", { left: round.timeLeft })}</strong>,
      })}
    </>
  );
}

const STATUS_LABEL = { draft: msg("Draft"), open: msg("Open"), closed: msg("Closed") } as const;

/** One round from draft to results: what the secretary does next, and what observers may read. */
export default function RoundPage() {
  const { slug, canManage, reminded, confirming, round, reminders, linksToLocal } = useLoaderData<typeof loader>();
  const { t } = useTranslation("rounds");
  return (
    <div className="stack">
      <section className="panel round-header">
        <p className="meta">
          <Link to={`/g/${slug}/rounds`}>{t("All rounds")}</Link>
        </p>
        <h2>
          {t("Round {{number}}", { number: round.number })}{" "}
          <span className={`badge round-status round-status-${round.status}`}>{t(STATUS_LABEL[round.status])}</span>
        </h2>
        <p>
          <DeadlineLine round={round} />
          {round.openedAt ? (
            <span className="muted">
              {" "}
              · {withElements(t("opened {{when}}", slots("when")), { when: <Time value={round.openedAt} /> })}
            </span>
          ) : null}
          {round.panelSize !== null ? (
            <span className="muted"> · {t("{{size}} eligible panelists", { size: round.panelSize })}</span>
          ) : null}
        </p>
      </section>
      {round.status === "draft" ? (
        <DraftRound
          round={round}
          reminders={reminders}
          canManage={canManage}
          confirming={confirming}
          slug={slug}
          linksToLocal={linksToLocal}
        />
      ) : null}
      {round.status === "open" ? (
        <OpenRound round={round} reminders={reminders} canManage={canManage} reminded={reminded} linksToLocal={linksToLocal} />
      ) : null}
      {round.status === "closed" ? <ClosedRound round={round} reminders={reminders} canManage={canManage} slug={slug} /> : null}
    </div>
  );
}
