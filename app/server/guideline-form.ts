import { z } from "zod";
import { ANONYMITY } from "~/consensus/anonymity";
import { controlCharacterIn, normalizeLineBreaks } from "~/consensus/characters";
import { msg, type Translate } from "~/i18n";
import { english } from "~/locales/english";

/**
 * A guideline's descriptive fields, as the admin's "new guideline" form and the settings page
 * both ask for them: one schema, read by both actions and by guidelines.server.ts. Safe to load
 * in the browser. The limits are the consensus record's, so whatever an import brings in can be
 * saved back unchanged.
 */
export const GUIDELINE_LIMITS = { title: 500, description: 5000, language: 35, registration: 500, source: 4000 } as const;

const LANGUAGE_TAG = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/;
/** A tag as published sets write it (recommendation-set.schema.ts): "zh", "zh-Hans", "pt-BR". */
const PUBLISHED_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** A language tag in its canonical case ("ZH-hans" → "zh-Hans"), or null when it is not a valid one. */
function canonicalTag(tag: string): string | null {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical && PUBLISHED_TAG.test(canonical) ? canonical : null;
  } catch {
    return null;
  }
}
const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** Typed text: no control character but tab and line break; a browser's CRLF line breaks stored as "\n". `what` is a translation key. */
const typed = (what: string, options?: { error: string }) =>
  z
    .string(options)
    .refine((value) => controlCharacterIn(value) === null, {
      error: (iss) =>
        english("{{what}} contains a control character ({{character}}): only tab and line break are allowed", {
          what: english(what),
          character: controlCharacterIn(String(iss.input)),
        }),
    })
    .overwrite(normalizeLineBreaks)
    .trim();

/** A limit's message: a translation key naming the limit as written, checked against it so the two cannot drift. */
function atMost<K extends string>(max: number, key: K): K {
  if (!key.includes(` ${max.toLocaleString("en")} `)) throw new Error(`"${key}" does not name the limit ${max}`);
  return key;
}

/** An optional text stored as null when empty (registration, source). */
const optionalText = (what: string, max: number, tooLong: string) =>
  typed(what)
    .max(max, atMost(max, tooLong))
    .optional()
    .transform((value) => value || null);

export const GuidelineFieldsSchema = z.object({
  title: typed(msg("A title"), { error: msg("Enter a title") })
    .min(1, msg("Enter a title"))
    .max(GUIDELINE_LIMITS.title, atMost(GUIDELINE_LIMITS.title, msg("A title has at most 500 characters"))),
  description: typed(msg("A description"))
    .max(GUIDELINE_LIMITS.description, atMost(GUIDELINE_LIMITS.description, msg("A description has at most 5,000 characters")))
    .default(""),
  language: z
    .string()
    .trim()
    .max(GUIDELINE_LIMITS.language, atMost(GUIDELINE_LIMITS.language, msg("A language tag has at most 35 characters")))
    .regex(LANGUAGE_TAG, msg("Use a language tag such as en, fr or pt-BR"))
    .overwrite((tag) => canonicalTag(tag) ?? tag)
    .default("en"),
  /** The other languages the statements are translated into, as typed: "zh" or "zh, fr". */
  translations: z
    .string()
    .trim()
    .max(200, msg("List at most 200 characters of language tags"))
    .default("")
    .transform((typed, ctx) => {
      const tags = typed
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map(canonicalTag);
      if (tags.some((tag) => tag === null)) {
        ctx.addIssue({ code: "custom", message: msg("Use language tags separated by commas, such as zh or zh, fr") });
        return z.NEVER;
      }
      return [...new Set(tags as string[])];
    }),
  registration: optionalText(
    msg("A registration"),
    GUIDELINE_LIMITS.registration,
    msg("A registration has at most 500 characters"),
  ),
  source: optionalText(msg("A source"), GUIDELINE_LIMITS.source, msg("A source has at most 4,000 characters")),
});

export type GuidelineFields = z.output<typeof GuidelineFieldsSchema>;

export const AnonymitySchema = z.enum(ANONYMITY, { error: msg("Choose anonymous or named") });

function emailList(text: string, ctx: z.RefinementCtx, t: Translate): string[] {
  const addresses = [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((a) => a.toLowerCase())
        .filter(Boolean),
    ),
  ];
  const bad = addresses.filter((address) => !z.email().safeParse(address).success);
  if (bad.length > 0) {
    const quoted = bad.map((address) => `"${address}"`).join(", ");
    ctx.addIssue({
      code: "custom",
      message: t("These are not valid e-mail addresses: {{addresses}}", { count: bad.length, addresses: quoted }),
    });
  } else if (addresses.length === 0) {
    ctx.addIssue({ code: "custom", message: msg("Enter at least one secretary's e-mail address") });
  }
  return addresses;
}

/**
 * The admin's "new guideline" form: the descriptive fields, the slug, anonymity (anonymous unless
 * chosen) and the secretaries. `slugTaken` checks the database (server only), so a slug in use is
 * a field error like any other. `t` writes the messages that quote what was typed (English by default).
 */
export function newGuidelineSchema(slugTaken: (slug: string) => boolean = () => false, t: Translate = english) {
  return GuidelineFieldsSchema.extend({
    slug: z
      .string({ error: msg("Enter a slug, e.g. imt-consensus") })
      .trim()
      .max(100, msg("A slug has at most 100 characters"))
      .regex(SLUG, msg("Use lowercase letters, digits and hyphens, starting with a letter or digit"))
      .superRefine((slug, ctx) => {
        if (slugTaken(slug)) ctx.addIssue({ code: "custom", message: t('The slug "{{slug}}" is already in use', { slug }) });
      }),
    anonymity: AnonymitySchema.default("anonymous"),
    secretaries: z
      .string({ error: msg("Enter at least one secretary's e-mail address") })
      .transform((text, ctx) => emailList(text, ctx, t)),
  });
}
