/**
 * Writes app/consensus/recommendation-set.schema.json, the JSON Schema of a published set, from
 * its zod schemas: `npm run -s schema` after changing them (a unit test fails until then). The
 * file has no `$id`: each instance serves it with its own URL.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { recommendationSetJsonSchema } from "~/consensus/recommendation-set.schema";

const file = fileURLToPath(new URL("../app/consensus/recommendation-set.schema.json", import.meta.url));
writeFileSync(file, JSON.stringify(recommendationSetJsonSchema(), null, 2) + "\n");
console.log(`Wrote ${file}`);
