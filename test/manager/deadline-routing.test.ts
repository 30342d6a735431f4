import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { CarrierError } from "../../src/domain/carrier-error.js";
import { HealthMonitor } from "../../src/manager/carrier-health.js";
import { AttemptTimeLimitError, type CarrierInvoker } from "../../src/manager/carrier-invoker.js";
import { NO_HEDGING } from "../../src/manager/hedging.js";
import { ProviderManager, type SearchNumbersQuery } from "../../src/manager/provider-manager.js";
import { ProviderMetrics } from "../../src/manager/provider-metrics.js";
import { SlowStart } from "../../src/manager/slow-start.js";
import { ResilientInvoker } from "../../src/resilience/resilient-invoker.js";
import { descriptor, numbersFrom, offersOf, register, ScriptedCarrier } from "./scripted-carrier.js";

const SEARCH: SearchNumbersQuery = { criteria: { countryCode: "US", numberType: "local", areaCode: "212", features: [] }, limit: 5, carrierIds: [] };
const answers = (carrierId: "twilio" | "bandwidth", prefix: string) => ({ answer: { numbers: offersOf(carrierId, numbersFrom(prefix, 5)), warnings: [] } });
const hangs = () => ({});

const invokers: ResilientInvoker[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const invoker of invokers.splice(0)) invoker.dispose();
});

/** The real resilience pipeline with tight breaker settings, observed by metrics and health as in production. */
function pipelineWithHealth(overrides: Record<string, string> = {}) {
  const settings = loadConfig({ PROVIDER_MAX_RETRIES: "3", PROVIDER_BREAKER_WINDOW: "4", PROVIDER_BREAKER_MIN_CALLS: "4", ...overrides }).resilience;
  const now = () => Date.now();
  const health = new HealthMonitor({ carriers: [{ carrierId: "twilio", enabled: true }, { carrierId: "bandwidth", enabled: true }], windowMs: 60_000, slowStart: new SlowStart(0, now), now });
  const metrics = new ProviderMetrics(60_000, now);
  const limits = { maxConcurrency: 20, ratePerSecond: 0 };
  const invoker = new ResilientInvoker({ carriers: [{ carrierId: "twilio", limits }, { carrierId: "bandwidth", limits }], settings, observers: [metrics, health] });
  invokers.push(invoker);
  return { invoker, health, metrics };
}

