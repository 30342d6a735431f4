import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { AttemptSpan, InvocationTrace } from "./attempt-spans.js";
import type { JudgedCall } from "./carrier-breaker.js";

export type CarrierCall<Result> = (signal: AbortSignal) => Promise<Result>;

/** One attempt at the carrier; `reaching` once it got past the rate limiter and called the carrier. */
export interface PendingAttempt {
  readonly controller: AbortController;
  startedAt: number;
  reaching: boolean;
  settled: boolean;
  readonly span: AttemptSpan;
}

/** One call through the pipeline; its attempts share it so a timed-out attempt can be cut off. */
export interface Invocation extends JudgedCall {
  readonly operation: CarrierOperation;
  readonly call: CarrierCall<unknown>;
  /**
   * The caller's own signal. Aborted with an AttemptTimeLimitError, the time the call was given ran out and
   * the carrier is judged as timed out; aborted for any other reason, the caller went away, which says
   * nothing about the carrier.
   */
  readonly callerSignal: AbortSignal | undefined;
  /** The caller's signal, combined with the money budget where there is one: every attempt obeys it. */
  readonly signal: AbortSignal | undefined;
  /** Attempts that called the carrier and may have reached it: while 0, nothing numbergate sent can act. */
  reachingAttempts: number;
  /** The pipeline has answered the caller: an attempt that starts now (late from a queue) must not call. */
  finished: boolean;
  pending: PendingAttempt | undefined;
  /** What the last finished attempt failed with, to report when the call's time runs out between attempts. */
  lastFailure: unknown;
  readonly trace: InvocationTrace;
}
