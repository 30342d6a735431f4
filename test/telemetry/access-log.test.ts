import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { Metadata } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturedLogger } from "../support/captured-logger.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

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
