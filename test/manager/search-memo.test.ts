import { afterEach, describe, expect, it, vi } from "vitest";
import type { CarrierReadObserver } from "../../src/domain/carrier-calls.js";
import { NO_HEDGING } from "../../src/manager/hedging.js";
import { ProviderManager, type CacheSettings, type SearchNumbersQuery } from "../../src/manager/provider-manager.js";
import { descriptor, numbersFrom, offersOf, register, ScriptedCarrier } from "./scripted-carrier.js";

const SEARCH: SearchNumbersQuery = { criteria: { countryCode: "US", numberType: "local", areaCode: "212", features: [] }, limit: 5, carrierIds: [] };
const CACHE_ON: CacheSettings = { searchTtlMs: 60_000, searchStaleTtlMs: 600_000, availabilityTtlMs: 60_000 };

afterEach(() => vi.useRealTimers());

function setUp(options: { held?: () => ReadonlySet<string> } = {}) {
  const twilio = new ScriptedCarrier(descriptor("twilio"), () => ({ answer: { numbers: offersOf("twilio", numbersFrom("212555", 4)), warnings: [] } }));
  const bandwidth = new ScriptedCarrier(descriptor("bandwidth"), () => ({ answer: { numbers: offersOf("bandwidth", numbersFrom("212556", 4)), warnings: [] } }));
  const telnyx = new ScriptedCarrier(descriptor("telnyx"), () => ({ answer: { numbers: offersOf("telnyx", numbersFrom("212557", 4)), warnings: [] } }));
  const lookups: string[] = [];
  const reads: CarrierReadObserver = { cacheLookup: (carrierId, _operation, hit) => lookups.push(`${carrierId} ${hit ? "hit" : "miss"}`), singleFlightJoined: () => {} };
  const held = options.held;
  const manager = new ProviderManager({
    registrations: [register(twilio, 1), register(bandwidth, 2), register(telnyx, 3)],
    cache: CACHE_ON,
    hedgeDelay: NO_HEDGING,
    reads,
    ...(held ? { heldSnapshot: () => Promise.resolve(held()) } : {}),
  });
  return { manager, twilio, bandwidth, telnyx, lookups };
}

describe("searches served wholly from the cache are answered from a memo while nothing they depend on changed", () => {
  it("answers a repeated cached search as the merge did, counting every cache lookup as the reads would", async () => {
    const { manager, twilio, bandwidth, telnyx, lookups } = setUp();
    const called = await manager.searchNumbers(SEARCH);
    const cached = await manager.searchNumbers(SEARCH);
    lookups.length = 0;
    const memoized = await manager.searchNumbers(SEARCH);
    // 4 at Twilio are not enough: Bandwidth fills; Telnyx is not needed.
    expect(memoized.numbers).toBe(cached.numbers);
    expect(memoized).toEqual(cached);
    expect(memoized.numbers.map((offer) => offer.carrierId)).toEqual(called.numbers.map((offer) => offer.carrierId));
    expect(memoized.outcomes.map((outcome) => [outcome.carrierId, outcome.state, outcome.fromCache, outcome.numbersReturned])).toEqual([
      ["twilio", "answered", true, 4],
      ["bandwidth", "answered", true, 1],
      ["telnyx", "skipped", false, 0],
    ]);
    expect(lookups).toEqual(["twilio hit", "bandwidth hit"]);
    expect([twilio.searches.length, bandwidth.searches.length, telnyx.searches.length]).toEqual([1, 1, 0]);
  });

  it("hides a number held since, from the next snapshot on", async () => {
    let held: ReadonlySet<string> = new Set();
    const { manager } = setUp({ held: () => held });
    await manager.searchNumbers(SEARCH);
    const before = await manager.searchNumbers(SEARCH);
    const taken = before.numbers[0]?.phoneNumber ?? "";
    held = new Set([taken]);
    const after = await manager.searchNumbers(SEARCH);
    expect(after.numbers.map((offer) => offer.phoneNumber)).not.toContain(taken);
    expect(after.numbers).toHaveLength(5);
  });

  it("merges afresh when a carrier's cached answer expired, or the route changed", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { manager, twilio, bandwidth } = setUp();
    await manager.searchNumbers(SEARCH);
    const cached = await manager.searchNumbers(SEARCH);
    vi.setSystemTime(Date.now() + CACHE_ON.searchTtlMs + 1);
    const refreshed = await manager.searchNumbers(SEARCH);
    expect([twilio.searches.length, bandwidth.searches.length]).toEqual([2, 2]);
    expect(refreshed.numbers).not.toBe(cached.numbers);
    expect(refreshed.outcomes.find((outcome) => outcome.carrierId === "twilio")?.fromCache).toBe(false);

    await manager.searchNumbers(SEARCH);
    manager.setEnabled("bandwidth", false);
    const drained = await manager.searchNumbers(SEARCH);
    expect(drained.numbers.map((offer) => offer.carrierId)).toEqual(["twilio", "twilio", "twilio", "twilio", "telnyx"]);
    expect(drained.outcomes.find((outcome) => outcome.carrierId === "bandwidth")?.state).toBe("skipped");
  });
});
