import { z } from "zod";
import { ROLES } from "~/consensus/values";

/** The panel's forms, shared by the action and the forms' own checks in the browser. */

export const CONFIRM_REMOVAL = "Confirm the removal: choose Remove in the member’s actions, then confirm it.";
const GROUP_OF_PANELISTS = "Only panelists belong to a stakeholder group: leave it empty for a secretary or observer.";

const optionalText = (label: string, max: number) =>
  z.string().trim().max(max, `${label} has at most ${max} characters`).optional();

const Role = z.enum(ROLES, { error: "Choose panelist, observer or secretary" });

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
        .string({ error: "Enter the e-mail address to invite" })
        .trim()
        .toLowerCase()
        .pipe(z.email("Enter a valid e-mail address, such as name@example.org"))
        .superRefine((email, ctx) => {
          const why = conflict(email);
          if (why) ctx.addIssue({ code: "custom", message: why });
        }),
      role: Role,
      discipline: optionalText("A discipline", 100),
      affiliation: optionalText("An affiliation", 200),
      group: optionalText("A stakeholder group", 100),
    })
    .superRefine(groupOfPanelists, { when: () => true });
}

export const RecuseSchema = z.object({
  intent: z.literal("recuse"),
  membershipId: z.string({ error: "Choose the panelist to recuse" }),
  statementId: z.string({ error: "Choose the statement" }),
  reason: z
    .string({ error: "Say why, e.g. the conflict of interest they declared" })
    .trim()
    .max(1000, "A reason has at most 1000 characters"),
});

/** A member's role, discipline, affiliation and stakeholder group, changed after they joined. */
export const EditSchema = z
  .object({
    intent: z.literal("edit"),
    membershipId: z.string({ error: "Choose the member to change" }),
    role: Role,
    discipline: optionalText("A discipline", 100),
    affiliation: optionalText("An affiliation", 200),
    group: optionalText("A stakeholder group", 100),
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
