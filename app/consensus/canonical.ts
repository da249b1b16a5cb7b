import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import canonicalize from "canonicalize";

/** RFC 8785 (JSON Canonicalization Scheme): sorted keys, no whitespace, canonical numbers. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("This value has no JSON form.");
  return text;
}

/** `sha256:` + the hex SHA-256 of a value's canonical JSON, recomputable by anyone. */
export function contentHash(value: unknown): string {
  return `sha256:${encodeHexLowerCase(sha256(new TextEncoder().encode(canonicalJson(value))))}`;
}
