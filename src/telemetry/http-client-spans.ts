import { context, createContextKey, SpanKind, SpanStatusCode, trace, type Context, type Span } from "@opentelemetry/api";
import type { SpanStarter } from "./tracing-noop.js";

const HTTP_TRACER = createContextKey("numbergate.http-client-tracer");

/**
 * A context whose HTTP requests to carriers get CLIENT spans from `tracer`: the carrier attempt's span puts it
 * there, so the one HTTP client every adapter shares makes spans under the attempt without each adapter being
 * handed a tracer (and requests made outside an attempt, such as health probes, make none).
 */
export function withHttpTracer(parent: Context, tracer: SpanStarter): Context {
  return parent.setValue(HTTP_TRACER, tracer);
}

export interface HttpRequestFacts {
  readonly method: string;
  readonly origin: URL;
}

/**
 * Runs one HTTP request to a carrier under a CLIENT span named after its method, as OpenTelemetry's HTTP client
 * conventions have it: http.request.method, server.address, server.port, url.scheme, and once answered
 * http.response.status_code (error.type the status code from 400 up, or the transport error's name). No path,
 * query or body: they hold phone numbers, account ids and customer data.
 */
export async function inHttpClientSpan<Result extends { readonly status: number }>(facts: HttpRequestFacts, send: () => Promise<Result>): Promise<Result> {
  const active = context.active();
  const tracer = active.getValue(HTTP_TRACER) as SpanStarter | undefined;
  if (!tracer) return send();
  const port = facts.origin.port === "" ? (facts.origin.protocol === "https:" ? 443 : 80) : Number(facts.origin.port);
  const span = tracer.startSpan(
    facts.method,
    {
      kind: SpanKind.CLIENT,
      attributes: { "http.request.method": facts.method, "server.address": facts.origin.hostname, "server.port": port, "url.scheme": facts.origin.protocol.replace(/:$/, "") },
    },
    active,
  );
  try {
    const result = await context.with(trace.setSpan(active, span), send);
    span.setAttribute("http.response.status_code", result.status);
    if (result.status >= 400) failed(span, String(result.status));
    return result;
  } catch (error) {
    failed(span, error instanceof Error ? error.name : "_OTHER");
    throw error;
  } finally {
    span.end();
  }
}

function failed(span: Span, errorType: string): void {
  span.setAttribute("error.type", errorType);
  span.setStatus({ code: SpanStatusCode.ERROR });
}
