import { afterEach, describe, expect, it, vi } from "vitest";
import { NumberOrderState, OwnedNumberState } from "../../generated/numbergate/v1/numbers.js";
import { InventoryDriftState } from "../../generated/numbergate/v1/providers.js";
import { InventoryReconciler } from "../../src/inventory/inventory-reconciler.js";
import { silentLogger } from "../../src/telemetry/logger.js";
import { DATABASES } from "../support/databases.js";
import { startHarness, type Harness } from "../support/harness.js";
import { specViolations } from "../support/official-spec.js";
import { AS_ADMIN, ON_DEMAND, auditRows, buyAtTwilio, countOf, forSaleAt, summary, tnOf } from "./inventory-support.js";

/**
 * Inventory reconciliation end to end: numbergate against the carrier emulators, whose state a test changes behind
 * numbergate's back as a carrier console would.
 */
describe.each(DATABASES)("inventory reconciliation on $name", (database) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function start(environment: Record<string, string> = {}): Promise<Harness> {
    harness = await startHarness({ ...ON_DEMAND, DATABASE_URL: await database.fresh(), ...environment });
    return harness;
  }

  /** A reconciler on the harness's own carriers and store, with small pages. */
  function pagedReconciler(started: Harness): InventoryReconciler {
    return new InventoryReconciler({ store: started.app.store, manager: started.app.manager, logger: silentLogger(), now: () => Date.now(), limits: { pageSize: 2 } });
  }

  const ours = (providerId: string) => providerId === "twilio" || providerId === "bandwidth";

  it("reports numbers bought and released behind numbergate's back, adopts and marks them released, and forgets what vanished", async () => {
    const started = await start();
    const [kept = "", releasedElsewhere = "", boughtElsewhere = ""] = await forSaleAt(started, "twilio", "212", 3);
    await buyAtTwilio(started, kept);
    await buyAtTwilio(started, releasedElsewhere);
    const sid = started.sandbox.twilio.addOwned(boughtElsewhere);
    started.sandbox.twilio.owned.delete(releasedElsewhere);
    const [atBandwidth = ""] = await forSaleAt(started, "bandwidth", "303", 1);
    started.sandbox.bandwidth.numbers.owned.add(tnOf(atBandwidth));

    const first = await started.client.reconcileInventory({}, AS_ADMIN);
    expect(countOf(first.counts, "twilio")).toEqual({ providerId: "twilio", carrierNumbers: 2, numbergateNumbers: 2, error: "" });
    expect(countOf(first.counts, "bandwidth")).toEqual({ providerId: "bandwidth", carrierNumbers: 1, numbergateNumbers: 0, error: "" });
    expect(summary(first.drifts)).toEqual(
      [`bandwidth ${atBandwidth} UNKNOWN_TO_NUMBERGATE`, `twilio ${boughtElsewhere} UNKNOWN_TO_NUMBERGATE`, `twilio ${releasedElsewhere} MISSING_AT_CARRIER`].sort(),
    );
    const driftOf = (phoneNumber: string) => first.drifts.find((drift) => drift.phoneNumber === phoneNumber);
    expect(driftOf(boughtElsewhere)).toMatchObject({ state: InventoryDriftState.INVENTORY_DRIFT_STATE_OPEN, carrierNumberId: sid, resolutionNote: "", resolveTime: undefined });
    expect(driftOf(atBandwidth)?.carrierNumberId).toBe(tnOf(atBandwidth));
    const detected = await auditRows(started, "inventory.drift");
    expect(detected.map((row) => row.resourceId).sort()).toEqual(first.drifts.map((drift) => drift.driftId).sort());
    expect(detected.every((row) => row.actor.startsWith("inventory-admin@") && row.resourceType === "inventory_drift")).toBe(true);
    expect(detected.find((row) => row.resourceId === driftOf(releasedElsewhere)?.driftId)?.detail).toContain(releasedElsewhere);

    const adoptedId = driftOf(boughtElsewhere)?.driftId ?? "";
    const adopted = await started.client.resolveInventoryDrift({ driftId: adoptedId, resolution: InventoryDriftState.INVENTORY_DRIFT_STATE_ADOPTED, note: "bought in the Twilio console for the demo line" }, AS_ADMIN);
    expect(adopted.drift).toMatchObject({ driftId: adoptedId, state: InventoryDriftState.INVENTORY_DRIFT_STATE_ADOPTED, resolveTime: expect.any(Date) as unknown });
    expect(adopted.drift?.resolutionNote).toMatch(/^bought in the Twilio console for the demo line \(by inventory-admin@/);
    const markedId = driftOf(releasedElsewhere)?.driftId ?? "";
    await started.client.resolveInventoryDrift({ driftId: markedId, resolution: InventoryDriftState.INVENTORY_DRIFT_STATE_MARKED_RELEASED, note: "released by hand in the console" }, AS_ADMIN);

    const owned = new Map((await started.client.listNumbers({})).numbers.map((number) => [number.phoneNumber, number]));
    expect(owned.get(boughtElsewhere)).toMatchObject({ providerId: "twilio", state: OwnedNumberState.OWNED_NUMBER_STATE_ACTIVE, carrierNumberId: sid, orderId: `adopted:${adoptedId}`, customerInfo: undefined });
    expect(owned.get(boughtElsewhere)?.capabilities.length).toBeGreaterThan(0);
    expect(owned.get(releasedElsewhere)).toMatchObject({ state: OwnedNumberState.OWNED_NUMBER_STATE_RELEASED, releaseTime: expect.any(Date) as unknown });
    const resolutions = await auditRows(started, "inventory.drift_resolved");
    expect(resolutions.map((row) => [row.resourceId, row.outcome])).toEqual([
      [adoptedId, "adopted"],
      [markedId, "marked_released"],
    ]);
    expect(resolutions.every((row) => row.actor.startsWith("inventory-admin@"))).toBe(true);
    expect(resolutions[0]?.detail).toContain("note: bought in the Twilio console for the demo line");
    expect(resolutions[1]?.detail).toContain("note: released by hand in the console");
    // Nothing was bought or released at any carrier: the two purchases are the only writes Twilio saw.
    expect(started.sandbox.twilio.countRequests((request) => request.method !== "GET")).toBe(2);
    expect(started.sandbox.bandwidth.countRequests((request) => request.method !== "GET")).toBe(0);

    // The Bandwidth number leaves the account again before anyone looked at it.
    started.sandbox.bandwidth.numbers.owned.delete(tnOf(atBandwidth));
    const second = await started.client.reconcileInventory({}, AS_ADMIN);
    expect(second.drifts.filter((drift) => ours(drift.providerId))).toEqual([]);
    expect(countOf(second.counts, "twilio")).toEqual({ providerId: "twilio", carrierNumbers: 2, numbergateNumbers: 2, error: "" });
    expect(await auditRows(started, "inventory.drift")).toHaveLength(3);
    const gone = await started.client.listInventoryDrifts({ state: InventoryDriftState.INVENTORY_DRIFT_STATE_GONE });
    expect(summary(gone.drifts)).toEqual([`bandwidth ${atBandwidth} UNKNOWN_TO_NUMBERGATE`]);
    expect(gone.drifts[0]?.resolveTime).toBeInstanceOf(Date);
    expect((await auditRows(started, "inventory.drift_gone")).map((row) => row.resourceId)).toEqual([driftOf(atBandwidth)?.driftId]);
    expect((await started.client.listInventoryDrifts({ state: InventoryDriftState.INVENTORY_DRIFT_STATE_ADOPTED })).drifts.map((drift) => drift.driftId)).toEqual([adoptedId]);
    expect((await started.client.listInventoryDrifts({})).drifts.filter((drift) => ours(drift.providerId))).toEqual([]);

    // A third run changes nothing at all.
    await started.client.reconcileInventory({});
    expect(await auditRows(started, "inventory.drift_gone")).toHaveLength(1);
    expect(await auditRows(started, "inventory.drift")).toHaveLength(3);
  });

  it("does not report numbers an order or a release is still settling", async () => {
    const started = await start({ PROVIDER_TIMEOUT_PURCHASE: "300" });
    // Bandwidth completes the order; numbergate has not polled it yet, so its order is still pending.
    const [ordered = ""] = await forSaleAt(started, "bandwidth", "212", 1);
    const pending = await started.client.purchaseNumber({ requestId: "in-flight-order", phoneNumber: ordered, providerId: "bandwidth" });
    expect(pending.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_PENDING);
    await vi.waitFor(() => expect(started.sandbox.bandwidth.numbers.orders.size).toBe(1));
    started.sandbox.bandwidth.numbers.completeOpenOrders();
    expect(started.sandbox.bandwidth.numbers.owned.has(tnOf(ordered))).toBe(true);
    // Twilio releases the number, and the answer is lost: numbergate's release is in doubt.
    const [releasing = ""] = await forSaleAt(started, "twilio", "312", 1);
    await buyAtTwilio(started, releasing);
    started.sandbox.twilio.faults.inject({ kind: "hang", afterHandling: true, method: "DELETE", times: 1 });
    const release = await started.client.releaseNumber({ requestId: "in-flight-release", phoneNumber: releasing });
    expect(release.ownedNumber?.state).toBe(OwnedNumberState.OWNED_NUMBER_STATE_RELEASING);
    await vi.waitFor(() => expect(started.sandbox.twilio.owned.has(releasing)).toBe(false));

    const answer = await started.client.reconcileInventory({});
    expect(answer.drifts.filter((drift) => ours(drift.providerId))).toEqual([]);
    expect(countOf(answer.counts, "bandwidth")).toMatchObject({ carrierNumbers: 1, numbergateNumbers: 0, error: "" });
    expect(countOf(answer.counts, "twilio")).toMatchObject({ carrierNumbers: 0, numbergateNumbers: 1, error: "" });
  });

  it("reads each carrier's list across several pages, every request valid against the carrier's spec", async () => {
    const started = await start();
    const bought = await forSaleAt(started, "twilio", "415", 3);
    for (const number of bought) await buyAtTwilio(started, number);
    const elsewhere = await forSaleAt(started, "twilio", "617", 2);
    for (const number of elsewhere) started.sandbox.twilio.addOwned(number);
    started.sandbox.twilio.owned.delete(bought[0] ?? "");
    const tns = ["2125550101", "2125550102", "3035550103", "3035550104", "8885550105"];
    for (const tn of tns) started.sandbox.bandwidth.numbers.owned.add(tn);
    started.sandbox.twilio.requests.length = 0;
    started.sandbox.bandwidth.requests.length = 0;

    const reconciler = pagedReconciler(started);
    const [twilio, bandwidth] = await reconciler.reconcile(["twilio", "bandwidth"], "paging-test");
    await reconciler.stop();
    expect(twilio).toMatchObject({ carrierNumbers: 4, numbergateNumbers: 3, error: undefined });
    expect(twilio?.recorded.map((drift) => `${drift.kind} ${drift.phoneNumber}`).sort()).toEqual(
      [`missing_at_carrier ${bought[0] ?? ""}`, ...elsewhere.map((number) => `unknown_to_numbergate ${number}`)].sort(),
    );
    expect(bandwidth).toMatchObject({ carrierNumbers: 5, numbergateNumbers: 0, error: undefined });
    expect(bandwidth?.recorded.map((drift) => drift.carrierNumberId).sort()).toEqual(tns);
    expect(bandwidth?.recorded.find((drift) => drift.carrierNumberId === "8885550105")).toMatchObject({ numberType: "toll_free", capabilities: ["voice", "sms"] });

    const twilioLists = started.sandbox.twilio.requests.filter((request) => request.path.endsWith("/IncomingPhoneNumbers.json"));
    const bandwidthLists = started.sandbox.bandwidth.requests.filter((request) => request.path.endsWith("/inserviceNumbers"));
    expect(twilioLists).toHaveLength(2);
    expect(bandwidthLists).toHaveLength(3);
    expect([...specViolations("twilio", twilioLists), ...specViolations("bandwidth", bandwidthLists)]).toEqual([]);
  });

  it("concludes nothing for a carrier whose list fails midway: no drift recorded, none marked gone", async () => {
    const started = await start();
    const bought = await forSaleAt(started, "twilio", "512", 3);
    for (const number of bought) await buyAtTwilio(started, number);
    const [elsewhere = ""] = await forSaleAt(started, "twilio", "919", 1);
    started.sandbox.twilio.addOwned(elsewhere);
    started.sandbox.twilio.owned.delete(bought[0] ?? "");
    const twilio = started.sandbox.twilio;
    const reconciler = pagedReconciler(started);

    /** Page 1 is answered; every later page fails. */
    const failingAfterFirstPage = async () => {
      twilio.faults.inject({ kind: "hold", method: "GET", pathIncludes: "IncomingPhoneNumbers", times: 1 });
      const run = reconciler.reconcile(["twilio"], "midway-test");
      await vi.waitFor(() => expect(twilio.heldRequests).toBe(1));
      twilio.faults.inject({ kind: "status", status: 500, method: "GET", pathIncludes: "IncomingPhoneNumbers" });
      twilio.releaseHeld();
      const [result] = await run;
      twilio.faults.clear();
      return result;
    };

    twilio.requests.length = 0;
    const failed = await failingAfterFirstPage();
    expect(failed).toMatchObject({ carrierId: "twilio", carrierNumbers: 0, numbergateNumbers: 3, recorded: [], gone: [] });
    expect(failed?.error).toMatch(/twilio/);
    expect(twilio.requests.filter((request) => request.path.endsWith("/IncomingPhoneNumbers.json"))).toHaveLength(2);
    expect((await started.client.listInventoryDrifts({ providerId: "twilio" })).drifts).toEqual([]);
    expect(await auditRows(started, "inventory.drift")).toEqual([]);

    // Read whole, the same account shows both differences.
    const [whole] = await reconciler.reconcile(["twilio"], "midway-test");
    expect(whole?.recorded.map((drift) => `${drift.kind} ${drift.phoneNumber}`).sort()).toEqual([`missing_at_carrier ${bought[0] ?? ""}`, `unknown_to_numbergate ${elsewhere}`]);

    // Both differences vanish, but a listing that fails midway says nothing about that either.
    twilio.owned.delete(elsewhere);
    twilio.addOwned(bought[0] ?? "");
    const failedAgain = await failingAfterFirstPage();
    expect(failedAgain).toMatchObject({ recorded: [], gone: [] });
    expect((await started.client.listInventoryDrifts({ providerId: "twilio" })).drifts).toHaveLength(2);
    const [recovered] = await reconciler.reconcile(["twilio"], "midway-test");
    await reconciler.stop();
    expect(recovered?.gone).toHaveLength(2);
  });
});
