import type { ErrorReason } from "../../generated/numbergate/v1/common.js";
import type { CarrierErrorKind } from "./carrier-error.js";

/** `ERROR_REASON_CARRIER_TIMEOUT` -> `CARRIER_TIMEOUT`; anything without the prefix (UNRECOGNIZED) -> never. */
type WithoutPrefix<EnumKey> = EnumKey extends `ERROR_REASON_${infer Name}` ? Name : never;

/**
 * Stable error reasons: the names of numbergate.v1.ErrorReason without the ERROR_REASON_ prefix. They travel
 * in google.rpc.ErrorInfo.reason and in ProviderOutcome.reason. Derived from the generated enum, so the code
 * can only emit a reason the contract declares: a new reason starts as a new value in common.proto.
 */
export type ErrorReasonName = Exclude<WithoutPrefix<keyof typeof ErrorReason>, "UNSPECIFIED">;

export function reasonForCarrierErrorKind(kind: CarrierErrorKind): ErrorReasonName {
  switch (kind) {
    case "network":
      return "CARRIER_NETWORK_ERROR";
    case "timeout":
      return "CARRIER_TIMEOUT";
    case "auth":
      return "CARRIER_AUTH_FAILED";
    case "rate_limited":
      return "CARRIER_RATE_LIMITED";
    case "invalid_request":
      return "CARRIER_INVALID_REQUEST";
    case "not_found":
      return "CARRIER_NOT_FOUND";
    case "carrier_server":
      return "CARRIER_SERVER_ERROR";
    case "unknown_outcome":
      return "CARRIER_OUTCOME_UNKNOWN";
  }
}
