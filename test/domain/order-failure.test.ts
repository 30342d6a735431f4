import { describe, expect, it } from "vitest";
import { CarrierError } from "../../src/domain/carrier-error.js";
import { decodeOrderFailure, encodeOrderFailure, type OrderFailure } from "../../src/domain/order-failure.js";
import { CarrierUnavailableError } from "../../src/domain/service-errors.js";
import { failureOf } from "../../src/lifecycle/carrier-answers.js";

describe("order failures as the store keeps them", () => {
  it.each<OrderFailure>([
    { kind: "carrier_error", carrierErrorKind: "not_found" },
    { kind: "carrier_error", carrierErrorKind: "auth" },
    { kind: "carrier_unavailable" },
    { kind: "carrier_refused" },
    { kind: "carrier_did_not_act" },
  ])("round-trips %o", (failure) => {
    expect(decodeOrderFailure(encodeOrderFailure(failure))).toEqual(failure);
  });

  it("reads what it does not know as unknown, never as a guess", () => {
    expect(decodeOrderFailure("carrier_error:teleported")).toBeUndefined();
    expect(decodeOrderFailure("something_new")).toBeUndefined();
  });

  it("keeps a refusal's cause: the carrier's error kind, or that numbergate never called", () => {
    const refused = new CarrierError({ kind: "not_found", carrierId: "twilio", operation: "purchase", message: "not available", requestMayHaveReachedCarrier: true });
    expect(failureOf(refused)).toEqual({ kind: "carrier_error", carrierErrorKind: "not_found" });
    expect(failureOf(new CarrierUnavailableError("twilio", "twilio's circuit breaker is open"))).toEqual({ kind: "carrier_unavailable" });
  });
});
