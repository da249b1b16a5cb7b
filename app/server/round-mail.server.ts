/**
 * The mails a round sends its panel: that it is open (with the deadline and the link to vote).
 * Kept in the outbox, delivered by mail.server.ts. Each is written in its panelist's language.
 */
import { eq, inArray } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { guidelines, memberships, type rounds, users } from "@db/schema";
import { DEFAULT_LANGUAGE, languageOf } from "~/i18n";
import { formatUtc } from "~/time";
import { translator } from "./i18n.server";
import { queueMail } from "./mail.server";

type Round = typeof rounds.$inferSelect;

/** Mails every panelist of a just-opened round's snapshot that it is open. */
export function announceOpening(db: Queryable, input: { round: Round; voteUrl: string; now?: Date }): void {
  const { round } = input;
  const guideline = db.select({ title: guidelines.title }).from(guidelines).where(eq(guidelines.id, round.guidelineId)).get()!;
  const ids = round.panelSnapshot?.members.map((m) => m.membershipId) ?? [];
  const panelists = db
    .select({ name: users.name, email: users.email, locale: users.locale })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(inArray(memberships.id, ids.length ? ids : [""]))
    .all();
  for (const panelist of panelists) {
    const language = languageOf(panelist.locale) ?? DEFAULT_LANGUAGE;
    const t = translator(language, "mail");
    const values = { number: round.number, title: guideline.title };
    const opened = round.closesAt
      ? t('Round {{number}} of "{{title}}" is open. It closes on {{closesAt}}.', {
          ...values,
          closesAt: formatUtc(round.closesAt, false, language),
        })
      : t('Round {{number}} of "{{title}}" is open. It has no fixed deadline yet.', values);
    queueMail(
      db,
      {
        guidelineId: round.guidelineId,
        kind: "round-opened",
        to: panelist.email,
        subject: t('Round {{number}} of "{{title}}" is open for your vote', values),
        body:
          t("Dear {{name}},", { name: panelist.name }) +
          "\n\n" +
          opened +
          "\n\n" +
          t("Vote here: {{url}}", { url: input.voteUrl }) +
          "\n\n" +
          t("You can change your answers until the round closes. Your votes are anonymous to the other panelists.") +
          "\n",
      },
      input.now,
    );
  }
}
