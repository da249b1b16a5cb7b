import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { matchRoutes } from "@remix-run/router";
import { describe, expect, test } from "vitest";

// patches/@remix-run+router+*.patch (applied by `npm install`'s postinstall): the server matches
// every request against the route tree twice, and Remix 2's router flattened the tree and compiled
// every pattern anew each time (issue 15's ballot profile: a fifth of the server's time).
describe("the route-matching patch", () => {
  test("is applied to the router the server loads", () => {
    const file = createRequire(import.meta.url).resolve("@remix-run/router");
    const source = readFileSync(file, "utf8");
    expect(source).toContain("function rankedBranches(routes)");
    expect(source).toContain("const compiledPaths = new Map();");
  });

  test("matches as before, however often the same tree is matched", () => {
    const routes = [
      {
        id: "root",
        path: "/",
        children: [
          { id: "vote", path: "g/:slug/vote" },
          { id: "round", path: "g/:slug/rounds/:number" },
          { id: "version", path: "api/guidelines/:slug/versions/:version" },
          { id: "splat", path: "*" },
        ],
      },
    ];
    for (let i = 0; i < 3; i++) {
      expect(matchRoutes(routes, "/g/imt/rounds/3")?.map((m) => [m.route.id, m.params])).toEqual([
        ["root", { slug: "imt", number: "3" }],
        ["round", { slug: "imt", number: "3" }],
      ]);
      expect(matchRoutes(routes, "/G/IMT/VOTE/")?.at(-1)?.route.id).toBe("vote");
      expect(matchRoutes(routes, "/elsewhere/deep")?.at(-1)?.params).toEqual({ "*": "elsewhere/deep" });
    }
  });
});
