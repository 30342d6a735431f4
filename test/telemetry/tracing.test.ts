import { SpanKind, SpanStatusCode, type AttributeValue } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Metadata } from "nice-grpc";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../src/config/load-config.js";
import { Secret } from "../../src/config/secret.js";
import { createTracing, NOOP_TRACER } from "../../src/telemetry/tracing.js";
import { startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";

/** Twilio first (priority 1), Bandwidth second: a failing Twilio makes the search fail over. */
const FAILOVER = {
  ...onlyCarriers("twilio", "bandwidth"),
  TWILIO_PRIORITY: "1",
  BANDWIDTH_PRIORITY: "2",
  PROVIDER_MAX_RETRIES: "1",
  PROVIDER_RETRY_DELAY: "10",
};
const SEARCH = { countryCode: "US", areaCode: "212", limit: 5 };
const SEARCH_SPAN = "numbergate.v1.TelecomService/SearchNumbers";

/** Every string a connection was built from, secrets revealed: none may reach a span. */
function connectionValues(harness: Harness): string[] {
  const values: string[] = [];
  for (const connection of harness.sandbox.connections.values()) {
    for (const value of Object.values(connection.settings)) {
      if (value instanceof Secret) values.push(value.reveal());
      else if (typeof value === "string") values.push(value);
    }
  }
  return values.filter((value) => value.length >= 6);
}

/** Every attribute value (events' too) as text. */
function recordedText(spans: readonly ReadableSpan[]): string[] {
  const text = (value: AttributeValue | undefined): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);
  return spans.flatMap((span) => [
    ...Object.values(span.attributes).flatMap(text),
    ...span.events.flatMap((event) => [event.name, ...Object.values(event.attributes ?? {}).flatMap(text)]),
    span.status.message ?? "",
  ]);
}

