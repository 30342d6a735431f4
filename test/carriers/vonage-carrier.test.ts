import { describe, expect, it } from "vitest";
import type { ProblemSink, RawEnvironment } from "../../src/carriers/kit/carrier-definition.js";
import { vonageCarrier } from "../../src/carriers/vonage/vonage-carrier.js";
import { eurosToCents, vonageMonthlyPrice } from "../../src/carriers/vonage/vonage-price.js";
import { vonageSearchQuery } from "../../src/carriers/vonage/vonage-search-query.js";
import { VONAGE_FEATURES_VALUES, capabilitiesFromVonage, msisdnToE164, vonageFeaturesParameter } from "../../src/carriers/vonage/vonage-wire.js";
import { declarationProblems } from "../../src/domain/carrier-adapter.js";

/** The Vonage definition (variables, credentials, declaration) and its wire helpers, without the network. */

class Problems implements ProblemSink {
  readonly lines: string[] = [];
  readonly #variables = new Set<string>();
  add(variables: readonly string[], line: string): void {
    if (variables.some((variable) => this.#variables.has(variable))) return;
    for (const variable of variables) this.#variables.add(variable);
    this.lines.push(line);
  }
  has(variable: string): boolean {
    return this.#variables.has(variable);
  }
}

function read(environment: RawEnvironment): { settings: Readonly<Record<string, unknown>> | undefined; problems: string[] } {
  const problems = new Problems();
  const connection = vonageCarrier.readConnection(environment, problems, []);
  return { settings: connection?.settings, problems: problems.lines };
}

describe("the Vonage carrier definition", () => {
  it("declares what its adapter implements: purchases and releases, no reservations, no porting", () => {
    const adapter = vonageCarrier.descriptor;
    expect(adapter).toMatchObject({ id: "vonage", supportsReservations: false, supportsPorting: false, maxNumbersPerPurchase: 1, capabilities: ["voice", "sms", "mms"] });
    expect(vonageCarrier).toMatchObject({ id: "vonage", envPrefix: "VONAGE", priceSource: "carrier", defaults: { priority: 4, maxConcurrency: 10, ratePerSecond: 0 } });
    expect(Object.keys(vonageCarrier.variables)).toEqual(["VONAGE_API_KEY", "VONAGE_API_SECRET", "VONAGE_API_URL"]);
    expect(vonageCarrier.variables.VONAGE_API_SECRET?.secret).toBe(true);
    const connection = { apiKey: "abcd1234", apiSecret: "s3cr3t" };
    const built = vonageCarrier.readConnection({ VONAGE_API_KEY: connection.apiKey, VONAGE_API_SECRET: connection.apiSecret }, new Problems(), [])?.createAdapter({});
    expect(built && declarationProblems(built)).toEqual([]);
  });

  it("reads the API key and secret, with the default base URL, and keeps the secret redacted", () => {
    const { settings, problems } = read({ VONAGE_API_KEY: "abcd1234", VONAGE_API_SECRET: "s3cr3t-value" });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ apiKey: "abcd1234", apiUrl: new URL("https://rest.nexmo.com") });
    expect(JSON.stringify(settings)).not.toContain("s3cr3t-value");
  });

  it("has no connection without credentials, and names the half of a pair that is missing", () => {
    expect(read({})).toEqual({ settings: undefined, problems: [] });
    expect(read({ VONAGE_API_KEY: "abcd1234" }).problems).toEqual(["VONAGE_API_SECRET is required when VONAGE_API_KEY is set"]);
    expect(read({ VONAGE_API_SECRET: "s3cr3t" }).problems).toEqual(["VONAGE_API_KEY is required when VONAGE_API_SECRET is set"]);
  });

  it("refuses a malformed key and a plain-http URL off loopback, never echoing a value", () => {
    const { problems } = read({ VONAGE_API_KEY: "ab:cd", VONAGE_API_SECRET: "s3cr3t-value", VONAGE_API_URL: "http://rest.nexmo.com" });
    expect(problems).toEqual([expect.stringMatching(/^VONAGE_API_KEY must be/), expect.stringMatching(/^VONAGE_API_URL must use https/)]);
    expect(problems.join("\n")).not.toContain("s3cr3t-value");
    expect(read({ VONAGE_API_KEY: "abcd1234", VONAGE_API_SECRET: "x", VONAGE_API_URL: "http://127.0.0.1:9999" }).settings).toMatchObject({ apiUrl: new URL("http://127.0.0.1:9999") });
  });

  it("starts its emulator with fresh random credentials unless fixed ones are asked for", async () => {
    const started = await vonageCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
    try {
      expect(started.environment.VONAGE_API_KEY).toMatch(/^[0-9a-f]{8}$/);
      expect(started.environment.VONAGE_API_SECRET).toMatch(/^[0-9a-f]{16}$/);
      expect(started.environment.VONAGE_API_URL).toBe(started.emulator.baseUrl);
      const problems = new Problems();
      vonageCarrier.checkVariables(started.environment, problems);
      expect(problems.lines).toEqual([]);
    } finally {
      await started.emulator.stop();
    }
  });
});

