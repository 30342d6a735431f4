import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NumberOrderState, OwnedNumberState } from "../../generated/numbergate/v1/numbers.js";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { startHarness, type Harness } from "../support/harness.js";
import { specViolations, type SpecCarrier } from "../support/official-spec.js";

/**
 * A purchase, a batch, an in-doubt purchase and a release at each carrier, end to end through numbergate
 * against the strict emulators, at every registered carrier; then every request the adapters sent is checked against the carrier's
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

/** Per carrier: the request that places a purchase (where the in-doubt fault goes) and the lookup that finds a lost one. */
const CARRIER_WIRE: readonly { providerId: string; purchase: RequestMatch; lookup: RequestMatch }[] = [
  // One request per number; a lost one is found by its FriendlyName (numbergate's order reference).
  { providerId: "twilio", purchase: { method: "POST", pathIncludes: "IncomingPhoneNumbers" }, lookup: { method: "GET", pathIncludes: "IncomingPhoneNumbers", query: "FriendlyName" } },
  // One order per purchase; a lost one is found by customerOrderId.
  { providerId: "bandwidth", purchase: { method: "POST", pathIncludes: "/orders" }, lookup: { method: "GET", pathIncludes: "/orders", query: "customerOrderId" } },
  // One number order per purchase; a lost one is found by filter[customer_reference].
  { providerId: "telnyx", purchase: { method: "POST", pathIncludes: "/number_orders" }, lookup: { method: "GET", pathIncludes: "/number_orders", query: "filter[customer_reference]" } },
  // One buy per number; Vonage keeps no reference, so a lost one is looked for on the account's own list.
  { providerId: "vonage", purchase: { method: "POST", pathIncludes: "/number/buy" }, lookup: { method: "GET", pathIncludes: "/account/numbers", query: "pattern" } },
  // One buy per number; Plivo keeps no reference either: the account's number itself is read.
  { providerId: "plivo", purchase: { method: "POST", pathIncludes: "/PhoneNumber/" }, lookup: { method: "GET", pathIncludes: "/Number/" } },
];

interface RequestMatch {
  readonly method: string;
  readonly pathIncludes: string;
  /** A query parameter the request must carry; absent: none needed. */
  readonly query?: string;
}

function matches(request: EmulatorRequest, match: RequestMatch): boolean {
  return request.method === match.method && request.path.includes(match.pathIncludes) && (match.query === undefined || request.query.has(match.query));
}

it("covers every registered carrier", () => {
  expect(CARRIER_WIRE.map((carrier) => carrier.providerId)).toEqual(CARRIERS.map((carrier) => carrier.id));
});

describe.each(CARRIER_WIRE)("$providerId: the whole lifecycle speaks the official spec", ({ providerId, purchase, lookup }) => {
  it("purchase, batch, in-doubt purchase and release; every request valid against the official spec", async () => {
    const emulator = harness.sandbox.emulators.get(providerId);
    if (!emulator) throw new Error(`no ${providerId} emulator`);
    const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode: "303", providerIds: [providerId], limit: 5 });
    const [single, batchA, batchB, doubtful] = numbers.map((number) => number.phoneNumber);
    if (!single || !batchA || !batchB || !doubtful) throw new Error(`not enough ${providerId} numbers in 303`);

    const bought = await harness.client.purchaseNumber({ requestId: `${providerId}-single`, phoneNumber: single, providerId });
    expect(await finalState(bought.order?.orderId ?? "")).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);

    const batch = await harness.client.batchPurchaseNumbers({ requestId: `${providerId}-batch`, providerId, items: [batchA, batchB].map((phoneNumber) => ({ phoneNumber, reservationId: "" })) });
    expect(await finalState(batch.order?.orderId ?? "")).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);

    emulator.faults.inject({ kind: "hang", afterHandling: true, method: purchase.method, pathIncludes: purchase.pathIncludes, times: 1 });
    const inDoubt = await harness.client.purchaseNumber({ requestId: `${providerId}-doubt`, phoneNumber: doubtful, providerId });
    expect(await finalState(inDoubt.order?.orderId ?? "")).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);

    await harness.client.releaseNumber({ requestId: `${providerId}-release`, phoneNumber: single });
    await vi.waitFor(async () => expect((await harness.client.releaseNumber({ requestId: `${providerId}-release`, phoneNumber: single })).ownedNumber?.state).toBe(OwnedNumberState.OWNED_NUMBER_STATE_RELEASED), {
      timeout: 8000,
      interval: 50,
    });

    // The in-doubt purchase was found by a lookup, not bought again: the carrier sold each number once.
    expect(emulator.requests.filter((request) => matches(request, lookup)).length).toBeGreaterThan(0);
    expect([...emulator.numbersSold()].sort()).toEqual([single, batchA, batchB, doubtful].sort());
    const owned = (await harness.client.listNumbers({ providerId })).numbers.filter((number) => number.state === OwnedNumberState.OWNED_NUMBER_STATE_ACTIVE).map((number) => number.phoneNumber);
    expect(owned.sort()).toEqual([batchA, batchB, doubtful].sort());
    expect(specViolations(providerId as SpecCarrier, emulator.requests)).toEqual([]);
  });
});
