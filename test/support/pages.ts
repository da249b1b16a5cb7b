/**
 * The pages of the app, from the authorization matrix: each URL pattern with who may read it, and
 * one error page per status the matrix expects. Shared by the browser tests that visit them all.
 */
import { join } from "node:path";
import { IDENTITIES, MATRIX, pattern, type Identity } from "./matrix";

const ROUTES_DIR = join(process.cwd(), "app/routes");

/** A route module that exports a component renders a page; one without is a resource route. */
async function rendersPage(file: string): Promise<boolean> {
  const route = (await import(/* @vite-ignore */ join(ROUTES_DIR, file))) as { default?: unknown };
  return typeof route.default === "function";
}

/** The pages, one per URL pattern (a layout and its index route share one), with who may read each. */
export async function pagesOf(): Promise<Map<string, { file: string; readers: Identity[] }>> {
  const pages = new Map<string, { file: string; readers: Identity[] }>();
  for (const [file, entry] of Object.entries(MATRIX)) {
    const readers = IDENTITIES.filter((identity) => entry.GET?.[identity] === "ok");
    if (readers.length > 0 && !pages.has(pattern(file)) && (await rendersPage(file))) pages.set(pattern(file), { file, readers });
  }
  return pages;
}

/** One error page (the root's error boundary) for each status the matrix expects of a page: 400, 403, 404. */
export async function errorPagesOf(): Promise<Map<number, { file: string; identity: Identity }>> {
  const pages = new Map<number, { file: string; identity: Identity }>();
  for (const [file, entry] of Object.entries(MATRIX)) {
    for (const identity of IDENTITIES) {
      const status = entry.GET?.[identity];
      if (typeof status === "number" && !pages.has(status) && (await rendersPage(file))) pages.set(status, { file, identity });
    }
  }
  return pages;
}

/** A route's path with real values for its parameters (routeValues). */
export function pathOf(file: string, values: Record<string, string>): string {
  return pattern(file).replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name]!));
}
