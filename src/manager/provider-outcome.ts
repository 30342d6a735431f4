import type { CarrierError } from "../domain/carrier-error.js";
import { reasonForCarrierErrorKind, type ErrorReasonName } from "../domain/error-reason.js";
import type { CarrierId } from "../domain/numbers.js";
import type { CutOffReason } from "./read-route.js";

/** What happened at one carrier while serving a request. */
export interface ProviderOutcome {
  readonly carrierId: CarrierId;
  /** cut_off: asked, but not waited for once enough had come from other carriers (see ReadRoute). */
  readonly state: "answered" | "failed" | "skipped" | "cut_off";
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

/** Written out rather than spread from EMPTY: a cached search makes several per call, and spreading showed in profiles. */
export function skippedOutcome(carrierId: CarrierId, detail: string): ProviderOutcome {
  return { carrierId, state: "skipped", detail, numbersReturned: 0, excludedUnknownPrice: 0, excludedOverPrice: 0, fromCache: false, stale: false, durationMs: 0 };
}

/** numbergate did not call the carrier (breaker open, drained, concurrency limit full). */
export function unavailableOutcome(carrierId: CarrierId, detail: string, retryAfterMs?: number): ProviderOutcome {
  return { ...EMPTY, carrierId, state: "skipped", detail, reason: "CARRIER_UNAVAILABLE", retryAfterMs };
}

/** Asked, not waited for: `waitedMs` is how long it had before the read went on without it; the detail says why. */
export function cutOffOutcome(carrierId: CarrierId, reason: CutOffReason, waitedMs: number, readNoun: "search" | "check"): ProviderOutcome {
  return { ...EMPTY, carrierId, state: "cut_off", detail: cutOffDetail(reason, Math.round(waitedMs), readNoun), durationMs: waitedMs };
}

function cutOffDetail(reason: CutOffReason, waitedMs: number, readNoun: "search" | "check"): string {
  switch (reason.kind) {
    case "superseded":
      return `no answer after ${waitedMs} ms; a hedged ${readNoun} at ${reason.by} answered first`;
    case "hedge_delay":
      return `not waited for: other carriers had answered enough, and it had no answer after ${waitedMs} ms (its hedge delay is ${Math.round(reason.hedgeDelayMs)} ms); its late answer still fills the cache`;
    case "hedge_not_needed":
      return `asked early as a hedge; higher-priority carriers answered enough after ${waitedMs} ms, so its answer was not needed`;
  }
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
