import { Client, credentials, Metadata } from "@grpc/grpc-js";
import { createChannel, createClientFactory, type Channel } from "nice-grpc";
import { deadlineMiddleware } from "nice-grpc-client-middleware-deadline";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SearchNumbersRequest, SearchNumbersResponse } from "../../generated/numbergate/v1/numbers.js";
import { BreakerState, ProviderStatus } from "../../generated/numbergate/v1/providers.js";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { Capability } from "../../src/domain/numbers.js";
import { HealthMonitor } from "../../src/manager/carrier-health.js";
import { NO_HEDGING } from "../../src/manager/hedging.js";
import { ProviderManager } from "../../src/manager/provider-manager.js";
import { ProviderMetrics } from "../../src/manager/provider-metrics.js";
import { SlowStart } from "../../src/manager/slow-start.js";
import { ResilientInvoker } from "../../src/resilience/resilient-invoker.js";
import { startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";

/** Failover from a primary (Twilio) to a secondary (Bandwidth): the other carriers are switched off. */
const TWO_CARRIERS = onlyCarriers("twilio", "bandwidth");

const SEARCHES = 300;
const CONCURRENCY = 10;
const CLIENT_DEADLINE_MS = 2_000;
const AREA_CODES = ["202", "206", "212", "303", "305", "310", "312", "404", "415", "512", "617", "646", "808", "919"];
/** voice, sms, voice+sms, none: with 14 area codes, 56 distinct searches (56 carrier calls, no sharing). */
const FEATURE_SETS: readonly (readonly number[])[] = [[1], [2], [1, 2], []];

/** The resilience defaults (README), with caches off so every search is routed afresh. */
const DEFAULT_RESILIENCE = { PROVIDER_MAX_RETRIES: "3", PROVIDER_BREAKER_WINDOW: "20", PROVIDER_BREAKER_MIN_CALLS: "10", PROVIDER_TIMEOUT_SEARCH: "5000" };

function percentile(sorted: readonly number[], quantile: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] ?? Number.NaN;
}

/** Runs SEARCHES searches CONCURRENCY at a time; returns how many the secondary answered, and latencies. */
async function runSearches(search: (index: number) => Promise<readonly { readonly providerId: string }[]>): Promise<{ answeredBySecondary: number; summary: string }> {
  const latencies: number[] = [];
  let answeredBySecondary = 0;
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < SEARCHES; index = next++) {
      const sent = performance.now();
      try {
        const numbers = await search(index);
        if (numbers.length === 5 && numbers.every((number) => number.providerId === "bandwidth")) answeredBySecondary += 1;
      } catch {
        // Counted as not answered.
      }
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const sorted = [...latencies].sort((left, right) => left - right);
  const summary =
    `${answeredBySecondary}/${SEARCHES} answered by the secondary (${((answeredBySecondary / SEARCHES) * 100).toFixed(1)}%), ` +
    `p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p99 ${percentile(sorted, 0.99).toFixed(0)} ms, max ${percentile(sorted, 1).toFixed(0)} ms`;
  return { answeredBySecondary, summary };
}

const areaCodeOf = (index: number) => AREA_CODES[index % AREA_CODES.length] ?? "212";
const featuresOf = (index: number) => FEATURE_SETS[Math.floor(index / AREA_CODES.length) % FEATURE_SETS.length] ?? [];

let harness: Harness | undefined;
let channel: Channel | undefined;
const disposables: { dispose(): void }[] = [];
afterEach(async () => {
  for (const disposable of disposables.splice(0)) disposable.dispose();
  channel?.close();
  await harness?.close();
});

