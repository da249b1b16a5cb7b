import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import { integer, text } from "drizzle-orm/sqlite-core";

/** A random, URL-safe identifier (80 bits): stable across editions, safe to publish. */
export function newId(): string {
  const bytes = new Uint8Array(10);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export const id = () => text("id").primaryKey().$defaultFn(newId);

/** Milliseconds since the epoch, read and written as a Date. */
export const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });

export const createdAt = () =>
  timestamp("created_at")
    .notNull()
    .$defaultFn(() => new Date());
