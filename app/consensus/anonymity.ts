/**
 * Who may see what of an open round (DESIGN §4). In an anonymous guideline nobody sees any count
 * before the round closes: secretaries see who has responded (to remind them), and response
 * status plus live counts would let them read each ballot by watching a count move.
 */
export const ANONYMITY = ["anonymous", "named"] as const;
export type Anonymity = (typeof ANONYMITY)[number];

type Visibility = { anonymity: Anonymity; showRunningCounts: boolean };

/**
 * Whether this role sees an open round's running counts (and, the guideline being named, who
 * chose what): only secretaries of a named guideline that turned them on.
 */
export function seesRunningCounts(guideline: Visibility, role: "secretary" | "observer" | "panelist"): boolean {
  return guideline.anonymity === "named" && guideline.showRunningCounts && role === "secretary";
}
