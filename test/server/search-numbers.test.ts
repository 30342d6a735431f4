import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Capability, NumberType } from "../../generated/numbergate/v1/common.js";
import { PriceSource, ProviderOutcomeState } from "../../generated/numbergate/v1/numbers.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { startHarness, type Harness } from "../support/harness.js";

const VOICE_SMS = [Capability.CAPABILITY_VOICE, Capability.CAPABILITY_SMS];

describe.each([
  { carrier: "twilio", environment: { BANDWIDTH_ENABLED: "false" } },
  { carrier: "bandwidth", environment: { TWILIO_ENABLED: "false" } },
])("SearchNumbers with only $carrier enabled", ({ carrier, environment }) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(environment);
  });
  afterAll(async () => harness.close());

  it("returns numbers in area code 212 with carrier, locality and price", async () => {
    const response = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", features: VOICE_SMS, limit: 20 });
    expect(response.numbers).toHaveLength(20);
    for (const number of response.numbers) {
      expect(number.phoneNumber).toMatch(/^\+1212\d{7}$/);
      expect(number.providerId).toBe(carrier);
      expect(number.locality.toLowerCase()).toBe("new york");
      expect(number.region).toBe("NY");
      expect(number.capabilities).toEqual(expect.arrayContaining(VOICE_SMS));
      expect(number.monthlyPrice?.currencyCode).toBe("USD");
      expect(number.monthlyPrice?.amountCents).toBeGreaterThan(0);
      expect(number.priceSource).toBe(PriceSource.PRICE_SOURCE_PRICE_TABLE);
    }
    const outcome = response.providerOutcomes.find((entry) => entry.providerId === carrier);
    expect(outcome).toMatchObject({ state: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED, numbersReturned: 20 });
    const other = response.providerOutcomes.find((entry) => entry.providerId !== carrier);
    expect(other).toMatchObject({ state: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED });
    expect(other?.detail).toMatch(/_ENABLED=false/);
  });

  it("maps the pattern *NNNN to numbers ending in those digits", async () => {
    const first = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 1 });
    const lastFour = first.numbers[0]?.phoneNumber.slice(-4) ?? "";
    const response = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", pattern: `*${lastFour}`, limit: 10 });
    expect(response.numbers.length).toBeGreaterThan(0);
    for (const number of response.numbers) expect(number.phoneNumber.endsWith(lastFour)).toBe(true);
  });

  it("maps a prefix pattern to numbers starting with those digits", async () => {
    const first = await harness.client.searchNumbers({ countryCode: "US", areaCode: "415", limit: 1 });
    const prefix = first.numbers[0]?.phoneNumber.slice(2, 8) ?? "";
    const response = await harness.client.searchNumbers({ countryCode: "US", pattern: `${prefix}*`, limit: 10 });
    expect(response.numbers.length).toBeGreaterThan(0);
    for (const number of response.numbers) expect(number.phoneNumber.slice(2).startsWith(prefix)).toBe(true);
  });

  it("searches by city and region", async () => {
    const response = await harness.client.searchNumbers({ countryCode: "US", city: "Chicago", region: "IL", limit: 5 });
    expect(response.numbers).toHaveLength(5);
    for (const number of response.numbers) expect(number.phoneNumber.startsWith("+1312")).toBe(true);
  });

  it("searches toll-free numbers", async () => {
    const response = await harness.client.searchNumbers({ countryCode: "US", numberType: NumberType.NUMBER_TYPE_TOLL_FREE, pattern: "888*", limit: 3 });
    expect(response.numbers).toHaveLength(3);
    for (const number of response.numbers) {
      expect(number.phoneNumber.startsWith("+1888")).toBe(true);
      expect(number.numberType).toBe(NumberType.NUMBER_TYPE_TOLL_FREE);
    }
  });
});

describe("SearchNumbers across carriers", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => harness.close());
  afterEach(() => {
    harness.sandbox.twilio.faults.clear();
    harness.sandbox.bandwidth.faults.clear();
  });

  it("fills from the next carrier when the first has fewer numbers than the limit, cheapest first", async () => {
    // Each emulator stocks 65 numbers in 212 (60 own, 5 shared with the other carrier). Twilio (priority 1) has
    // too few for 100, so Bandwidth's tier is asked too; the merged answer is ranked by price, and Bandwidth's
    // numbers are cheaper, so all 65 of them come first and Twilio fills the rest.
    const response = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 100 });
    const countFrom = (carrier: string): number => response.numbers.filter((number) => number.providerId === carrier).length;
    expect(countFrom("bandwidth")).toBe(65);
    expect(countFrom("twilio")).toBe(35);
    const prices = response.numbers.map((number) => Number(number.monthlyPrice?.amountCents ?? Number.MAX_SAFE_INTEGER));
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    // The next tiers (Telnyx 3, Vonage 4, Plivo 5) are not asked: 100 numbers were in after the second.
    expect(response.providerOutcomes.map((outcome) => [outcome.providerId, outcome.state])).toEqual([
      ["twilio", ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED],
      ["bandwidth", ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED],
      ...CARRIERS.filter((carrier) => carrier.defaults.priority > 2).map((carrier) => [carrier.id, ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED]),
    ]);
  });

  it("never returns the same number twice when carriers overlap", async () => {
    const response = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 100 });
    const numbers = response.numbers.map((number) => number.phoneNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it("uses the next carrier when the first one fails, and says so per carrier", async () => {
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 503 });
    const response = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 5 });
    expect(response.numbers).toHaveLength(5);
    expect(response.numbers.every((number) => number.providerId === "bandwidth")).toBe(true);
    expect(response.providerOutcomes[0]).toMatchObject({
      providerId: "twilio",
      state: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_FAILED,
      reason: "CARRIER_SERVER_ERROR",
    });
  });

  it("honours provider priority", async () => {
    const reordered = await startHarness({ TWILIO_PRIORITY: "5", BANDWIDTH_PRIORITY: "1" });
    try {
      const response = await reordered.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 5 });
      expect(response.numbers.every((number) => number.providerId === "bandwidth")).toBe(true);
    } finally {
      await reordered.close();
    }
  });

  it("leaves out numbers above max_monthly_rate_cents and says so", async () => {
    const response = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 5, maxMonthlyRateCents: 50 });
    expect(response.numbers.every((number) => number.providerId === "bandwidth")).toBe(true);
    expect(response.providerOutcomes[0]?.excludedOverPrice).toBe(5);
  });

  it("caps a huge limit and says so", async () => {
    const response = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 1_000_000 });
    expect(response.effectiveLimit).toBe(100);
    expect(response.warnings).toContain("limit 1000000 was capped to 100");
  });

  it("skips a carrier that cannot do the requested feature", async () => {
    const response = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", features: [Capability.CAPABILITY_FAX], limit: 100 });
    expect(response.providerOutcomes[1]).toMatchObject({ providerId: "bandwidth", state: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED, detail: "does not offer fax" });
    expect(response.numbers.every((number) => number.capabilities.includes(Capability.CAPABILITY_FAX))).toBe(true);
  });
});
