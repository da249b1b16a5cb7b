import { recommendationSetJsonSchema } from "~/consensus/recommendation-set.schema";
import { publicOrigin } from "./env.server";

/** The JSON Schema of a published set, its `$id` the URL this instance serves it at. */
export function servedSetSchema(request: Request) {
  return recommendationSetJsonSchema(`${publicOrigin(request)}/api/schema/recommendation-set.json`);
}
