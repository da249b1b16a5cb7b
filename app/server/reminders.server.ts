/**
 * Reminders to the panelists of an open round who have not answered all their statements: sent
 * by a secretary (a second one within 12 hours only when they say so), or scheduled some hours
 * before the deadline and sent once by the server's tick. Both go the same way: a mail per
 * member in the outbox and a "round.reminded" audit event, and those events are the round's
 * history of reminders.
 */
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { auditEvents, guidelines, memberships, reminderSchedules, rounds, users } from "@db/schema";
import { DEFAULT_LANGUAGE, languageOf, msg, type Language } from "~/i18n";
import { formatUtc } from "~/time";
import { recordAudit } from "./audit.server";
import { env } from "./env.server";
import { inEach, Refusal } from "./errors.server";
import { tr, translator } from "./i18n.server";
import { queueMail } from "./mail.server";
import { remindable, type MemberProgress } from "./progress.server";
import { hoursWords, REMINDER_REPEAT_HOURS } from "./round-forms";
import { findRoundByNumber, type Round } from "./rounds.server";

type Guideline = Pick<typeof guidelines.$inferSelect, "id" | "slug" | "title">;

const HOUR = 3_600_000;

/** The language each member's account saved (English when it saved none), by membership. */
function languagesOf(db: Queryable, members: MemberProgress[]): Map<string, Language> {
  const ids = members.map((m) => m.membershipId);
  const rows = db
    .select({ membershipId: memberships.id, locale: users.locale })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(inArray(memberships.id, ids.length ? ids : [""]))
    .all();
  return new Map(rows.map((row) => [row.membershipId, languageOf(row.locale) ?? DEFAULT_LANGUAGE]));
}

/**
 * Queues a reminder to each member given, with how far they are, the deadline and the link to
 * vote, in the language their account saved.
 */
function queueReminders(
  db: Queryable,
  input: { guideline: Guideline; round: Round; members: MemberProgress[]; voteUrl: string; now: Date },
): void {
  const { guideline, round } = input;
  const languages = languagesOf(db, input.members);
  for (const member of input.members) {
    const language = languages.get(member.membershipId) ?? DEFAULT_LANGUAGE;
    const t = translator(language, "mail");
    const values = { number: round.number, title: guideline.title, answered: member.answered, items: member.items };
    const progress = round.closesAt
      ? t(
          'Round {{number}} of "{{title}}" is open and you have answered {{answered}} of {{items}} statements. The round closes on {{closesAt}}.',
          { ...values, closesAt: formatUtc(round.closesAt, false, language) },
        )
      : t(
          'Round {{number}} of "{{title}}" is open and you have answered {{answered}} of {{items}} statements. The round has no fixed deadline yet.',
          values,
        );
    queueMail(
      db,
      {
        guidelineId: guideline.id,
        kind: "reminder",
        to: member.email,
        subject: t('Reminder: round {{number}} of "{{title}}" is waiting for your vote', values),
        body:
          t("Dear {{name}},", { name: member.name }) +
          "\n\n" +
          progress +
          "\n\n" +
          t("Vote here: {{url}}", { url: input.voteUrl }) +
          "\n\n" +
          t("You can change your answers until the round closes.") +
          "\n",
      },
      input.now,
    );
  }
}

export type ReminderSent = {
  at: Date;
  /** How many members it went to. */
  count: number;
  /** The secretary who sent it; null for a scheduled one. */
  by: string | null;
  /** For a scheduled reminder: how many hours before the deadline it was set for. */
  hoursBefore: number | null;
};

/** Every reminder a round's panel was sent, newest first, from the audit trail. */
export function reminderHistory(db: Queryable, input: { guidelineId: string; number: number }): ReminderSent[] {
  return db
    .select({ at: auditEvents.createdAt, details: auditEvents.details, actorId: auditEvents.actorId, name: users.name })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(
      and(
        eq(auditEvents.guidelineId, input.guidelineId),
        eq(auditEvents.action, "round.reminded"),
        sql`json_extract(${auditEvents.details}, '$.round') = ${input.number}`,
      ),
    )
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .all()
    .map(({ at, details, actorId, name }) => ({
      at,
      count: typeof details.count === "number" ? details.count : 0,
      by: actorId === null ? null : (name ?? tr("a deleted account")),
      hoursBefore: typeof details.hoursBefore === "number" ? details.hoursBefore : null,
    }));
}

