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
      customerInfo: undefined,
      items: [{ phoneNumber: "+12125550150", offer: undefined, reservationId: undefined }],
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
    expect(await store.orders.markItemsSent("ord_lease1", ["+12125550150"], "replica-a", 150)).toBe(false);
    expect((await store.orders.claimDue("replica-b", 150, 1000, 10)).map((order) => order.id)).toEqual(["ord_lease1"]);
    // While B holds it, nobody else can take it.
    expect(await store.orders.claimDue("replica-c", 160, 1000, 10)).toEqual([]);
    expect(await store.orders.markItemsSent("ord_lease1", ["+12125550150"], "replica-b", 160)).toBe(true);
    // Marked once: even its holder cannot mark it again, so it is never sent twice.
    expect(await store.orders.markItemsSent("ord_lease1", ["+12125550150"], "replica-b", 170)).toBe(false);
    const order = await store.orders.get("ord_lease1");
    expect(order?.carrierCallStartedAt).toBe(160);
    expect(order?.items[0]?.sentAt).toBe(160);
  });

  it("a number held by an order cannot be held by another order or reservation", async () => {
    await openWithOrder();
    const second = await store.orders.create({
      id: "ord_lease2",
      requestId: "lease-req-2",
      fingerprint: "g",
      carrierId: "twilio",
      orderReference: "ng-ordlease2",
      customerInfo: undefined,
      items: [{ phoneNumber: "+12125550150", offer: undefined, reservationId: undefined }],
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

describe.each(DATABASES)("order outcomes and the audit log on $name", (database) => {
  let store: Store;
  let dataDir: string;
  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function open(): Promise<void> {
    dataDir = await mkdtemp(join(tmpdir(), "numbergate-outcomes-"));
    store = await openStore({ databaseUrl: await database.fresh(), dataDir });
  }

  async function order(id: string, phoneNumbers: string[]): Promise<void> {
    const created = await store.orders.create({
      id,
      requestId: `req-${id}`,
      fingerprint: "f",
      carrierId: "twilio",
      orderReference: `ng-${id}`,
      customerInfo: undefined,
      items: phoneNumbers.map((phoneNumber) => ({ phoneNumber, offer: undefined, reservationId: undefined })),
      now: 0,
      leaseOwner: "replica-a",
      leaseUntil: 1_000_000,
      audit: { actor: "test", operation: "order.created", outcome: "pending" },
    });
    expect(created.kind).toBe("created");
  }

  const change = { failed: [], carrierOrderId: undefined, detail: "", nextCheckAt: undefined, now: 10, audits: [] };

  it("applies an answer once: a final order takes no further change", async () => {
    await open();
    await order("ord_b", ["+12125550161", "+12125550162"]);
    const first = await store.orders.apply("ord_b", { ...change, state: "in_doubt", purchased: [{ phoneNumber: "+12125550161", carrierNumberId: "PN1" }] });
    expect(first.applied).toBe(true);
    const owned = await store.ownedNumbers.findByPhoneNumber("+12125550161");
    expect(owned).toMatchObject({ state: "active", orderId: "ord_b", carrierNumberId: "PN1" });
    const final = await store.orders.apply("ord_b", { ...change, state: "partial", purchased: [], failed: [{ phoneNumber: "+12125550162", detail: "no trace", failure: { kind: "carrier_did_not_act" } }] });
    expect(final.applied).toBe(true);
    expect(await store.orders.apply("ord_b", { ...change, state: "completed", purchased: [{ phoneNumber: "+12125550162", carrierNumberId: "PN2" }] })).toEqual({ applied: false, ownershipConflicts: [] });
    expect((await store.orders.get("ord_b"))?.items.map((item) => [item.state, item.failure])).toEqual([
      ["purchased", undefined],
      ["failed", { kind: "carrier_did_not_act" }],
    ]);
  });

  it("collapses identical consecutive audit entries for one resource into one row with a count", async () => {
    await open();
    const entry = { actor: "numbergate", carrierId: "bandwidth", operation: "order_status", outcome: "failed: bandwidth's circuit breaker is open", resourceType: "order", resourceId: "ord_c" };
    for (let index = 0; index < 5; index += 1) await store.audit.record({ ...entry, latencyMs: index });
    await store.audit.record({ ...entry, outcome: "pending" });
    await store.audit.record(entry);
    const rows = await store.audit.list(0, 100);
    expect(rows.map((row) => [row.outcome, row.repeatCount])).toEqual([
      [entry.outcome, 5],
      ["pending", 1],
      [entry.outcome, 1],
    ]);
  });

  it("collapses within one change's audit rows and against the stored latest row, per resource", async () => {
    await open();
    await order("ord_d", ["+12125550163"]);
    const lookup = { actor: "numbergate", carrierId: "twilio", operation: "order_status", outcome: "no trace", resourceType: "order", resourceId: "ord_d" };
    const other = { ...lookup, resourceId: "ord_other" };
    await store.audit.record(lookup);
    const applied = await store.orders.apply("ord_d", { ...change, state: "in_doubt", purchased: [], audits: [lookup, other, lookup, other, { ...lookup, outcome: "pending" }, { ...lookup, outcome: "pending" }] });
    expect(applied.applied).toBe(true);
    const rows = (await store.audit.list(0, 100)).filter((row) => row.operation !== "order.created");
    expect(rows.map((row) => [row.resourceId, row.outcome, row.repeatCount])).toEqual([
      ["ord_d", "no trace", 3],
      ["ord_other", "no trace", 2],
      ["ord_d", "pending", 2],
    ]);
  });

  it("answers an applied change with the order exactly as a read finds it afterwards", async () => {
    await open();
    await order("ord_e", ["+12125550164", "+12125550165", "+12125550166"]);
    const applied = await store.orders.apply("ord_e", {
      ...change,
      state: "partial",
      carrierOrderId: "CO-1",
      detail: "one refused",
      purchased: [{ phoneNumber: "+12125550164", carrierNumberId: "PN4" }],
      failed: [{ phoneNumber: "+12125550165", detail: "gone", failure: { kind: "carrier_error", carrierErrorKind: "not_found" } }],
    });
    if (!applied.applied) throw new Error("not applied");
    expect(applied.order).toEqual(await store.orders.get("ord_e"));
    expect(applied.order.items.map((item) => item.state)).toEqual(["purchased", "failed", "pending"]);
  });
});
