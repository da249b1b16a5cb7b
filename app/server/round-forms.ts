/** The round forms' schemas, shared by the rounds pages' actions and their client-side constraints. */
import { z } from "zod";
import { msg, type Translate } from "~/i18n";
import { english } from "~/locales/english";

const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/** A datetime-local value, read as UTC ("2026-03-31T17:00" is 17:00 UTC). */
export function utcDeadline(required: string) {
  return z
    .string({ error: required })
    .regex(DATETIME_LOCAL, msg("Enter a date and time, e.g. 2026-03-31T17:00"))
    .transform((value, ctx) => {
      const withSeconds = value.length === 16 ? `${value}:00` : value;
      const date = new Date(`${withSeconds}Z`);
      // Date accepts 31 April by rolling over; a deadline that reads back differently is not a date.
      if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== withSeconds) {
        ctx.addIssue({ code: "custom", message: msg("That date does not exist") });
        return z.NEVER;
      }
      return date;
    });
}

const statementIds = z
  .array(z.string(), { error: msg("Choose at least one statement") })
  .min(1, msg("Choose at least one statement"));

export const CreateRoundSchema = z.object({
  statementIds,
  closesAt: utcDeadline(msg("Enter a deadline")).optional(),
});

const confirmation = (message: string) => z.literal(true, { error: message });

/** How long before a deadline a reminder may be scheduled: from an hour to 30 days. */
export const REMINDER_HOURS = { min: 1, max: 720 } as const;
/** The choices the page offers, in hours before the deadline. */
export const REMINDER_PRESETS = [6, 12, 24, 48, 72, 120, 168, 336] as const;

/** A span of hours in whole days when they make whole days: 72 is 3 days, 12 is 12 hours. */
function hoursSpan(hours: number): { count: number; unit: "day" | "hour" } {
  return hours % 24 === 0 ? { count: hours / 24, unit: "day" } : { count: hours, unit: "hour" };
}

/** "3 days", "1 day", "12 hours": whole days when the hours make whole days. */
export function hoursWords(hours: number, t: Translate = english): string {
  const { count, unit } = hoursSpan(hours);
  return unit === "day" ? t("{{count}} days", { count }) : t("{{count}} hours", { count });
}

/** A second reminder within this many hours of the last one needs its own confirmation. */
export const REMINDER_REPEAT_HOURS = 12;

export const RoundActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("add-items"), statementIds }),
  z.object({ intent: z.literal("remove-item"), itemId: z.string({ error: msg("Choose the statement to remove") }) }),
  z.object({ intent: z.literal("set-deadline"), closesAt: utcDeadline(msg("Enter a deadline")).optional() }),
  z.object({
    intent: z.literal("open"),
    confirm: z.literal("yes", { error: msg("Confirm that the round opens: review what opening does, then use its button") }),
  }),
  z.object({
    intent: z.literal("delete"),
    confirm: confirmation(msg("Tick the box to confirm that this draft round is deleted")),
  }),
  z.object({
    intent: z.literal("remind"),
    again: z.literal("yes", { error: msg("Tick the box to send another reminder so soon") }).optional(),
  }),
  z.object({
    intent: z.literal("schedule-reminder"),
    hoursBefore: z
      .number({ error: msg("Choose how long before the deadline") })
      .int(msg("Choose a whole number of hours"))
      .min(REMINDER_HOURS.min, msg("At least 1 hour before the deadline"))
      .max(REMINDER_HOURS.max, msg("At most 30 days before the deadline")),
  }),
  z.object({
    intent: z.literal("unschedule-reminder"),
    scheduleId: z.string({ error: msg("Choose the scheduled reminder to remove") }),
  }),
  z.object({ intent: z.literal("extend-deadline"), closesAt: utcDeadline(msg("Enter the new deadline")) }),
  z.object({
    intent: z.literal("close"),
    confirm: confirmation(msg("Tick the box to confirm: closing is irreversible")),
  }),
  z.object({ intent: z.literal("carry-over") }),
]);

export type RoundIntent = z.infer<typeof RoundActionSchema>["intent"];
