import type { CarrierErrorKind } from "../../domain/carrier-error.js";
import type { CarrierId } from "../../domain/numbers.js";

/**
 * numbergate's own words for a carrier failure, used as the error message: never the carrier's body.
 * `credentialVariables` names what an operator should check when credentials are rejected.
 */
export function describeCarrierFailure(carrierId: CarrierId, kind: CarrierErrorKind, credentialVariables: string): string {
  switch (kind) {
    case "auth":
      return `${carrierId} rejected numbergate's credentials (check ${credentialVariables})`;
    case "rate_limited":
      return `${carrierId} is rate limiting numbergate`;
    case "not_found":
      return `${carrierId} has no such number or resource`;
    case "invalid_request":
      return `${carrierId} rejected the request as invalid`;
    case "carrier_server":
      return `${carrierId} failed to process the request`;
    case "timeout":
      return `${carrierId} did not answer in time`;
    case "network":
      return `${carrierId} could not be reached`;
    case "unknown_outcome":
      return `the outcome at ${carrierId} is unknown`;
  }
}
