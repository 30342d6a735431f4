import { Agent } from "undici";
import { describe, expect, it } from "vitest";
import type { ProblemSink, RawEnvironment } from "../../src/carriers/kit/carrier-definition.js";
import { telnyxCarrier } from "../../src/carriers/telnyx/telnyx-carrier.js";
import { telnyxMonthlyPrice } from "../../src/carriers/telnyx/telnyx-price.js";
import { telnyxSearchPlan } from "../../src/carriers/telnyx/telnyx-search.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";

/** Telnyx's carrier definition (variables, connection, emulator start-up) and its pure translations. */

function problemSink(): ProblemSink & { readonly lines: string[] } {
  const lines: string[] = [];
  const variables = new Set<string>();
  return {
    lines,
    add(names, line) {
      for (const name of names) variables.add(name);
      lines.push(line);
    },
    has: (variable) => variables.has(variable),
  };
}

function read(environment: RawEnvironment) {
  const problems = problemSink();
  const connection = telnyxCarrier.readConnection(environment, problems, []);
  return { connection, problems: problems.lines };
}

describe("Telnyx variables", () => {
  it("is not configured without TELNYX_API_KEY; with it, calls https://api.telnyx.com/v2 with the key kept secret", () => {
    expect(read({})).toEqual({ connection: undefined, problems: [] });
    const { connection, problems } = read({ TELNYX_API_KEY: " KEY0123456789ABCDEF_abc " });
    expect(problems).toEqual([]);
    expect(String(connection?.settings["apiUrl"])).toBe("https://api.telnyx.com/v2");
    expect(JSON.stringify(connection?.settings)).not.toContain("KEY0123456789ABCDEF_abc");
  });

  it("reports a key that cannot be a Bearer token and a base URL that is not https, never echoing the key", () => {
    const { connection, problems } = read({ TELNYX_API_KEY: "KEY with spaces", TELNYX_API_URL: "http://api.telnyx.com/v2" });
    expect(connection).toBeUndefined();
    expect(problems).toEqual(["TELNYX_API_KEY must be a Telnyx API key (letters, digits and -._~+/ only)", "TELNYX_API_URL must use https (http is allowed only for loopback hosts)"]);
    expect(problems.join(" ")).not.toContain("with spaces");
  });

  it("documents every variable, marks the key secret, and takes its prices from Telnyx", () => {
    expect(Object.keys(telnyxCarrier.variables)).toEqual(["TELNYX_API_KEY", "TELNYX_API_URL", "TELNYX_PUBLIC_KEY"]);
    expect(telnyxCarrier.variables["TELNYX_PUBLIC_KEY"]?.secret).toBeFalsy();
    expect(telnyxCarrier.variables["TELNYX_API_KEY"]?.secret).toBe(true);
    expect(telnyxCarrier).toMatchObject({ id: "telnyx", envPrefix: "TELNYX", priceSource: "carrier", credentialVariables: ["TELNYX_API_KEY"], defaults: { priority: 3, maxConcurrency: 10, ratePerSecond: 0 } });
  });
});

describe("Telnyx emulator start-up", () => {
  it("starts below /v2 with a printable fixed key, and the environment it prints reaches it through the real adapter", async () => {
    const started = await telnyxCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: true });
    const dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    try {
      expect(started.environment["TELNYX_API_URL"]).toBe(`${started.emulator.origin}/v2`);
      expect(started.environment["TELNYX_API_KEY"]).toBe(started.emulator.apiKey);
      const { connection, problems } = read(started.environment);
      expect(problems).toEqual([]);
      const adapter = connection?.createAdapter({ dispatcher });
      await expect(adapter?.doProbeHealth({})).resolves.toBeUndefined();
      await adapter?.close();
      const again = await telnyxCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: true });
      expect(again.environment["TELNYX_API_KEY"]).toBe(started.environment["TELNYX_API_KEY"]);
      await again.emulator.stop();
      const fresh = await telnyxCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
      expect(fresh.environment["TELNYX_API_KEY"]).not.toBe(started.environment["TELNYX_API_KEY"]);
      await fresh.emulator.stop();
    } finally {
      await started.emulator.stop();
      await dispatcher.close();
    }
  });
});

describe("Telnyx prices", () => {
  it.each([
    ["1.00000", "USD", 100],
    ["6.54", "USD", 654],
    ["0.29", "usd", 29],
    ["12", "USD", 1200],
    ["1.001", "USD", 101],
    ["1.00900", "USD", 101],
    ["150.00000", "JPY", 150],
    ["1.0001", "BHD", 1001],
    ["90071992547409.91", "USD", 9007199254740991],
  ])("reads %s %s as %i minor units, exactly", (amount, currency, minorUnits) => {
    expect(telnyxMonthlyPrice(amount, currency)?.amountCents).toBe(minorUnits);
  });

  it.each([["1,00", "USD"], ["-1.00", "USD"], ["1.00", "DOLLARS"], ["", "USD"], ["1.00", undefined], ["90071992547409.92", "USD"]])("has no price for %s %s", (amount, currency) => {
    expect(telnyxMonthlyPrice(amount, currency)).toBeUndefined();
  });
});

describe("Telnyx search parameters", () => {
  const base: NumberSearchCriteria = { countryCode: "US", numberType: "local", features: [], limit: 20 };

  it("sends each criterion as its deepObject filter", () => {
    expect(telnyxSearchPlan({ ...base, city: "Chicago", region: "IL", features: ["voice", "sms"], pattern: { position: "ends_with", digits: "1234" } })).toEqual({
      ok: true,
      warnings: [],
      query: {
        "filter[country_code]": "US",
        "filter[phone_number_type]": "local",
        "filter[national_destination_code]": undefined,
        "filter[locality]": "Chicago",
        "filter[administrative_area]": "IL",
        "filter[phone_number][ends_with]": "1234",
        "filter[features]": "voice,sms",
        "filter[limit]": 20,
        "filter[best_effort]": false,
      },
    });
  });

  it("takes the area code off a starts-with pattern, and sends none when the pattern is the area code", () => {
    const plan = (digits: string) => telnyxSearchPlan({ ...base, areaCode: "212", pattern: { position: "starts_with", digits } });
    expect(plan("212555")).toMatchObject({ ok: true, query: { "filter[national_destination_code]": "212", "filter[phone_number][starts_with]": "555" } });
    const bare = plan("212");
    expect(bare.ok && Object.keys(bare.query).some((name) => name.startsWith("filter[phone_number]"))).toBe(false);
  });

  it("asks no best_effort outside the US and Canada, where the filter does not exist", () => {
    expect(telnyxSearchPlan({ ...base, countryCode: "DE" })).toMatchObject({ ok: true, query: { "filter[best_effort]": undefined } });
    expect(telnyxSearchPlan({ ...base, countryCode: "CA" })).toMatchObject({ ok: true, query: { "filter[best_effort]": false } });
  });
});
