import { afterEach, describe, expect, it, vi } from "vitest";
import { PriceTable } from "../../src/config/price-table.js";
import { CarrierError } from "../../src/domain/carrier-error.js";
import { NO_HEDGING } from "../../src/manager/hedging.js";
import { ProviderManager, type SearchNumbersQuery } from "../../src/manager/provider-manager.js";
import { descriptor, numbersFrom, offersOf, register, ScriptedCarrier } from "./scripted-carrier.js";

const SEARCH: SearchNumbersQuery = { criteria: { countryCode: "US", numberType: "local", areaCode: "212", features: [] }, limit: 5, carrierIds: [] };
const CACHE_ON = { searchTtlMs: 60_000, searchStaleTtlMs: 60_000, availabilityTtlMs: 0 };
/** A carrier answering `count` numbers of its own after `afterMs` (0: at once, no timer). */
const answersAfter = (carrierId: string, prefix: string, afterMs: number, count = 5) => () => ({
  answer: { numbers: offersOf(carrierId, numbersFrom(prefix, count)), warnings: [] },
  ...(afterMs > 0 ? { answerAfterMs: afterMs } : {}),
});
/** Outcomes come in configured order (priority, then id); tests look them up by carrier. */
const outcomeOf = <Outcome extends { readonly carrierId: string }>(outcomes: readonly Outcome[], carrierId: string) => outcomes.find((outcome) => outcome.carrierId === carrierId);
const hangs = () => ({});

afterEach(() => vi.useRealTimers());

/** Resolves to whether `promise` has settled after the fake clock moves `ms`. */
async function settledAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

