import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../support/server";

const PATH = "/api/schema/recommendation-set.json";
const committed = JSON.parse(readFileSync("app/consensus/recommendation-set.schema.json", "utf8"));

async function fetchSchema(server: RunningServer) {
  const response = await fetch(server.url + PATH);
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/schema+json; charset=utf-8");
  const { $id, ...schema } = await response.json();
  return { $id, schema };
}

describe("the JSON Schema served by the built server", () => {
  let configured: RunningServer;
  let unconfigured: RunningServer;
  beforeAll(async () => {
    configured = await startServer({ seed: false, env: { PUBLIC_URL: "https://consensus.example.org" } });
    // An empty variable is an unset one: nothing inherited from the shell running the tests.
    unconfigured = await startServer({ seed: false, env: { PUBLIC_URL: "" } });
  });
  afterAll(() => Promise.all([configured?.stop(), unconfigured?.stop()]));

  test("is the committed schema, its $id under PUBLIC_URL", async () => {
    const { $id, schema } = await fetchSchema(configured);
    expect($id).toBe("https://consensus.example.org/api/schema/recommendation-set.json");
    expect(schema).toEqual(committed);
  });

  test("without PUBLIC_URL, its $id is on the origin the request came to", async () => {
    const { $id, schema } = await fetchSchema(unconfigured);
    expect($id).toBe(unconfigured.url + PATH);
    expect(schema).toEqual(committed);
  });
});
