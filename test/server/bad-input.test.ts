import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Capability, type NumberType } from "../../generated/numbergate/v1/common.js";
import type { SearchNumbersRequest } from "../../generated/numbergate/v1/numbers.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness.close());

const valid: Partial<SearchNumbersRequest> = { countryCode: "US", areaCode: "212", limit: 5 };

describe("SearchNumbers rejects bad input with INVALID_ARGUMENT naming the field, before any carrier call", () => {
  it.each<[string, Partial<SearchNumbersRequest>, string, RegExp]>([
    ["empty country", { countryCode: "" }, "country_code", /required/],
    ["malformed country", { countryCode: "USA" }, "country_code", /alpha-2/],
    ["unknown country", { countryCode: "ZZ" }, "country_code", /numbering plan/],
    ["non-digit area code", { areaCode: "2a2" }, "area_code", /3 digits/],
    ["NANP area code starting with 1", { areaCode: "112" }, "area_code", /3 digits/],
    ["negative limit", { limit: -1 }, "limit", /negative/],
    ["pattern with letters", { pattern: "*12ab" }, "pattern", /only digits/],
    ["pattern with a star in the middle", { pattern: "12*34" }, "pattern", /only digits/],
    ["pattern with SQL", { pattern: "1'; DROP TABLE--" }, "pattern", /only digits|at most/],
    ["over-long pattern", { pattern: "*12345678901234567" }, "pattern", /at most 16/],
    ["one-digit pattern", { pattern: "*1" }, "pattern", /at least 2 digits/],
    ["over-long city", { city: "x".repeat(65) }, "city", /at most 64/],
    ["city with control characters", { city: "New\u0000York" }, "city", /only letters/],
    ["unknown feature", { features: [99 as Capability] }, "features[0]", /VOICE, SMS, MMS or FAX/],
    ["unspecified feature", { features: [Capability.CAPABILITY_UNSPECIFIED] }, "features[0]", /VOICE, SMS, MMS or FAX/],
    ["unknown number type", { numberType: 42 as NumberType }, "number_type", /LOCAL, TOLL_FREE/],
    ["negative max price", { maxMonthlyRateCents: -5 }, "max_monthly_rate_cents", /zero or a positive/],
  ])("%s", async (_name, override, field, description) => {
    const requestsBefore = harness.sandbox.twilio.countRequests() + harness.sandbox.bandwidth.countRequests();
    const error = await captureRpcError((options) => harness.client.searchNumbers({ ...valid, ...override }, options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain(field);
    expect(error.rich?.errorInfo).toMatchObject({ reason: "INVALID_FIELD", domain: "numbergate.v1" });
    const violation = error.rich?.badRequest?.fieldViolations.find((entry) => entry.field === field);
    expect(violation?.description).toMatch(description);
    expect(harness.sandbox.twilio.countRequests() + harness.sandbox.bandwidth.countRequests()).toBe(requestsBefore);
  });

  it("names an unknown provider id with reason UNKNOWN_PROVIDER", async () => {
    const error = await captureRpcError((options) => harness.client.searchNumbers({ ...valid, providerIds: ["telco-x"] }, options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.errorInfo?.reason).toBe("UNKNOWN_PROVIDER");
    expect(error.rich?.badRequest?.fieldViolations[0]?.field).toBe("provider_ids[0]");
  });

  it("reports every bad field at once", async () => {
    const error = await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "", limit: -3, pattern: "abc" }, options));
    expect(error.rich?.badRequest?.fieldViolations.map((violation) => violation.field).sort()).toEqual(["country_code", "limit", "pattern"]);
  });
});

describe("CheckNumberAvailability rejects bad input", () => {
  it.each([
    ["missing number", { phoneNumber: "" }, "phone_number"],
    ["not a number", { phoneNumber: "call me maybe" }, "phone_number"],
    ["invalid number", { phoneNumber: "+1212555" }, "phone_number"],
    ["over-long number", { phoneNumber: "+1".padEnd(40, "2") }, "phone_number"],
    ["unknown provider", { phoneNumber: "+12125550123", providerId: "nope" }, "provider_id"],
  ])("%s", async (_name, request, field) => {
    const error = await captureRpcError((options) => harness.client.checkNumberAvailability(request, options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.badRequest?.fieldViolations[0]?.field).toBe(field);
  });
});