describe("deadline-aware routing of reads", () => {
  it("gives a hanging primary half of the caller's time, then the secondary answers within the deadline", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const primary = new ScriptedCarrier(descriptor("twilio"), hangs);
    const secondary = new ScriptedCarrier(descriptor("bandwidth"), () => answers("bandwidth", "212556"));
    const manager = new ProviderManager({ registrations: [register(primary, 1), register(secondary, 2)], hedgeDelay: NO_HEDGING });

    const searching = manager.searchNumbers({ ...SEARCH, deadline: Date.now() + 2_000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(secondary.searches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const result = await searching;

    expect(result.numbers.map((offer) => offer.carrierId)).toEqual(Array(5).fill("bandwidth"));
    expect(result.outcomes[0]).toMatchObject({ carrierId: "twilio", state: "failed", reason: "CARRIER_TIMEOUT", detail: "twilio did not answer within the 1000 ms it was given" });
    // The hung request was really abandoned, for the reason that its time ran out.
    expect(primary.signals[0]?.reason).toBeInstanceOf(AttemptTimeLimitError);
  });

  it("without a deadline from the caller, infers one per-attempt timeout per carrier", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const primary = new ScriptedCarrier(descriptor("twilio"), hangs);
    const secondary = new ScriptedCarrier(descriptor("bandwidth"), () => answers("bandwidth", "212556"));
    const invoker: CarrierInvoker = { invoke: (_carrier, _operation, call, options) => call(options.signal), attemptTimeoutMs: () => 3_000 };
    const manager = new ProviderManager({ registrations: [register(primary, 1), register(secondary, 2)], invoker, hedgeDelay: NO_HEDGING });

    const searching = manager.searchNumbers(SEARCH);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(secondary.searches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect((await searching).numbers).toHaveLength(5);
  });

  it("asks no further carrier once the caller has left", async () => {
    const primary = new ScriptedCarrier(descriptor("twilio"), hangs);
    const secondary = new ScriptedCarrier(descriptor("bandwidth"), () => answers("bandwidth", "212556"));
    const manager = new ProviderManager({ registrations: [register(primary, 1), register(secondary, 2)], hedgeDelay: NO_HEDGING });
    const caller = new AbortController();
    const searching = manager.searchNumbers(SEARCH, caller.signal);
    await vi.waitFor(() => expect(primary.searches).toHaveLength(1));
    caller.abort();
    await expect(searching).rejects.toMatchObject({ name: "AbortError" });
    expect(primary.signals[0]?.aborted).toBe(true);
    expect(secondary.searches).toHaveLength(0);
  });

  it("a caller giving up after a long wait saw the carrier time out, even with no deadline known; giving up at once did not", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const primary = new ScriptedCarrier(descriptor("twilio"), hangs);
    const manager = new ProviderManager({ registrations: [register(primary, 1)], hedgeDelay: NO_HEDGING });
    // A client that enforces its 2 s deadline itself (nice-grpc's deadline middleware sends no grpc-timeout).
    const patient = new AbortController();
    const waiting = manager.searchNumbers(SEARCH, patient.signal).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(2_000);
    patient.abort();
    await waiting;
    expect(primary.signals[0]?.reason).toBeInstanceOf(AttemptTimeLimitError);

    const impatient = new AbortController();
    const leaving = manager.searchNumbers({ ...SEARCH, criteria: { ...SEARCH.criteria, areaCode: "646" } }, impatient.signal).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(50);
    impatient.abort();
    await leaving;
    expect(primary.signals[1]?.aborted).toBe(true);
    expect(primary.signals[1]?.reason).not.toBeInstanceOf(AttemptTimeLimitError);
  });

  it("counts attempts abandoned for lack of time against the carrier: it ends unhealthy with its breaker open", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { invoker, health } = pipelineWithHealth();
    const primary = new ScriptedCarrier(descriptor("twilio"), hangs);
    const secondary = new ScriptedCarrier(descriptor("bandwidth"), () => answers("bandwidth", "212556"));
    const manager = new ProviderManager({ registrations: [register(primary, 1), register(secondary, 2)], invoker, health, hedgeDelay: NO_HEDGING });

    for (let search = 0; search < 4; search += 1) {
      const searching = manager.searchNumbers({ ...SEARCH, criteria: { ...SEARCH.criteria, areaCode: `2${search}2` }, deadline: Date.now() + 2_000 });
      await vi.advanceTimersByTimeAsync(1_000);
      expect((await searching).numbers[0]?.carrierId).toBe("bandwidth");
    }
    expect(invoker.breakerState("twilio")).toBe("open");
    expect(health.snapshot("twilio")).toMatchObject({ status: "unhealthy", breakerState: "open", trafficWeight: 0 });
    // Abandoned, not retried: one request per search.
    expect(primary.searches).toHaveLength(4);
    // Open: the primary is not asked any more, and the secondary answers at once.
    const result = await manager.searchNumbers({ ...SEARCH, deadline: Date.now() + 2_000 });
    expect(primary.searches).toHaveLength(4);
    expect(result.outcomes[0]).toMatchObject({ carrierId: "twilio", state: "skipped", reason: "CARRIER_UNAVAILABLE" });
  });

  it("hedges at the next carrier after the primary's hedge delay; the first answer that serves the request wins", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const primary = new ScriptedCarrier(descriptor("twilio"), () => ({ ...answers("twilio", "212555"), answerAfterMs: 1_500 }));
    const secondary = new ScriptedCarrier(descriptor("bandwidth"), () => ({ ...answers("bandwidth", "212556"), answerAfterMs: 20 }));
    const manager = new ProviderManager({ registrations: [register(primary, 1), register(secondary, 2)], hedgeDelay: () => 100, cache: { searchTtlMs: 60_000, searchStaleTtlMs: 60_000, availabilityTtlMs: 0 } });

    const searching = manager.searchNumbers({ ...SEARCH, deadline: Date.now() + 10_000 });
    await vi.advanceTimersByTimeAsync(99);
    expect(secondary.searches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(21);
    const result = await searching;
    expect(result.numbers.map((offer) => offer.carrierId)).toEqual(Array(5).fill("bandwidth"));
    // Asked, then not waited for: cut off (the hedge's answer made enough).
    expect(result.outcomes[0]).toMatchObject({ carrierId: "twilio", state: "cut_off" });
    expect(result.outcomes[0]?.detail).toMatch(/^no answer after 1\d\d ms; a hedged search at bandwidth answered first$/);

    // The primary's request was not cut short: its late answer lands in the cache for the next caller.
    await vi.advanceTimersByTimeAsync(1_500);
    expect(primary.signals[0]?.aborted).toBe(false);
    const next = await manager.searchNumbers(SEARCH);
    expect(next.outcomes[0]).toMatchObject({ carrierId: "twilio", state: "answered", fromCache: true });
    expect(primary.searches).toHaveLength(1);
  });

  it("hedges availability checks the same way", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const [offer] = offersOf("bandwidth", ["+12125550123"]);
    const primary = new ScriptedCarrier(descriptor("twilio"), undefined, hangs);
    const secondary = new ScriptedCarrier(descriptor("bandwidth"), undefined, () => ({ answer: { offer } }));
    const manager = new ProviderManager({ registrations: [register(primary, 1), register(secondary, 2)], hedgeDelay: () => 100 });
    const number = { e164: "+12125550123", countryCode: "US", callingCode: "1", nationalNumber: "2125550123", numberType: "local" } as const;

    const checking = manager.checkAvailability({ number, deadline: Date.now() + 10_000 });
    await vi.advanceTimersByTimeAsync(100);
    const result = await checking;
    expect(result.offer?.carrierId).toBe("bandwidth");
    expect(result.outcomes.map((outcome) => [outcome.carrierId, outcome.state])).toEqual([
      ["twilio", "cut_off"],
      ["bandwidth", "answered"],
    ]);
  });

  it("never hedges or fails over a purchase", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
    const { invoker } = pipelineWithHealth({ PROVIDER_TIMEOUT_PURCHASE: "300" });
    const purchases: string[] = [];
    const hangingPurchase = Object.assign(new ScriptedCarrier(descriptor("twilio")), {
      doPurchase: (_request: unknown, options: { signal?: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => {
          purchases.push("twilio");
          options.signal?.addEventListener("abort", () => reject(options.signal?.reason));
        }),
      doGetOrderStatus: async () => undefined,
      doRelease: async () => ({ state: "completed" as const, carrierOrderId: undefined }),
      doGetReleaseStatus: async () => ({ state: "completed" as const }),
    });
    const other = new ScriptedCarrier(descriptor("bandwidth"));
    const manager = new ProviderManager({ registrations: [register(hangingPurchase, 1), register(other, 2)], invoker, hedgeDelay: () => 1 });
    const buying = manager.callCarrier("twilio", "purchase", (adapter, signal) => {
      const purchase = adapter.doPurchase;
      if (!purchase) throw new Error("no purchase");
      return purchase.call(adapter, { numbers: [], orderReference: "ng-1", carrierReservationIds: [] }, { signal });
    });
    const outcome = expect(buying).rejects.toBeInstanceOf(CarrierError);
    await vi.advanceTimersByTimeAsync(300);
    await outcome;
    expect(purchases).toEqual(["twilio"]);
    expect(other.searches).toHaveLength(0);
  });
});
