import { afterEach, describe, expect, it, vi } from "vitest";
import type { CarrierReadObserver } from "../../src/domain/carrier-calls.js";
import { CarrierError } from "../../src/domain/carrier-error.js";
import { AnswerCache } from "../../src/manager/answer-cache.js";
import { AttemptTimeLimitError } from "../../src/manager/carrier-invoker.js";
import { NO_HEDGING } from "../../src/manager/hedging.js";
import { ProviderManager, type CacheSettings, type SearchNumbersQuery } from "../../src/manager/provider-manager.js";
import { descriptor, numbersFrom, offersOf, register, ScriptedCarrier } from "./scripted-carrier.js";

const SEARCH: SearchNumbersQuery = { criteria: { countryCode: "US", numberType: "local", areaCode: "212", features: [] }, limit: 5, carrierIds: [] };
const CACHE_ON: CacheSettings = { searchTtlMs: 60_000, searchStaleTtlMs: 600_000, availabilityTtlMs: 60_000 };
const CACHE_OFF: CacheSettings = { searchTtlMs: 0, searchStaleTtlMs: 0, availabilityTtlMs: 0 };
const slowAnswer = () => ({ answer: { numbers: offersOf("twilio", numbersFrom("212555", 5)), warnings: [] }, answerAfterMs: 100 });

afterEach(() => vi.useRealTimers());

/** What the manager reports of its reads, as the metrics' counters receive it. */
function readRecorder(): CarrierReadObserver & { lookups: string[]; joins: string[] } {
  const lookups: string[] = [];
  const joins: string[] = [];
  return {
    lookups,
    joins,
    cacheLookup: (carrierId, operation, hit) => lookups.push(`${carrierId} ${operation} ${hit ? "hit" : "miss"}`),
    singleFlightJoined: (carrierId, operation) => joins.push(`${carrierId} ${operation}`),
  };
}

describe.each([
  ["caching on", CACHE_ON],
  ["caching off", CACHE_OFF],
])("single-flight searches (%s)", (_name, cache) => {
  it("a caller that cancels never cancels the carrier call the others wait on", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const carrier = new ScriptedCarrier(descriptor("twilio"), slowAnswer);
    const reads = readRecorder();
    const manager = new ProviderManager({ registrations: [register(carrier, 1)], cache, hedgeDelay: NO_HEDGING, reads });
    const first = new AbortController();
    const cancelled = manager.searchNumbers(SEARCH, first.signal);
    const others = [manager.searchNumbers(SEARCH), manager.searchNumbers(SEARCH, new AbortController().signal)];
    first.abort();
    await expect(cancelled).rejects.toMatchObject({ name: "AbortError" });

    await vi.advanceTimersByTimeAsync(100);
    for (const result of await Promise.all(others)) expect(result.numbers).toHaveLength(5);
    expect(carrier.searches).toHaveLength(1);
    expect(carrier.signals[0]?.aborted).toBe(false);
    // The first search led the call; the two others joined it.
    expect(reads.lookups).toEqual(["twilio search miss", "twilio search miss", "twilio search miss"]);
    expect(reads.joins).toEqual(["twilio search", "twilio search"]);
  });

  it("the shared call is aborted once nobody waits for it, with the reason the last caller left for", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const carrier = new ScriptedCarrier(descriptor("twilio"), () => ({}));
    const manager = new ProviderManager({ registrations: [register(carrier, 1)], cache, hedgeDelay: NO_HEDGING });
    const cancelling = new AbortController();
    const searches = [
      manager.searchNumbers(SEARCH, cancelling.signal).catch((error: unknown) => error),
      manager.searchNumbers({ ...SEARCH, deadline: Date.now() + 500 }).catch((error: unknown) => error),
    ];
    cancelling.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(carrier.signals[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    const [cancelled, timedOut] = await Promise.all(searches);
    expect(cancelled).toMatchObject({ name: "AbortError" });
    expect(timedOut).toMatchObject({ kind: "timeout", carrierId: "twilio" });
    // The last waiter's time ran out: the carrier call ends as a timeout, not as a cancellation.
    expect(carrier.signals[0]?.reason).toBeInstanceOf(AttemptTimeLimitError);
    expect(carrier.searches).toHaveLength(1);
  });
});

