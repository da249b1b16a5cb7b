import { dictionary } from "@zxcvbn-ts/language-common";
import { z } from "zod";

// zxcvbn-ts's list of the ~49,000 most common passwords (breach corpora), kept in one Set.
const common = new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));

export function isCommonPassword(password: string): boolean {
  return common.has(password.toLowerCase());
}

/** NIST SP 800-63B: at least 8 characters, up to a generous maximum, and not a known common password. */
export const NewPasswordSchema = z
  .string({ error: "Choose a password" })
  .min(8, "A password has at least 8 characters")
  .max(128, "A password has at most 128 characters")
  .refine((password) => !isCommonPassword(password), "This is one of the most common passwords: choose another");
