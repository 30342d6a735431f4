import { CarrierError } from "../domain/carrier-error.js";
import type { OrderFailure } from "../domain/order-failure.js";
import { CarrierUnavailableError } from "../domain/service-errors.js";

/**
 * Whether a failed money call definitely did nothing at the carrier: numbergate never called it, the request
 * never left, or the carrier answered with a refusal. Anything else may have acted and is left in doubt.
 */
export function isDefiniteRefusal(error: unknown): boolean {
  if (error instanceof CarrierUnavailableError) return true;
  if (!CarrierError.is(error)) return false;
  return !error.requestMayHaveReachedCarrier || ["invalid_request", "not_found", "auth", "rate_limited"].includes(error.kind);
}

/** The cause a definite refusal is kept as (see isDefiniteRefusal). */
export function failureOf(error: unknown): OrderFailure {
  if (CarrierError.is(error)) return { kind: "carrier_error", carrierErrorKind: error.kind };
  return { kind: "carrier_unavailable" };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : "the call failed";
}

const MAX_CHECK_DELAY_MS = 300_000;

/** Delay before the next check of a record whose last `failures` checks failed: doubling, capped at 5 minutes. */
export function checkDelay(intervalMs: number, failures: number): number {
  return Math.min(intervalMs * 2 ** Math.min(failures, 16), Math.max(intervalMs, MAX_CHECK_DELAY_MS));
}
