import { SlidingCountBreaker, SlidingWindowRequestResult, type CircuitFunction } from "mollitia";

/** What the breaker needs to know about the call it is judging. */
export interface JudgedCall {
  /** False for money operations and order lookups: their slow successes are successes. */
  readonly judgedBySpeed: boolean;
}

function isJudgedCall(value: unknown): value is JudgedCall {
  return typeof value === "object" && value !== null && typeof (value as { judgedBySpeed?: unknown }).judgedBySpeed === "boolean";
}

type BreakerResult = Awaited<ReturnType<SlidingCountBreaker["executePromise"]>>;

/**
 * mollitia's count breaker, except that a slow success counts as slow only for calls judged by speed.
 * mollitia measures every call the same way; a carrier that takes 4 s to sell a number and then sells it
 * has not failed, and treating it as failing opened the breaker and locked order lookups out for minutes.
 */
export class CarrierBreaker extends SlidingCountBreaker {
  protected override async executePromise(promise: CircuitFunction, ...params: unknown[]): Promise<BreakerResult> {
    const result = await super.executePromise(promise, ...params);
    // mollitia hands each module the inner modules and the circuit function before the caller's own
    // arguments: the invocation is the last parameter.
    const call = params.at(-1);
    if (result.requestResult === SlidingWindowRequestResult.TIMEOUT && isJudgedCall(call) && !call.judgedBySpeed) {
      return { ...result, requestResult: SlidingWindowRequestResult.SUCCESS };
    }
    return result;
  }
}
