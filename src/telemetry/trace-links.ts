import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Link, type SpanContext } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { SpanStarter } from "./tracing-noop.js";

// The same propagator the server continues callers' traces with; used directly, numbergate registers nothing global.
const propagator = new W3CTraceContextPropagator();

/**
 * The W3C traceparent of the span active now (the RPC that creates an order or a port), to be kept with the
 * record so that work done on it later, by this replica or another after a restart, links back to it. Undefined
 * when nothing is traced. A traceparent names a trace, not its content: it is safe to store.
 */
export function activeTraceParent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagator.inject(context.active(), carrier, defaultTextMapSetter);
  return carrier["traceparent"];
}

/** The span context a stored traceparent names, or undefined for one that is missing or malformed. */
export function spanContextOf(traceParent: string | undefined): SpanContext | undefined {
  if (traceParent === undefined) return undefined;
  return trace.getSpanContext(propagator.extract(ROOT_CONTEXT, { traceparent: traceParent }, defaultTextMapGetter));
}

export interface LinkedWork {
  /** The span name, `numbergate.order.reconcile`. */
  readonly name: string;
  /** The traceparent kept with the record the work is about (see activeTraceParent). */
  readonly traceParent: string | undefined;
  readonly attributes: Attributes;
}

/**
 * Runs background work (the reconciler finishing an order, the poller checking a port) as the root of a trace of
 * its own, linked to the trace of the RPC that created the record: a sweep is not part of any caller's request,
 * and one trace per check keeps each readable, while the link takes the on-call engineer from a purchase to
 * every check that settled it. Spans made inside (carrier attempts) nest under this one.
 */
export async function inLinkedTrace<Result>(tracer: SpanStarter, work: LinkedWork, run: () => Promise<Result>): Promise<Result> {
  const origin = spanContextOf(work.traceParent);
  const links: Link[] = origin ? [{ context: origin, attributes: { "numbergate.link": "created_by" } }] : [];
  const span = tracer.startSpan(work.name, { kind: SpanKind.INTERNAL, root: true, links, attributes: work.attributes }, ROOT_CONTEXT);
  try {
    return await context.with(trace.setSpan(ROOT_CONTEXT, span), run);
  } catch (error) {
    span.setAttribute("error.type", error instanceof Error ? error.name : "_OTHER");
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
