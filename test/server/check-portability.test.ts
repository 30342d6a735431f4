import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NumberType } from "../../generated/numbergate/v1/common.js";
import { ProviderOutcomeState } from "../../generated/numbergate/v1/numbers.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

/** CheckPortability over real gRPC, against the sandbox emulators' portability endpoints. */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness.close());

describe("CheckPortability", () => {
  it("asks every gaining carrier that checks portability (Twilio, Bandwidth, Telnyx) and answers per carrier", async () => {
    // A New York number no emulator sells: each gaining carrier would take it.
    const { results } = await harness.client.checkPortability({ phoneNumbers: ["+12125550147"] });
    expect(results.map((result) => [result.phoneNumber, result.providerId, result.portable])).toEqual([
      ["+12125550147", "twilio", true],
      ["+12125550147", "bandwidth", true],
      ["+12125550147", "telnyx", true],
    ]);
    expect(results.find((result) => result.providerId === "twilio")?.numberType).toBe(NumberType.NUMBER_TYPE_LOCAL);
    expect(results.find((result) => result.providerId === "bandwidth")?.losingCarrierName).not.toBe("");
  });

  it("says per carrier what happened: one that cannot check a number in the batch fails, visibly, and the others answer", async () => {
    // Bandwidth refuses a whole lnpchecker batch holding a toll-free number (7331); Twilio and Telnyx answer.
    const response = await harness.client.checkPortability({ phoneNumbers: ["+12125550147", "+18005550100"] });
    expect(response.results.map((result) => result.providerId)).toEqual(["twilio", "telnyx", "twilio", "telnyx"]);
    const outcomes = Object.fromEntries(response.providerOutcomes.map((outcome) => [outcome.providerId, [ProviderOutcomeState[outcome.state], outcome.reason]]));
    expect(outcomes).toEqual({
      twilio: ["PROVIDER_OUTCOME_STATE_ANSWERED", ""],
      bandwidth: ["PROVIDER_OUTCOME_STATE_FAILED", "CARRIER_INVALID_REQUEST"],
      telnyx: ["PROVIDER_OUTCOME_STATE_ANSWERED", ""],
      vonage: ["PROVIDER_OUTCOME_STATE_SKIPPED", ""],
      plivo: ["PROVIDER_OUTCOME_STATE_SKIPPED", ""],
    });
  });

  it("says why a carrier cannot take a number it already sells, in the carrier's words", async () => {
    const search = await harness.client.searchNumbers({ countryCode: "US", areaCode: "415", providerIds: ["twilio"], limit: 1 });
    const twilioNumber = search.numbers[0]?.phoneNumber ?? "";
    const { results } = await harness.client.checkPortability({ phoneNumbers: [twilioNumber], providerId: "twilio" });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ phoneNumber: twilioNumber, providerId: "twilio", portable: false });
    expect(results[0]?.notPortableReason).toMatch(/22132/);
  });

  it("refuses bad input naming the field, and a carrier that checks no portability with FAILED_PRECONDITION", async () => {
    const bad = await captureRpcError((options) => harness.client.checkPortability({ phoneNumbers: ["+12125550147", "not a number"] }, options));
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual(["phone_numbers[1]"]);
    const none = await captureRpcError((options) => harness.client.checkPortability({ phoneNumbers: [] }, options));
    expect(none.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual(["phone_numbers"]);
    const tooMany = await captureRpcError((options) => harness.client.checkPortability({ phoneNumbers: Array.from({ length: 101 }, (_, index) => `+1212555${String(1000 + index)}`) }, options));
    expect(tooMany.code).toBe(Status.INVALID_ARGUMENT);
    const vonage = CARRIERS.find((carrier) => carrier.id === "vonage")?.id ?? "";
    const refused = await captureRpcError((options) => harness.client.checkPortability({ phoneNumbers: ["+12125550147"], providerId: vonage }, options));
    expect(refused.code).toBe(Status.FAILED_PRECONDITION);
    expect(refused.details).toMatch(/vonage: checks no portability/);
  });
});
