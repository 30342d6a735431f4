import { describe, expect, expectTypeOf, it } from "vitest";
import { ErrorReason } from "../../generated/numbergate/v1/common.js";
import type { CarrierErrorKind } from "../../src/domain/carrier-error.js";
import { reasonForCarrierErrorKind, type ErrorReasonName } from "../../src/domain/error-reason.js";

const PREFIX = "ERROR_REASON_";

/** The reasons the contract declares, as ErrorInfo spells them. */
const DECLARED = Object.keys(ErrorReason)
  .filter((key) => key.startsWith(PREFIX) && key !== `${PREFIX}UNSPECIFIED`)
  .map((key) => key.slice(PREFIX.length));

describe("ErrorReasonName is numbergate.v1.ErrorReason, and cannot drift from it", () => {
  it("names exactly the enum's values without their prefix (checked by tsc)", () => {
    expectTypeOf<"CARRIER_TIMEOUT">().toExtend<ErrorReasonName>();
    expectTypeOf<"RESERVATION_INVALID">().toExtend<ErrorReasonName>();
    // Reasons the code used to send that the enum never declared: no longer expressible.
    // @ts-expect-error FAILED_PRECONDITION is a status code, not a reason of the contract
    const generic: ErrorReasonName = "FAILED_PRECONDITION";
    // @ts-expect-error UNSPECIFIED is the enum's zero value, never sent
    const unspecified: ErrorReasonName = "UNSPECIFIED";
    expect([generic, unspecified].every((name) => !DECLARED.includes(name))).toBe(true);
  });

  it("every carrier error kind maps to a declared reason", () => {
    const kinds: readonly CarrierErrorKind[] = ["network", "timeout", "auth", "rate_limited", "invalid_request", "not_found", "carrier_server", "unknown_outcome"];
    expect(kinds.map(reasonForCarrierErrorKind).filter((reason) => !DECLARED.includes(reason))).toEqual([]);
  });

  it("values are appended, never renumbered", () => {
    expect(ErrorReason.ERROR_REASON_INTERNAL).toBe(17);
    expect(ErrorReason.ERROR_REASON_RESOURCE_NOT_FOUND).toBe(18);
    expect(ErrorReason.ERROR_REASON_CARRIER_DID_NOT_ACT).toBe(25);
  });
});
