/**
 * Bilingual statements (issue 14): translations per revision, stale when the authoritative
 * wording changes, confirmed before a round opens, frozen once voted, published beside the
 * authoritative text (JSON and CSV) while a single-language guideline's set stays as it was.
 */
import { and, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { guidelines, rounds, statementTranslations } from "@db/schema";
import { toCsv } from "~/consensus/recommendation-set";
import { GuidelineFieldsSchema } from "~/server/guideline-form";
import { settingsFor, updateSettings } from "~/server/guidelines.server";
import { publish } from "~/server/publications.server";
import { readTranslations } from "~/server/statement-form";
import { closeRound, createDraftRound, openRound } from "~/server/rounds.server";
import { confirmStatementTranslation, createStatement, editStatement, getStatement } from "~/server/statements.server";
import { castBallot } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";

const fields = (text: string) => ({ section: "Surgery", text, rationale: "", references: "" });

async function bilingual() {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 3, statements: [] });
  db.update(guidelines)
    .set({ language: "en", languages: ["en", "zh"] })
    .where(eq(guidelines.id, g.guideline.id))
    .run();
  const actorId = g.secretary.id;
  const created = createStatement(db, {
    guidelineId: g.guideline.id,
    actorId,
    fields: fields("Radical surgery is the main treatment"),
    translations: { zh: { text: "根治性手术是主要治疗方式", rationale: "" } },
  });
  return { db, g, actorId, statementId: created.statement.id, revisionId: created.revision.id };
}

function translationRow(revisionId: string) {
  return getDb()
    .select()
    .from(statementTranslations)
    .where(and(eq(statementTranslations.revisionId, revisionId), eq(statementTranslations.language, "zh")))
    .get();
}

function draft(w: Awaited<ReturnType<typeof bilingual>>) {
  return createDraftRound(w.db, {
    guidelineId: w.g.guideline.id,
    statementIds: [w.statementId],
    closesAt: null,
    actorId: w.actorId,
  });
}

