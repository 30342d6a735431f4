import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NumberOrderState, OwnedNumberState } from "../../generated/numbergate/v1/numbers.js";
import { startHarness, type Harness } from "../support/harness.js";
import { specViolations } from "../support/official-spec.js";

/**
 * A purchase, a batch, an in-doubt purchase and a release at each carrier, end to end through numbergate
 * against the strict emulators; then every request the adapters sent is checked against the carrier's
 * official OpenAPI specification in ../shared/provider-specs.
 */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({
    NUMBERGATE_SWEEP_INTERVAL: "50",
    NUMBERGATE_ORDER_CHECK_INTERVAL: "50",
    PROVIDER_TIMEOUT_PURCHASE: "400",
    NUMBERGATE_IN_DOUBT_GRACE: "3000",
    NUMBERGATE_PURCHASE_WAIT: "0",
  });
});
afterAll(async () => {
  await harness.close();
});

async function finalState(orderId: string): Promise<NumberOrderState> {
  let state = NumberOrderState.NUMBER_ORDER_STATE_PENDING;
  await vi.waitFor(
    async () => {
      state = (await harness.client.getNumberOrder({ orderId })).order?.state ?? NumberOrderState.UNRECOGNIZED;
      expect([NumberOrderState.NUMBER_ORDER_STATE_PENDING, NumberOrderState.NUMBER_ORDER_STATE_IN_DOUBT]).not.toContain(state);
    },
    { timeout: 8000, interval: 50 },
  );
  return state;
}

describe.each([
  { providerId: "twilio", areaCode: "212", purchasePath: "IncomingPhoneNumbers", basePath: "" },
  { providerId: "bandwidth", areaCode: "303", purchasePath: "/orders", basePath: "/api" },
] as const)("$providerId: the whole lifecycle speaks the official spec", ({ providerId, areaCode, purchasePath, basePath }) => {
  it("purchase, batch, in-doubt purchase and release; every request valid against the official spec", async () => {
    const emulator = harness.sandbox[providerId];
    const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit: 5 });
    const [single, batchA, batchB, doubtful] = numbers.map((number) => number.phoneNumber);
    if (!single || !batchA || !batchB || !doubtful) throw new Error(`not enough ${providerId} numbers in ${areaCode}`);

    const bought = await harness.client.purchaseNumber({ requestId: `${providerId}-single`, phoneNumber: single, providerId });
    expect(await finalState(bought.order?.orderId ?? "")).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);

    const batch = await harness.client.batchPurchaseNumbers({ requestId: `${providerId}-batch`, providerId, items: [batchA, batchB].map((phoneNumber) => ({ phoneNumber, reservationId: "" })) });
    expect(await finalState(batch.order?.orderId ?? "")).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);

    emulator.faults.inject({ kind: "hang", afterHandling: true, method: "POST", pathIncludes: purchasePath, times: 1 });
    const inDoubt = await harness.client.purchaseNumber({ requestId: `${providerId}-doubt`, phoneNumber: doubtful, providerId });
    expect(await finalState(inDoubt.order?.orderId ?? "")).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);

    await harness.client.releaseNumber({ requestId: `${providerId}-release`, phoneNumber: single });
    await vi.waitFor(async () => expect((await harness.client.releaseNumber({ requestId: `${providerId}-release`, phoneNumber: single })).ownedNumber?.state).toBe(OwnedNumberState.OWNED_NUMBER_STATE_RELEASED), {
      timeout: 8000,
      interval: 50,
    });

    // The in-doubt purchase was found by numbergate's order reference, not bought again.
    const lookups = emulator.requests.filter((request) => request.method === "GET" && request.path.includes(purchasePath) && request.query.has(providerId === "twilio" ? "FriendlyName" : "customerOrderId"));
    expect(lookups.length).toBeGreaterThan(0);
    // One request per number at Twilio, one order per purchase at Bandwidth: never a second for the doubtful one.
    expect(emulator.requests.filter((request) => request.method === "POST" && request.path.includes(purchasePath))).toHaveLength(providerId === "twilio" ? 4 : 3);
    const methods = new Set(emulator.requests.map((request) => request.method));
    expect([...methods].sort()).toEqual(providerId === "twilio" ? ["DELETE", "GET", "POST"] : ["GET", "POST"]);
    expect(specViolations(providerId, emulator.requests, { basePath })).toEqual([]);
  });
});
