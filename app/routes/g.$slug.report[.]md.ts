import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "@db/client.server";
import { reportResponse } from "~/server/methods-report.server";
import { requireMember } from "~/server/permissions.server";

/** The methods report as Markdown (`?version=N` for a published version). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, ["secretary", "observer"]);
  return reportResponse(getDb(), { slug: guideline.slug, url: new URL(request.url), format: "md" });
}
