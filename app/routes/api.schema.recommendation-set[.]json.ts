import type { LoaderFunctionArgs } from "@remix-run/node";
import { schemaResponse } from "~/server/public-api.server";
import { servedSetSchema } from "~/server/schema.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return schemaResponse(request, servedSetSchema(request));
}
