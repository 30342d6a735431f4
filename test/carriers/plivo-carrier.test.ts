import { describe, expect, it } from "vitest";
import { nextOffsetOf } from "../../src/carriers/plivo/plivo-account-numbers.js";
import { plivoCarrier } from "../../src/carriers/plivo/plivo-carrier.js";
import { plivoSearchPlan } from "../../src/carriers/plivo/plivo-search-query.js";
import { e164FromPlivo, numberTypeFromPlivo, plivoDigits, usdMonthlyPrice } from "../../src/carriers/plivo/plivo-wire.js";
import { declarationProblems } from "../../src/domain/carrier-adapter.js";
import type { ProblemSink, RawEnvironment } from "../../src/carriers/kit/carrier-definition.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";

/** Plivo's definition (variables, defaults, descriptor) and its pure wire helpers. */

function problemsOf(environment: RawEnvironment): { lines: string[]; connection: ReturnType<typeof plivoCarrier.readConnection> } {
  const lines: string[] = [];
  const variables = new Set<string>();
  const sink: ProblemSink = {
    add: (names, line) => {
      if (names.some((name) => variables.has(name))) return;
      for (const name of names) variables.add(name);
      lines.push(line);
    },
    has: (name) => variables.has(name),
  };
  return { lines, connection: plivoCarrier.readConnection(environment, sink, []) };
}

const AUTH_ID = "MANWVLYTK4ZWU1YTY4ZT";

describe("the Plivo definition", () => {
  it("has its id, prefix and defaults: priority 5, Plivo's published 60 requests per second", () => {
    expect(plivoCarrier).toMatchObject({ id: "plivo", displayName: "Plivo", envPrefix: "PLIVO", priceSource: "carrier", defaults: { priority: 5, maxConcurrency: 10, ratePerSecond: 60 } });
    expect(plivoCarrier.descriptor).toMatchObject({ id: "plivo", supportsReservations: false, supportsPorting: false, maxNumbersPerPurchase: 1 });
    expect(Object.keys(plivoCarrier.variables)).toEqual(["PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN", "PLIVO_API_URL"]);
    expect(plivoCarrier.variables.PLIVO_AUTH_TOKEN?.secret).toBe(true);
    expect(plivoCarrier.credentialVariables).toEqual(["PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN"]);
  });

  it("builds a connection from the Auth ID and token, against https://api.plivo.com/v1 by default", () => {
    const { lines, connection } = problemsOf({ PLIVO_AUTH_ID: AUTH_ID, PLIVO_AUTH_TOKEN: "token-value" });
    expect(lines).toEqual([]);
    expect(connection?.settings).toMatchObject({ authId: AUTH_ID, apiUrl: new URL("https://api.plivo.com/v1") });
    expect(JSON.stringify(connection?.settings)).not.toContain("token-value");
    const adapter = connection?.createAdapter({});
    expect(adapter && declarationProblems(adapter)).toEqual([]);
    void adapter?.close();
  });

  it("reports each missing or malformed variable by name, never its value", () => {
    expect(problemsOf({}).connection).toBeUndefined();
    expect(problemsOf({}).lines).toEqual([]);
    expect(problemsOf({ PLIVO_AUTH_TOKEN: "t" }).lines).toEqual(["PLIVO_AUTH_ID is required when PLIVO_AUTH_TOKEN is set"]);
    expect(problemsOf({ PLIVO_AUTH_ID: AUTH_ID }).lines).toEqual(["PLIVO_AUTH_TOKEN is required when PLIVO_AUTH_ID is set"]);
    const malformed = problemsOf({ PLIVO_AUTH_ID: "secret-looking-id", PLIVO_AUTH_TOKEN: "t", PLIVO_API_URL: "http://api.plivo.com/v1" });
    expect(malformed.connection).toBeUndefined();
    expect(malformed.lines).toEqual([
      "PLIVO_AUTH_ID must be the 20-character Auth ID from the Plivo console (MA... or SA...)",
      "PLIVO_API_URL must use https (http is allowed only for loopback hosts)",
    ]);
    expect(malformed.lines.join("\n")).not.toContain("secret-looking-id");
  });
});

