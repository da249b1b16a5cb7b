import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "@db/client.server";
import { exportResponse } from "~/server/manuscript.server";
import { requireMember } from "~/server/permissions.server";

/** A published version's Table 1 (v<N>.md, v<N>.docx) or all closed rounds' tallies (rounds.csv). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, ["secretary", "observer"]);
  return exportResponse(getDb(), { guideline, file: params.file ?? "" });
}
