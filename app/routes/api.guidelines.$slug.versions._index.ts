import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "@db/client.server";
import { versionsResponse } from "~/server/public-api.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return versionsResponse(getDb(), request, params.slug!);
}