describe("Plivo money and numbers on the wire", () => {
  it.each([
    ["0.80000", 80],
    ["0.8", 80],
    ["1.5", 150],
    ["12.34", 1234],
    ["0.00000", 0],
    ["3", 300],
    // A fraction of a cent rounds up: never understated to a price filter.
    ["0.80500", 81],
    ["12.34001", 1235],
    ["0.29", 29],
    ["1.13", 113],
  ] as const)("reads %s USD as exactly %i cents", (rate, cents) => {
    expect(usdMonthlyPrice(rate)).toEqual({ currencyCode: "USD", amountCents: cents });
  });

  it.each(["", "-1.00", "1e3", "0,80", "abc", ".5"])("leaves %j unpriced", (rate) => {
    expect(usdMonthlyPrice(rate)).toBeUndefined();
  });

  it("writes numbers without '+', reads them back to E.164, and maps Plivo's number types", () => {
    expect(plivoDigits("+14154009186")).toBe("14154009186");
    expect(e164FromPlivo("4969365065273")).toBe("+4969365065273");
    expect(e164FromPlivo("+1415")).toBeUndefined();
    expect(e164FromPlivo("0415")).toBeUndefined();
    expect([numberTypeFromPlivo("fixed"), numberTypeFromPlivo("local"), numberTypeFromPlivo("national"), numberTypeFromPlivo("tollfree"), numberTypeFromPlivo("mobile"), numberTypeFromPlivo(null)]).toEqual([
      "local",
      "local",
      "local",
      "toll_free",
      "mobile",
      undefined,
    ]);
  });

  it("takes the next offset from meta.next only when it stays on the list and moves forward", () => {
    const list = `/Account/${AUTH_ID}/Number/`;
    expect(nextOffsetOf(`/v1/Account/${AUTH_ID}/Number/?limit=3&offset=3`, list, 0, "list_owned")).toBe(3);
    expect(nextOffsetOf(null, list, 0, "list_owned")).toBeUndefined();
    expect(nextOffsetOf("", list, 0, "list_owned")).toBeUndefined();
    expect(() => nextOffsetOf(`/v1/Account/${AUTH_ID}/Number/?limit=3&offset=3`, list, 3, "list_owned")).toThrow("outside the list");
    expect(() => nextOffsetOf(`/v1/Account/${AUTH_ID}/Application/?offset=20`, list, 0, "list_owned")).toThrow("outside the list");
  });
});

describe("numbergate's search in Plivo's parameters", () => {
  const base: NumberSearchCriteria = { countryCode: "US", numberType: "local", features: [], limit: 10 };

  it("sends the area code or a starts-with pattern as `pattern`, features as `services`", () => {
    expect(plivoSearchPlan({ ...base, areaCode: "212", city: "New York", region: "NY", features: ["voice", "sms"] })).toEqual({
      ok: true,
      query: { country_iso: "US", type: "local", pattern: "212", region: "NY", city: "New York", services: "voice,sms" },
      requiredPrefix: "212",
    });
    expect(plivoSearchPlan({ ...base, areaCode: "212", pattern: { position: "starts_with", digits: "212555" } })).toMatchObject({ ok: true, query: { pattern: "212555" } });
    expect(plivoSearchPlan({ ...base, areaCode: "212", pattern: { position: "starts_with", digits: "21" } })).toMatchObject({ ok: true, query: { pattern: "212" } });
    expect(plivoSearchPlan({ ...base, numberType: "toll_free" })).toMatchObject({ ok: true, query: { type: "tollfree" }, requiredPrefix: undefined });
    expect(plivoSearchPlan({ ...base, numberType: "mobile", countryCode: "GB" })).toMatchObject({ ok: true, query: { country_iso: "GB", type: "mobile" } });
  });

  it("refuses what Plivo cannot express, saying why", () => {
    expect(plivoSearchPlan({ ...base, pattern: { position: "ends_with", digits: "1234" } })).toMatchObject({ ok: false });
    expect(plivoSearchPlan({ ...base, pattern: { position: "contains", digits: "555" } })).toMatchObject({ ok: false });
    expect(plivoSearchPlan({ ...base, features: ["voice", "fax"] })).toEqual({ ok: false, reason: "Plivo numbers offer no fax" });
    expect(plivoSearchPlan({ ...base, numberType: "toll_free", region: "CA" })).toMatchObject({ ok: false });
    expect(plivoSearchPlan({ ...base, areaCode: "212", pattern: { position: "starts_with", digits: "415" } })).toEqual({ ok: false, reason: "the pattern 415* does not start with the area code 212" });
  });
});
