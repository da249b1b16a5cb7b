import Ajv2020 from "ajv/dist/2020";
import schema from "~/consensus/recommendation-set.schema.json";
import { verifyContentHash, type RecommendationSet } from "~/consensus/recommendation-set";

// Strict, so a sloppy schema fails to compile; `format` is an annotation here (ajv-formats is
// not installed), the date-time strings are checked by their pattern.
const validate = new Ajv2020({
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
  validateFormats: false,
}).compile(schema);

/** Throws, listing every problem, unless `set` matches the published JSON Schema and its content hash. */
export function expectValidSet(set: unknown): asserts set is RecommendationSet {
  if (!validate(set)) {
    const problems = (validate.errors ?? []).map(
      (e) => `  ${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
    );
    throw new Error(`The set does not match recommendation-set.schema.json:\n${problems.join("\n")}`);
  }
  const claimed = (set as RecommendationSet).contentHash;
  if (!verifyContentHash(set as RecommendationSet)) {
    throw new Error(`contentHash ${claimed} is not the hash of the set's canonical JSON.`);
  }
}
