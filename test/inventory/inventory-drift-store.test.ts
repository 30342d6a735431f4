import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { newId } from "../../src/lifecycle/lifecycle-context.js";
import type { ObservedDrift } from "../../src/store/inventory-drift-rows.js";
import { openStore, type Store } from "../../src/store/store.js";
import { DATABASES } from "../support/databases.js";

/** The inventory_drifts table: one open drift per carrier, number and kind; resolutions in one transaction. */
describe.each(DATABASES)("inventory drifts in the $name store", (database) => {
  const stores: Store[] = [];
  let dataDir: string | undefined;
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  /** A store on a fresh database. */
  async function openOne(): Promise<Store> {
    dataDir = await mkdtemp(join(tmpdir(), "numbergate-drifts-"));
    const store = await openStore({ databaseUrl: await database.fresh(), dataDir });
    stores.push(store);
    return store;
  }

  /** Two stores on one database, as two replicas have. */
  async function openTwo(): Promise<[Store, Store]> {
    dataDir = await mkdtemp(join(tmpdir(), "numbergate-drifts-"));
    const databaseUrl = await database.fresh();
    for (let index = 0; index < 2; index += 1) stores.push(await openStore({ databaseUrl, dataDir }));
    const [first, second] = stores;
    if (!first || !second) throw new Error("stores did not open");
    return [first, second];
  }

  const unknown = (phoneNumber: string): ObservedDrift => ({
    carrierId: "twilio",
    phoneNumber,
    kind: "unknown_to_numbergate",
    carrierNumberId: `PN${phoneNumber.slice(2)}`,
    numberType: "local",
    capabilities: ["voice", "sms"],
    ownedNumberId: undefined,
    detail: `twilio has ${phoneNumber}`,
  });
  const stamp = (listedSince: number, actor = "test") => ({ actor, listedSince, now: listedSince + 5 });

  it("records a difference found by many runs at once as one open drift with one audit row", async () => {
    const [a, b] = await openTwo();
    // PostgreSQL: two connection pools really race. SQLite serialises writers; two stores in one process would only
    // make one wait out the busy timeout on the thread the other needs, so one store records for both there.
    const recorders = database.kind === "postgres" ? [a, b] : [a, a];
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => (recorders[index % 2] ?? a).inventoryDrifts.record(unknown("+12125550101"), () => newId("dft"), stamp(1000))));
    expect(results.filter((result) => result?.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result?.drift.id)).size).toBe(1);
    expect((await a.inventoryDrifts.list({ state: undefined, pageSize: 50 })).drifts).toHaveLength(1);
    expect((await a.audit.list(0, 100)).filter((row) => row.operation === "inventory.drift")).toHaveLength(1);
    expect(await b.inventoryDrifts.countOpen()).toEqual([{ carrierId: "twilio", kind: "unknown_to_numbergate", count: 1 }]);
  });

  it("marks gone only what this listing did not find, is not being settled, and no later listing saw", async () => {
    const store = await openOne();
    const drifts = store.inventoryDrifts;
    for (const phoneNumber of ["+12125550101", "+12125550102", "+12125550103", "+12125550104"]) await drifts.record(unknown(phoneNumber), () => newId("dft"), stamp(1000));
    // A listing that started at 2000 saw the fourth again.
    await drifts.record(unknown("+12125550104"), () => newId("dft"), stamp(2000));
    const found = new Set(["unknown_to_numbergate +12125550101"]);
    const gone = await drifts.markGone("twilio", found, new Set(["+12125550102"]), stamp(1500, "reconciler@a"));
    expect(gone.map((drift) => drift.phoneNumber)).toEqual(["+12125550103"]);
    expect(gone[0]).toMatchObject({ state: "gone", resolvedBy: "reconciler@a", resolvedAt: 1505 });
    expect((await drifts.list({ state: "open", pageSize: 50 })).drifts.map((drift) => drift.phoneNumber).sort()).toEqual(["+12125550101", "+12125550102", "+12125550104"]);
    expect((await store.audit.list(0, 100)).filter((row) => row.operation === "inventory.drift_gone").map((row) => row.resourceId)).toEqual([gone[0]?.id]);
    // Gone is history: the same difference found again is a new drift.
    const again = await drifts.record(unknown("+12125550103"), () => newId("dft"), stamp(3000));
    expect(again?.created).toBe(true);
    expect(again?.drift.id).not.toBe(gone[0]?.id);
  });

  it("resolves once, in one transaction with its audit row, and refuses what does not fit", async () => {
    const store = await openOne();
    const drifts = store.inventoryDrifts;
    const recorded = await drifts.record(unknown("+12125550101"), () => newId("dft"), stamp(1000));
    if (!recorded) throw new Error("not recorded");
    const { drift } = recorded;
    const resolve = (resolution: "adopted" | "marked_released", id = drift.id) => drifts.resolve({ id, resolution, actor: "ops@10.0.0.1", note: "checked the bill", now: 2000 });

    expect(await resolve("marked_released")).toMatchObject({ kind: "mismatch" });
    expect(await resolve("adopted", "dft_none")).toEqual({ kind: "not_found" });
    const adopted = await resolve("adopted");
    expect(adopted).toMatchObject({ kind: "resolved", ownedNumberId: `num_${drift.id}`, drift: { state: "adopted", resolvedBy: "ops@10.0.0.1", resolutionNote: "checked the bill", resolvedAt: 2000 } });
    expect(await store.ownedNumbers.get(`num_${drift.id}`)).toMatchObject({ phoneNumber: "+12125550101", carrierId: "twilio", state: "active", carrierNumberId: "PN2125550101", numberType: "local", capabilities: ["voice", "sms"], orderId: `adopted:${drift.id}`, customerInfo: undefined });
    expect(await resolve("adopted")).toMatchObject({ kind: "unchanged" });
    expect(await resolve("marked_released")).toMatchObject({ kind: "not_open" });
    const audited = (await store.audit.list(0, 100)).filter((row) => row.operation === "inventory.drift_resolved");
    expect(audited).toMatchObject([{ actor: "ops@10.0.0.1", outcome: "adopted", resourceId: drift.id, carrierId: "twilio" }]);

    // The adopted number is owned now: a drift of it at another carrier cannot be adopted too.
    const other = await drifts.record({ ...unknown("+12125550101"), carrierId: "bandwidth" }, () => newId("dft"), stamp(1000));
    expect(await resolve("adopted", other?.drift.id ?? "")).toMatchObject({ kind: "owned" });
    expect((await drifts.get(other?.drift.id ?? ""))?.state).toBe("open");

    // A run that read numbergate before the adoption concludes nothing from that stale view.
    expect(await drifts.record(unknown("+12125550101"), () => newId("dft"), stamp(1000))).toBeUndefined();

    // Missing at the carrier: the owned number is marked released.
    const missing = await drifts.record({ ...unknown("+12125550101"), kind: "missing_at_carrier", ownedNumberId: `num_${drift.id}` }, () => newId("dft"), stamp(3000));
    const released = await drifts.resolve({ id: missing?.drift.id ?? "", resolution: "marked_released", actor: "ops", note: "gone from the bill", now: 4000 });
    expect(released).toMatchObject({ kind: "resolved", alreadyReleased: false });
    expect(await store.ownedNumbers.get(`num_${drift.id}`)).toMatchObject({ state: "released", releasedAt: 4000 });
    // Released now: a stale view that still counted it as owned records nothing.
    expect(await drifts.record({ ...unknown("+12125550101"), kind: "missing_at_carrier", ownedNumberId: `num_${drift.id}` }, () => newId("dft"), stamp(5000))).toBeUndefined();
    expect(await drifts.countOpen()).toEqual([{ carrierId: "bandwidth", kind: "unknown_to_numbergate", count: 1 }]);
  });

  it("leaves a number an order or a release is settling to it", async () => {
    const store = await openOne();
    const drifts = store.inventoryDrifts;
    const recorded = await drifts.record(unknown("+12125550177"), () => newId("dft"), stamp(1000));
    const created = await store.orders.create({
      id: "ord_settling1",
      requestId: "settling-1",
      fingerprint: "f",
      carrierId: "twilio",
      orderReference: "ng-ordsettling1",
      customerInfo: undefined,
      items: [{ phoneNumber: "+12125550177", offer: undefined, reservationId: undefined }],
      now: 1500,
      leaseOwner: "replica-a",
      leaseUntil: 100_000,
      audit: { actor: "test", operation: "order.created", outcome: "pending" },
    });
    expect(created.kind).toBe("created");
    const adopt = (id: string) => drifts.resolve({ id, resolution: "adopted", actor: "ops", note: "ours", now: 2000 });
    expect(await adopt(recorded?.drift.id ?? "")).toMatchObject({ kind: "ordering" });
    expect(await store.ownedNumbers.findByPhoneNumber("+12125550177")).toBeUndefined();

    const other = await drifts.record(unknown("+12125550178"), () => newId("dft"), stamp(1000));
    const adopted = await adopt(other?.drift.id ?? "");
    expect(adopted.kind).toBe("resolved");
    const missing = await drifts.record({ ...unknown("+12125550178"), kind: "missing_at_carrier", ownedNumberId: `num_${other?.drift.id ?? ""}` }, () => newId("dft"), stamp(3000));
    const release = await store.releases.begin({ id: "rel_settling1", requestId: "release-1", fingerprint: "f", phoneNumber: "+12125550178", orderReference: "ng-relsettling1", actor: "test", now: 3500, leaseOwner: "replica-a", leaseUntil: 100_000 });
    expect(release.kind).toBe("created");
    expect(await drifts.resolve({ id: missing?.drift.id ?? "", resolution: "marked_released", actor: "ops", note: "gone", now: 4000 })).toMatchObject({ kind: "releasing" });
    expect((await store.ownedNumbers.findByPhoneNumber("+12125550178"))?.state).toBe("releasing");
  });
});
