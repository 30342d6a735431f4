import { describe, expect, it } from "vitest";
import type { OrderFailure } from "../../src/domain/order-failure.js";
import type { AvailableNumberOffer } from "../../src/domain/numbers.js";
import { parsePhoneNumber, type ParsedPhoneNumber } from "../../src/domain/phone-number.js";
import { neverReachedCarrier } from "../../src/lifecycle/purchase-substitution.js";
import { isEquivalentOffer, substituteSearch, type SubstitutionTarget } from "../../src/manager/equivalent-numbers.js";
import type { OrderRecord, OrderState } from "../../src/store/records.js";

function number(e164: string): ParsedPhoneNumber {
  const parsed = parsePhoneNumber(e164);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.number;
}

function order(state: OrderState, failures: readonly (OrderFailure | undefined)[]): OrderRecord {
  return {
    id: "ord_1",
    requestId: "r",
    requestFingerprint: "f",
    carrierId: "bandwidth",
    state,
    orderReference: "ng-ord1",
    carrierOrderId: undefined,
    reservationId: undefined,
    customerInfo: undefined,
    detail: "",
    carrierCallStartedAt: 1,
    checkAttempts: 0,
    createdAt: 0,
    updatedAt: 0,
    items: failures.map((failure, index) => ({
      phoneNumber: `+1212555000${index}`,
      state: state === "failed" ? "failed" : "pending",
      detail: "",
      carrierNumberId: undefined,
      offer: undefined,
      sentAt: 1,
      reservationId: undefined,
      failure,
    })),
  };
}

describe("which failed purchases may be substituted (nothing can have reached the carrier)", () => {
  it.each([
    ["numbergate did not call the carrier (drained, disabled, breaker open, limit full)", { kind: "carrier_unavailable" } as const, true],
    ["the connection was refused", { kind: "carrier_error", carrierErrorKind: "network" } as const, true],
    ["the connection could not be opened in time", { kind: "carrier_error", carrierErrorKind: "timeout" } as const, true],
    ["the carrier answered: not for sale", { kind: "carrier_error", carrierErrorKind: "not_found" } as const, false],
    ["the carrier answered: invalid request (or an adapter refused before sending: indistinguishable, so never)", { kind: "carrier_error", carrierErrorKind: "invalid_request" } as const, false],
    ["the carrier refused it in its order status", { kind: "carrier_refused" } as const, false],
    ["sent, and the carrier had no trace of it after the grace", { kind: "carrier_did_not_act" } as const, false],
    ["a row written before failures were kept", undefined, false],
  ])("%s: %s", (_case, failure, substitutable) => {
    expect(neverReachedCarrier(order("failed", [failure]))).toBe(substitutable);
  });

  it("only a failed one-number order", () => {
    expect(neverReachedCarrier(order("in_doubt", [{ kind: "carrier_unavailable" }]))).toBe(false);
    expect(neverReachedCarrier(order("failed", [{ kind: "carrier_unavailable" }, { kind: "carrier_unavailable" }]))).toBe(false);
  });
});

describe("equivalent numbers", () => {
  const target: SubstitutionTarget = { number: number("+12125550123"), carrierId: "bandwidth", numberType: "local", capabilities: ["voice", "sms", "mms"], maxMonthlyRateCents: 150 };
  const offer = (overrides: Partial<AvailableNumberOffer>): AvailableNumberOffer => ({
    phoneNumber: "+12125559876",
    carrierId: "twilio",
    numberType: "local",
    countryCode: "US",
    capabilities: ["voice", "sms", "mms"],
    monthlyPrice: { currencyCode: "USD", amountCents: 115 },
    ...overrides,
  });

  it("are searched at the other carriers by country, type, area code, the offered features and the price limit", () => {
    expect(substituteSearch(target, ["twilio", "telnyx"])).toEqual({
      criteria: { countryCode: "US", numberType: "local", areaCode: "212", features: ["voice", "sms", "mms"] },
      limit: 10,
      maxMonthlyRateCents: 150,
      carrierIds: ["twilio", "telnyx"],
    });
    // Toll-free numbers have no area code: their 3-digit prefix stands in; unknown capabilities: the type's defaults.
    const tollFree = substituteSearch({ ...target, number: number("+18885550123"), numberType: "toll_free", capabilities: [] }, ["twilio"]);
    expect(tollFree?.criteria).toEqual({ countryCode: "US", numberType: "toll_free", pattern: { position: "starts_with", digits: "888" }, features: ["voice"] });
    // Outside NANP the locality stands in for the area code; without one, equivalence cannot be shown.
    const london = { ...target, number: number("+442079460123"), capabilities: [] };
    expect(substituteSearch({ ...london, locality: "London" }, ["vonage"])?.criteria).toMatchObject({ countryCode: "GB", city: "London" });
    expect(substituteSearch(london, ["vonage"])).toBeUndefined();
    expect(substituteSearch(target, [])).toBeUndefined();
  });

  it("are checked on the offer itself: another carrier, same area code and type, at least the features, a known price within the limit", () => {
    expect(isEquivalentOffer(offer({}), target)).toBe(true);
    expect(isEquivalentOffer(offer({ carrierId: "bandwidth" }), target)).toBe(false);
    expect(isEquivalentOffer(offer({ phoneNumber: "+16465559876" }), target)).toBe(false);
    expect(isEquivalentOffer(offer({ numberType: "mobile" }), target)).toBe(false);
    expect(isEquivalentOffer(offer({ capabilities: ["voice", "sms"] }), target)).toBe(false);
    expect(isEquivalentOffer(offer({ monthlyPrice: { currencyCode: "USD", amountCents: 151 } }), target)).toBe(false);
    expect(isEquivalentOffer(offer({ monthlyPrice: undefined }), target)).toBe(false);
    expect(isEquivalentOffer(offer({ monthlyPrice: undefined }), { ...target, maxMonthlyRateCents: undefined })).toBe(true);
  });
});
