import { z } from "zod";
import { ROLES } from "~/consensus/values";
import { msg } from "~/i18n";

/**
 * The panel's forms, shared by the action and the forms' own checks in the browser. Their
 * messages are translation keys (namespace "panel"), translated where they are shown.
 */

export const CONFIRM_REMOVAL = msg("Confirm the removal: choose Remove in the member’s actions, then confirm it.");
const GROUP_OF_PANELISTS = msg("Only panelists belong to a stakeholder group: leave it empty for a secretary or observer.");

/** An optional free text of at most `max` characters; `tooLong` is the message (a key) when it is longer. */
const optionalText = (max: number, tooLong: string) => z.string().trim().max(max, tooLong).optional();
const discipline = () => optionalText(100, msg("A discipline has at most 100 characters"));
const affiliation = () => optionalText(200, msg("An affiliation has at most 200 characters"));
const group = () => optionalText(100, msg("A stakeholder group has at most 100 characters"));

const Role = z.enum(ROLES, { error: msg("Choose panelist, observer or secretary") });

/** A stakeholder group is a panelist's: refused, on the group field, for any other role. */
const groupOfPanelists = (value: { role?: unknown; group?: unknown }, ctx: z.RefinementCtx) => {
  if (typeof value.group === "string" && value.group !== "" && value.role !== "panelist") {
    ctx.addIssue({ code: "custom", path: ["group"], message: GROUP_OF_PANELISTS });
  }
};

/** The invitation form; `conflict` says why an address cannot be invited (checked on the server only). */
export function inviteSchema(conflict: (email: string) => string | null = () => null) {
  return z
    .object({
      intent: z.literal("invite"),
      email: z
        .string({ error: msg("Enter the e-mail address to invite") })
        .trim()
        .toLowerCase()
        .pipe(z.email(msg("Enter a valid e-mail address, such as name@example.org")))
        .superRefine((email, ctx) => {
          const why = conflict(email);
          if (why) ctx.addIssue({ code: "custom", message: why });
        }),
      role: Role,
      discipline: discipline(),
      affiliation: affiliation(),
      group: group(),
    })
    .superRefine(groupOfPanelists, { when: () => true });
}

export const RecuseSchema = z.object({
  intent: z.literal("recuse"),
  membershipId: z.string({ error: msg("Choose the panelist to recuse") }),
  statementId: z.string({ error: msg("Choose the statement") }),
  reason: z
    .string({ error: msg("Say why, e.g. the conflict of interest they declared") })
    .trim()
    .max(1000, msg("A reason has at most 1000 characters")),
});

/** A member's role, discipline, affiliation and stakeholder group, changed after they joined. */
export const EditSchema = z
  .object({
    intent: z.literal("edit"),
    membershipId: z.string({ error: msg("Choose the member to change") }),
    role: Role,
    discipline: discipline(),
    affiliation: affiliation(),
    group: group(),
  })
  .superRefine(groupOfPanelists, { when: () => true });

/** Every single-row panel action, told apart by its intent. */
export function panelSchema(conflict?: (email: string) => string | null) {
  return z.discriminatedUnion("intent", [
    inviteSchema(conflict),
    z.object({ intent: z.literal("resend"), invitationId: z.string() }),
    z.object({ intent: z.literal("revoke"), invitationId: z.string() }),
    z.object({
      intent: z.literal("remove"),
      membershipId: z.string(),
      confirm: z.boolean({ error: CONFIRM_REMOVAL }).refine((confirmed) => confirmed, CONFIRM_REMOVAL),
    }),
    RecuseSchema,
    z.object({ intent: z.literal("unrecuse"), membershipId: z.string(), statementId: z.string() }),
    EditSchema,
  ]);
}

export type PanelChange = z.output<ReturnType<typeof panelSchema>>;
