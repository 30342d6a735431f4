import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Capability, NumberType } from "../../generated/numbergate/v1/common.js";
import { ProviderOutcomeState, PriceSource } from "../../generated/numbergate/v1/numbers.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { Status } from "nice-grpc";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

/** Carriers after Twilio and Bandwidth in the default priority order. */
const LATER_CARRIERS = CARRIERS.map((carrier) => carrier.id).filter((id) => id !== "twilio" && id !== "bandwidth");

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
      ...LATER_CARRIERS.map((id) => [id, ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED, "not asked: bandwidth, asked earlier, has the number"]),
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
    expect(providers.map((provider) => [provider.providerId, provider.enabled, provider.priority, provider.sandbox])).toEqual(CARRIERS.map((carrier) => [carrier.id, true, carrier.defaults.priority, true]));
    expect(providers.slice(0, 5).map((provider) => [provider.providerId, provider.priority])).toEqual([
      ["twilio", 1],
      ["bandwidth", 2],
      ["telnyx", 3],
      ["vonage", 4],
      ["plivo", 5],
    ]);
    const bandwidth = providers.find((provider) => provider.providerId === "bandwidth");
    expect(bandwidth?.capabilities).toEqual([Capability.CAPABILITY_VOICE, Capability.CAPABILITY_SMS, Capability.CAPABILITY_MMS]);
    expect(bandwidth?.numberTypes).toEqual([NumberType.NUMBER_TYPE_LOCAL, NumberType.NUMBER_TYPE_TOLL_FREE]);
    // Bandwidth and Telnyx hold numbers at the carrier; the others only in numbergate.
    expect(providers.map((provider) => [provider.providerId, provider.supportsReservations])).toEqual(CARRIERS.map((carrier) => [carrier.id, carrier.descriptor.supportsReservations]));
    expect(providers.filter((provider) => provider.supportsReservations).map((provider) => provider.providerId).slice(0, 2)).toEqual(["bandwidth", "telnyx"]);
    // Twilio and Bandwidth are priced from the operator's table; the others by their own answers.
    expect(providers.map((provider) => [provider.providerId, provider.weight, provider.priceSource])).toEqual(
      CARRIERS.map((carrier) => [carrier.id, 100, carrier.priceSource === "table" ? PriceSource.PRICE_SOURCE_PRICE_TABLE : PriceSource.PRICE_SOURCE_CARRIER]),
    );
    expect(CARRIERS.filter((carrier) => carrier.priceSource === "table").map((carrier) => carrier.id)).toEqual(["twilio", "bandwidth"]);
  });
});

describe("WatchProviderHealth", () => {
  it("refuses an unknown provider id with INVALID_ARGUMENT naming it, before any message", async () => {
    let messages = 0;
    const error = await captureRpcError(async (options) => {
      for await (const _message of harness.client.watchProviderHealth({ providerIds: ["twilio", "telco-x"] }, options)) messages += 1;
    });
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual(["provider_ids[1]"]);
    expect(messages).toBe(0);
  });

  it("opens with a snapshot of the carriers asked for", async () => {
    const abort = new AbortController();
    const stream = harness.client.watchProviderHealth({ providerIds: ["bandwidth"] }, { signal: abort.signal })[Symbol.asyncIterator]();
    const first = await stream.next();
    abort.abort();
    expect(first.value?.snapshot).toBe(true);
    expect(first.value?.providers.map((provider: { providerId: string }) => provider.providerId)).toEqual(["bandwidth"]);
    await stream.return?.(undefined).catch(() => undefined);
  });
});
