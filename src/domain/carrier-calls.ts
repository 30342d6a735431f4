/**
 * The contracts between the provider manager (which carrier) and the resilience pipeline (how to call it): the
 * invoker the manager calls through, and what the pipeline reports back about each attempt. Neither folder
 * imports the other; both import these.
 */
import type { CarrierOperation } from "./carrier-operation.js";
import type { CarrierId } from "./numbers.js";

export interface CarrierInvocationOptions {
  /**
   * Aborted when the call must stop. Its reason says why: an `AttemptTimeLimitError` means the time the
   * call was given ran out (its share of the caller's deadline, or the deadline itself), which is judged
   * as the carrier timing out; any other reason means the caller went away, which says nothing about the
   * carrier.
   */
  readonly signal?: AbortSignal;
}

/**
 * The reason a carrier call is abandoned because the time it was given ran out. The carrier did not
 * answer in the time numbergate could wait for it: health, metrics and the circuit breaker count that as a
 * timeout, exactly as if the carrier's own per-attempt timeout had fired. Without this, a carrier that
 * hangs longer than callers wait stays healthy forever (every attempt ends as "caller gave up").
 */
export class AttemptTimeLimitError extends Error {
  constructor(readonly limitMs: number) {
    super(`the ${Math.round(limitMs)} ms this call was given ran out`);
    this.name = "AttemptTimeLimitError";
  }
}

/** Whether an abort reason means the attempt's time ran out (as opposed to the caller going away). */
export function isTimeLimit(reason: unknown): reason is AttemptTimeLimitError {
  return reason instanceof AttemptTimeLimitError;
}

/**
 * How the manager calls a carrier. The manager decides which carrier; the invoker decides how (timeout,
 * retry, circuit breaker, concurrency, metrics). Keeping it one interface lets the resilience pipeline
 * replace the direct invoker without touching selection logic.
 */
export interface CarrierInvoker {
  invoke<Result>(
    carrierId: CarrierId,
    operation: CarrierOperation,
    call: (signal: AbortSignal | undefined) => Promise<Result>,
    options: CarrierInvocationOptions,
  ): Promise<Result>;
  /** The per-attempt timeout of an operation at a carrier, when the invoker enforces one. */
  attemptTimeoutMs?(carrierId: CarrierId, operation: CarrierOperation): number | undefined;
}

export type BreakerStateName = "closed" | "open" | "half_open";

/** What the pipeline tells the outside (metrics, health) about each attempt and breaker change. */
export interface CarrierCallObserver {
  /** One attempt at the carrier ended; `failure` only for carrier failures, never for client errors. */
  attemptFinished(carrierId: CarrierId, operation: CarrierOperation, outcome: "success" | "failure", durationMs: number, error?: unknown): void;
  breakerChanged(carrierId: CarrierId, state: BreakerStateName): void;
  /** A failed attempt is to be retried after `delayMs` (it may still be dropped if the call ends meanwhile). */
  retryScheduled?(carrierId: CarrierId, operation: CarrierOperation, delayMs: number): void;
}

/** What the manager tells the outside (metrics) about reads it answered without an attempt of their own. */
export interface CarrierReadObserver {
  /** A read looked for a carrier's answer in cache; `hit` when the cached answer served it. */
  cacheLookup(carrierId: CarrierId, operation: CarrierOperation, hit: boolean): void;
  /** A read that missed the cache joined a call another read had already started (single flight). */
  singleFlightJoined(carrierId: CarrierId, operation: CarrierOperation): void;
}
