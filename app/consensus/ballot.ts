/** A ballot on the agreement scale, as panelists cast it and pages show it. */
export const CHOICES = ["agree", "disagree", "abstain"] as const;
export type Choice = (typeof CHOICES)[number];

export const CHOICE_LABEL: Record<Choice, string> = { agree: "Agree", disagree: "Disagree", abstain: "Abstain" };

/** The longest comment a panelist may leave on a statement. */
export const COMMENT_LIMIT = 2000;
