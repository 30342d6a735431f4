import { BreakerState, Bulkhead, Circuit, Retry, Timeout, TimeoutError } from "mollitia";
import type { CarrierLimits, ResilienceSettings } from "../config/load-config.js";
import { CarrierError } from "../domain/carrier-error.js";
import { ALL_OPERATIONS, type CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import { isTimeLimit, type BreakerStateName, type CarrierCallObserver } from "../domain/carrier-calls.js";
import type { Logger } from "../telemetry/logger.js";
import { NOOP_TRACER, type SpanStarter } from "../telemetry/tracing-noop.js";
import { AttemptTracing } from "./attempt-spans.js";
import { fullJitterBackoff } from "./backoff.js";
import { AbandonedAttemptError, BudgetExhaustedError, describeCallFailure, isCarrierFailure } from "./call-failures.js";
import { CarrierBreaker } from "./carrier-breaker.js";
import type { CarrierCall, Invocation, PendingAttempt } from "./pipeline-invocation.js";
import { CallEndedError, EndedCallGuard } from "./ended-call-guard.js";
import { operationPolicy, type OperationPolicy } from "./operation-policy.js";
import { TokenBucket } from "./token-bucket.js";

export { AbandonedAttemptError, isCarrierFailure } from "./call-failures.js";

export type { BreakerStateName, CarrierCallObserver } from "../domain/carrier-calls.js";

export interface CarrierPipelineOptions {
  readonly carrierId: CarrierId;
  readonly settings: ResilienceSettings;
  readonly limits: CarrierLimits;
  readonly observer: CarrierCallObserver;
  /** Where each attempt's CLIENT span and log line go (see attempt-spans.ts); the no-op tracer and no log by default. */
  readonly tracer?: SpanStarter;
  readonly logger?: Logger;
  readonly random?: () => number;
  readonly now?: () => number;
}

/**
 * The resilience pipeline of one carrier, built with mollitia: per operation a circuit of
 * retry (outermost) -> bulkhead (concurrency, shared) -> circuit breaker (shared by all operations) ->
 * timeout (innermost), plus a token bucket for the carrier's rate limit. The bulkhead sits outside the
 * breaker so that waiting for numbergate's own concurrency slot is never judged as the carrier being slow;
 * a guard right inside it refuses an attempt whose call already ended (a retry after its backoff, or a slot
 * granted late), so the breaker only ever records attempts that were made.
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
  readonly #tracing: AttemptTracing;

  constructor(options: CarrierPipelineOptions) {
    const { settings, limits, carrierId } = options;
    const random = options.random ?? Math.random;
    this.carrierId = carrierId;
    this.#observer = options.observer;
    this.#tracing = new AttemptTracing(carrierId, options.tracer ?? NOOP_TRACER, options.logger);
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
    const guard = new EndedCallGuard((call) => isInvocation(call) && call.finished);

    for (const operation of ALL_OPERATIONS) {
      const policy = operationPolicy(operation, settings.timeouts);
      this.#policies.set(operation, policy);
      const retry = new Retry({
        attempts: settings.maxRetries,
        onRejection: (error: unknown, attempt: number) => {
          const delay = this.#retryDelay(error, attempt, policy, settings, random);
          if (delay !== false) this.#observer.retryScheduled?.(carrierId, operation, delay);
          if (delay !== false) this.#tracing.retryScheduled(delay);
          return delay;
        },
      });
      const circuit = new Circuit({
        name: `${carrierId}:${operation}`,
        options: { modules: [retry, bulkhead, guard, this.#breaker, new Timeout({ delay: policy.timeoutMs })] },
      });
      circuit.fn((invocation: Invocation) => this.#attempt(invocation));
      this.#circuits.set(operation, circuit);
    }
  }

  /** The per-attempt timeout of an operation (PROVIDER_TIMEOUT_*). */
  attemptTimeoutMs(operation: CarrierOperation): number | undefined {
    return this.#policies.get(operation)?.timeoutMs;
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
    const invocation: Invocation = {
      operation,
      call,
      callerSignal,
      signal,
      judgedBySpeed: policy.judgedBySpeed,
      reachingAttempts: 0,
      finished: false,
      pending: undefined,
      lastFailure: undefined,
      trace: this.#tracing.begin(),
    };
    try {
      return await raceWithAbort(this.#tracing.within(invocation.trace, () => circuit.execute<Result>(invocation)), signal);
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
    if (invocation.finished) throw new CallEndedError();
    invocation.signal?.throwIfAborted();
    // The attempt's controller exists before the rate-limit wait, so a timeout that fires while waiting for a
    // token cancels the wait: a purchase reported as timed out must never be sent afterwards.
    const controller = new AbortController();
    const span = this.#tracing.startAttempt(invocation.trace, invocation.operation, this.breakerState);
    const attempt: PendingAttempt = { controller, startedAt: this.#now(), reaching: false, settled: false, span };
    invocation.pending = attempt;
    const signal = invocation.signal ? AbortSignal.any([invocation.signal, controller.signal]) : controller.signal;
    try {
      await this.#tokenBucket?.take(signal);
      attempt.startedAt = this.#now();
      attempt.reaching = true;
      invocation.reachingAttempts += 1;
      const result = await span.run(() => invocation.call(signal));
      this.#settle(invocation, attempt, "success");
      return result;
    } catch (error) {
      if (attempt.reaching && CarrierError.is(error) && !error.requestMayHaveReachedCarrier) invocation.reachingAttempts -= 1;
      if (!attempt.settled && !controller.signal.aborted && !invocation.signal?.aborted) {
        this.#settle(invocation, attempt, isCarrierFailure(error) ? "failure" : "success", error);
        invocation.lastFailure = error;
      }
      attempt.span.abandon(error);
      // The request was cut off because the call's time ran out: the breaker must see a failure, not the
      // AbortError the request ended with.
      if (attempt.reaching && isTimeLimit(invocation.callerSignal?.reason)) throw new AbandonedAttemptError();
      throw error;
    }
  }

  #settle(invocation: Invocation, attempt: PendingAttempt, outcome: "success" | "failure", error?: unknown): void {
    if (attempt.settled) return;
    attempt.settled = true;
    const durationMs = this.#now() - attempt.startedAt;
    attempt.span.settle(outcome, durationMs, error);
    this.#observer.attemptFinished(this.carrierId, invocation.operation, outcome, durationMs, error);
  }

  /**
   * Aborts a pending attempt that the timeout or the call's time limit gave up on, recording it as a
   * timeout. An attempt cut off because the caller went away is not recorded: that says nothing about the
   * carrier. Neither is one still waiting for a rate-limit token: it never reached the carrier.
   */
  #cutOff(invocation: Invocation): void {
    const pending = invocation.pending;
    // A settled attempt has nothing in flight: aborting it would only cost an AbortError per successful call.
    if (!pending || pending.settled) return;
    const callerLeft = invocation.callerSignal?.aborted === true && !isTimeLimit(invocation.callerSignal.reason);
    if (pending.reaching && !callerLeft) this.#settle(invocation, pending, "failure", new TimeoutError());
    else pending.settled = true;
    // Also aborts an attempt still waiting for a rate-limit token (not reaching yet: nothing to judge).
    pending.controller.abort();
  }

  #retryDelay(error: unknown, attempt: number, policy: OperationPolicy, settings: ResilienceSettings, random: () => number): number | false {
    if (error instanceof AbandonedAttemptError || error instanceof CallEndedError) return false;
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
    const pending = invocation.pending;
    return describeCallFailure(error, {
      carrierId: this.carrierId,
      operation: invocation.operation,
      timeoutMs: this.#policies.get(invocation.operation)?.timeoutMs,
      attemptInFlight: pending !== undefined && !pending.settled && pending.reaching,
      reachingAttempts: invocation.reachingAttempts,
      lastFailure: invocation.lastFailure,
      breakerRetryAfterMs: () => this.breakerRetryAfterMs,
    });
  }
}

function isInvocation(value: unknown): value is Invocation {
  return typeof value === "object" && value !== null && "finished" in value && "reachingAttempts" in value;
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