describe("search cache on lru-cache", () => {
  it("serves fresh answers within the TTL (counted as cache hits), asks again after it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const carrier = new ScriptedCarrier(descriptor("twilio"), () => ({ answer: { numbers: offersOf("twilio", numbersFrom("212555", 5)), warnings: [] } }));
    const reads = readRecorder();
    const manager = new ProviderManager({ registrations: [register(carrier, 1)], cache: CACHE_ON, hedgeDelay: NO_HEDGING, reads });
    await manager.searchNumbers(SEARCH);
    const cached = await manager.searchNumbers(SEARCH);
    expect(cached.outcomes[0]).toMatchObject({ fromCache: true, stale: false });
    expect(carrier.searches).toHaveLength(1);
    expect(reads.lookups).toEqual(["twilio search miss", "twilio search hit"]);
    expect(reads.joins).toEqual([]);
    vi.setSystemTime(Date.now() + 60_001);
    await manager.searchNumbers(SEARCH);
    expect(carrier.searches).toHaveLength(2);
  });

  it("serves the last good answer, flagged stale, when every carrier fails, up to the stale TTL", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let failing = false;
    const failingCarrier = new ScriptedCarrier(descriptor("twilio"), () =>
      failing
        ? { error: new CarrierError({ kind: "carrier_server", carrierId: "twilio", operation: "search", message: "twilio failed", requestMayHaveReachedCarrier: true }) }
        : { answer: { numbers: offersOf("twilio", numbersFrom("212555", 5)), warnings: [] } },
    );
    const manager = new ProviderManager({ registrations: [register(failingCarrier, 1)], cache: CACHE_ON, hedgeDelay: NO_HEDGING });
    const fresh = await manager.searchNumbers(SEARCH);
    failing = true;
    vi.setSystemTime(Date.now() + 60_001);
    const stale = await manager.searchNumbers(SEARCH);
    expect(stale.numbers).toEqual(fresh.numbers);
    expect(stale.outcomes[0]).toMatchObject({ fromCache: true, stale: true, reason: "CARRIER_SERVER_ERROR" });
    expect(stale.warnings.join(" ")).toMatch(/from numbergate's cache/);
    vi.setSystemTime(Date.now() + 600_000);
    await expect(manager.searchNumbers(SEARCH)).rejects.toMatchObject({ kind: "carrier_server" });
  });

  it("never leaves a search short by joining a smaller load: it asks for its own, rounded up to a step", async () => {
    const carrier = new ScriptedCarrier(descriptor("twilio"), (call) => ({ answer: { numbers: offersOf("twilio", numbersFrom("212555", call === 1 ? 10 : 20)), warnings: [] } }));
    const manager = new ProviderManager({ registrations: [register(carrier, 1)], cache: CACHE_ON, hedgeDelay: NO_HEDGING });
    const [small, large] = await Promise.all([manager.searchNumbers(SEARCH), manager.searchNumbers({ ...SEARCH, limit: 20 })]);
    expect(small.numbers).toHaveLength(5);
    expect(large.numbers).toHaveLength(20);
    // Limit 5 is asked as 10, limit 20 as 20: the larger search did not wait on the smaller call.
    expect(carrier.searches.map((criteria) => criteria.limit)).toEqual([10, 20]);
  });

  it("lets a search join a running load that asked for at least as many numbers", async () => {
    const carrier = new ScriptedCarrier(descriptor("twilio"), () => ({ answer: { numbers: offersOf("twilio", numbersFrom("212555", 50)), warnings: [] } }));
    const manager = new ProviderManager({ registrations: [register(carrier, 1)], cache: CACHE_OFF, hedgeDelay: NO_HEDGING });
    const answers = await Promise.all([manager.searchNumbers({ ...SEARCH, limit: 40 }), manager.searchNumbers({ ...SEARCH, limit: 12 }), manager.searchNumbers({ ...SEARCH, limit: 7 })]);
    expect(answers.map((answer) => answer.numbers.length)).toEqual([40, 12, 7]);
    expect(carrier.searches.map((criteria) => criteria.limit)).toEqual([50]);
  });
});

describe("AnswerCache", () => {
  it("keeps nothing when caching is off, yet identical concurrent loads share one call", async () => {
    const cache = new AnswerCache<{ value: number }>({ ttlMs: 0, staleTtlMs: 0, maxEntries: 10, now: () => Date.now() });
    let calls = 0;
    const load = async () => ({ value: (calls += 1) });
    const [first, second] = await Promise.all([cache.load("k", load), cache.load("k", load)]);
    expect(first).toBe(second);
    expect(calls).toBe(1);
    expect(cache.fresh("k")).toBeUndefined();
    expect(cache.find(() => true)).toBeUndefined();
    await cache.load("k", load);
    expect(calls).toBe(2);
  });

  it("runs loads of different sizes as separate flights; a caller joins one whose size it accepts", async () => {
    const cache = new AnswerCache<{ size: number }>({ ttlMs: 60_000, staleTtlMs: 0, maxEntries: 10, now: () => Date.now() });
    const sizes: number[] = [];
    const loadOf = (size: number) => async () => {
      sizes.push(size);
      await Promise.resolve();
      return { size };
    };
    const [big, joined, own] = await Promise.all([
      cache.load("k", loadOf(50), { size: 50 }),
      cache.load("k", loadOf(20), { size: 20, accepts: (size) => size >= 12 }),
      cache.load("k", loadOf(10), { size: 10, accepts: (size) => size === 10 }),
    ]);
    expect([big.size, joined.size, own.size]).toEqual([50, 50, 10]);
    expect(sizes).toEqual([50, 10]);
    // Answers are kept under the plain key: the last to land, unless told which to keep.
    expect(cache.fresh("k")?.size).toBe(10);
    const keeping = new AnswerCache<{ size: number }>({ ttlMs: 60_000, staleTtlMs: 0, maxEntries: 10, now: () => Date.now(), keepOver: (kept, incoming) => kept.size > incoming.size });
    await Promise.all([keeping.load("k", loadOf(50), { size: 50 }), keeping.load("k", loadOf(10), { size: 10, accepts: () => false })]);
    expect(keeping.fresh("k")?.size).toBe(50);
  });
});
