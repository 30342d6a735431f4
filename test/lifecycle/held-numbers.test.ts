import { describe, expect, it } from "vitest";
import { HeldNumbers } from "../../src/lifecycle/held-numbers.js";
import type { ReservationStore } from "../../src/store/reservation-store.js";

describe("HeldNumbers", () => {
  it("reads the holds table at most once per snapshot age, and at once after a local change", async () => {
    let now = 0;
    let loads = 0;
    let held = new Set(["+12125550001"]);
    const store = { allHeld: async () => (loads++, held) } as unknown as ReservationStore;
    const snapshot = new HeldNumbers(store, () => now, 500);
    expect(await snapshot.snapshot()).toEqual(new Set(["+12125550001"]));
    held = new Set(["+12125550002"]);
    now = 499;
    expect(await snapshot.snapshot()).toEqual(new Set(["+12125550001"]));
    expect(loads).toBe(1);
    snapshot.invalidate();
    expect(await snapshot.snapshot()).toEqual(new Set(["+12125550002"]));
    now = 2000;
    await Promise.all([snapshot.snapshot(), snapshot.snapshot(), snapshot.snapshot()]);
    expect(loads).toBe(3);
  });
});

describe("HeldNumbers and invalidations during a load", () => {
  it("an invalidation that arrives while a snapshot loads is not lost when that older load lands", async () => {
    const now = 0;
    let held: ReadonlySet<string> = new Set();
    const pending: (() => void)[] = [];
    // Each load reads the table when it starts and answers when the test lets it.
    const store = {
      allHeld: () => {
        const seen = held;
        return new Promise<ReadonlySet<string>>((resolve) => pending.push(() => resolve(seen)));
      },
    } as unknown as ReservationStore;
    const snapshot = new HeldNumbers(store, () => now, 500);

    const before = snapshot.snapshot();
    // While that load is in flight, this replica holds the number and invalidates.
    held = new Set(["+12125550001"]);
    snapshot.invalidate();
    const after = snapshot.snapshot();
    pending.shift()?.();
    expect(await before).toEqual(new Set());
    pending.shift()?.();
    expect(await after).toEqual(new Set(["+12125550001"]));
    // The older load landed first but did not become the snapshot: the next read still sees the hold.
    expect(await snapshot.snapshot()).toEqual(new Set(["+12125550001"]));
    expect(pending).toHaveLength(0);
  });
});
