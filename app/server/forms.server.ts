import type { SubmissionResult } from "@conform-to/react";
import { Refusal } from "./errors";

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
      return Response.json(submission.reply({ formErrors: [error.message] }), { status: error.status });
    }
    throw error;
  }
}

/** A submission that failed validation: every field error at once, 400. */
export function invalid(submission: Replyable): Response {
  return Response.json(submission.reply(), { status: 400 });
}
