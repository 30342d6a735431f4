import type { CarrierError } from "../domain/carrier-error.js";
import { reasonForCarrierErrorKind, type ErrorReasonName } from "../domain/error-reason.js";
import type { CarrierId } from "../domain/numbers.js";

/** What happened at one carrier while serving a request. */
export interface ProviderOutcome {
  readonly carrierId: CarrierId;
  readonly state: "answered" | "failed" | "skipped";
  readonly detail: string;
  readonly reason?: ErrorReasonName;
  readonly numbersReturned: number;
  readonly excludedUnknownPrice: number;
  readonly excludedOverPrice: number;
  readonly fromCache: boolean;
  readonly stale: boolean;
  readonly durationMs: number;
  /** For a carrier numbergate did not call: when it may be called again, if known (its breaker's next trial). */
  readonly retryAfterMs?: number;
}

const EMPTY = { numbersReturned: 0, excludedUnknownPrice: 0, excludedOverPrice: 0, fromCache: false, stale: false, durationMs: 0 } as const;

export function skippedOutcome(carrierId: CarrierId, detail: string): ProviderOutcome {
  return { ...EMPTY, carrierId, state: "skipped", detail };
}

/** numbergate did not call the carrier (breaker open, drained, concurrency limit full). */
export function unavailableOutcome(carrierId: CarrierId, detail: string, retryAfterMs?: number): ProviderOutcome {
  return { ...EMPTY, carrierId, state: "skipped", detail, reason: "CARRIER_UNAVAILABLE", retryAfterMs };
}

export function failedOutcome(error: CarrierError, durationMs: number): ProviderOutcome {
  return { ...EMPTY, carrierId: error.carrierId, state: "failed", detail: error.message, reason: reasonForCarrierErrorKind(error.kind), durationMs };
}

export function answeredOutcome(
  carrierId: CarrierId,
  counts: Pick<ProviderOutcome, "numbersReturned" | "excludedUnknownPrice" | "excludedOverPrice" | "durationMs">,
  detail = "",
): ProviderOutcome {
  return { ...EMPTY, ...counts, carrierId, state: "answered", detail };
}
