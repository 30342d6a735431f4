import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Capability, NumberType } from "../../generated/numbergate/v1/common.js";
import { ProviderOutcomeState, PriceSource } from "../../generated/numbergate/v1/numbers.js";
import { startHarness, type Harness } from "../support/harness.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness.close());

describe("CheckNumberAvailability", () => {
  it("finds a number at the carrier that sells it, asking carriers in priority order", async () => {
    const search = await harness.client.searchNumbers({ countryCode: "US", areaCode: "312", providerIds: ["bandwidth"], limit: 1 });
    const number = search.numbers[0]?.phoneNumber ?? "";
    const response = await harness.client.checkNumberAvailability({ phoneNumber: number });
    expect(response).toMatchObject({ phoneNumber: number, available: true, number: { providerId: "bandwidth", locality: "Chicago" } });
    expect(response.providerOutcomes.map((outcome) => [outcome.providerId, outcome.state, outcome.detail])).toEqual([
      ["twilio", ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED, "not available"],
      ["bandwidth", ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED, "available"],
      ["telnyx", ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED, "not asked: bandwidth, asked earlier, has the number"],
      ["vonage", ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED, "not asked: bandwidth, asked earlier, has the number"],
      ["plivo", ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED, "not asked: bandwidth, asked earlier, has the number"],
    ]);
  });

  it("accepts national format with country_code and says when nobody sells the number", async () => {
    const response = await harness.client.checkNumberAvailability({ phoneNumber: "(212) 555-0100", countryCode: "US" });
    expect(response).toMatchObject({ phoneNumber: "+12125550100", available: false, number: undefined });
    expect(response.providerOutcomes.every((outcome) => outcome.state === ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED)).toBe(true);
  });

  it("stops being available once the carrier no longer offers it", async () => {
    const search = await harness.client.searchNumbers({ countryCode: "US", areaCode: "206", limit: 1 });
    const number = search.numbers[0]?.phoneNumber ?? "";
    harness.sandbox.twilio.unavailable.add(number);
    const response = await harness.client.checkNumberAvailability({ phoneNumber: number, providerId: "twilio" });
    expect(response.available).toBe(false);
  });
});

describe("ListProviders", () => {
  it("lists configured carriers with capabilities, priority and sandbox flag", async () => {
    const { providers } = await harness.client.listProviders({});
    expect(providers.map((provider) => [provider.providerId, provider.enabled, provider.priority, provider.sandbox])).toEqual([
      ["twilio", true, 1, true],
      ["bandwidth", true, 2, true],
      ["telnyx", true, 3, true],
      ["vonage", true, 4, true],
      ["plivo", true, 5, true],
    ]);
    expect(providers[1]?.capabilities).toEqual([Capability.CAPABILITY_VOICE, Capability.CAPABILITY_SMS, Capability.CAPABILITY_MMS]);
    expect(providers[1]?.numberTypes).toEqual([NumberType.NUMBER_TYPE_LOCAL, NumberType.NUMBER_TYPE_TOLL_FREE]);
    // Bandwidth and Telnyx hold numbers at the carrier; the others only in numbergate.
    expect(providers.map((provider) => [provider.providerId, provider.supportsReservations])).toEqual([
      ["twilio", false],
      ["bandwidth", true],
      ["telnyx", true],
      ["vonage", false],
      ["plivo", false],
    ]);
    expect(providers.map((provider) => [provider.weight, provider.priceSource])).toEqual([
      [100, PriceSource.PRICE_SOURCE_PRICE_TABLE],
      [100, PriceSource.PRICE_SOURCE_PRICE_TABLE],
      [100, PriceSource.PRICE_SOURCE_CARRIER],
      [100, PriceSource.PRICE_SOURCE_CARRIER],
      [100, PriceSource.PRICE_SOURCE_CARRIER],
    ]);
  });
});
