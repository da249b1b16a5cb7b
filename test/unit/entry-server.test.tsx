import type { EntryContext } from "@remix-run/node";
import { expect, test, vi } from "vitest";

// Render a plain page instead of a Remix route tree: the point is the stream's abort timer.
vi.mock("@remix-run/react", () => ({
  RemixServer: ({ url }: { url: string }) => <p>{`rendered ${url}`}</p>,
}));

const { default: handleRequest, ABORT_DELAY } = await import("~/entry.server");

test("every abort timer a render arms is cleared when it ends (Remix's default keeps each alive for 5 s)", async () => {
  const armed: unknown[] = [];
  const cleared = new Set<unknown>();
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
    const timer = realSetTimeout(fn, ms);
    if (ms === ABORT_DELAY) armed.push(timer);
    return timer;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, "clearTimeout").mockImplementation((timer) => {
    cleared.add(timer);
    realClearTimeout(timer);
  });

  for (let i = 0; i < 20; i++) {
    const response = await handleRequest(
      new Request(`http://localhost/page/${i}`, { headers: { "user-agent": i % 2 ? "Googlebot" : "Mozilla/5.0" } }),
      200,
      new Headers(),
      { staticHandlerContext: { matches: [] }, routeModules: {} } as unknown as EntryContext,
    );
    expect(await response.text()).toContain(`rendered http://localhost/page/${i}`);
  }
  await new Promise((resolve) => setImmediate(resolve));
  vi.restoreAllMocks();

  expect(armed).toHaveLength(20);
  expect(armed.filter((timer) => !cleared.has(timer))).toEqual([]);
});
