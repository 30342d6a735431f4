import { isSpanContextValid, trace, type Meter } from "@opentelemetry/api";
import { Status, type CallContext, type ServerMiddlewareCall } from "nice-grpc";
import { DURATION_BUCKETS_SECONDS } from "../telemetry/metrics.js";
import type { Logger } from "../telemetry/logger.js";
import { splitMethodPath, withCallStatus } from "./call-status.js";
import { actorOf } from "./caller.js";



/** Probes and reflection arrive every few seconds from load balancers and tools: their lines are debug. */
const QUIET_SERVICES: ReadonlySet<string> = new Set(["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]);

/**
 * rpc.server.call.duration (seconds, as OpenTelemetry's current RPC semantic conventions name it) for every
 * call: rpc.system=grpc, rpc.service, rpc.method and rpc.grpc.status_code; and one log line per call (method,
 * code, duration, caller). A stream is recorded when it ends, however it ends (a client that cancels mid-stream:
 * CANCELLED). Outermost, so it times everything the server does for the call and sees the status the error
 * mapping settled on.
 */
export function metricsMiddleware(meter: Meter, logger?: Logger) {
  const duration = meter.createHistogram("rpc.server.call.duration", {
    description: "Duration of gRPC calls served, streams until they end",
    unit: "s",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
  });
  return async function* measureCalls<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const startedAt = performance.now();
    return yield* withCallStatus(call, context, (code) => {
      const { service, method } = splitMethodPath(call.method.path);
      const seconds = (performance.now() - startedAt) / 1000;
      const spanContext = trace.getActiveSpan()?.spanContext();
      const ids = spanContext && isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
      const line = { rpc: call.method.path, code: Status[code], durationMs: Math.round(seconds * 10_000) / 10, caller: actorOf(context), ...ids };
      if (QUIET_SERVICES.has(service)) logger?.debug(line, "rpc");
      else logger?.info(line, "rpc");
      duration.record(seconds, {
        "rpc.system": "grpc",
        "rpc.service": service,
        "rpc.method": method,
        "rpc.grpc.status_code": code,
      });
    });
  };
}
