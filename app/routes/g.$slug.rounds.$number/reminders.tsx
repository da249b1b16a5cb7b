import { getFormProps, getSelectProps, useForm } from "@conform-to/react";
import { Form } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Field, FormErrors } from "~/components/form";
import { Time } from "~/components/time";
import { REMINDER_PRESETS, REMINDER_REPEAT_HOURS } from "~/server/round-forms";
import { allErrors, IntentForm, useResult } from "./forms";
import { slots, withElements } from "~/components/translations";
import type { Reminders, Workspace } from "./types";

/** "3 days", "1 day", "12 hours": whole days when the hours make whole days. */
function hoursWords(hours: number, t: TFunction<"rounds">): string {
  return hours % 24 === 0 ? t("{{count}} days", { count: hours / 24 }) : t("{{count}} hours", { count: hours });
}

/** The button that reminds whoever has not answered everything; a second one within 12 hours needs its own tick. */
export function RemindForm({ recent }: { recent: Reminders["recent"] }) {
  const { t } = useTranslation("rounds");
  const result = useResult("remind");
  return (
    <IntentForm intent="remind" className="stack remind-form" errors={false}>
      <FormErrors id="remind-error" errors={allErrors(result)} />
      {recent ? (
        <div className="field">
          <label className="choice">
            <input type="checkbox" name="again" value="yes" required />
            <span>
              {withElements(
                t(
                  "Send another although the last reminder went out {{when}} to {{count}} members, less than {{hours}} hours ago",
                  {
                    count: recent.count,
                    hours: REMINDER_REPEAT_HOURS,
                    ...slots("when"),
                  },
                ),
                { when: <Time value={recent.at} /> },
              )}
            </span>
          </label>
        </div>
      ) : null}
      <p className="row">
        <button type="submit" className="button button-secondary">
          {t("Remind non-responders")}
        </button>
        <span className="muted">
          {t("E-mails every member listed here, on every page (except removed ones), the deadline and the link to vote.")}
        </span>
      </p>
    </IntentForm>
  );
}

