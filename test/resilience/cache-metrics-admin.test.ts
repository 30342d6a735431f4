import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProviderStatus } from "../../generated/numbergate/v1/providers.js";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import { startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";

/** Failover from a primary (Twilio) to a secondary (Bandwidth): the other carriers are switched off. */
const TWO_CARRIERS = onlyCarriers("twilio", "bandwidth");

const isSearch = (request: EmulatorRequest) => request.path.includes("vailable");
const SEARCH = { countryCode: "US", areaCode: "212", limit: 5 };
const CACHED = { SEARCH_CACHE_TTL: "300000", SEARCH_CACHE_STALE_TTL: "3600000", AVAILABILITY_CACHE_TTL: "60000" };

let harness: Harness;
afterEach(async () => {
  vi.useRealTimers();
  await harness.close();
});

describe("caching", () => {
  it("100 identical concurrent searches make one carrier call", async () => {
    harness = await startHarness({ ...TWO_CARRIERS, ...CACHED });
    const responses = await Promise.all(Array.from({ length: 100 }, () => harness.client.searchNumbers(SEARCH)));
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(1);
    expect(harness.sandbox.bandwidth.countRequests(isSearch)).toBe(0);
    const first = responses[0]?.numbers.map((number) => number.phoneNumber);
    for (const response of responses) expect(response.numbers.map((number) => number.phoneNumber)).toEqual(first);
  });

  it("serves equal searches from cache, however they were spelled, and says so", async () => {
    harness = await startHarness({ ...TWO_CARRIERS, ...CACHED });
    await harness.client.searchNumbers({ ...SEARCH, region: "ny", features: [2, 1] });
    const again = await harness.client.searchNumbers({ ...SEARCH, region: " NY ", features: [1, 2, 1] });
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(1);
    expect(again.providerOutcomes[0]).toMatchObject({ providerId: "twilio", fromCache: true, stale: false });
  });

  it("hides a reserved number from cached searches and availability at once, and shows it again when the hold ends", async () => {
    harness = await startHarness({ ...TWO_CARRIERS, ...CACHED });
    const first = await harness.client.searchNumbers(SEARCH);
    const taken = first.numbers[0]?.phoneNumber ?? "";
    expect((await harness.client.checkNumberAvailability({ phoneNumber: taken })).available).toBe(true);
    const { reservation } = await harness.client.reserveNumber({ requestId: "cache-reserve-1", phoneNumber: taken, providerId: "twilio" });
    // Reserving asked Twilio itself whether it still sells the number; everything after comes from cache.
    const carrierReads = harness.sandbox.twilio.countRequests(isSearch);
    const again = await harness.client.searchNumbers(SEARCH);
    expect(again.numbers.map((number) => number.phoneNumber)).not.toContain(taken);
    expect(again.providerOutcomes[0]?.fromCache).toBe(true);
    expect((await harness.client.checkNumberAvailability({ phoneNumber: taken, providerId: "twilio" })).available).toBe(false);

    // The cached answers kept the offer: once the hold ends, the number is offered again, still from cache.
    await harness.client.cancelReservation({ reservationId: reservation?.reservationId ?? "" });
    const released = await harness.client.searchNumbers(SEARCH);
    expect(released.numbers.map((number) => number.phoneNumber)).toContain(taken);
    expect(released.providerOutcomes[0]?.fromCache).toBe(true);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(carrierReads);
  });

  it("serves stale results, flagged, when every carrier is failing", async () => {
    harness = await startHarness({ ...TWO_CARRIERS, ...CACHED, SEARCH_CACHE_TTL: "1000" });
    const fresh = await harness.client.searchNumbers(SEARCH);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 1001);
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 503 });
    harness.sandbox.bandwidth.faults.inject({ kind: "status", status: 503 });
    const stale = await harness.client.searchNumbers(SEARCH);
    expect(stale.numbers.map((number) => number.phoneNumber)).toEqual(fresh.numbers.map((number) => number.phoneNumber));
    expect(stale.providerOutcomes[0]).toMatchObject({ providerId: "twilio", fromCache: true, stale: true, reason: "CARRIER_SERVER_ERROR" });
    expect(stale.warnings.join(" ")).toMatch(/from numbergate's cache/);
  });
});

