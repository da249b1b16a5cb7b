import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "@db/client.server";
import { guidelinesResponse } from "~/server/public-api.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return guidelinesResponse(getDb(), request);
}
