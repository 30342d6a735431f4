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
    expect(await snapshot.among(["+12125550001", "+12125550002"])).toEqual(new Set(["+12125550001"]));
    held = new Set(["+12125550002"]);
    now = 499;
    expect(await snapshot.among(["+12125550001", "+12125550002"])).toEqual(new Set(["+12125550001"]));
    expect(loads).toBe(1);
    snapshot.invalidate();
    expect(await snapshot.among(["+12125550001", "+12125550002"])).toEqual(new Set(["+12125550002"]));
    now = 2000;
    await Promise.all([snapshot.among(["+1"]), snapshot.among(["+1"]), snapshot.among(["+1"])]);
    expect(loads).toBe(3);
  });
});
