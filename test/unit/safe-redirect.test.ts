import { expect, test } from "vitest";
import { safeRedirect } from "~/server/auth.server";

test("only same-site paths are followed after login", () => {
  expect(safeRedirect("/g/imt-consensus?round=2")).toBe("/g/imt-consensus?round=2");
  for (const bad of ["//evil.example", "/\\evil.example", "https://evil.example", "evil", "", null, undefined]) {
    expect(safeRedirect(bad)).toBe("/");
  }
  expect(safeRedirect("javascript:alert(1)", "/home")).toBe("/home");
});
