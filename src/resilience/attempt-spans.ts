import { context, createContextKey, SpanKind, SpanStatusCode, type Context, type Span } from "@opentelemetry/api";
import { isAbortError } from "abort-controller-x";
import { TimeoutError } from "mollitia";
import { CarrierError } from "../domain/carrier-error.js";
import type { BreakerStateName } from "../domain/carrier-calls.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import type { SpanStarter } from "../telemetry/tracing-noop.js";
import { AbandonedAttemptError, BudgetExhaustedError } from "./call-failures.js";

/** What one call through the pipeline keeps for its attempts' spans. */
export interface InvocationTrace {
  /** The context the call was made in (the manager's span): every attempt's span is its child. */
  readonly parent: Context;
  attempts: number;
  /** The delay the retry scheduled after the last failed attempt, for the next attempt's span. */
  retryDelayMs: number | undefined;
}

const INVOCATION_TRACE = createContextKey("numbergate.invocation-trace");

/** What an error makes of an attempt, as error.type: the carrier error kind, or the few other ways it ends. */
export function errorTypeOf(error: unknown): string {
  if (CarrierError.is(error)) return error.kind;
  if (error instanceof TimeoutError || error instanceof AbandonedAttemptError || error instanceof BudgetExhaustedError) return "timeout";
  if (isAbortError(error)) return "cancelled";
  return "_OTHER";
}

/**
 * The CLIENT spans of one carrier's pipeline: one per attempt, `<carrier> <operation>` (numbergate.carrier,
 * numbergate.operation, numbergate.attempt from 1, numbergate.breaker.state when it started,
 * numbergate.retry.delay_ms when it followed a backoff). A failed attempt adds error.type (the CarrierError
 * kind, `timeout` when cut off) and, when the carrier said them, http.response.status_code and
 * numbergate.carrier.error_code. Never a message or a body: they may name numbers or customers.
 */
export class AttemptTracing {
  constructor(
    private readonly carrierId: CarrierId,
    private readonly tracer: SpanStarter,
  ) {}

  /** The trace of a call starting now, under the active context. */
  begin(): InvocationTrace {
    return { parent: context.active(), attempts: 0, retryDelayMs: undefined };
  }

  /** Runs the call with its trace reachable from the retry's callback, which is only told the error. */
  within<Result>(invocation: InvocationTrace, run: () => Result): Result {
    return context.with(invocation.parent.setValue(INVOCATION_TRACE, invocation), run);
  }

  /** The retry chose to try again after `delayMs` (called within the call, see within). */
  retryScheduled(delayMs: number): void {
    const invocation = context.active().getValue(INVOCATION_TRACE) as InvocationTrace | undefined;
    if (invocation) invocation.retryDelayMs = delayMs;
  }

  startAttempt(invocation: InvocationTrace, operation: CarrierOperation, breakerState: BreakerStateName): AttemptSpan {
    invocation.attempts += 1;
    const span = this.tracer.startSpan(
      `${this.carrierId} ${operation}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "numbergate.carrier": this.carrierId,
          "numbergate.operation": operation,
          "numbergate.attempt": invocation.attempts,
          "numbergate.breaker.state": breakerState,
          ...(invocation.retryDelayMs === undefined ? {} : { "numbergate.retry.delay_ms": invocation.retryDelayMs }),
        },
      },
      invocation.parent,
    );
    invocation.retryDelayMs = undefined;
    return new AttemptSpan(span);
  }
}

/** One attempt's span, ended once: when the attempt is judged, or when it ends without being judged. */
export class AttemptSpan {
  #ended = false;

  constructor(private readonly span: Span) {}

  /** The attempt was judged: `failure` counts against the carrier; an error that does not (bad input) is still recorded. */
  settle(outcome: "success" | "failure", error?: unknown): void {
    this.#end(outcome, error);
  }

  /** The attempt ended unjudged (the caller left, a rate-limit wait was cut): nothing here says how the carrier did. */
  abandon(error: unknown): void {
    this.#end("abandoned", error);
  }

  #end(outcome: "success" | "failure" | "abandoned", error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.span.setAttribute("numbergate.outcome", outcome);
    if (error !== undefined) {
      const errorType = errorTypeOf(error);
      this.span.setAttribute("error.type", errorType);
      if (CarrierError.is(error) && error.httpStatus !== undefined) this.span.setAttribute("http.response.status_code", error.httpStatus);
      if (CarrierError.is(error) && error.carrierCode !== undefined) this.span.setAttribute("numbergate.carrier.error_code", error.carrierCode);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    }
    this.span.end();
  }
}
