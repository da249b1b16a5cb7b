import type { SubmissionResult } from "@conform-to/react";
import { Refusal } from "./errors.server";
import { tr } from "./i18n.server";

type Replyable = { reply: (options?: { formErrors?: string[]; resetForm?: boolean }) => SubmissionResult<string[]> };

/**
 * Runs a domain change for a valid form submission. A Refusal (nothing was changed) comes back
 * as a form error with its status; anything else is a real failure and is left to throw.
 */
export async function attempt<T>(submission: Replyable, change: () => T | Promise<T>): Promise<T | Response> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof Refusal) {
      return Response.json(submission.reply({ formErrors: [error.text()] }), { status: error.status });
    }
    throw error;
  }
}

/** A submission that failed validation: every field error at once, 400. */
export function invalid(submission: Replyable): Response {
  return Response.json(submission.reply(), { status: 400 });
}

/**
 * The request's form fields. A body that is not a form (JSON, text, broken multipart) is a
 * 415 naming what to send, never the 500 of `request.formData()`'s TypeError.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw Response.json(
      { error: tr("Send this form as application/x-www-form-urlencoded or multipart/form-data.") },
      { status: 415 },
    );
  }
}