/** Every reminder the round's panel was sent: when, to how many, by whom or by schedule. */
export function ReminderHistory({ history }: { history: Reminders["history"] }) {
  const { t } = useTranslation("rounds");
  return (
    <>
      <h4>{t("Sent")}</h4>
      {history.length === 0 ? (
        <p className="muted">{t("No reminder has gone out yet.")}</p>
      ) : (
        <ul className="reminder-list">
          {history.map((sent, i) => (
            <li key={i}>
              {withElements(
                sent.hoursBefore !== null
                  ? t("{{when}} — to {{count}} members, scheduled {{hours}} before the deadline", {
                      count: sent.count,
                      hours: hoursWords(sent.hoursBefore, t),
                      ...slots("when"),
                    })
                  : sent.by !== null
                    ? t("{{when}} — to {{count}} members, sent by {{name}}", {
                        count: sent.count,
                        name: sent.by,
                        ...slots("when"),
                      })
                    : t("{{when}} — to {{count}} members, sent by a secretary", { count: sent.count, ...slots("when") }),
                { when: <Time value={sent.at} /> },
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

type Schedule = Reminders["scheduled"][number];

function ScheduleState({ schedule, status }: { schedule: Schedule; status: Workspace["status"] }) {
  const { t } = useTranslation("rounds");
  switch (schedule.state) {
    case "sent": {
      const when = <Time value={schedule.sentAt!} />;
      return (
        <>
          {schedule.recipients
            ? withElements(t("went out {{when}} to {{count}} members", { count: schedule.recipients, ...slots("when") }), {
                when,
              })
            : withElements(t("went out {{when}} to nobody: everyone had answered", slots("when")), { when })}
        </>
      );
    }
    case "no deadline":
      return <>{t("waits for a deadline")}</>;
    case "waiting": {
      const when = <Time value={schedule.dueAt!} />;
      return (
        <>
          {status === "draft"
            ? withElements(t("goes out {{when}} if the round is open by then", slots("when")), { when })
            : withElements(t("goes out {{when}}", slots("when")), { when })}
        </>
      );
    }
    case "passed": {
      if (status === "closed") return <>{t("not sent: the round closed first")}</>;
      const when = <Time value={schedule.dueAt!} />;
      return (
        <>
          {status === "open"
            ? withElements(t("not sent: its moment, {{when}}, came before the round opened", slots("when")), { when })
            : withElements(t("not sent: its moment, {{when}}, has passed", slots("when")), { when })}
        </>
      );
    }
  }
}

function AddSchedule({ taken }: { taken: number[] }) {
  const { t } = useTranslation("rounds");
  const [form, fields] = useForm<{ intent: string; hoursBefore: string }>({
    id: "schedule-reminder",
    lastResult: useResult("schedule-reminder"),
    shouldValidate: "onSubmit",
  });
  const presets = REMINDER_PRESETS.filter((hours) => !taken.includes(hours));
  if (presets.length === 0) return null;
  return (
    <Form method="post" {...getFormProps(form)} className="deadline-form">
      <input type="hidden" name="intent" value="schedule-reminder" />
      <FormErrors id={form.errorId} errors={form.errors} />
      <Field
        id={fields.hoursBefore.id}
        label={t("Remind non-responders automatically")}
        errorId={fields.hoursBefore.errorId}
        errors={fields.hoursBefore.errors}
      >
        <select {...getSelectProps(fields.hoursBefore)} defaultValue={presets.includes(72) ? "72" : String(presets[0])}>
          {presets.map((hours) => (
            <option key={hours} value={hours}>
              {t("{{hours}} before the deadline", { hours: hoursWords(hours, t) })}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" className="button button-secondary">
        {t("Schedule reminder")}
      </button>
    </Form>
  );
}

/**
 * The reminders scheduled before the deadline: each with when it goes (or went) out, removable
 * until then; and, for secretaries of a round that is not closed, a form to add one.
 */
export function ScheduledReminders({
  scheduled,
  status,
  closesAt,
  canManage,
  linksToLocal,
}: {
  scheduled: Reminders["scheduled"];
  status: Workspace["status"];
  closesAt: string | null;
  canManage: boolean;
  /** Where scheduled reminders' links point, when no PUBLIC_URL says (null when one does). */
  linksToLocal: boolean;
}) {
  const { t } = useTranslation("rounds");
  const manage = canManage && status !== "closed";
  const unscheduleResult = useResult("unschedule-reminder");
  return (
    <>
      <h4>{t("Scheduled before the deadline")}</h4>
      {scheduled.length === 0 ? <p className="muted">{t("None scheduled.")}</p> : null}
      <FormErrors id="unschedule-reminder-error" errors={allErrors(unscheduleResult)} />
      {scheduled.length > 0 ? (
        <ul className="reminder-list">
          {scheduled.map((schedule) => (
            <li key={schedule.id}>
              <span>
                {withElements(t("{{before}}: {{state}}", slots("before", "state")), {
                  before: <strong>{t("{{hours}} before", { hours: hoursWords(schedule.hoursBefore, t) })}</strong>,
                  state: <ScheduleState schedule={schedule} status={status} />,
                })}
              </span>
              {manage && schedule.state !== "sent" ? (
                <IntentForm intent="unschedule-reminder" errors={false} className="item-form">
                  <input type="hidden" name="scheduleId" value={schedule.id} />
                  <button type="submit" className="button-link">
                    {t("Remove the reminder {{hours}} before", { hours: hoursWords(schedule.hoursBefore, t) })}
                  </button>
                </IntentForm>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {manage ? (
        closesAt ? (
          <>
            <AddSchedule taken={scheduled.map((s) => s.hoursBefore)} />
            <p className="muted">
              {t(
                "A scheduled reminder goes to whoever has not answered everything by then, once, and only while the round is open; moving the deadline moves it too.",
              )}
              {linksToLocal
                ? ` ${t("PUBLIC_URL is not set, so its link points to this server's own local address: set PUBLIC_URL to the address the panel uses.")}`
                : ""}
            </p>
          </>
        ) : (
          <p className="muted">{t("Set a deadline to schedule reminders before it.")}</p>
        )
      ) : null}
    </>
  );
}
