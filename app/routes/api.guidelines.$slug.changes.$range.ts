import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "@db/client.server";
import { changesResponse } from "~/server/changes.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return changesResponse(getDb(), request, params.slug!, params.range);
}
