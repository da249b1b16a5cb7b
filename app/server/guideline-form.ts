import { z } from "zod";
import { ANONYMITY } from "~/consensus/anonymity";
import { controlCharacterIn, normalizeLineBreaks } from "~/consensus/characters";

/**
 * A guideline's descriptive fields, as the admin's "new guideline" form and the settings page
 * both ask for them: one schema, read by both actions and by guidelines.server.ts. Safe to load
 * in the browser. The limits are the consensus record's, so whatever an import brings in can be
 * saved back unchanged.
 */
export const GUIDELINE_LIMITS = { title: 500, description: 5000, language: 35, registration: 500, source: 4000 } as const;

const LANGUAGE_TAG = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/;
const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** Typed text: no control character but tab and line break; a browser's CRLF line breaks stored as "\n". */
const typed = (what: string, options?: { error: string }) =>
  z
    .string(options)
    .refine((value) => controlCharacterIn(value) === null, {
      error: (iss) =>
        `${what} contains a control character (${controlCharacterIn(String(iss.input))}): only tab and line break are allowed`,
    })
    .overwrite(normalizeLineBreaks)
    .trim();

const atMost = (what: string, max: number) => `${what} has at most ${max.toLocaleString("en")} characters`;

/** An optional text stored as null when empty (registration, source). */
const optionalText = (what: string, max: number) =>
  typed(what)
    .max(max, atMost(what, max))
    .optional()
    .transform((value) => value || null);

export const GuidelineFieldsSchema = z.object({
  title: typed("A title", { error: "Enter a title" })
    .min(1, "Enter a title")
    .max(GUIDELINE_LIMITS.title, atMost("A title", GUIDELINE_LIMITS.title)),
  description: typed("A description")
    .max(GUIDELINE_LIMITS.description, atMost("A description", GUIDELINE_LIMITS.description))
    .default(""),
  language: z
    .string()
    .trim()
    .max(GUIDELINE_LIMITS.language, atMost("A language tag", GUIDELINE_LIMITS.language))
    .regex(LANGUAGE_TAG, "Use a language tag such as en, fr or pt-BR")
    .default("en"),
  registration: optionalText("A registration", GUIDELINE_LIMITS.registration),
  source: optionalText("A source", GUIDELINE_LIMITS.source),
});

export type GuidelineFields = z.output<typeof GuidelineFieldsSchema>;

export const AnonymitySchema = z.enum(ANONYMITY, { error: "Choose anonymous or named" });

function emailList(text: string, ctx: z.RefinementCtx): string[] {
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
      message: bad.length === 1 ? `${quoted} is not a valid e-mail address` : `These are not valid e-mail addresses: ${quoted}`,
    });
  } else if (addresses.length === 0) {
    ctx.addIssue({ code: "custom", message: "Enter at least one secretary's e-mail address" });
  }
  return addresses;
}

/**
 * The admin's "new guideline" form: the descriptive fields, the slug, anonymity (anonymous unless
 * chosen) and the secretaries. `slugTaken` checks the database (server only), so a slug in use is
 * a field error like any other.
 */
export function newGuidelineSchema(slugTaken: (slug: string) => boolean = () => false) {
  return GuidelineFieldsSchema.extend({
    slug: z
      .string({ error: "Enter a slug, e.g. imt-consensus" })
      .trim()
      .max(100, "A slug has at most 100 characters")
      .regex(SLUG, "Use lowercase letters, digits and hyphens, starting with a letter or digit")
      .superRefine((slug, ctx) => {
        if (slugTaken(slug)) ctx.addIssue({ code: "custom", message: `The slug "${slug}" is already in use` });
      }),
    anonymity: AnonymitySchema.default("anonymous"),
    secretaries: z.string({ error: "Enter at least one secretary's e-mail address" }).transform(emailList),
  });
}
