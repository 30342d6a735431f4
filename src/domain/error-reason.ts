import type { CarrierErrorKind } from "./carrier-error.js";

/**
 * Stable error reasons, the names of numbergate.v1.ErrorReason without the ERROR_REASON_ prefix.
 * They travel in google.rpc.ErrorInfo.reason and in ProviderOutcome.reason.
 */
export type ErrorReasonName =
  | "INVALID_FIELD"
  | "UNKNOWN_PROVIDER"
  | "NO_ELIGIBLE_PROVIDER"
  | "CARRIER_NETWORK_ERROR"
  | "CARRIER_TIMEOUT"
  | "CARRIER_AUTH_FAILED"
  | "CARRIER_RATE_LIMITED"
  | "CARRIER_INVALID_REQUEST"
  | "CARRIER_NOT_FOUND"
  | "CARRIER_SERVER_ERROR"
  | "CARRIER_OUTCOME_UNKNOWN"
  | "ALL_CARRIERS_FAILED"
  | "CARRIER_UNAVAILABLE"
  | "NOT_IMPLEMENTED"
  | "IDEMPOTENCY_KEY_REUSED"
  | "NUMBER_HELD"
  | "INTERNAL"
  | "RESOURCE_NOT_FOUND"
  | "FAILED_PRECONDITION";

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
