import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ProviderOutcomeState } from "../../generated/numbergate/v1/numbers.js";
import { BreakerState, ProviderStatus, type ProviderHealth } from "../../generated/numbergate/v1/providers.js";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import { startHarness, type Harness } from "../support/harness.js";

const isSearch = (request: EmulatorRequest) => request.path.includes("vailable");
const SEARCH = { countryCode: "US", areaCode: "212", limit: 5 };
const OPEN_MS = 60_000;
const RAMP_MS = 60_000;

/** 0.05, 0.15, ... 0.95 over and over: a carrier with traffic weight w wins exactly round(10w) of 10 draws. */
function evenlySpacedRandom(): () => number {
  let index = 0;
  return () => {
    const value = 0.05 + (index % 10) / 10;
    index += 1;
    return value;
  };
}

describe("circuit breaker, half-open trial, close and gradual recovery (fake clock)", () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(
      {
        PROVIDER_BREAKER_WINDOW: "3",
        PROVIDER_BREAKER_MIN_CALLS: "3",
        PROVIDER_BREAKER_FAILURE_RATE: "50",
        PROVIDER_BREAKER_HALF_OPEN_CALLS: "1",
        PROVIDER_CIRCUIT_BREAKER_TIMEOUT: String(OPEN_MS),
        PROVIDER_SLOW_START_WINDOW: String(RAMP_MS),
      },
      { random: evenlySpacedRandom() },
    );
    await harness.client.listProviders({});
  });
  afterEach(async () => {
    vi.useRealTimers();
    await harness.close();
  });

  /** How many of `count` searches the primary answered first. */
  async function primaryShare(count: number): Promise<number> {
    let primaryFirst = 0;
    for (let index = 0; index < count; index += 1) {
      const response = await harness.client.searchNumbers(SEARCH);
      expect(response.numbers).toHaveLength(5);
      if (response.numbers[0]?.providerId === "twilio") primaryFirst += 1;
    }
    return primaryFirst;
  }

  it("opens after the window, skips the carrier, half-opens after the timeout, closes on success, then ramps up", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const seen: { status: ProviderStatus; breaker: BreakerState; snapshot: boolean }[] = [];
    const watcher = (async () => {
      for await (const message of harness.client.watchProviderHealth({ providerIds: ["twilio"] })) {
        const health = message.providers[0] as ProviderHealth;
        seen.push({ status: health.status, breaker: health.breakerState, snapshot: message.snapshot });
        if (!message.snapshot && health.status === ProviderStatus.PROVIDER_STATUS_HEALTHY) return;
      }
    })();
    await vi.waitFor(() => expect(seen).toHaveLength(1));

    // Three failures fill the window at 100% failure: the breaker opens. Callers never see an error.
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 503 });
    for (let index = 0; index < 3; index += 1) {
      const response = await harness.client.searchNumbers(SEARCH);
      expect(response.numbers.every((number) => number.providerId === "bandwidth")).toBe(true);
    }
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(3);

    // Open: the carrier is not called at all.
    const whileOpen = await harness.client.searchNumbers(SEARCH);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(3);
    expect(whileOpen.providerOutcomes[0]).toMatchObject({ state: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED, reason: "CARRIER_UNAVAILABLE" });
    expect(whileOpen.providerOutcomes[0]?.detail).toMatch(/circuit breaker open/);

    // The carrier recovers; after the open timeout one trial call goes through and closes the breaker.
    harness.sandbox.twilio.faults.clear();
    await vi.advanceTimersByTimeAsync(OPEN_MS);
    const trial = await harness.client.searchNumbers(SEARCH);
    expect(trial.numbers[0]?.providerId).toBe("twilio");
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(4);

    // Gradual recovery: 10% of traffic right after closing, 55% halfway through the window, then all of it.
    expect(await primaryShare(10)).toBe(1);
    await vi.advanceTimersByTimeAsync(RAMP_MS / 2);
    expect(await primaryShare(10)).toBe(5);
    await vi.advanceTimersByTimeAsync(RAMP_MS / 2);
    expect(await primaryShare(10)).toBe(10);

    await watcher;
    expect(seen).toEqual([
      { status: ProviderStatus.PROVIDER_STATUS_HEALTHY, breaker: BreakerState.BREAKER_STATE_CLOSED, snapshot: true },
      { status: ProviderStatus.PROVIDER_STATUS_DEGRADED, breaker: BreakerState.BREAKER_STATE_CLOSED, snapshot: false },
      { status: ProviderStatus.PROVIDER_STATUS_UNHEALTHY, breaker: BreakerState.BREAKER_STATE_OPEN, snapshot: false },
      { status: ProviderStatus.PROVIDER_STATUS_DEGRADED, breaker: BreakerState.BREAKER_STATE_HALF_OPEN, snapshot: false },
      { status: ProviderStatus.PROVIDER_STATUS_DEGRADED, breaker: BreakerState.BREAKER_STATE_CLOSED, snapshot: false },
      { status: ProviderStatus.PROVIDER_STATUS_HEALTHY, breaker: BreakerState.BREAKER_STATE_CLOSED, snapshot: false },
    ]);
  });

  it("a failed trial call re-opens the breaker", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 503 });
    for (let index = 0; index < 3; index += 1) await harness.client.searchNumbers(SEARCH);
    await vi.advanceTimersByTimeAsync(OPEN_MS);
    await harness.client.searchNumbers(SEARCH);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(4);
    const [health] = (await harness.client.getProviderHealth({ providerId: "twilio" })).providers;
    expect(health?.breakerState).toBe(BreakerState.BREAKER_STATE_OPEN);
    await harness.client.searchNumbers(SEARCH);
    expect(harness.sandbox.twilio.countRequests(isSearch)).toBe(4);
  });
});
