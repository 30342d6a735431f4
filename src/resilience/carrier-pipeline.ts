import {
  BreakerError,
  BreakerMaxAllowedRequestError,
  BreakerState,
  Bulkhead,
  BulkheadOverloadError,
  BulkheadQueueWaitError,
  Circuit,
  Retry,
  Timeout,
  TimeoutError,
} from "mollitia";
import type { CarrierLimits, ResilienceSettings } from "../config/load-config.js";
import { CarrierError } from "../domain/carrier-error.js";
import { ALL_OPERATIONS, type CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import { CarrierUnavailableError } from "../domain/service-errors.js";
import { fullJitterBackoff } from "./backoff.js";
import { CarrierBreaker, type JudgedCall } from "./carrier-breaker.js";
import { operationPolicy, type OperationPolicy } from "./operation-policy.js";
import { TokenBucket } from "./token-bucket.js";

export type BreakerStateName = "closed" | "open" | "half_open";

/** What the pipeline tells the outside (metrics, health) about each attempt and breaker change. */
export interface CarrierCallObserver {
  /** One attempt at the carrier ended; `failure` only for carrier failures, never for client errors. */
  attemptFinished(carrierId: CarrierId, operation: CarrierOperation, outcome: "success" | "failure", durationMs: number, error?: unknown): void;
  breakerChanged(carrierId: CarrierId, state: BreakerStateName): void;
}

export interface CarrierPipelineOptions {
  readonly carrierId: CarrierId;
  readonly settings: ResilienceSettings;
  readonly limits: CarrierLimits;
  readonly observer: CarrierCallObserver;
  readonly random?: () => number;
  readonly now?: () => number;
}

type CarrierCall<Result> = (signal: AbortSignal) => Promise<Result>;

/** One call through the pipeline; its attempts share it so a timed-out attempt can be cut off. */
interface Invocation extends JudgedCall {
  readonly operation: CarrierOperation;
  readonly call: CarrierCall<unknown>;
  /** The caller's own signal: its abort means the caller gave up, not that the carrier was slow. */
  readonly callerSignal: AbortSignal | undefined;
  /** The caller's signal, combined with the money budget where there is one: every attempt obeys it. */
  readonly signal: AbortSignal | undefined;
  /** Attempts that called the carrier and may have reached it: while 0, nothing numbergate sent can act. */
  reachingAttempts: number;
  /** The pipeline has answered the caller: an attempt that starts now (late from a queue) must not call. */
  finished: boolean;
  pending: { controller: AbortController; startedAt: number; settled: boolean } | undefined;
}

/** The hard budget of a money operation ran out (see OperationPolicy.boundedByBudget). */
class BudgetExhaustedError extends Error {
  constructor(readonly budgetMs: number) {
    super(`the call's ${budgetMs} ms budget ran out`);
    this.name = "BudgetExhaustedError";
  }
}

/** Whether an error says the carrier is failing (as opposed to the caller's request being wrong). */
export function isCarrierFailure(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  if (!CarrierError.is(error)) return false;
  return error.kind !== "invalid_request" && error.kind !== "not_found";
}

/**
 * The resilience pipeline of one carrier, built with mollitia: per operation a circuit of
 * retry (outermost) -> circuit breaker (shared by all operations) -> bulkhead (concurrency, shared) ->
 * timeout (innermost), plus a token bucket for the carrier's rate limit.
 */
export class CarrierPipeline {
  readonly carrierId: CarrierId;
  readonly #breaker: CarrierBreaker;
  readonly #circuits = new Map<CarrierOperation, Circuit>();
  readonly #policies = new Map<CarrierOperation, OperationPolicy>();
  readonly #tokenBucket: TokenBucket | undefined;
  readonly #observer: CarrierCallObserver;
  readonly #now: () => number;
  readonly #openDurationMs: number;

  constructor(options: CarrierPipelineOptions) {
    const { settings, limits, carrierId } = options;
    const random = options.random ?? Math.random;
    this.carrierId = carrierId;
    this.#observer = options.observer;
    this.#now = options.now ?? (() => performance.now());
    this.#openDurationMs = settings.breaker.openDurationMs;
    this.#tokenBucket = limits.ratePerSecond > 0 ? new TokenBucket(limits.ratePerSecond, this.#now) : undefined;
    this.#breaker = new CarrierBreaker({
      slidingWindowSize: settings.breaker.windowSize,
      minimumNumberOfCalls: settings.breaker.minimumCalls,
      failureRateThreshold: settings.breaker.failureRateThreshold,
      slowCallRateThreshold: settings.breaker.slowCallRateThreshold,
      slowCallDurationThreshold: settings.breaker.slowCallDurationMs,
      permittedNumberOfCallsInHalfOpenState: settings.breaker.halfOpenCalls,
      openStateDelay: settings.breaker.openDurationMs,
      // Client errors (bad input, unknown number) and cancellations say nothing about the carrier's health.
      onError: isCarrierFailure,
    });
    this.#breaker.on("state-changed", (state: BreakerState) => this.#observer.breakerChanged(carrierId, toStateName(state)));
    const bulkhead = new Bulkhead({ concurrentSize: limits.maxConcurrency, queueSize: 10_000, maxQueueWait: settings.timeouts.purchase });

    for (const operation of ALL_OPERATIONS) {
      const policy = operationPolicy(operation, settings.timeouts);
      this.#policies.set(operation, policy);
      const retry = new Retry({
        attempts: settings.maxRetries,
        onRejection: (error: unknown, attempt: number) => this.#retryDelay(error, attempt, policy, settings, random),
      });
      const circuit = new Circuit({
        name: `${carrierId}:${operation}`,
        options: { modules: [retry, this.#breaker, bulkhead, new Timeout({ delay: policy.timeoutMs })] },
      });
      circuit.fn((invocation: Invocation) => this.#attempt(invocation));
      this.#circuits.set(operation, circuit);
    }
  }

  get breakerState(): BreakerStateName {
    return toStateName(this.#breaker.state);
  }

  /** Milliseconds until an open breaker lets a trial call through. */
  get breakerRetryAfterMs(): number | undefined {
    if (this.#breaker.state !== BreakerState.OPENED) return undefined;
    return Math.max(0, this.#breaker.stateTimestamp + this.#openDurationMs - Date.now());
  }

  /**
   * Runs one carrier call through the pipeline; never outlives the caller's signal, and a money operation
   * never outlives its budget: when run settles, no request it sent is still in flight.
   */
  async run<Result>(operation: CarrierOperation, call: CarrierCall<Result>, callerSignal?: AbortSignal): Promise<Result> {
    callerSignal?.throwIfAborted();
    const circuit = this.#circuits.get(operation);
    const policy = this.#policies.get(operation);
    if (!circuit || !policy) throw new Error(`no pipeline for operation ${operation}`);
    const budget = policy.boundedByBudget ? new AbortController() : undefined;
    const budgetTimer = budget && setTimeout(() => budget.abort(new BudgetExhaustedError(policy.timeoutMs)), policy.timeoutMs);
    const signal = budget ? (callerSignal ? AbortSignal.any([callerSignal, budget.signal]) : budget.signal) : callerSignal;
    const invocation: Invocation = { operation, call, callerSignal, signal, judgedBySpeed: policy.judgedBySpeed, reachingAttempts: 0, finished: false, pending: undefined };
    try {
      return await raceWithAbort(circuit.execute<Result>(invocation), signal);
    } catch (error) {
      throw this.#translate(error, invocation);
    } finally {
      clearTimeout(budgetTimer);
      invocation.finished = true;
      this.#cutOff(invocation);
    }
  }

  dispose(): void {
    for (const circuit of this.#circuits.values()) circuit.dispose();
    this.#breaker.dispose();
  }

  async #attempt(invocation: Invocation): Promise<unknown> {
    // A previous attempt still pending here was given up by the timeout: stop its request.
    this.#cutOff(invocation);
    if (invocation.finished) throw new Error("the call already ended; this attempt must not reach the carrier");
    invocation.signal?.throwIfAborted();
    // The attempt's controller exists before the rate-limit wait, so a timeout that fires while waiting for a
    // token cancels the wait: a purchase reported as timed out must never be sent afterwards.
    const controller = new AbortController();
    const attempt = { controller, startedAt: this.#now(), settled: false };
    invocation.pending = attempt;
    const signal = invocation.signal ? AbortSignal.any([invocation.signal, controller.signal]) : controller.signal;
    let reaching = false;
    try {
      await this.#tokenBucket?.take(signal);
      attempt.startedAt = this.#now();
      reaching = true;
      invocation.reachingAttempts += 1;
      const result = await invocation.call(signal);
      this.#settle(invocation, attempt, "success");
      return result;
    } catch (error) {
      if (reaching && CarrierError.is(error) && !error.requestMayHaveReachedCarrier) invocation.reachingAttempts -= 1;
      if (!attempt.settled && !controller.signal.aborted && !invocation.signal?.aborted) {
        this.#settle(invocation, attempt, isCarrierFailure(error) ? "failure" : "success", error);
      }
      throw error;
    }
  }

  #settle(invocation: Invocation, attempt: NonNullable<Invocation["pending"]>, outcome: "success" | "failure", error?: unknown): void {
    if (attempt.settled) return;
    attempt.settled = true;
    this.#observer.attemptFinished(this.carrierId, invocation.operation, outcome, this.#now() - attempt.startedAt, error);
  }

  /** Aborts a pending attempt that the timeout gave up on, recording it as a timeout. */
  #cutOff(invocation: Invocation): void {
    const pending = invocation.pending;
    if (!pending) return;
    if (!pending.settled) {
      const timedOut = !invocation.callerSignal?.aborted;
      if (timedOut) this.#settle(invocation, pending, "failure", new TimeoutError());
      else pending.settled = true;
    }
    // Also aborts an attempt still waiting for a rate-limit token, which has nothing to settle yet.
    pending.controller.abort();
  }

  #retryDelay(error: unknown, attempt: number, policy: OperationPolicy, settings: ResilienceSettings, random: () => number): number | false {
    const carrierError = error instanceof TimeoutError ? undefined : error;
    if (!(error instanceof TimeoutError) && !CarrierError.is(carrierError)) return false;
    if (CarrierError.is(carrierError)) {
      if (!carrierError.isRetryable) return false;
      // Buying, reserving, releasing or porting again could act twice: only when nothing was sent.
      if (!policy.idempotent && carrierError.requestMayHaveReachedCarrier) return false;
      if (carrierError.retryAfterMs !== undefined && carrierError.retryAfterMs > settings.maxRetryAfterMs) return false;
    } else if (!policy.idempotent) {
      return false;
    }
    const backoff = fullJitterBackoff(attempt, settings.retryDelayMs, settings.retryMaxDelayMs, random);
    const retryAfter = CarrierError.is(carrierError) ? (carrierError.retryAfterMs ?? 0) : 0;
    // mollitia reads 0 as "do not retry"; 1 ms is as good as immediate.
    return Math.max(1, backoff, retryAfter);
  }

  #translate(error: unknown, invocation: Invocation): unknown {
    const { operation } = invocation;
    if (error instanceof TimeoutError || error instanceof BudgetExhaustedError) {
      const timeoutMs = error instanceof BudgetExhaustedError ? error.budgetMs : this.#policies.get(operation)?.timeoutMs;
      if (invocation.reachingAttempts === 0) {
        // Timed out waiting for a concurrency slot or a rate-limit token: the carrier was never called.
        return new CarrierUnavailableError(this.carrierId, `numbergate's concurrency or rate limit for ${this.carrierId} admitted no call within ${timeoutMs} ms`);
      }
      return new CarrierError({
        kind: "timeout",
        carrierId: this.carrierId,
        operation,
        message: `${this.carrierId} did not answer within ${timeoutMs} ms`,
        requestMayHaveReachedCarrier: true,
        cause: error,
      });
    }
    if (error instanceof BreakerError || error instanceof BreakerMaxAllowedRequestError) {
      return new CarrierUnavailableError(this.carrierId, `${this.carrierId}'s circuit breaker is open`, this.breakerRetryAfterMs);
    }
    if (error instanceof BulkheadOverloadError || error instanceof BulkheadQueueWaitError) {
      return new CarrierUnavailableError(this.carrierId, `numbergate's concurrency limit for ${this.carrierId} is full`);
    }
    return error;
  }
}

function toStateName(state: BreakerState): BreakerStateName {
  switch (state) {
    case BreakerState.OPENED:
      return "open";
    case BreakerState.HALF_OPENED:
      return "half_open";
    default:
      return "closed";
  }
}

/** Settles with the promise, or rejects as soon as the signal aborts. */
function raceWithAbort<Result>(promise: Promise<Result>, signal: AbortSignal | undefined): Promise<Result> {
  if (!signal) return promise;
  return new Promise<Result>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
