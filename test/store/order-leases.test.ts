import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/store.js";
import { DATABASES } from "../support/databases.js";

describe.each(DATABASES)("order leases on $name", (database) => {
  let store: Store;
  let dataDir: string;
  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function openWithOrder(): Promise<void> {
    dataDir = await mkdtemp(join(tmpdir(), "numbergate-leases-"));
    store = await openStore({ databaseUrl: await database.fresh(), dataDir });
    const created = await store.orders.create({
      id: "ord_lease1",
      requestId: "lease-req",
      fingerprint: "f",
      carrierId: "twilio",
      orderReference: "ng-ordlease1",
      reservationIds: new Map(),
      customerInfo: undefined,
      items: [{ phoneNumber: "+12125550150", offer: undefined }],
      now: 0,
      leaseOwner: "replica-a",
      leaseUntil: 100,
      audit: { actor: "test", operation: "order.created", outcome: "pending" },
    });
    expect(created.kind).toBe("created");
  }

  it("only the holder of a live lease may mark an order as sent, once", async () => {
    await openWithOrder();
    // A's lease lapsed at 100: too late for A.
    expect(await store.orders.markCallStarted("ord_lease1", "replica-a", 150)).toBe(false);
    expect((await store.orders.claimDue("replica-b", 150, 1000, 10)).map((order) => order.id)).toEqual(["ord_lease1"]);
    // While B holds it, nobody else can take it.
    expect(await store.orders.claimDue("replica-c", 160, 1000, 10)).toEqual([]);
    expect(await store.orders.markCallStarted("ord_lease1", "replica-b", 160)).toBe(true);
    // Marked once: even its holder cannot mark it again, so it is never sent twice.
    expect(await store.orders.markCallStarted("ord_lease1", "replica-b", 170)).toBe(false);
    expect((await store.orders.get("ord_lease1"))?.carrierCallStartedAt).toBe(160);
  });

  it("a number held by an order cannot be held by another order or reservation", async () => {
    await openWithOrder();
    const second = await store.orders.create({
      id: "ord_lease2",
      requestId: "lease-req-2",
      fingerprint: "g",
      carrierId: "twilio",
      orderReference: "ng-ordlease2",
      reservationIds: new Map(),
      customerInfo: undefined,
      items: [{ phoneNumber: "+12125550150", offer: undefined }],
      now: 10,
      leaseOwner: "replica-b",
      leaseUntil: 1000,
      audit: { actor: "test", operation: "order.created", outcome: "pending" },
    });
    expect(second).toMatchObject({ kind: "unavailable", phoneNumber: "+12125550150" });
    const reservation = await store.reservations.create({
      id: "res_x1",
      requestId: undefined,
      fingerprint: "h",
      phoneNumber: "+12125550150",
      carrierId: "twilio",
      customerInfo: undefined,
      now: 10,
      expiresAt: 10_000,
    });
    expect(reservation).toMatchObject({ kind: "held", holderKind: "order" });
  });
});
