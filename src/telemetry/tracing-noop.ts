import { INVALID_SPAN_CONTEXT, trace, type Tracer } from "@opentelemetry/api";

/**
 * What numbergate's layers need of a tracer: starting a span under a given parent context (or the active one).
 * Code that makes spans activates them itself with `context.with`, so this is all the tracer it is handed.
 */
export type SpanStarter = Pick<Tracer, "startSpan">;

/**
 * The tracer of a numbergate that exports no traces, and the default of every layer built without one (unit
 * tests): its spans record nothing and cost one object each. Not the global API tracer, which another library
 * in the process could have pointed anywhere.
 */
export const NOOP_TRACER: SpanStarter = {
  startSpan: () => trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
};
