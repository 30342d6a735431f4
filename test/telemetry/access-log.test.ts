import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { Metadata } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturedLogger } from "../support/captured-logger.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";

const log = capturedLogger();
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({}, { logger: log.logger });
});
afterAll(async () => harness.close());

interface RpcLine {
  readonly level: number;
  readonly msg: string;
  readonly rpc: string;
  readonly code: string;
  readonly durationMs: number;
  readonly caller: string;
}

function rpcLines(): RpcLine[] {
  return log
    .text()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as RpcLine)
    .filter((line) => line.msg === "rpc");
}

describe("the log has one line per RPC", () => {
  it("with the method, the status code, the duration and the caller, at info", async () => {
    await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 2 }, { metadata: Metadata({ "x-numbergate-client": "billing-svc" }) });
    await captureRpcError((options) => harness.client.searchNumbers({ countryCode: "" }, options));
    const lines = rpcLines().filter((line) => line.rpc === "/numbergate.v1.TelecomService/SearchNumbers");
    expect(lines).toEqual([
      { level: 30, msg: "rpc", rpc: "/numbergate.v1.TelecomService/SearchNumbers", code: "OK", durationMs: expect.any(Number), caller: expect.stringMatching(/^billing-svc@/), service: "numbergate", name: "numbergate", time: expect.any(String) },
      expect.objectContaining({ level: 30, code: "INVALID_ARGUMENT", caller: expect.stringMatching(/^anonymous@/) }),
    ]);
    expect(lines[0]?.durationMs).toBeGreaterThan(0);
  });
});

describe("with tracing on, the RPC's log line", () => {
  it("carries the trace and span ids of the RPC's server span", async () => {
    const traced = capturedLogger();
    const exporter = new InMemorySpanExporter();
    const subject = await startHarness({}, { logger: traced.logger, spanExporter: exporter });
    try {
      await subject.client.listProviders({});
      const line = traced
        .text()
        .split("\n")
        .filter((text) => text.startsWith("{"))
        .map((text) => JSON.parse(text) as { msg: string; rpc?: string; trace_id?: string; span_id?: string })
        .find((entry) => entry.msg === "rpc" && entry.rpc === "/numbergate.v1.TelecomService/ListProviders");
      const span = exporter.getFinishedSpans().find((candidate) => candidate.name === "numbergate.v1.TelecomService/ListProviders");
      expect(span).toBeDefined();
      expect(line).toMatchObject({ trace_id: span?.spanContext().traceId, span_id: span?.spanContext().spanId });
    } finally {
      await subject.close();
    }
  });
});

describe("the log has one line per carrier attempt", () => {
  it("with carrier, operation, attempt, outcome, error type and HTTP status, joined to its CLIENT span by trace and span ids", async () => {
    const traced = capturedLogger();
    const exporter = new InMemorySpanExporter();
    const subject = await startHarness({ ...onlyCarriers("twilio"), PROVIDER_MAX_RETRIES: "1", PROVIDER_RETRY_DELAY: "1", PROVIDER_RETRY_MAX_DELAY: "1" }, { logger: traced.logger, spanExporter: exporter });
    try {
      subject.sandbox.twilio.faults.inject({ kind: "status", status: 500, times: 1 });
      await subject.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 1 });
      const lines = traced
        .text()
        .split("\n")
        .filter((text) => text.startsWith("{"))
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .filter((entry) => entry["msg"] === "carrier attempt" && entry["operation"] === "search");
      const attempts = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT && span.attributes["numbergate.operation"] === "search");
      expect(attempts).toHaveLength(2);
      expect(lines).toEqual([
        expect.objectContaining({ level: 40, carrier: "twilio", operation: "search", attempt: 1, breakerState: "closed", outcome: "failure", errorType: "carrier_server", httpStatus: 500, durationMs: expect.any(Number) }),
        expect.objectContaining({ level: 20, carrier: "twilio", operation: "search", attempt: 2, outcome: "success", durationMs: expect.any(Number) }),
      ]);
      lines.forEach((line, index) => expect(line).toMatchObject({ trace_id: attempts[index]?.spanContext().traceId, span_id: attempts[index]?.spanContext().spanId }));
    } finally {
      await subject.close();
    }
  });
});