describe("deadline-aware failover: the primary hangs on search, callers use 2 s deadlines", () => {
  it("at least 99% of searches are answered by the secondary, and the abandoned attempts leave the primary unhealthy with its breaker open", async () => {
    const started = await startHarness({ ...TWO_CARRIERS, ...DEFAULT_RESILIENCE });
    harness = started;
    channel = createChannel(started.app.address);
    const client = createClientFactory().use(deadlineMiddleware).create(TelecomServiceDefinition, channel);

    // The primary has been answering: numbergate knows its usual latency.
    for (let index = 0; index < 12; index += 1) await client.searchNumbers({ countryCode: "US", areaCode: AREA_CODES[index % AREA_CODES.length] ?? "212", limit: 5 });
    started.sandbox.twilio.faults.inject({ kind: "hang", pathIncludes: "AvailablePhoneNumbers" });

    const { answeredBySecondary, summary } = await runSearches(async (index) => {
      const request = { countryCode: "US", areaCode: areaCodeOf(index), features: [...featuresOf(index)], limit: 5 };
      return (await client.searchNumbers(request, { deadline: new Date(Date.now() + CLIENT_DEADLINE_MS) })).numbers;
    });
    console.info(`deadline failover over gRPC (hedging; the server infers the deadline): ${summary}`);
    expect(answeredBySecondary / SEARCHES).toBeGreaterThanOrEqual(0.99);

    // Every abandoned attempt counted as a timeout: the primary is unhealthy and its breaker open.
    await vi.waitFor(
      async () => {
        const [twilio] = (await client.getProviderHealth({ providerId: "twilio" })).providers;
        expect(twilio).toMatchObject({ status: ProviderStatus.PROVIDER_STATUS_UNHEALTHY, breakerState: BreakerState.BREAKER_STATE_OPEN, trafficWeight: 0 });
      },
      { timeout: 12_000, interval: 100 },
    );
    // Nothing numbergate sent is left hanging at the primary.
    await vi.waitFor(() => expect(started.sandbox.twilio.openRequests).toBe(0), { timeout: 5_000 });
  });

  it("with grpc-timeout on the wire and no latency history (so no hedging), deadline shares alone answer 99%", async () => {
    const started = await startHarness({ ...TWO_CARRIERS, ...DEFAULT_RESILIENCE });
    harness = started;
    started.sandbox.twilio.faults.inject({ kind: "hang", pathIncludes: "AvailablePhoneNumbers" });
    // A grpc-js client sends its deadline as grpc-timeout, which the server hands to the manager.
    const client = new Client(started.app.address, credentials.createInsecure());
    disposables.push({ dispose: () => client.close() });
    const search = (request: SearchNumbersRequest) =>
      new Promise<SearchNumbersResponse>((resolve, reject) =>
        client.makeUnaryRequest(
          "/numbergate.v1.TelecomService/SearchNumbers",
          (message: SearchNumbersRequest) => Buffer.from(SearchNumbersRequest.encode(message).finish()),
          (bytes: Buffer) => SearchNumbersResponse.decode(bytes),
          request,
          new Metadata(),
          { deadline: Date.now() + CLIENT_DEADLINE_MS },
          (error, response) => (error || !response ? reject(error ?? new Error("no response")) : resolve(response)),
        ),
      );

    const { answeredBySecondary, summary } = await runSearches(async (index) => {
      const request = SearchNumbersRequest.fromPartial({ countryCode: "US", areaCode: areaCodeOf(index), features: [...featuresOf(index)], limit: 5 });
      return (await search(request)).numbers;
    });
    console.info(`deadline failover over gRPC (grpc-timeout, deadline shares, no hedging): ${summary}`);
    expect(answeredBySecondary / SEARCHES).toBeGreaterThanOrEqual(0.99);
    const [twilio] = (await createClientFactory().create(TelecomServiceDefinition, (channel = createChannel(started.app.address))).getProviderHealth({ providerId: "twilio" })).providers;
    expect(twilio).toMatchObject({ status: ProviderStatus.PROVIDER_STATUS_UNHEALTHY, breakerState: BreakerState.BREAKER_STATE_OPEN, trafficWeight: 0 });
    await vi.waitFor(() => expect(started.sandbox.twilio.openRequests).toBe(0), { timeout: 5_000 });
  });

  it("with the caller's deadline known (as the server passes it), deadline shares alone answer 99%, without hedging", async () => {
    const started = await startHarness({ ...TWO_CARRIERS, ...DEFAULT_RESILIENCE });
    harness = started;
    // The manager as start-numbergate builds it, over the same emulators, with hedging off.
    const settings = loadConfig({ ...DEFAULT_RESILIENCE, NUMBERGATE_MODE: "sandbox" }).resilience;
    const now = () => Date.now();
    const registrations = started.app.manager.registrations;
    const health = new HealthMonitor({ carriers: registrations.map((registration) => ({ carrierId: registration.adapter.descriptor.id, enabled: true })), windowMs: 60_000, slowStart: new SlowStart(0, now), now });
    const limits = { maxConcurrency: 20, ratePerSecond: 0 };
    const invoker = new ResilientInvoker({ carriers: registrations.map((registration) => ({ carrierId: registration.adapter.descriptor.id, limits })), settings, observers: [new ProviderMetrics(60_000, now), health] });
    disposables.push(invoker, health);
    const manager = new ProviderManager({ registrations, invoker, health, breakerRetryAfterMs: (carrierId) => invoker.breakerRetryAfterMs(carrierId), hedgeDelay: NO_HEDGING, now });
    started.sandbox.twilio.faults.inject({ kind: "hang", pathIncludes: "AvailablePhoneNumbers" });

    const { answeredBySecondary, summary } = await runSearches(async (index) => {
      const features = featuresOf(index).map((feature): Capability => (feature === 1 ? "voice" : "sms"));
      const query = { criteria: { countryCode: "US", numberType: "local" as const, areaCode: areaCodeOf(index), features }, limit: 5, carrierIds: [], deadline: Date.now() + CLIENT_DEADLINE_MS };
      // The gRPC call is cancelled at its deadline, as the server's context.signal is.
      return (await manager.searchNumbers(query, AbortSignal.timeout(CLIENT_DEADLINE_MS))).numbers.map((offer) => ({ providerId: offer.carrierId }));
    });
    console.info(`deadline failover in the manager (deadline shares, no hedging): ${summary}`);
    expect(answeredBySecondary / SEARCHES).toBeGreaterThanOrEqual(0.99);
    expect(health.snapshot("twilio")).toMatchObject({ status: "unhealthy", breakerState: "open", trafficWeight: 0 });
    await vi.waitFor(() => expect(started.sandbox.twilio.openRequests).toBe(0), { timeout: 5_000 });
  });
});
