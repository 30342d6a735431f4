import { context, createContextKey, isSpanContextValid, SpanKind, SpanStatusCode, trace, type Context, type Span } from "@opentelemetry/api";
import { CarrierError } from "../domain/carrier-error.js";
import type { BreakerStateName } from "../domain/carrier-calls.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import type { Logger } from "../telemetry/logger.js";
import { withHttpTracer } from "../telemetry/http-client-spans.js";
import { NOOP_TRACER, type SpanStarter } from "../telemetry/tracing-noop.js";
import { errorTypeOf } from "./call-failures.js";

/** What one call through the pipeline keeps for its attempts' spans. */
export interface InvocationTrace {
  /** The context the call was made in (the manager's span): every attempt's span is its child. */
  readonly parent: Context;
  attempts: number;
  /** The delay the retry scheduled after the last failed attempt, for the next attempt's span. */
  retryDelayMs: number | undefined;
}

const INVOCATION_TRACE = createContextKey("numbergate.invocation-trace");

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
    /** Where each attempt's log line goes (see AttemptSpan); none without it. */
    private readonly logger?: Logger,
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
    return new AttemptSpan(span, this.tracer, this.logger, { carrier: this.carrierId, operation, attempt: invocation.attempts, breakerState });
  }
}

/** What an attempt's log line says of it beyond its outcome: ids and states, never a request or a message. */
interface AttemptFacts {
  readonly carrier: CarrierId;
  readonly operation: CarrierOperation;
  readonly attempt: number;
  readonly breakerState: BreakerStateName;
}

/**
 * One attempt's span and log line, ended once: when the attempt is judged, or when it ends without being judged.
 * The line (`"msg":"carrier attempt"`) carries the span's trace_id and span_id when tracing is on, so it joins
 * the RPC's line and trace; a failed attempt logs at warn, others at debug (a search makes several attempts).
 */
export class AttemptSpan {
  #ended = false;

  constructor(
    private readonly span: Span,
    private readonly tracer: SpanStarter,
    private readonly logger: Logger | undefined,
    private readonly facts: AttemptFacts,
  ) {}

  /** Calls the carrier with this span active: the HTTP requests the call makes get their CLIENT spans beneath it. */
  run<Result>(call: () => Promise<Result>): Promise<Result> {
    if (this.tracer === NOOP_TRACER) return call();
    return context.with(withHttpTracer(trace.setSpan(context.active(), this.span), this.tracer), call);
  }

  /** The attempt was judged: `failure` counts against the carrier; an error that does not (bad input) is still recorded. */
  settle(outcome: "success" | "failure", durationMs: number, error?: unknown): void {
    this.#end(outcome, durationMs, error);
  }

  /** The attempt ended unjudged (the caller left, a rate-limit wait was cut): nothing here says how the carrier did. */
  abandon(error: unknown): void {
    this.#end("abandoned", undefined, error);
  }

  #end(outcome: "success" | "failure" | "abandoned", durationMs: number | undefined, error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.span.setAttribute("numbergate.outcome", outcome);
    const failure = error === undefined ? undefined : { errorType: errorTypeOf(error), httpStatus: CarrierError.is(error) ? error.httpStatus : undefined, carrierCode: CarrierError.is(error) ? error.carrierCode : undefined };
    if (failure) {
      this.span.setAttribute("error.type", failure.errorType);
      if (failure.httpStatus !== undefined) this.span.setAttribute("http.response.status_code", failure.httpStatus);
      if (failure.carrierCode !== undefined) this.span.setAttribute("numbergate.carrier.error_code", failure.carrierCode);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: failure.errorType });
    }
    this.span.end();
    this.#log(outcome, durationMs, failure);
  }

  #log(outcome: string, durationMs: number | undefined, failure: { errorType: string; httpStatus: number | undefined; carrierCode: string | undefined } | undefined): void {
    const logger = this.logger;
    const level = outcome === "failure" ? "warn" : "debug";
    if (!logger?.isLevelEnabled(level)) return;
    const ids = this.span.spanContext();
    logger[level](
      {
        ...this.facts,
        outcome,
        ...(durationMs === undefined ? {} : { durationMs: Math.round(durationMs * 10) / 10 }),
        ...failure,
        ...(isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {}),
      },
      "carrier attempt",
    );
  }
}
