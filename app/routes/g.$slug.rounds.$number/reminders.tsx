import { getFormProps, getSelectProps, useForm } from "@conform-to/react";
import { Form } from "@remix-run/react";
import { Field, FormErrors } from "~/components/form";
import { Time } from "~/components/time";
import { hoursWords, REMINDER_PRESETS, REMINDER_REPEAT_HOURS } from "~/server/round-forms";
import { allErrors, IntentForm, useResult } from "./forms";
import type { Reminders, Workspace } from "./types";

const members = (n: number) => `${n} member${n === 1 ? "" : "s"}`;

/** The button that reminds whoever has not answered everything; a second one within 12 hours needs its own tick. */
export function RemindForm({ recent }: { recent: Reminders["recent"] }) {
  const result = useResult("remind");
  return (
    <IntentForm intent="remind" className="stack remind-form" errors={false}>
      <FormErrors id="remind-error" errors={allErrors(result)} />
      {recent ? (
        <div className="field">
          <label className="choice">
            <input type="checkbox" name="again" value="yes" required />
            <span>
              Send another although the last reminder went out <Time value={recent.at} /> to {members(recent.count)}, less than{" "}
              {REMINDER_REPEAT_HOURS} hours ago
            </span>
          </label>
        </div>
      ) : null}
      <p className="row">
        <button type="submit" className="button button-secondary">
          Remind non-responders
        </button>
        <span className="muted">E-mails each member above (except removed ones) the deadline and the link to vote.</span>
      </p>
    </IntentForm>
  );
}

/** Every reminder the round's panel was sent: when, to how many, by whom or by schedule. */
export function ReminderHistory({ history }: { history: Reminders["history"] }) {
  return (
    <>
      <h4>Sent</h4>
      {history.length === 0 ? (
        <p className="muted">No reminder has gone out yet.</p>
      ) : (
        <ul className="reminder-list">
          {history.map((sent, i) => (
            <li key={i}>
              <Time value={sent.at} /> — to {members(sent.count)},{" "}
              {sent.hoursBefore !== null
                ? `scheduled ${hoursWords(sent.hoursBefore)} before the deadline`
                : `sent by ${sent.by ?? "a secretary"}`}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

type Schedule = Reminders["scheduled"][number];

function ScheduleState({ schedule, status }: { schedule: Schedule; status: Workspace["status"] }) {
  switch (schedule.state) {
    case "sent":
      return (
        <>
          went out <Time value={schedule.sentAt!} />{" "}
          {schedule.recipients ? `to ${members(schedule.recipients)}` : "to nobody: everyone had answered"}
        </>
      );
    case "no deadline":
      return <>waits for a deadline</>;
    case "waiting":
      return (
        <>
          goes out <Time value={schedule.dueAt!} />
          {status === "draft" ? " if the round is open by then" : ""}
        </>
      );
    case "passed":
      if (status === "closed") return <>not sent: the round closed first</>;
      return (
        <>
          not sent: its moment, <Time value={schedule.dueAt!} />,{" "}
          {status === "open" ? "came before the round opened" : "has passed"}
        </>
      );
  }
}

function AddSchedule({ taken }: { taken: number[] }) {
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
        label="Remind non-responders automatically"
        errorId={fields.hoursBefore.errorId}
        errors={fields.hoursBefore.errors}
      >
        <select {...getSelectProps(fields.hoursBefore)} defaultValue={presets.includes(72) ? "72" : String(presets[0])}>
          {presets.map((hours) => (
            <option key={hours} value={hours}>
              {hoursWords(hours)} before the deadline
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" className="button button-secondary">
        Schedule reminder
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
  const manage = canManage && status !== "closed";
  const unscheduleResult = useResult("unschedule-reminder");
  return (
    <>
      <h4>Scheduled before the deadline</h4>
      {scheduled.length === 0 ? <p className="muted">None scheduled.</p> : null}
      <FormErrors id="unschedule-reminder-error" errors={allErrors(unscheduleResult)} />
      {scheduled.length > 0 ? (
        <ul className="reminder-list">
          {scheduled.map((schedule) => (
            <li key={schedule.id}>
              <span>
                <strong>{hoursWords(schedule.hoursBefore)} before</strong>: <ScheduleState schedule={schedule} status={status} />
              </span>
              {manage && schedule.state !== "sent" ? (
                <IntentForm intent="unschedule-reminder" errors={false} className="item-form">
                  <input type="hidden" name="scheduleId" value={schedule.id} />
                  <button type="submit" className="button-link">
                    Remove the reminder {hoursWords(schedule.hoursBefore)} before
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
              A scheduled reminder goes to whoever has not answered everything by then, once, and only while the round is open;
              moving the deadline moves it too.
              {linksToLocal
                ? " PUBLIC_URL is not set, so its link points to this server's own local address: set PUBLIC_URL to the address the panel uses."
                : ""}
            </p>
          </>
        ) : (
          <p className="muted">Set a deadline to schedule reminders before it.</p>
        )
      ) : null}
    </>
  );
}