/** The last reminder, when it went out less than REMINDER_REPEAT_HOURS before `now`. */
function recentReminder(history: ReminderSent[], now: Date): ReminderSent | null {
  const last = history[0];
  return last && now.getTime() - last.at.getTime() < REMINDER_REPEAT_HOURS * HOUR ? last : null;
}

/**
 * Queues a reminder to every panelist of the open round who has not answered all their
 * statements, with the deadline and the link to vote, and returns how many were reminded. A
 * reminder within REMINDER_REPEAT_HOURS of the last one is refused unless `again` says so.
 */
export function remindNonResponders(
  db: Queryable,
  input: { guideline: Guideline; number: number; voteUrl: string; actorId: string | null; again?: boolean; now?: Date },
): number {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const round = findRoundByNumber(tx, { guidelineId: input.guideline.id, number: input.number });
      if (round.status !== "open") {
        throw new Refusal(
          round.status === "draft"
            ? msg("Round {{number}} is draft: only an open round has people to remind.")
            : msg("Round {{number}} is closed: only an open round has people to remind."),
          409,
          { number: round.number },
        );
      }
      const members = remindable(tx, round);
      if (members.length === 0) {
        throw new Refusal(msg("Every panelist has answered all their statements: nobody needs a reminder."), 422);
      }
      const recent = recentReminder(reminderHistory(tx, { guidelineId: input.guideline.id, number: round.number }), now);
      if (recent && !input.again) {
        throw new Refusal(
          msg(
            "The last reminder went out on {{when}} to {{members}}, less than {{hours}} hours ago: tick the box to send another one anyway.",
          ),
          409,
          {
            when: recent.at,
            members: inEach((t) => t("{{count}} members", { count: recent.count })),
            hours: REMINDER_REPEAT_HOURS,
          },
        );
      }
      queueReminders(tx, { guideline: input.guideline, round, members, voteUrl: input.voteUrl, now });
      recordAudit(tx, {
        guidelineId: input.guideline.id,
        actorId: input.actorId,
        action: "round.reminded",
        details: { round: round.number, count: members.length },
        at: now,
      });
      return members.length;
    },
    { behavior: "immediate" },
  );
}

export type ScheduledReminder = {
  id: string;
  hoursBefore: number;
  /** When it goes out: its hours before the current deadline (null without a deadline). */
  dueAt: Date | null;
  sentAt: Date | null;
  recipients: number | null;
  /**
   * `sent`; `waiting` for its moment (or, when past, for the next tick); `no deadline`; or
   * `passed`: it will not go out as things stand (its moment came before the round opened, or
   * has passed in a draft, or the round closed first).
   */
  state: "sent" | "waiting" | "no deadline" | "passed";
};

function dueAt(round: Pick<Round, "closesAt">, hoursBefore: number): Date | null {
  return round.closesAt ? new Date(round.closesAt.getTime() - hoursBefore * HOUR) : null;
}

function stateOf(round: Round, schedule: { hoursBefore: number; sentAt: Date | null }, now: Date): ScheduledReminder["state"] {
  if (schedule.sentAt) return "sent";
  const due = dueAt(round, schedule.hoursBefore);
  if (!due) return "no deadline";
  switch (round.status) {
    case "draft":
      return due.getTime() > now.getTime() ? "waiting" : "passed";
    case "open":
      return round.openedAt && due.getTime() < round.openedAt.getTime() ? "passed" : "waiting";
    case "closed":
      return "passed";
  }
}