describe("GetProviderMetrics", () => {
  it("matches the calls the test made, exactly", async () => {
    harness = await startHarness({ ...TWO_CARRIERS, PROVIDER_MAX_RETRIES: "1", PROVIDER_RETRY_DELAY: "1" }, { random: () => 0 });
    for (let index = 0; index < 3; index += 1) await harness.client.searchNumbers(SEARCH);
    // Two searches where Twilio fails twice each (the call and its retry): Bandwidth answers them.
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 503, times: 4 });
    for (let index = 0; index < 2; index += 1) await harness.client.searchNumbers(SEARCH);
    // One search that succeeds on the retry.
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 500, times: 1 });
    await harness.client.searchNumbers(SEARCH);
    // A client error is the carrier answering correctly, not a carrier failure.
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 400, times: 1 });
    await harness.client.searchNumbers(SEARCH);

    const { providers } = await harness.client.getProviderMetrics({});
    const [twilio, bandwidth] = providers;
    // 3 + (2 + 2) + (1 + 1) + 1 requests; failed: the four 503s and the 500.
    expect(twilio).toMatchObject({ providerId: "twilio", totalRequests: 10, successfulRequests: 5, failedRequests: 5, errorRate: 50 });
    expect(twilio?.rollingWindow).toMatchObject({ totalRequests: 10, successfulRequests: 5, failedRequests: 5, errorRate: 50 });
    expect(bandwidth).toMatchObject({ providerId: "bandwidth", totalRequests: 3, successfulRequests: 3, failedRequests: 0, errorRate: 0 });
    expect(twilio?.uptime).toBe(50);
    expect(twilio?.breakerTransitions).toBe(0);
    expect(twilio?.averageResponseTime?.seconds).toBe(0);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(10);
    expect(harness.sandbox.bandwidth.countRequests(isSearch)).toBe(3);
  });
});

describe("SetProviderEnabled", () => {
  it("drains a carrier (in-flight calls finish, no new calls) and re-enables it with gradual recovery", async () => {
    harness = await startHarness({ ...TWO_CARRIERS, PROVIDER_SLOW_START_WINDOW: "60000" }, { random: () => 0.5 });
    // The search is held at Twilio until the drain is done: it is provably in flight when the drain comes.
    harness.sandbox.twilio.faults.inject({ kind: "hold", times: 1, pathIncludes: "AvailablePhoneNumbers" });
    const inFlight = harness.client.searchNumbers(SEARCH);
    await vi.waitFor(() => expect(harness.sandbox.twilio.heldRequests).toBe(1));
    const drained = await harness.client.setProviderEnabled({ providerId: "twilio", enabled: false, reason: "carrier maintenance" });
    expect(drained.provider).toMatchObject({ providerId: "twilio", enabled: false, disabledReason: "drained by SetProviderEnabled" });
    expect(harness.sandbox.twilio.heldRequests).toBe(1);
    harness.sandbox.twilio.releaseHeld();
    expect((await inFlight).numbers[0]?.providerId).toBe("twilio");

    const whileDrained = await harness.client.searchNumbers(SEARCH);
    expect(whileDrained.numbers.every((number) => number.providerId === "bandwidth")).toBe(true);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(1);
    const [health] = (await harness.client.getProviderHealth({ providerId: "twilio" })).providers;
    expect(health?.status).toBe(ProviderStatus.PROVIDER_STATUS_DISABLED);

    await harness.client.setProviderEnabled({ providerId: "twilio", enabled: true, reason: "maintenance over" });
    const [ramping] = (await harness.client.getProviderHealth({ providerId: "twilio" })).providers;
    expect(ramping).toMatchObject({ status: ProviderStatus.PROVIDER_STATUS_DEGRADED });
    expect(ramping?.trafficWeight).toBeLessThan(0.2);
    // With weight about 0.1 and a random draw of 0.5, the recovering carrier is tried after the others.
    const afterReenable = await harness.client.searchNumbers(SEARCH);
    expect(afterReenable.numbers[0]?.providerId).toBe("bandwidth");
  });

  it("grpc.health.v1 reports NOT_SERVING when no carrier can serve, and SERVING again after", async () => {
    harness = await startHarness(TWO_CARRIERS);
    const channel = createChannel(harness.app.address);
    const health = createClient(HealthDefinition, channel);
    const statuses: number[] = [];
    const watching = (async () => {
      for await (const update of health.watch({ service: "numbergate.v1.TelecomService" })) {
        statuses.push(update.status);
        if (statuses.length === 3) return;
      }
    })();
    try {
      await vi.waitFor(() => expect(statuses).toEqual([1]));
      await harness.client.setProviderEnabled({ providerId: "twilio", enabled: false });
      await harness.client.setProviderEnabled({ providerId: "bandwidth", enabled: false });
      await vi.waitFor(() => expect(statuses).toEqual([1, 2]));
      expect((await health.check({ service: "" })).status).toBe(2);
      await harness.client.setProviderEnabled({ providerId: "bandwidth", enabled: true });
      await watching;
      expect(statuses).toEqual([1, 2, 1]);
    } finally {
      channel.close();
    }
  });
});
