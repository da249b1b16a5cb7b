import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb, prepared } from "@db/client.server";
import { guidelines, memberships, type Role } from "@db/schema";
import { msg } from "~/i18n";
import { requireUser, type User } from "./auth.server";
import { tr } from "./i18n.server";

export type GuidelineAccess = {
  guideline: typeof guidelines.$inferSelect;
  membership: typeof memberships.$inferSelect;
};

function deny(status: 403 | 404, message: string): Response {
  return Response.json({ error: message }, { status });
}

/** The roles as a refusal names them. */
const ROLE_NAME: Record<Role, string> = { secretary: msg("secretary"), panelist: msg("panelist"), observer: msg("observer") };

/** "secretary or observer", in the request's language. */
function roleList(roles: readonly Role[]): string {
  const names = roles.map((role) => tr(ROLE_NAME[role]));
  return names.length === 0 ? "" : names.reduce((list, role) => tr("{{list}} or {{role}}", { list, role }));
}

/**
 * The user's membership in a guideline, if it has one of the given roles. An unknown guideline
 * is a 404; a guideline the user has no such role in is a 403. Being an instance admin grants no
 * role in a guideline: admins are made secretaries explicitly.
 */
export function requireRole(user: User, slug: string, roles: Role | readonly Role[]): GuidelineAccess {
  const allowed: readonly Role[] = typeof roles === "string" ? [roles] : roles;
  const access = guidelineAccess(getDb()).get({ slug, userId: user.id });
  if (!access) throw deny(404, tr('No guideline "{{slug}}".', { slug }));
  const { guideline, membership } = access;
  if (!membership || !allowed.includes(membership.role)) {
    throw deny(403, tr('This needs the {{roles}} role in "{{slug}}".', { roles: roleList(allowed), slug }));
  }
  return { guideline, membership };
}

/** A guideline by its slug and the user's current membership in it (null: none), in one read. */
const guidelineAccess = prepared((db) =>
  db
    .select({ guideline: guidelines, membership: memberships })
    .from(guidelines)
    .leftJoin(
      memberships,
      and(
        eq(memberships.guidelineId, guidelines.id),
        eq(memberships.userId, sql.placeholder("userId")),
        isNull(memberships.removedAt),
      ),
    )
    .where(eq(guidelines.slug, sql.placeholder("slug")))
    .prepare(),
);

/** The signed-in user and their membership in a guideline with one of the given roles (403/404 otherwise). */
export async function requireMember(
  request: Request,
  slug: string | undefined,
  roles: Role | readonly Role[],
): Promise<GuidelineAccess & { user: User }> {
  const user = await requireUser(request);
  return { user, ...requireRole(user, slug ?? "", roles) };
}
