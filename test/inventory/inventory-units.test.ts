import { afterEach, describe, expect, it, vi } from "vitest";
import { CoalescedRun } from "../../src/inventory/coalesced-run.js";
import { compareInventory } from "../../src/inventory/inventory-comparison.js";
import { InventoryJob, type PeriodicReconciler } from "../../src/inventory/inventory-job.js";
import type { CarrierReconciliation } from "../../src/inventory/inventory-reconciler.js";
import type { ListedNumber } from "../../src/inventory/inventory-listing.js";
import type { LiveOwnedNumber } from "../../src/store/inventory-drift-rows.js";
import { silentLogger } from "../../src/telemetry/logger.js";

/** The pure parts of reconciliation: the comparison, one run at a time, and the periodic schedule. */

function listed(e164: string): ListedNumber {
  return { e164, carrierNumberId: `id-${e164}`, numberType: "local", capabilities: ["voice"] };
}

function owned(e164: string, fields: Partial<LiveOwnedNumber> = {}): LiveOwnedNumber {
  return { id: `num_${e164.slice(1)}`, phoneNumber: e164, state: "active", carrierNumberId: `id-${e164}`, orderId: "ord_1", purchasedAt: 100, ...fields };
}

describe("compareInventory", () => {
  const listing = (...numbers: string[]) => new Map(numbers.map((e164) => [e164, listed(e164)]));

  it("reports what only the carrier has and what only numbergate has", () => {
    const comparison = compareInventory("twilio", listing("+12125550101", "+12125550102"), { live: [owned("+12125550102"), owned("+12125550103")], inFlight: new Set() }, 1000);
    expect(comparison.unknownToNumbergate.map((drift) => [drift.phoneNumber, drift.carrierNumberId, drift.capabilities])).toEqual([["+12125550101", "id-+12125550101", ["voice"]]]);
    expect(comparison.missingAtCarrier.map((drift) => [drift.phoneNumber, drift.ownedNumberId])).toEqual([["+12125550103", "num_12125550103"]]);
    expect([...comparison.found].sort()).toEqual(["missing_at_carrier +12125550103", "unknown_to_numbergate +12125550101"]);
  });

  it("leaves alone what an order or release is settling, a releasing number, and a number owned since the listing started", () => {
    const comparison = compareInventory(
      "twilio",
      listing("+12125550101"),
      {
        live: [owned("+12125550102", { state: "releasing" }), owned("+12125550103", { purchasedAt: 1000 }), owned("+12125550104")],
        inFlight: new Set(["+12125550101", "+12125550104"]),
      },
      1000,
    );
    expect(comparison.unknownToNumbergate).toEqual([]);
    expect(comparison.missingAtCarrier).toEqual([]);
  });
});

describe("CoalescedRun", () => {
  function deferred() {
    let resolve: (value: string) => void = () => undefined;
    const promise = new Promise<string>((done) => (resolve = done));
    return { promise, resolve };
  }

  it("skips a periodic run while one is in progress, and queues one fresh run for every caller meanwhile", async () => {
    const slot = new CoalescedRun<string>();
    const first = deferred();
    const started: string[] = [];
    const running = slot.startFresh(() => (started.push("first"), first.promise));
    expect(slot.startIfIdle(async () => (started.push("periodic"), "periodic"))).toBeUndefined();
    const freshA = slot.startFresh(async () => (started.push("fresh A"), "fresh"));
    const freshB = slot.startFresh(async () => (started.push("fresh B"), "fresh"));
    expect(freshA).toBe(freshB);
    first.resolve("first");
    expect(await running).toBe("first");
    expect(await freshA).toBe("fresh");
    expect(started).toEqual(["first", "fresh A"]);
    expect(slot.pending).toEqual([]);
  });

  it("runs the queued run after a failed one too", async () => {
    const slot = new CoalescedRun<string>();
    const failing = slot.startFresh(async () => Promise.reject(new Error("listing failed")));
    const next = slot.startFresh(async () => "second");
    await expect(failing).rejects.toThrow("listing failed");
    await expect(next).resolves.toBe("second");
  });
});

describe("InventoryJob", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function countingReconciler(): PeriodicReconciler & { runs: number; finishRun?: () => void } {
    const reconciler = {
      runs: 0,
      finishRun: undefined as (() => void) | undefined,
      targets: () => ["twilio"],
      reconcileIfIdle: async (): Promise<CarrierReconciliation[]> => {
        reconciler.runs += 1;
        await new Promise<void>((resolve) => (reconciler.finishRun = resolve));
        return [];
      },
    };
    return reconciler;
  }

  it("runs one jittered interval after start, then again after each run, and not at all once stopped", async () => {
    vi.useFakeTimers();
    const reconciler = countingReconciler();
    // random 0: the shortest delay, 80% of the interval.
    const job = new InventoryJob(reconciler, { intervalMs: 1000, actor: "reconciler@test", logger: silentLogger(), random: () => 0 });
    job.start();
    await vi.advanceTimersByTimeAsync(799);
    expect(reconciler.runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reconciler.runs).toBe(1);
    // While the run is in progress no other starts, whatever the time.
    await vi.advanceTimersByTimeAsync(5000);
    expect(reconciler.runs).toBe(1);
    reconciler.finishRun?.();
    await vi.advanceTimersByTimeAsync(800);
    expect(reconciler.runs).toBe(2);
    const stopped = job.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    reconciler.finishRun?.();
    await stopped;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reconciler.runs).toBe(2);
  });

  it("with an interval of 0 never runs by itself", async () => {
    vi.useFakeTimers();
    const reconciler = countingReconciler();
    const job = new InventoryJob(reconciler, { intervalMs: 0, actor: "reconciler@test", logger: silentLogger() });
    job.start();
    await vi.advanceTimersByTimeAsync(7 * 24 * 3_600_000);
    expect(reconciler.runs).toBe(0);
    await job.stop();
  });
});
