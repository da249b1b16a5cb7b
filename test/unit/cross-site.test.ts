import { describe, expect, test } from "vitest";
import { isCrossSiteWrite } from "~/server/cross-site";

const check = (method: string, headers: Record<string, string>) =>
  isCrossSiteWrite(method, new Headers(headers), "app.example:3000");

describe("cross-site writes", () => {
  test("refuses a POST that a browser marks as cross-site or same-site", () => {
    expect(check("POST", { "Sec-Fetch-Site": "cross-site" })).toBe(true);
    expect(check("POST", { "Sec-Fetch-Site": "same-site" })).toBe(true);
  });

  test("refuses a POST from another origin, a null origin or a malformed one", () => {
    expect(check("POST", { Origin: "https://evil.example" })).toBe(true);
    expect(check("POST", { Origin: "http://app.example:4000" })).toBe(true);
    expect(check("POST", { Origin: "null" })).toBe(true);
    expect(check("DELETE", { Origin: "not a url" })).toBe(true);
  });

  test("lets same-origin writes, reads and header-less clients through", () => {
    expect(check("POST", { "Sec-Fetch-Site": "same-origin", Origin: "http://app.example:3000" })).toBe(false);
    expect(check("POST", { "Sec-Fetch-Site": "none" })).toBe(false);
    expect(check("POST", {})).toBe(false);
    expect(check("GET", { "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" })).toBe(false);
  });
});
