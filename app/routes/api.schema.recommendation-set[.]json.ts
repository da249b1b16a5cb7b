import type { LoaderFunctionArgs } from "@remix-run/node";
import schema from "~/consensus/recommendation-set.schema.json";
import { schemaResponse } from "~/server/public-api.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return schemaResponse(request, schema);
}
