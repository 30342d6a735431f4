import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NumberOrderItemState, NumberOrderState, OwnedNumberState } from "../../generated/numbergate/v1/numbers.js";
import { openStore } from "../../src/store/store.js";
import { DATABASES } from "../support/databases.js";
import { startHarness, type Harness } from "../support/harness.js";

const FAST_LIFECYCLE = { NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50" };

describe.each(DATABASES)("money safety on $name", (database) => {
  let harness: Harness | undefined;
  const dataDirs: string[] = [];
  const open = async (environment: Record<string, string> = {}) => {
    harness = await startHarness({ ...FAST_LIFECYCLE, DATABASE_URL: await database.fresh(), ...environment });
    return harness;
  };
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    for (const dataDir of dataDirs.splice(0)) await rm(dataDir, { recursive: true, force: true });
  });

  async function numbers(subject: Harness, providerId: string, areaCode: string, limit: number): Promise<string[]> {
    const found = (await subject.client.searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit })).numbers.map((number) => number.phoneNumber);
    if (found.length < limit) throw new Error(`only ${found.length} numbers in ${areaCode} at ${providerId}`);
    return found;
  }

  it("a Twilio batch gives each number its own budget: slow answers are all recorded, none lost", async () => {
    const subject = await open({ PROVIDER_TIMEOUT_PURCHASE: "600", NUMBERGATE_IN_DOUBT_GRACE: "5000" });
    const wanted = await numbers(subject, "twilio", "212", 3);
    // Each purchase takes 350 ms: the whole batch takes longer than one budget, each number does not.
    subject.sandbox.twilio.faults.inject({ kind: "latency", latencyMs: 350, method: "POST", pathIncludes: "IncomingPhoneNumbers" });
    const result = await subject.client.batchPurchaseNumbers({ requestId: "batch-slow", providerId: "twilio", items: wanted.map((phoneNumber) => ({ phoneNumber, reservationId: "" })) });
    expect(result.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);
    expect(result.ownedNumbers.map((number) => number.phoneNumber).sort()).toEqual([...wanted].sort());
    expect([...subject.sandbox.twilio.purchases].sort()).toEqual([...wanted].sort());
  });

  it("a Twilio batch with one answer lost stays in doubt until that number is found, then completes", async () => {
    const subject = await open({ PROVIDER_TIMEOUT_PURCHASE: "300", NUMBERGATE_IN_DOUBT_GRACE: "5000", NUMBERGATE_PURCHASE_WAIT: "0" });
    const wanted = await numbers(subject, "twilio", "415", 3);
    subject.sandbox.twilio.faults.inject({ kind: "hang", afterHandling: true, method: "POST", pathIncludes: "IncomingPhoneNumbers", times: 1 });
    const first = await subject.client.batchPurchaseNumbers({ requestId: "batch-lost", providerId: "twilio", items: wanted.map((phoneNumber) => ({ phoneNumber, reservationId: "" })) });
    const orderId = first.order?.orderId ?? "";
    await vi.waitFor(async () => expect((await subject.client.getNumberOrder({ orderId })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED), { timeout: 5000 });
    const order = (await subject.client.getNumberOrder({ orderId })).order;
    expect(order?.items.map((item) => item.state)).toEqual(wanted.map(() => NumberOrderItemState.NUMBER_ORDER_ITEM_STATE_PURCHASED));
    expect(subject.sandbox.twilio.countRequests((request) => request.method === "POST")).toBe(3);
    expect((await subject.client.listNumbers({})).numbers.map((number) => number.phoneNumber).sort()).toEqual([...wanted].sort());
  });

  it("a store failure while recording the carrier's answer is retried; the bought number is not lost", async () => {
    const subject = await open();
    const [phoneNumber = ""] = await numbers(subject, "twilio", "303", 1);
    const apply = subject.app.store.orders.apply.bind(subject.app.store.orders);
    const spy = vi.spyOn(subject.app.store.orders, "apply").mockImplementationOnce(async () => {
      throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    });
    spy.mockImplementation(apply);
    const first = await subject.client.purchaseNumber({ requestId: "store-hiccup", phoneNumber, providerId: "twilio" });
    const orderId = first.order?.orderId ?? "";
    await vi.waitFor(async () => expect((await subject.client.getNumberOrder({ orderId })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED), { timeout: 5000 });
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(subject.sandbox.twilio.purchases).toEqual([phoneNumber]);
    expect((await subject.client.listNumbers({})).numbers.map((number) => number.phoneNumber)).toEqual([phoneNumber]);
  });

  it("shutdown waits for a purchase in flight and records it before closing the store", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "numbergate-shutdown-"));
    dataDirs.push(dataDir);
    const databaseUrl = await database.fresh();
    const subject = await startHarness({ ...FAST_LIFECYCLE, DATABASE_URL: databaseUrl, NUMBERGATE_DATA_DIR: dataDir, NUMBERGATE_PURCHASE_WAIT: "0" });
    harness = subject;
    const [phoneNumber = ""] = await numbers(subject, "twilio", "202", 1);
    subject.sandbox.twilio.faults.inject({ kind: "latency", latencyMs: 400, method: "POST", pathIncludes: "IncomingPhoneNumbers", times: 1 });
    const pending = await subject.client.purchaseNumber({ requestId: "sigterm-1", phoneNumber, providerId: "twilio" });
    expect(pending.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_PENDING);
    // The purchase is at the carrier when shutdown starts.
    await vi.waitFor(() => expect(subject.sandbox.twilio.openRequests).toBe(1));
    await subject.app.shutdown();
    expect(subject.sandbox.twilio.purchases).toEqual([phoneNumber]);
    const store = await openStore({ databaseUrl, dataDir });
    try {
      expect((await store.orders.get(pending.order?.orderId ?? ""))?.state).toBe("completed");
      expect((await store.ownedNumbers.findByPhoneNumber(phoneNumber))?.state).toBe("active");
    } finally {
      await store.close();
    }
    harness = undefined;
    subject.channel.close();
    await subject.sandbox.stop();
  });

  it("a release whose answer was lost is looked up, never sent again, and ends released", async () => {
    const subject = await open({ PROVIDER_TIMEOUT_PURCHASE: "300", NUMBERGATE_IN_DOUBT_GRACE: "5000", NUMBERGATE_PURCHASE_WAIT: "2000" });
    const [phoneNumber = ""] = await numbers(subject, "twilio", "305", 1);
    await subject.client.purchaseNumber({ requestId: "buy-then-lose", phoneNumber, providerId: "twilio" });
    subject.sandbox.twilio.faults.inject({ kind: "hang", afterHandling: true, method: "DELETE", times: 1 });
    const released = await subject.client.releaseNumber({ requestId: "release-lost", phoneNumber });
    expect(released).toMatchObject({ alreadyReleased: false, ownedNumber: { state: OwnedNumberState.OWNED_NUMBER_STATE_RELEASED } });
    expect(subject.sandbox.twilio.owned.has(phoneNumber)).toBe(false);
    expect(subject.sandbox.twilio.countRequests((request) => request.method === "DELETE")).toBe(1);
    const operations = (await subject.app.store.audit.list(0, 200)).filter((entry) => entry.resourceType === "release").map((entry) => entry.operation);
    expect(operations).toEqual(expect.arrayContaining(["release.in_doubt", "release_status", "release.completed"]));
  });

  it("a release the carrier refuses answers the same error to a same-request_id retry, and the number stays active", async () => {
    const subject = await open();
    const [phoneNumber = ""] = await numbers(subject, "twilio", "310", 1);
    await subject.client.purchaseNumber({ requestId: "buy-keep", phoneNumber, providerId: "twilio" });
    subject.sandbox.twilio.faults.inject({ kind: "status", status: 401, method: "DELETE", times: 1 });
    const refusals = await Promise.allSettled([1, 2].map(() => subject.client.releaseNumber({ requestId: "release-refused", phoneNumber })));
    const [first, second] = refusals.map((refusal) => (refusal.status === "rejected" ? (refusal.reason as { code: number; details: string }) : undefined));
    expect(first?.details).toMatch(/rejected numbergate's credentials/);
    expect(second).toEqual(first);
    const again = await subject.client.releaseNumber({ requestId: "release-refused", phoneNumber }).catch((error: unknown) => error);
    expect(again).toMatchObject({ code: first?.code, details: first?.details });
    expect((await subject.client.listNumbers({})).numbers[0]?.state).toBe(OwnedNumberState.OWNED_NUMBER_STATE_ACTIVE);
    expect(subject.sandbox.twilio.countRequests((request) => request.method === "DELETE")).toBe(1);
  });

  it("a Bandwidth batch is bought with every item's reservation", async () => {
    const subject = await open();
    const wanted = await numbers(subject, "bandwidth", "303", 2);
    const reservations: string[] = [];
    for (const [index, phoneNumber] of wanted.entries()) {
      reservations.push((await subject.client.reserveNumber({ requestId: `hold-${index}`, phoneNumber, providerId: "bandwidth" })).reservation?.reservationId ?? "");
    }
    const result = await subject.client.batchPurchaseNumbers({
      requestId: "batch-reserved",
      providerId: "bandwidth",
      items: wanted.map((phoneNumber, index) => ({ phoneNumber, reservationId: reservations[index] ?? "" })),
    });
    await vi.waitFor(async () => expect((await subject.client.getNumberOrder({ orderId: result.order?.orderId ?? "" })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED), { timeout: 5000 });
    const posted = subject.sandbox.bandwidth.requests.filter((request) => request.method === "POST" && request.path.endsWith("/orders"));
    expect(posted).toHaveLength(1);
    for (const reservationId of await Promise.all(reservations.map(async (id) => (await subject.client.getReservation({ reservationId: id })).reservation?.carrierReservationId ?? ""))) {
      expect(posted[0]?.body).toContain(`<ReservationId>${reservationId}</ReservationId>`);
    }
  });
  it("a carrier answer naming numbers the order did not ask for is reported, never recorded as owned", async () => {
    const subject = await open({ NUMBERGATE_IN_DOUBT_GRACE: "60000" });
    const [asked = "", other = ""] = await numbers(subject, "twilio", "206", 2);
    const adapter = subject.app.manager.registrations.find((registration) => registration.adapter.descriptor.id === "twilio")?.adapter;
    if (!adapter?.doPurchase) throw new Error("no Twilio purchase");
    const purchase = adapter.doPurchase.bind(adapter);
    // The carrier buys the asked number, but its answer names another one.
    vi.spyOn(adapter, "doPurchase").mockImplementationOnce(async (request, options) => {
      const status = await purchase(request, options);
      return { ...status, purchased: [{ e164: other, carrierNumberId: "PNforeign" }] };
    });
    const first = await subject.client.purchaseNumber({ requestId: "foreign-answer", phoneNumber: asked, providerId: "twilio" });
    expect(first.order?.state).not.toBe(NumberOrderState.NUMBER_ORDER_STATE_PARTIAL);
    // The lookup by order reference finds the asked number: the order completes with it alone.
    await vi.waitFor(async () => expect((await subject.client.getNumberOrder({ orderId: first.order?.orderId ?? "" })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED), { timeout: 5000 });
    expect((await subject.client.listNumbers({})).numbers.map((number) => number.phoneNumber)).toEqual([asked]);
    const discrepancies = (await subject.app.store.audit.list(0, 100)).filter((entry) => entry.operation === "carrier.discrepancy");
    expect(discrepancies.map((entry) => entry.detail)).toEqual([`the carrier reported ${other}, which this order did not ask for; it is not recorded as owned`]);
  });

  it("a Bandwidth release stays RELEASING while the disconnect order is processed, then ends RELEASED", async () => {
    const subject = await open({ NUMBERGATE_PURCHASE_WAIT: "0" });
    const [phoneNumber = ""] = await numbers(subject, "bandwidth", "212", 1);
    const bought = await subject.client.purchaseNumber({ requestId: "bw-buy", phoneNumber, providerId: "bandwidth" });
    await vi.waitFor(async () => expect((await subject.client.getNumberOrder({ orderId: bought.order?.orderId ?? "" })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED), { timeout: 5000 });
    subject.sandbox.bandwidth.numbers.pollsBeforeFinal = 3;
    const releasing = await subject.client.releaseNumber({ requestId: "bw-release", phoneNumber });
    expect(releasing).toMatchObject({ alreadyReleased: false, ownedNumber: { state: OwnedNumberState.OWNED_NUMBER_STATE_RELEASING } });
    await vi.waitFor(async () => expect((await subject.client.releaseNumber({ requestId: "bw-release", phoneNumber })).ownedNumber?.state).toBe(OwnedNumberState.OWNED_NUMBER_STATE_RELEASED), { timeout: 5000 });
    expect(subject.sandbox.bandwidth.numbers.owned.has(phoneNumber.slice(2))).toBe(false);
    expect(subject.sandbox.bandwidth.requests.filter((request) => request.method === "POST" && request.path.endsWith("/disconnects"))).toHaveLength(1);
  });
});
