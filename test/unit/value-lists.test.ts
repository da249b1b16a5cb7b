import { expect, test } from "vitest";
import * as schema from "@db/schema";
import { ANONYMITY } from "~/consensus/anonymity";
import { CHOICES } from "~/consensus/ballot";
import { ROLES, STATEMENT_STATUSES } from "~/consensus/values";

// Browser code takes its value lists from app/consensus, the database's CHECKs from db/schema:
// the two must name the same values.
test("the value lists pages use are the ones the database checks", () => {
  expect(CHOICES).toEqual(schema.CHOICES);
  expect(ANONYMITY).toEqual(schema.ANONYMITY);
  expect(ROLES).toEqual(schema.ROLES);
  expect(STATEMENT_STATUSES).toEqual(schema.STATEMENT_STATUSES);
});