describe("Vonage prices", () => {
  it("turns EUR decimal strings into cents on the digits, half up past the cent", () => {
    expect(["1.25", "0.9", "12", "0.10", "1.2500", "0.125", "0.1249", "19.99", "0.07"].map(eurosToCents)).toEqual([125, 90, 1200, 10, 125, 13, 12, 1999, 7]);
    expect(["", "abc", "-1", "1e3", "1,25", ".5", "99999999999999999999"].map(eurosToCents)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(vonageMonthlyPrice("1.00")).toEqual({ currencyCode: "EUR", amountCents: 100 });
    expect(vonageMonthlyPrice(undefined)).toBeUndefined();
  });
});

describe("Vonage wire helpers", () => {
  it("writes features in the spec's own order for every combination", () => {
    expect(vonageFeaturesParameter([])).toBeUndefined();
    const combinations = [["sms"], ["voice"], ["voice", "sms"], ["mms"], ["mms", "sms"], ["mms", "voice"], ["voice", "mms", "sms"]] as const;
    expect(combinations.map((capabilities) => vonageFeaturesParameter(capabilities))).toEqual(["SMS", "VOICE", "SMS,VOICE", "MMS", "SMS,MMS", "VOICE,MMS", "SMS,MMS,VOICE"]);
    expect([...VONAGE_FEATURES_VALUES].sort()).toEqual(["MMS", "SMS", "SMS,MMS", "SMS,MMS,VOICE", "SMS,VOICE", "VOICE", "VOICE,MMS"]);
    expect(capabilitiesFromVonage(["SMS", "VOICE", "FAX"])).toEqual(["voice", "sms"]);
  });

  it("converts msisdns to E.164 and refuses what is not E.164 digits", () => {
    expect(msisdnToE164("447700900000")).toBe("+447700900000");
    expect(["+447700900000", "0447700900000", "44-77", "12345"].map(msisdnToE164)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("keeps an area code and a starts-with pattern together only when one begins with the other", () => {
    const base = { countryCode: "US", numberType: "local", features: [], limit: 500 } as const;
    const plan = vonageSearchQuery({ ...base, areaCode: "212", pattern: { position: "starts_with", digits: "2125" } }, "1");
    expect(plan.ok && plan.query).toMatchObject({ pattern: "12125", search_pattern: 0, size: 100, index: 1, type: "landline" });
    const shorter = vonageSearchQuery({ ...base, areaCode: "212", pattern: { position: "starts_with", digits: "21" } }, "1");
    expect(shorter.ok && shorter.query).toMatchObject({ pattern: "1212" });
    expect(vonageSearchQuery({ ...base, pattern: { position: "starts_with", digits: "21255501234567" } }, "1")).toMatchObject({ ok: true });
    expect(vonageSearchQuery({ ...base, pattern: { position: "starts_with", digits: "212555012345678" } }, "1")).toMatchObject({ ok: false, reason: expect.stringContaining("15 digits") as unknown });
    // A contains pattern matched across the country code is no match of the national number.
    const contains = vonageSearchQuery({ ...base, pattern: { position: "contains", digits: "12" } }, "1");
    expect(contains.ok && [contains.matches("2125550123"), contains.matches("3035550199")]).toEqual([true, false]);
  });
});