describe("search fans out to a priority tier at once", () => {
  it("asks carriers of equal priority together: the search takes as long as the slowest, not the sum", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const fast = new ScriptedCarrier(descriptor("twilio"), answersAfter("twilio", "212555", 300));
    const slow = new ScriptedCarrier(descriptor("bandwidth"), answersAfter("bandwidth", "212556", 600));
    const manager = new ProviderManager({ registrations: [register(fast, 1), register(slow, 1)], hedgeDelay: NO_HEDGING });
    const searching = manager.searchNumbers({ ...SEARCH, limit: 10 });
    expect([fast.searches.length, slow.searches.length]).toEqual([1, 1]);
    expect(await settledAfter(searching, 599)).toBe(false);
    expect(await settledAfter(searching, 1)).toBe(true);
    const result = await searching;
    expect(result.numbers).toHaveLength(10);
    expect(result.outcomes.map((outcome) => [outcome.carrierId, outcome.state, outcome.numbersReturned])).toEqual([
      ["bandwidth", "answered", 5],
      ["twilio", "answered", 5],
    ]);
  });

  it("asks the next tier only when a tier cannot fill the limit or fails", async () => {
    const twilio = new ScriptedCarrier(descriptor("twilio"), answersAfter("twilio", "212555", 0, 3));
    const bandwidth = new ScriptedCarrier(descriptor("bandwidth"), answersAfter("bandwidth", "212556", 0, 1));
    const telnyx = new ScriptedCarrier(descriptor("telnyx"), answersAfter("telnyx", "212557", 0, 5));
    const vonage = new ScriptedCarrier(descriptor("vonage"), answersAfter("vonage", "212558", 0, 5));
    const manager = new ProviderManager({ registrations: [register(twilio, 1), register(bandwidth, 1), register(telnyx, 2), register(vonage, 3)], hedgeDelay: NO_HEDGING });
    const result = await manager.searchNumbers(SEARCH);
    // 4 from the first tier are not enough: the second fills; the third is not asked. No prices: by
    // priority, and within the first tier by its order (priority selection: by id).
    expect([twilio, bandwidth, telnyx, vonage].map((carrier) => carrier.searches.length)).toEqual([1, 1, 1, 0]);
    expect(result.numbers.map((offer) => offer.carrierId)).toEqual(["bandwidth", "twilio", "twilio", "twilio", "telnyx"]);
    expect(result.outcomes[3]).toMatchObject({ carrierId: "vonage", state: "skipped", detail: "enough numbers were found at higher-priority carriers" });

    const failing = new ScriptedCarrier(descriptor("twilio"), () => ({ error: new CarrierError({ kind: "carrier_server", carrierId: "twilio", operation: "search", message: "twilio failed", requestMayHaveReachedCarrier: true }) }));
    const next = new ScriptedCarrier(descriptor("bandwidth"), answersAfter("bandwidth", "212556", 0));
    const failingFirst = new ProviderManager({ registrations: [register(failing, 1), register(next, 2)], hedgeDelay: NO_HEDGING });
    const failedOver = await failingFirst.searchNumbers(SEARCH);
    expect(failedOver.numbers.every((offer) => offer.carrierId === "bandwidth")).toBe(true);
    expect(failedOver.outcomes[0]).toMatchObject({ state: "failed", reason: "CARRIER_SERVER_ERROR" });
  });

  it("merges a tier by price: the cheaper carrier's numbers first, a number both offer once, at the better price", async () => {
    const shared = "+12125559999";
    const twilio = new ScriptedCarrier(descriptor("twilio"), () => ({ answer: { numbers: offersOf("twilio", [shared, ...numbersFrom("212555", 4)]), warnings: [] } }));
    const bandwidth = new ScriptedCarrier(descriptor("bandwidth"), () => ({ answer: { numbers: offersOf("bandwidth", [...numbersFrom("212556", 2), shared]), warnings: [] } }));
    const priceTable = new PriceTable([
      { carrier: "twilio", country: "US", number_type: "local", currency: "USD", monthly_cents: 115 },
      { carrier: "bandwidth", country: "US", number_type: "local", currency: "USD", monthly_cents: 35 },
    ]);
    const manager = new ProviderManager({ registrations: [register(twilio, 1), register(bandwidth, 1)], priceTable, hedgeDelay: NO_HEDGING });
    const result = await manager.searchNumbers(SEARCH);
    expect(result.numbers.map((offer) => [offer.carrierId, offer.monthlyPrice?.amountCents])).toEqual([
      ["bandwidth", 35],
      ["bandwidth", 35],
      ["bandwidth", 35],
      ["twilio", 115],
      ["twilio", 115],
    ]);
    expect(result.numbers.filter((offer) => offer.phoneNumber === shared)).toEqual([expect.objectContaining({ carrierId: "bandwidth" })]);
    expect(result.outcomes.map((outcome) => [outcome.carrierId, outcome.numbersReturned])).toEqual([
      ["bandwidth", 3],
      ["twilio", 2],
    ]);
  });

  it("cuts off a slow carrier once enough numbers are in and its hedge delay ran out; its late answer still fills the cache", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const fast = new ScriptedCarrier(descriptor("twilio"), answersAfter("twilio", "212555", 20));
    const slow = new ScriptedCarrier(descriptor("bandwidth"), answersAfter("bandwidth", "212556", 3_000));
    const manager = new ProviderManager({ registrations: [register(fast, 1), register(slow, 1)], hedgeDelay: () => 150, cache: CACHE_ON });
    const searching = manager.searchNumbers({ ...SEARCH, deadline: Date.now() + 10_000 });
    expect(await settledAfter(searching, 149)).toBe(false);
    expect(await settledAfter(searching, 1)).toBe(true);
    const result = await searching;
    expect(result.numbers.every((offer) => offer.carrierId === "twilio")).toBe(true);
    const cutOff = outcomeOf(result.outcomes, "bandwidth");
    expect(cutOff).toMatchObject({ state: "cut_off", durationMs: 150 });
    expect(cutOff?.detail).toMatch(/no answer after 150 ms \(its hedge delay is 150 ms\)/);
    // Not cancelled: it answers later, into the cache.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(slow.signals[0]?.aborted).toBe(false);
    const next = await manager.searchNumbers(SEARCH);
    expect(outcomeOf(next.outcomes, "bandwidth")).toMatchObject({ state: "answered", fromCache: true });
    expect(slow.searches).toHaveLength(1);
  });

  it("waits for a slow carrier it has no latency history for (no hedge delay), within its allowance", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const fast = new ScriptedCarrier(descriptor("twilio"), answersAfter("twilio", "212555", 20));
    const slow = new ScriptedCarrier(descriptor("bandwidth"), answersAfter("bandwidth", "212556", 500));
    const manager = new ProviderManager({ registrations: [register(fast, 1), register(slow, 1)], hedgeDelay: NO_HEDGING });
    const searching = manager.searchNumbers({ ...SEARCH, deadline: Date.now() + 10_000 });
    expect(await settledAfter(searching, 499)).toBe(false);
    expect(await settledAfter(searching, 1)).toBe(true);
    expect((await searching).outcomes.map((outcome) => outcome.state)).toEqual(["answered", "answered"]);
  });

  it("does not wait for a later tier asked early as a hedge once the tier before it answered enough", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const primary = new ScriptedCarrier(descriptor("twilio"), answersAfter("twilio", "212555", 150));
    const hedge = new ScriptedCarrier(descriptor("bandwidth"), hangs);
    const manager = new ProviderManager({ registrations: [register(primary, 1), register(hedge, 2)], hedgeDelay: () => 100 });
    const searching = manager.searchNumbers({ ...SEARCH, deadline: Date.now() + 10_000 });
    expect(await settledAfter(searching, 150)).toBe(true);
    const result = await searching;
    expect(hedge.searches).toHaveLength(1);
    expect(result.outcomes[1]).toMatchObject({ carrierId: "bandwidth", state: "cut_off" });
    expect(result.outcomes[1]?.detail).toMatch(/^asked early as a hedge; higher-priority carriers answered enough after 50 ms/);
  });

  it("shares the caller's deadline per tier: a tier that hangs costs half the time, then the next tier answers", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const first = new ScriptedCarrier(descriptor("twilio"), hangs);
    const second = new ScriptedCarrier(descriptor("bandwidth"), hangs);
    const next = new ScriptedCarrier(descriptor("telnyx"), answersAfter("telnyx", "212557", 0));
    const manager = new ProviderManager({ registrations: [register(first, 1), register(second, 1), register(next, 2)], hedgeDelay: NO_HEDGING });
    const searching = manager.searchNumbers({ ...SEARCH, deadline: Date.now() + 2_000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(next.searches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const result = await searching;
    expect(result.numbers.every((offer) => offer.carrierId === "telnyx")).toBe(true);
    expect(result.outcomes.slice(0, 2).map((outcome) => [outcome.state, outcome.reason])).toEqual([
      ["failed", "CARRIER_TIMEOUT"],
      ["failed", "CARRIER_TIMEOUT"],
    ]);
  });
});
