import { context as contextApi, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { Status, type CallContext, type Metadata, type ServerMiddlewareCall } from "nice-grpc";
import type { SpanStarter } from "../telemetry/tracing-noop.js";
import { splitMethodPath, withCallStatus } from "./call-status.js";

/** traceparent and tracestate from the call's metadata (grpc-js hands keys over in lower case). */
const metadataGetter: TextMapGetter<Metadata> = {
  get: (metadata, key) => {
    const value = metadata.get(key);
    return typeof value === "string" ? value : undefined;
  },
  keys: (metadata) => Array.from(metadata, ([key]) => key),
};

// Used directly rather than through the global propagation API: numbergate registers nothing global for it.
const propagator = new W3CTraceContextPropagator();

/**
 * Statuses a server span reports as an error, as OpenTelemetry's RPC conventions list them for gRPC servers: the
 * others (INVALID_ARGUMENT, NOT_FOUND, ...) are the caller's problem, answered correctly.
 */
const SERVER_ERROR_STATUSES: ReadonlySet<Status> = new Set([Status.UNKNOWN, Status.DEADLINE_EXCEEDED, Status.UNIMPLEMENTED, Status.INTERNAL, Status.UNAVAILABLE, Status.DATA_LOSS]);

/**
 * One SERVER span per call, `numbergate.v1.TelecomService/SearchNumbers`: rpc.system=grpc, rpc.service,
 * rpc.method, rpc.grpc.status_code, and error.type (the status name) when the call did not end OK. A caller's
 * W3C trace context (traceparent, tracestate metadata) is continued. The handler runs with the span active, so
 * the manager's and the carriers' spans nest under it. No request field, metadata value or error text is
 * recorded: they may carry phone numbers or customer data.
 */
export function tracingMiddleware(tracer: SpanStarter) {
  return function traceCalls<Request, Response>(call: ServerMiddlewareCall<Request, Response>, context: CallContext): AsyncGenerator<Response, Response | void, undefined> {
    const parent = propagator.extract(ROOT_CONTEXT, context.metadata, metadataGetter);
    const { service, method } = splitMethodPath(call.method.path);
    const span = tracer.startSpan(
      `${service}/${method}`,
      { kind: SpanKind.SERVER, attributes: { "rpc.system": "grpc", "rpc.service": service, "rpc.method": method } },
      parent,
    );
    return bindToContext(trace.setSpan(parent, span), withCallStatus(call, context, (code) => endSpan(span, code)));
  };
}

function endSpan(span: Span, code: Status): void {
  span.setAttribute("rpc.grpc.status_code", code);
  if (code !== Status.OK) span.setAttribute("error.type", Status[code]);
  if (SERVER_ERROR_STATUSES.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: Status[code] });
  span.end();
}


/**
 * Runs every step of the generator with `context` active: a generator's body runs when it is stepped, not when
 * it is created, so activating the span around the middleware call alone would not reach the handler.
 */
function bindToContext<Value, Result>(context: Context, generator: AsyncGenerator<Value, Result, undefined>): AsyncGenerator<Value, Result, undefined> {
  const bound: AsyncGenerator<Value, Result, undefined> = {
    next: (...args) => contextApi.with(context, () => generator.next(...args)),
    return: (value) => contextApi.with(context, () => generator.return(value)),
    throw: (error: unknown) => contextApi.with(context, () => generator.throw(error)),
    [Symbol.asyncIterator]: () => bound,
  };
  return bound;
}
