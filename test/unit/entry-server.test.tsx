import type { EntryContext } from "@remix-run/node";
import { expect, test, vi } from "vitest";

// Render a plain page instead of a Remix route tree: the point is the stream's abort timer.
vi.mock("@remix-run/react", () => ({
  RemixServer: ({ url }: { url: string }) => <p>{`rendered ${url}`}</p>,
}));

const { default: handleRequest } = await import("~/entry.server");

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

test("a finished render leaves no abort timer behind (Remix's default keeps one alive for 5 s)", async () => {
  const before = timers();
  for (let i = 0; i < 20; i++) {
    const response = await handleRequest(
      new Request(`http://localhost/page/${i}`, { headers: { "user-agent": i % 2 ? "Googlebot" : "Mozilla/5.0" } }),
      200,
      new Headers(),
      {} as EntryContext,
    );
    expect(await response.text()).toContain(`rendered http://localhost/page/${i}`);
  }
  await new Promise((resolve) => setImmediate(resolve));
  expect(timers()).toBe(before);
});
