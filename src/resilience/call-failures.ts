import { BreakerError, BreakerMaxAllowedRequestError, BulkheadOverloadError, BulkheadQueueWaitError, TimeoutError } from "mollitia";
import { isAbortError } from "abort-controller-x";
import { CarrierError, countsAgainstCarrier } from "../domain/carrier-error.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import { CarrierUnavailableError } from "../domain/service-errors.js";
import { isTimeLimit } from "../domain/carrier-calls.js";

/**
 * An attempt abandoned because the time its call was given ran out. Thrown to the breaker in place of the
 * AbortError the cut-off request ends with, so the breaker counts a failure (an AbortError would count as
 * a success), and never retried.
 */
export class AbandonedAttemptError extends Error {
  constructor() {
    super("the attempt was abandoned: the time its call was given ran out");
    this.name = "AbandonedAttemptError";
  }
}

/** The hard budget of a money operation ran out (see OperationPolicy.boundedByBudget). */
export class BudgetExhaustedError extends Error {
  constructor(readonly budgetMs: number) {
    super(`the call's ${budgetMs} ms budget ran out`);
    this.name = "BudgetExhaustedError";
  }
}

/**
 * What an error makes of an attempt, as error.type on its span, its log line and its metrics: the carrier error
 * kind (carrier-error.ts), `timeout` for an attempt the pipeline gave up on, `cancelled` when the caller went
 * away, else `_OTHER` (the semantic conventions' fallback). Never a message: messages may carry numbers or
 * carrier words.
 */
export function errorTypeOf(error: unknown): string {
  if (CarrierError.is(error)) return error.kind;
  if (error instanceof TimeoutError || error instanceof AbandonedAttemptError || error instanceof BudgetExhaustedError) return "timeout";
  if (isAbortError(error)) return "cancelled";
  return "_OTHER";
}

/** Whether an error says the carrier is failing (as opposed to the caller's request being wrong). */
export function isCarrierFailure(error: unknown): boolean {
  if (error instanceof TimeoutError || error instanceof AbandonedAttemptError) return true;
  return countsAgainstCarrier(error);
}

/** What the pipeline knows about a call when it ends in an error. */
export interface CallFacts {
  readonly carrierId: CarrierId;
  readonly operation: CarrierOperation;
  /** The operation's per-attempt timeout. */
  readonly timeoutMs: number | undefined;
  /** An attempt was at the carrier, unanswered, when the call ended. */
  readonly attemptInFlight: boolean;
  /** Attempts that called the carrier and may have reached it. */
  readonly reachingAttempts: number;
  /** What the last finished attempt failed with. */
  readonly lastFailure: unknown;
  readonly breakerRetryAfterMs: () => number | undefined;
}

/**
 * The error a pipeline call ends with, in the domain's terms: timeouts become timeout CarrierErrors (or
 * CarrierUnavailableError when the carrier was never called), mollitia's breaker and bulkhead refusals
 * become CarrierUnavailableError; anything else passes through.
 */
export function describeCallFailure(error: unknown, facts: CallFacts): unknown {
  const { carrierId, operation } = facts;
  const timedOut = (within: string) => {
    if (facts.reachingAttempts === 0 && !facts.attemptInFlight) {
      // Timed out waiting for a concurrency slot or a rate-limit token: the carrier was never called.
      return new CarrierUnavailableError(carrierId, `numbergate's concurrency or rate limit for ${carrierId} admitted no call within ${within}`);
    }
    return new CarrierError({ kind: "timeout", carrierId, operation, message: `${carrierId} did not answer within ${within}`, requestMayHaveReachedCarrier: true, cause: error });
  };
  if (isTimeLimit(error)) {
    // Ran out between attempts (in a backoff after a failure): that failure is the truthful answer.
    if (!facts.attemptInFlight && facts.lastFailure !== undefined) return describeCallFailure(facts.lastFailure, facts);
    return timedOut(`the ${Math.round(error.limitMs)} ms it was given`);
  }
  if (error instanceof BudgetExhaustedError) return timedOut(`${error.budgetMs} ms`);
  if (error instanceof TimeoutError) return timedOut(`${facts.timeoutMs ?? "its"} ms`);
  if (error instanceof BreakerError || error instanceof BreakerMaxAllowedRequestError) {
    return new CarrierUnavailableError(carrierId, `${carrierId}'s circuit breaker is open`, facts.breakerRetryAfterMs());
  }
  if (error instanceof BulkheadOverloadError || error instanceof BulkheadQueueWaitError) {
    return new CarrierUnavailableError(carrierId, `numbergate's concurrency limit for ${carrierId} is full`);
  }
  return error;
}