function schedulesOf(db: Queryable, round: Round, now: Date): ScheduledReminder[] {
  return db
    .select()
    .from(reminderSchedules)
    .where(eq(reminderSchedules.roundId, round.id))
    .orderBy(desc(reminderSchedules.hoursBefore))
    .all()
    .map((s) => ({
      id: s.id,
      hoursBefore: s.hoursBefore,
      dueAt: dueAt(round, s.hoursBefore),
      sentAt: s.sentAt,
      recipients: s.recipients,
      state: stateOf(round, s, now),
    }));
}

/**
 * A round's reminders for its page: the history (with who sent each only when `names`, for
 * secretaries), the scheduled ones, and the last reminder when it went out so recently that
 * another needs a confirmation.
 */
export function roundReminders(db: Queryable, input: { guideline: Guideline; number: number; names: boolean; now?: Date }) {
  const now = input.now ?? new Date();
  const round = findRoundByNumber(db, { guidelineId: input.guideline.id, number: input.number });
  const all = reminderHistory(db, { guidelineId: input.guideline.id, number: round.number });
  const history = input.names ? all : all.map((sent) => ({ ...sent, by: null }));
  return {
    history,
    recent: recentReminder(history, now),
    scheduled: schedulesOf(db, round, now),
  };
}

function scheduledRound(db: Queryable, roundId: string): Round {
  const round = db.select().from(rounds).where(eq(rounds.id, roundId)).get();
  if (!round) throw new Refusal(msg("No such round."), 404);
  if (round.status === "closed") {
    throw new Refusal(msg("Round {{number}} is closed: it sends no more reminders."), 409, { number: round.number });
  }
  return round;
}

/**
 * Schedules a reminder `hoursBefore` the deadline of a draft or open round. Refused without a
 * deadline, when that moment has passed, or when the round already has one at that moment.
 */
export function scheduleReminder(
  db: Queryable,
  input: { roundId: string; hoursBefore: number; actorId: string | null; now?: Date },
): void {
  const now = input.now ?? new Date();
  db.transaction(
    (tx) => {
      const round = scheduledRound(tx, input.roundId);
      const due = dueAt(round, input.hoursBefore);
      const span = inEach((t) => hoursWords(input.hoursBefore, t));
      if (!due) throw new Refusal(msg("Set a deadline first: reminders are scheduled before it."), 422);
      if (due.getTime() <= now.getTime()) {
        throw new Refusal(
          round.status === "open"
            ? msg("{{span}} before the deadline was {{when}}, already past: send a reminder now instead.")
            : msg("{{span}} before the deadline was {{when}}, already past: choose a shorter time."),
          422,
          { span, when: due },
        );
      }
      const taken = tx
        .select({ id: reminderSchedules.id })
        .from(reminderSchedules)
        .where(and(eq(reminderSchedules.roundId, round.id), eq(reminderSchedules.hoursBefore, input.hoursBefore)))
        .get();
      if (taken) {
        throw new Refusal(msg("A reminder {{span}} before the deadline is already scheduled for round {{number}}."), 409, {
          span,
          number: round.number,
        });
      }
      tx.insert(reminderSchedules)
        .values({ roundId: round.id, hoursBefore: input.hoursBefore, createdBy: input.actorId, createdAt: now })
        .run();
      recordAudit(tx, {
        guidelineId: round.guidelineId,
        actorId: input.actorId,
        action: "round.reminder_scheduled",
        details: { round: round.number, hoursBefore: input.hoursBefore },
        at: now,
      });
    },
    { behavior: "immediate" },
  );
}

/** Removes a scheduled reminder that has not gone out (one that has stays, as history). */
export function unscheduleReminder(
  db: Queryable,
  input: { roundId: string; scheduleId: string; actorId: string | null; now?: Date },
): void {
  db.transaction(
    (tx) => {
      const round = scheduledRound(tx, input.roundId);
      const schedule = tx
        .select()
        .from(reminderSchedules)
        .where(and(eq(reminderSchedules.id, input.scheduleId), eq(reminderSchedules.roundId, round.id)))
        .get();
      if (!schedule)
        throw new Refusal(msg("That reminder is not scheduled for round {{number}}."), 404, { number: round.number });
      if (schedule.sentAt) {
        throw new Refusal(msg("That reminder went out {{when}}: it stays in the history."), 409, { when: schedule.sentAt });
      }
      tx.delete(reminderSchedules).where(eq(reminderSchedules.id, schedule.id)).run();
      recordAudit(tx, {
        guidelineId: round.guidelineId,
        actorId: input.actorId,
        action: "round.reminder_unscheduled",
        details: { round: round.number, hoursBefore: schedule.hoursBefore },
        at: input.now,
      });
    },
    { behavior: "immediate" },
  );
}

