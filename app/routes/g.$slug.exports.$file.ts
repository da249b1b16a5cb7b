import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "@db/client.server";
import { analysisExport } from "~/server/analysis.server";
import { requireMember } from "~/server/permissions.server";

/** The analysis exports of closed rounds: rounds.csv (tallies), ballots.csv, comments.csv. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, ["secretary", "observer"]);
  return analysisExport(getDb(), { guideline, file: params.file ?? "" });
}