describe("traces of a SearchNumbers that fails over", () => {
  const exporter = new InMemorySpanExporter();
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness(FAILOVER, { random: () => 0, spanExporter: exporter });
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(() => {
    harness.sandbox.twilio.faults.clear();
    exporter.reset();
  });

  /** The spans of the one trace a server span of SearchNumbers opened, once it has ended. */
  async function searchTrace(): Promise<{ server: ReadableSpan; spans: ReadableSpan[] }> {
    const server = await vi.waitFor(() => {
      const found = exporter.getFinishedSpans().find((span) => span.name === SEARCH_SPAN);
      if (!found) throw new Error("no server span yet");
      return found;
    });
    const traceId = server.spanContext().traceId;
    return { server, spans: exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId) };
  }

  it("nests the manager's decision and every carrier attempt under the server span", async () => {
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 500 });
    const response = await harness.client.searchNumbers(SEARCH);
    expect(response.numbers.length).toBeGreaterThan(0);
    expect(response.numbers.every((number) => number.providerId === "bandwidth")).toBe(true);

    const { server, spans } = await searchTrace();
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.service": "numbergate.v1.TelecomService",
      "rpc.method": "SearchNumbers",
      "rpc.grpc.status_code": 0,
    });
    expect(server.attributes["error.type"]).toBeUndefined();
    expect(server.status.code).not.toBe(SpanStatusCode.ERROR);

    const manager = spans.find((span) => span.name === "numbergate.search");
    expect(manager?.kind).toBe(SpanKind.INTERNAL);
    expect(manager?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(manager?.attributes).toMatchObject({
      "numbergate.carriers.routed": ["twilio", "bandwidth"],
      "numbergate.tiers": 2,
      "numbergate.carriers.answered": ["bandwidth"],
      "numbergate.carriers.failed": ["twilio: CARRIER_SERVER_ERROR"],
      "numbergate.numbers_returned": response.numbers.length,
    });
    expect(manager?.attributes["numbergate.carriers.skipped"]).toEqual(expect.arrayContaining(["telnyx: disabled by TELNYX_ENABLED=false", "plivo: disabled by PLIVO_ENABLED=false"]));
    expect(manager?.events.filter((event) => event.name === "numbergate.carrier_read").map((event) => event.attributes)).toEqual([
      { "numbergate.carrier": "twilio", "numbergate.cache": "miss", "numbergate.single_flight": "led" },
      { "numbergate.carrier": "bandwidth", "numbergate.cache": "miss", "numbergate.single_flight": "led" },
    ]);

    const attempts = spans.filter((span) => span.kind === SpanKind.CLIENT && span.attributes["numbergate.carrier"] !== undefined);
    expect(attempts.every((span) => span.parentSpanContext?.spanId === manager?.spanContext().spanId)).toBe(true);
    const twilio = attempts.filter((span) => span.name === "twilio search");
    // PROVIDER_MAX_RETRIES=1: the first attempt and one retry, both answered 500.
    expect(twilio.map((span) => span.attributes["numbergate.attempt"])).toEqual([1, 2]);
    for (const span of twilio) {
      expect(span.attributes).toMatchObject({
        "numbergate.carrier": "twilio",
        "numbergate.operation": "search",
        "numbergate.breaker.state": "closed",
        "numbergate.outcome": "failure",
        "http.response.status_code": 500,
        "error.type": "carrier_server",
      });
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
    }
    expect(twilio[0]?.attributes["numbergate.retry.delay_ms"]).toBeUndefined();
    expect(twilio[1]?.attributes["numbergate.retry.delay_ms"]).toEqual(expect.any(Number));
    const bandwidth = attempts.filter((span) => span.name === "bandwidth search");
    expect(bandwidth).toHaveLength(1);
    expect(bandwidth[0]?.attributes).toMatchObject({ "numbergate.carrier": "bandwidth", "numbergate.attempt": 1, "numbergate.outcome": "success" });
    expect(bandwidth[0]?.attributes["error.type"]).toBeUndefined();
    expect(attempts).toHaveLength(3);

    // Beneath each attempt, the HTTP request it made to the carrier's emulator on loopback.
    const requests = spans.filter((span) => span.kind === SpanKind.CLIENT && span.attributes["http.request.method"] !== undefined);
    expect(requests).toHaveLength(3);
    for (const attempt of attempts) {
      const beneath = requests.filter((span) => span.parentSpanContext?.spanId === attempt.spanContext().spanId);
      expect(beneath).toHaveLength(1);
      expect(beneath[0]?.name).toBe("GET");
      expect(beneath[0]?.attributes).toMatchObject({ "http.request.method": "GET", "server.address": "127.0.0.1", "url.scheme": "http", "http.response.status_code": attempt.attributes["numbergate.outcome"] === "failure" ? 500 : 200 });
      expect(beneath[0]?.attributes["server.port"]).toEqual(expect.any(Number));
    }

    // No phone number the search returned, and no credential of any carrier connection, in any span.
    const recorded = recordedText(spans).join("\n");
    for (const number of response.numbers) {
      expect(recorded).not.toContain(number.phoneNumber);
      expect(recorded).not.toContain(number.phoneNumber.replace(/^\+1/, ""));
    }
    const credentials = connectionValues(harness);
    expect(credentials.length).toBeGreaterThan(0);
    for (const value of credentials) expect(recorded).not.toContain(value);
  });

  it("continues a caller's W3C trace context", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpanId = "00f067aa0ba902b7";
    await harness.client.searchNumbers(SEARCH, { metadata: Metadata({ traceparent: `00-${traceId}-${callerSpanId}-01`, tracestate: "caller=1" }) });
    const { server, spans } = await searchTrace();
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext).toMatchObject({ traceId, spanId: callerSpanId, isRemote: true });
    expect(server.spanContext().traceState?.get("caller")).toBe("1");
    expect(spans.find((span) => span.name === "numbergate.search")?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(spans.filter((span) => span.kind === SpanKind.CLIENT).length).toBeGreaterThan(0);
  });

  it("reports a failed call's status on the server span", async () => {
    const error = await harness.client.searchNumbers({ ...SEARCH, countryCode: "" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    const { server } = await searchTrace();
    expect(server.attributes["rpc.grpc.status_code"]).toBe(3);
    expect(server.attributes["error.type"]).toBe("INVALID_ARGUMENT");
    // The caller's mistake, answered correctly: not an error of the server.
    expect(server.status.code).not.toBe(SpanStatusCode.ERROR);
  });
});

describe("OTEL_TRACES_EXPORTER", () => {
  it("exports nowhere by default and with none: the no-op tracer, no provider", async () => {
    for (const environment of [{}, { OTEL_TRACES_EXPORTER: "none" }, { OTEL_TRACES_EXPORTER: "console,none" }]) {
      const tracing = createTracing({ environment });
      expect(tracing.tracer).toBe(NOOP_TRACER);
      expect(tracing.exporters).toEqual([]);
      await tracing.shutdown();
    }
  });

  it("builds a provider for otlp and console", async () => {
    const tracing = createTracing({ environment: { OTEL_TRACES_EXPORTER: "otlp, console" } });
    expect(tracing.exporters).toEqual(["otlp", "console"]);
    expect(tracing.tracer).not.toBe(NOOP_TRACER);
    await tracing.shutdown();
  });

  it("names the variable when it holds something else", () => {
    expect(() => createTracing({ environment: { OTEL_TRACES_EXPORTER: "jaeger" } })).toThrow(ConfigError);
    expect(() => createTracing({ environment: { OTEL_TRACES_EXPORTER: "jaeger" } })).toThrow(/OTEL_TRACES_EXPORTER: jaeger/);
  });
});