describe("bilingual statements", () => {
  test("a new statement's translation is saved confirmed, and the round opens", async () => {
    const w = await bilingual();
    expect(translationRow(w.revisionId)).toMatchObject({ text: "根治性手术是主要治疗方式", confirmed: true });
    const round = draft(w);
    expect(openRound(w.db, { roundId: round.id, actorId: w.actorId }).status).toBe("open");
  });

  test("a statement without a translation keeps the round in draft, naming the statement and the language", async () => {
    const w = await bilingual();
    const bare = createStatement(w.db, { guidelineId: w.g.guideline.id, actorId: w.actorId, fields: fields("Biopsy first") });
    const round = createDraftRound(w.db, {
      guidelineId: w.g.guideline.id,
      statementIds: [w.statementId, bare.statement.id],
      closesAt: null,
      actorId: w.actorId,
    });
    expect(() => openRound(w.db, { roundId: round.id, actorId: w.actorId })).toThrow(
      "Statement 2 has no translation into zh: every statement needs one in each of the guideline's languages before the round opens.",
    );
    expect(w.db.select().from(rounds).where(eq(rounds.id, round.id)).get()!.status).toBe("draft");
  });

  test("changing the authoritative text makes the translation stale until it is confirmed", async () => {
    const w = await bilingual();
    const round = draft(w);
    editStatement(w.db, {
      guidelineId: w.g.guideline.id,
      statementId: w.statementId,
      actorId: w.actorId,
      edit: {
        ...fields("Radical surgery is the main treatment when feasible"),
        changeNote: "",
        translations: { zh: { text: "根治性手术是主要治疗方式", rationale: "" } },
      },
    });
    expect(translationRow(w.revisionId)).toMatchObject({ text: "根治性手术是主要治疗方式", confirmed: false });
    expect(() => openRound(w.db, { roundId: round.id, actorId: w.actorId })).toThrow(
      "The translation of statement 1 into zh was written for an earlier wording: confirm or revise it before the round opens.",
    );

    confirmStatementTranslation(w.db, {
      guidelineId: w.g.guideline.id,
      statementId: w.statementId,
      language: "zh",
      actorId: w.actorId,
    });
    expect(translationRow(w.revisionId)!.confirmed).toBe(true);
    expect(() =>
      confirmStatementTranslation(w.db, {
        guidelineId: w.g.guideline.id,
        statementId: w.statementId,
        language: "zh",
        actorId: w.actorId,
      }),
    ).toThrow("This translation is already confirmed.");
    expect(openRound(w.db, { roundId: round.id, actorId: w.actorId }).status).toBe("open");
  });

  test("a translation revised together with the text is confirmed; the history diffs it per language", async () => {
    const w = await bilingual();
    editStatement(w.db, {
      guidelineId: w.g.guideline.id,
      statementId: w.statementId,
      actorId: w.actorId,
      edit: {
        ...fields("Radical surgery is the main treatment when feasible"),
        changeNote: "",
        translations: { zh: { text: "可行时，根治性手术是主要治疗方式", rationale: "" } },
      },
    });
    expect(translationRow(w.revisionId)).toMatchObject({ text: "可行时，根治性手术是主要治疗方式", confirmed: true });
  });

  test("a voted revision's translation never changes: a new wording in either language is a new revision", async () => {
    const w = await bilingual();
    const round = draft(w);
    openRound(w.db, { roundId: round.id, actorId: w.actorId });
    expect(() =>
      w.db.update(statementTranslations).set({ text: "改写" }).where(eq(statementTranslations.revisionId, w.revisionId)).run(),
    ).toThrow("the translations of a revision that went to a vote never change");
    closeRound(w.db, { roundId: round.id, actorId: w.actorId });

    const result = editStatement(w.db, {
      guidelineId: w.g.guideline.id,
      statementId: w.statementId,
      actorId: w.actorId,
      edit: {
        ...fields("Radical surgery is the main treatment"),
        changeNote: "Chinese wording made closer to the English.",
        translations: { zh: { text: "根治性手术应作为主要治疗方式", rationale: "" } },
      },
    });
    expect(result).toEqual({ revision: 2, created: true });
    const detail = getStatement(w.db, { guidelineId: w.g.guideline.id, statementId: w.statementId })!;
    expect(detail.revisions.map((r) => r.translations.map((t) => [t.language, t.text, t.confirmed]))).toEqual([
      [["zh", "根治性手术是主要治疗方式", true]],
      [["zh", "根治性手术应作为主要治疗方式", true]],
    ]);
    expect(detail.revisions[1]!.translations[0]!.diff).not.toBeNull();
    expect(detail.revisions[1]!.translations[0]!.diff!.some((segment) => segment.kind !== "same")).toBe(true);
    expect(translationRow(w.revisionId)!.text).toBe("根治性手术是主要治疗方式");
  });

  test("the published set carries each statement in every language; the CSV gains a column per language", async () => {
    const w = await bilingual();
    const round = draft(w);
    const opened = openRound(w.db, { roundId: round.id, actorId: w.actorId });
    const item = w.db.$client.prepare("select id from round_items where round_id = ?").pluck().get(opened.id) as string;
    for (const member of w.g.panel) castBallot(w.db, { roundItemId: item, membershipId: member.id, choice: "agree" });
    closeRound(w.db, { roundId: round.id, actorId: w.actorId });
    const { set } = publish(w.db, { slug: w.g.guideline.slug, actorId: w.actorId });
    expect(set.guideline).toMatchObject({ language: "en", languages: ["en", "zh"] });
    expect(set.recommendations[0]).toMatchObject({
      text: "Radical surgery is the main treatment",
      translations: { zh: { text: "根治性手术是主要治疗方式" } },
    });
    expect(toCsv(set).split("\r\n").slice(0, 2)).toEqual([
      "number,section,text,text_zh,agree,disagree,abstain,adopted",
      "1,Surgery,Radical surgery is the main treatment,根治性手术是主要治疗方式,3,0,0,true",
    ]);
  });

  test("a single-language guideline's set has neither translations nor languages", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 1, statements: ["Imaging first"] });
    const round = createDraftRound(db, {
      guidelineId: g.guideline.id,
      statementIds: [g.statements[0]!.statement.id],
      closesAt: null,
      actorId: null,
    });
    const opened = openRound(db, { roundId: round.id, actorId: null });
    const item = db.$client.prepare("select id from round_items where round_id = ?").pluck().get(opened.id) as string;
    castBallot(db, { roundItemId: item, membershipId: g.panel[0]!.id, choice: "agree" });
    closeRound(db, { roundId: round.id, actorId: null });
    const { set } = publish(db, { slug: g.guideline.slug, actorId: null });
    expect(set.guideline).not.toHaveProperty("languages");
    expect(set.recommendations[0]).not.toHaveProperty("translations");
    expect(toCsv(set).split("\r\n")[0]).toBe("number,section,text,agree,disagree,abstain,adopted");
  });

  test("a new section or references leave the translation confirmed; only text and rationale make it stale", async () => {
    const w = await bilingual();
    editStatement(w.db, {
      guidelineId: w.g.guideline.id,
      statementId: w.statementId,
      actorId: w.actorId,
      edit: { ...fields("Radical surgery is the main treatment"), references: "Thoracic Cancer 2025", changeNote: "" },
    });
    expect(translationRow(w.revisionId)!.confirmed).toBe(true);
  });

  test("a voted wording's stale translation cannot be confirmed: a refusal, not a database error", async () => {
    const w = await bilingual();
    // zh goes stale on the draft wording, then the guideline drops zh so the round opens without it.
    editStatement(w.db, {
      guidelineId: w.g.guideline.id,
      statementId: w.statementId,
      actorId: w.actorId,
      edit: { ...fields("Surgery first"), changeNote: "" },
    });
    w.db
      .update(guidelines)
      .set({ languages: ["en"] })
      .where(eq(guidelines.id, w.g.guideline.id))
      .run();
    const round = draft(w);
    openRound(w.db, { roundId: round.id, actorId: w.actorId });
    closeRound(w.db, { roundId: round.id, actorId: w.actorId });
    const confirm = () =>
      confirmStatementTranslation(w.db, {
        guidelineId: w.g.guideline.id,
        statementId: w.statementId,
        language: "zh",
        actorId: w.actorId,
      });
    w.db
      .update(guidelines)
      .set({ languages: ["en", "zh"] })
      .where(eq(guidelines.id, w.g.guideline.id))
      .run();
    expect(confirm).toThrow("This wording went to a vote: its translations stay as they were.");
    expect(translationRow(w.revisionId)!.confirmed).toBe(false);
  });

  test("the languages change only between rounds, and the authoritative one not after round 1 opened", async () => {
    const w = await bilingual();
    const guideline = () => w.db.select().from(guidelines).where(eq(guidelines.id, w.g.guideline.id)).get()!;
    const save = (change: { language?: string; translations?: string[] }) =>
      updateSettings(w.db, {
        guidelineId: w.g.guideline.id,
        actorId: w.actorId,
        settings: { ...settingsFor(w.db, guideline()).settings, ...change },
      });
    const round = draft(w);
    openRound(w.db, { roundId: round.id, actorId: w.actorId });
    expect(() => save({ translations: ["zh", "fr"] })).toThrow(
      "Round 1 is open: the guideline's languages change only between rounds.",
    );
    closeRound(w.db, { roundId: round.id, actorId: w.actorId });
    expect(() => save({ language: "de" })).toThrow("The language of the statements is fixed since round 1 opened");
    expect(save({ translations: ["zh", "fr"] }).changed).toEqual(["translations"]);
    expect(guideline().languages).toEqual(["en", "zh", "fr"]);
  });

  test("language tags are written as published sets write them, and a bad one is a field error", () => {
    const parse = (translations: string) =>
      GuidelineFieldsSchema.safeParse({ title: "T", language: "EN", translations, registration: "", source: "" });
    expect(parse("ZH, zh-hans, zh").data).toMatchObject({ language: "en", translations: ["zh", "zh-Hans"] });
    expect(parse("en-a").error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["translations", "Use language tags separated by commas, such as zh or zh, fr"],
    ]);
  });

  test("a translated rationale without the translated statement is refused with the field named", () => {
    const form = new FormData();
    form.set("translation.zh.text", "");
    form.set("translation.zh.rationale", "理由");
    expect(readTranslations(form, ["zh"])).toEqual({
      ok: false,
      errors: { "translation.zh.text": ["Write the translated statement, or leave its rationale empty too"] },
    });
  });
});