/**
 * Where the links in scheduled reminders point: PUBLIC_URL, else this server on localhost (the
 * tick has no request to take an origin from).
 */
export function scheduledOrigin(): string {
  const config = env();
  return config.PUBLIC_URL?.replace(/\/$/, "") ?? `http://localhost:${config.PORT}`;
}

/**
 * Unsent schedules of open rounds whose moment has come: at or after `hoursBefore` the
 * deadline, before the deadline itself, and not before the round opened.
 */
function due(now: Date) {
  const moment = sql`${rounds.closesAt} - ${reminderSchedules.hoursBefore} * ${HOUR}`;
  return and(
    isNull(reminderSchedules.sentAt),
    eq(rounds.status, "open"),
    sql`${moment} <= ${now.getTime()}`,
    sql`${moment} >= ${rounds.openedAt}`,
    sql`${rounds.closesAt} > ${now.getTime()}`,
  );
}

export type DueReminderSent = { roundId: string; round: number; hoursBefore: number; recipients: number };

/**
 * Sends the scheduled reminders that are due, each once: in one immediate transaction per
 * schedule, it checks again that the schedule is unsent and due — and waits while the last
 * reminder went out under REMINDER_REPEAT_HOURS ago —, queues the mails the way a
 * secretary's reminder does and marks it sent with its number of recipients. A tick that
 * overlaps another finds it sent and skips it; schedules of closed rounds never go out.
 */
export function sendDueReminders(db: Queryable, now = new Date(), origin = scheduledOrigin()): DueReminderSent[] {
  const candidates = db
    .select({ id: reminderSchedules.id })
    .from(reminderSchedules)
    .innerJoin(rounds, eq(rounds.id, reminderSchedules.roundId))
    .where(due(now))
    .orderBy(asc(reminderSchedules.createdAt))
    .all();
  const sent: DueReminderSent[] = [];
  for (const { id } of candidates) {
    const done = db.transaction(
      (tx) => {
        const row = tx
          .select({ schedule: reminderSchedules, round: rounds, guideline: guidelines })
          .from(reminderSchedules)
          .innerJoin(rounds, eq(rounds.id, reminderSchedules.roundId))
          .innerJoin(guidelines, eq(guidelines.id, rounds.guidelineId))
          .where(and(eq(reminderSchedules.id, id), due(now)))
          .get();
        if (!row) return null;
        const { schedule, round, guideline } = row;
        // The 12-hour rule holds for schedules too: it waits while the last reminder is that recent.
        if (recentReminder(reminderHistory(tx, { guidelineId: guideline.id, number: round.number }), now)) return null;
        const voteUrl = `${origin}/g/${guideline.slug}/vote`;
        const members = remindable(tx, round);
        queueReminders(tx, { guideline, round, members, voteUrl, now });
        const recipients = members.length;
        tx.update(reminderSchedules)
          .set({ sentAt: now, recipients })
          .where(and(eq(reminderSchedules.id, schedule.id), isNull(reminderSchedules.sentAt)))
          .run();
        if (recipients > 0) {
          recordAudit(tx, {
            guidelineId: guideline.id,
            actorId: null,
            action: "round.reminded",
            details: { round: round.number, count: recipients, hoursBefore: schedule.hoursBefore },
            at: now,
          });
        }
        return { roundId: round.id, round: round.number, hoursBefore: schedule.hoursBefore, recipients };
      },
      { behavior: "immediate" },
    );
    if (done) sent.push(done);
  }
  return sent;
}
