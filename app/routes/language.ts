/**
 * The language switcher's target: saves the choice on the account when signed in, and in a
 * cookie for every visitor, then goes back to the page the switch was made on.
 */
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getUser, safeRedirect } from "~/server/auth.server";
import { readForm } from "~/server/forms.server";
import { isLanguage } from "~/i18n";
import { saveLanguage } from "~/server/accounts.server";
import { languageCookie, tr } from "~/server/i18n.server";

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const language = form.get("language");
  if (!isLanguage(language)) {
    return Response.json({ error: tr("Choose a language: en or zh.") }, { status: 400 });
  }
  const user = await getUser(request);
  if (user) saveLanguage(user.id, language);
  return redirect(safeRedirect(form.get("redirectTo")), {
    headers: { "Set-Cookie": await languageCookie.serialize(language) },
  });
}

/** Choosing a language changes state, so it is a POST; a link here just goes home. */
export function loader() {
  return redirect("/");
}
