import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "@db/client.server";
import { jsonError, malformedVersionMessage, parseVersionParam, setResponse } from "~/server/public-api.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const wanted = parseVersionParam(params.version);
  if (!wanted) return jsonError(400, malformedVersionMessage(params.version));
  return setResponse(getDb(), request, params.slug!, wanted);
}
