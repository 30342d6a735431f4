import type { CarrierErrorKind } from "./carrier-error.js";

/**
 * Why a number of an order was not bought, kept with the order so a failed purchase answers every retry of its
 * request_id with the same error: the carrier refused it with an error of the taxonomy; numbergate never called
 * the carrier; the carrier refused it in an order status without a code numbergate knows; or the request left
 * and the carrier had no trace of it after the in-doubt grace.
 */
export type OrderFailure =
  | { readonly kind: "carrier_error"; readonly carrierErrorKind: CarrierErrorKind }
  | { readonly kind: "carrier_unavailable" }
  | { readonly kind: "carrier_refused" }
  | { readonly kind: "carrier_did_not_act" };

const CARRIER_ERROR_KINDS: ReadonlySet<string> = new Set<CarrierErrorKind>(["network", "timeout", "auth", "rate_limited", "invalid_request", "not_found", "carrier_server", "unknown_outcome"]);

/** The stored form: `carrier_error:not_found`, `carrier_unavailable`, ... */
export function encodeOrderFailure(failure: OrderFailure): string {
  return failure.kind === "carrier_error" ? `carrier_error:${failure.carrierErrorKind}` : failure.kind;
}

/** Undefined for text this version does not know (a row written by a newer numbergate). */
export function decodeOrderFailure(text: string): OrderFailure | undefined {
  const [kind, detail] = text.split(":", 2);
  if (kind === "carrier_error" && detail !== undefined && CARRIER_ERROR_KINDS.has(detail)) return { kind, carrierErrorKind: detail as CarrierErrorKind };
  if (kind === "carrier_unavailable" || kind === "carrier_refused" || kind === "carrier_did_not_act") return { kind };
  return undefined;
}
