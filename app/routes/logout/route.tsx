import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { logout } from "~/server/auth.server";

export async function action({ request }: ActionFunctionArgs) {
  return logout(request);
}

/** Logging out changes state, so it is a POST; a link here just goes home. */
export async function loader() {
  return redirect("/");
}
