import { expect, test } from "vitest";
import { safeRedirect } from "~/server/auth.server";

test("only same-site paths are followed after login", () => {
  expect(safeRedirect("/g/imt-consensus?round=2")).toBe("/g/imt-consensus?round=2");
  expect(safeRedirect("/g/imt-consensus/rounds/2#waiting")).toBe("/g/imt-consensus/rounds/2#waiting");
  for (const bad of ["//evil.example", "/\\evil.example", "https://evil.example", "evil", "", null, undefined]) {
    expect(safeRedirect(bad)).toBe("/");
  }
  expect(safeRedirect("javascript:alert(1)", "/home")).toBe("/home");
});

test("control characters, backslashes and encoded slashes are refused, as written and once decoded", () => {
  const hostile = [
    "/\t/evil.example",
    "/%09/evil.example",
    "/\\/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5C/evil.example",
    "/\r\nSet-Cookie: x=1",
    "/%0D%0ASet-Cookie:%20x=1",
    "/\u0000",
    "/%00",
    "/\u007f",
    "/%",
    `/${"a".repeat(2048)}`,
  ];
  for (const to of hostile) expect(safeRedirect(to), JSON.stringify(to)).toBe("/");
});

test("what is kept is a valid header value: anything outside ASCII is percent-encoded", () => {
  expect(safeRedirect("/g/€uro?q=é")).toBe("/g/%E2%82%ACuro?q=%C3%A9");
  expect(safeRedirect("/g/a/../b")).toBe("/g/b");
});
