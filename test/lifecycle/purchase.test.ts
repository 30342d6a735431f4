import { Status } from "nice-grpc";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NumberOrderItemState, NumberOrderState, OwnedNumberState, ReservationState } from "../../generated/numbergate/v1/numbers.js";
import { DATABASES } from "../support/databases.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

const FAST_LIFECYCLE = { NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50" };

describe.each(DATABASES)("number lifecycle on $name", (database) => {
  let harness: Harness;
  const open = async (environment: Record<string, string> = {}) => {
    harness = await startHarness({ ...FAST_LIFECYCLE, DATABASE_URL: await database.fresh(), ...environment });
    return harness;
  };
  afterEach(async () => {
    vi.useRealTimers();
    await harness.close();
  });

  async function availableNumber(providerId: string, areaCode = "212"): Promise<string> {
    const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit: 1 });
    const number = numbers[0]?.phoneNumber;
    if (!number) throw new Error("no number to buy");
    return number;
  }

  it.each(["twilio", "bandwidth"])("50 concurrent PurchaseNumber calls with one request_id at %s: one carrier purchase, 50 identical answers", async (providerId) => {
    await open();
    const phoneNumber = await availableNumber(providerId);
    const request = { requestId: "billing-7f3a", phoneNumber, providerId };
    const answers = await Promise.all(Array.from({ length: 50 }, () => harness.client.purchaseNumber(request)));
    const emulatorPurchases = providerId === "twilio" ? harness.sandbox.twilio.purchases : harness.sandbox.bandwidth.numbers.purchases;
    expect(emulatorPurchases).toEqual([providerId === "twilio" ? phoneNumber : phoneNumber.slice(2)]);
    const first = answers[0];
    expect(first?.order).toMatchObject({ state: NumberOrderState.NUMBER_ORDER_STATE_COMPLETED, requestId: "billing-7f3a", providerId });
    expect(first?.ownedNumber).toMatchObject({ phoneNumber, providerId, state: OwnedNumberState.OWNED_NUMBER_STATE_ACTIVE });
    for (const answer of answers) expect(answer).toEqual(first);
    // A retry long after gives the same answer, and the number is ours exactly once.
    expect(await harness.client.purchaseNumber(request)).toEqual(first);
    const { numbers } = await harness.client.listNumbers({});
    expect(numbers.map((number) => number.phoneNumber)).toEqual([phoneNumber]);
  });

  it("validates lifecycle requests field by field before touching the store or a carrier", async () => {
    await open();
    const cases = [
      [() => harness.client.purchaseNumber({ requestId: "", phoneNumber: "+12125550100", providerId: "twilio" }), "request_id"],
      [() => harness.client.purchaseNumber({ requestId: "has spaces", phoneNumber: "+12125550100", providerId: "twilio" }), "request_id"],
      [() => harness.client.purchaseNumber({ requestId: "r", phoneNumber: "+12125550100", providerId: "no-such-carrier" }), "provider_id"],
      [() => harness.client.reserveNumber({ phoneNumber: "+12125550100", providerId: "twilio", reservationDuration: { seconds: -5, nanos: 0 } }), "reservation_duration"],
      [() => harness.client.reserveNumber({ phoneNumber: "+12125550100", providerId: "twilio", reservationDuration: { seconds: 0, nanos: 5_000_000 } }), "reservation_duration"],
      [() => harness.client.getReservation({ reservationId: "../etc/passwd" }), "reservation_id"],
      [() => harness.client.batchPurchaseNumbers({ requestId: "b", providerId: "bandwidth", items: [] }), "items"],
      [() => harness.client.listNumbers({ pageSize: -1 }), "page_size"],
    ] as const;
    for (const [call, field] of cases) {
      const error = await captureRpcError(() => call());
      expect(error.code, field).toBe(Status.INVALID_ARGUMENT);
      expect(error.details).toContain(field);
    }
    expect(harness.sandbox.twilio.countRequests((request) => request.method !== "GET")).toBe(0);
  });

  it("refuses the same request_id for a different purchase", async () => {
    await open();
    const [first, second] = [await availableNumber("twilio", "212"), await availableNumber("twilio", "415")];
    await harness.client.purchaseNumber({ requestId: "r-1", phoneNumber: first, providerId: "twilio" });
    const error = await captureRpcError((options) => harness.client.purchaseNumber({ requestId: "r-1", phoneNumber: second, providerId: "twilio" }, options));
    expect(error.code).toBe(Status.ALREADY_EXISTS);
    expect(error.rich?.errorInfo?.reason).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(harness.sandbox.twilio.purchases).toEqual([first]);
  });

  it("two clients reserving the same number: one wins, the other gets a clear error", async () => {
    await open();
    const phoneNumber = await availableNumber("twilio");
    const attempts = await Promise.allSettled([
      harness.client.reserveNumber({ requestId: "client-a", phoneNumber, providerId: "twilio" }),
      harness.client.reserveNumber({ requestId: "client-b", phoneNumber, providerId: "twilio" }),
    ]);
    const won = attempts.filter((attempt) => attempt.status === "fulfilled");
    const lost = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: Status.FAILED_PRECONDITION });
    expect(String((lost[0]?.reason as Error).message)).toMatch(/another client holds it/);
  });

  it("a reserved number vanishes from search and availability, and comes back when the reservation expires", async () => {
    await open();
    const phoneNumber = await availableNumber("twilio");
    const { reservation } = await harness.client.reserveNumber({ requestId: "hold-1", phoneNumber, providerId: "twilio", reservationDuration: { seconds: 60, nanos: 0 } });
    expect(reservation).toMatchObject({ state: ReservationState.RESERVATION_STATE_ACTIVE, phoneNumber });
    const search = async () => (await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 100 })).numbers.map((number) => number.phoneNumber);
    expect(await search()).not.toContain(phoneNumber);
    expect((await harness.client.checkNumberAvailability({ phoneNumber, providerId: "twilio" })).available).toBe(false);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    await harness.app.workers.sweep();
    expect((await harness.client.getReservation({ reservationId: reservation?.reservationId ?? "" })).reservation?.state).toBe(ReservationState.RESERVATION_STATE_EXPIRED);
    expect(await search()).toContain(phoneNumber);
  });

  it("buys a reserved number with its reservation, and only with a matching one", async () => {
    await open();
    const phoneNumber = await availableNumber("bandwidth");
    const { reservation } = await harness.client.reserveNumber({ requestId: "hold-2", phoneNumber, providerId: "bandwidth" });
    expect(reservation?.carrierReservationId).not.toBe("");
    const other = await availableNumber("bandwidth", "415");
    const mismatch = await captureRpcError((options) =>
      harness.client.purchaseNumber({ requestId: "buy-x", phoneNumber: other, providerId: "bandwidth", reservationId: reservation?.reservationId ?? "" }, options),
    );
    expect(mismatch.code).toBe(Status.FAILED_PRECONDITION);
    expect(mismatch.rich?.errorInfo?.reason).toBe("RESERVATION_MISMATCH");
    expect(mismatch.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual(["reservation_id"]);
    const bought = await harness.client.purchaseNumber({ requestId: "buy-2", phoneNumber, providerId: "bandwidth", reservationId: reservation?.reservationId ?? "" });
    expect(bought.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);
    expect((await harness.client.getReservation({ reservationId: reservation?.reservationId ?? "" })).reservation?.state).toBe(ReservationState.RESERVATION_STATE_CONSUMED);
  });

  it.each([
    ["the carrier acted, the answer was lost", { kind: "hang", afterHandling: true } as const, NumberOrderState.NUMBER_ORDER_STATE_COMPLETED, 1],
    ["the connection broke before the carrier acted", { kind: "reset" } as const, NumberOrderState.NUMBER_ORDER_STATE_FAILED, 0],
  ])("a purchase timing out after sending (%s) is resolved by reconciliation, never by buying again", async (_case, fault, finalState, bought) => {
    await open({ PROVIDER_TIMEOUT_PURCHASE: "300", NUMBERGATE_PURCHASE_WAIT: "0", NUMBERGATE_IN_DOUBT_GRACE: "400" });
    const phoneNumber = await availableNumber("twilio");
    harness.sandbox.twilio.faults.inject({ ...fault, method: "POST", pathIncludes: "IncomingPhoneNumbers", times: 1 });
    const first = await harness.client.purchaseNumber({ requestId: "doubt-1", phoneNumber, providerId: "twilio" });
    const orderId = first.order?.orderId ?? "";
    await vi.waitFor(async () => expect((await harness.client.getNumberOrder({ orderId })).order?.state).toBe(finalState), { timeout: 5000 });
    const operations = (await harness.app.store.audit.list(0, 100)).filter((entry) => entry.resourceId === orderId).map((entry) => entry.operation);
    expect(operations).toContain("order.in_doubt");
    expect(harness.sandbox.twilio.purchases).toHaveLength(bought);
    const postedPurchases = harness.sandbox.twilio.countRequests((request) => request.method === "POST");
    expect(postedPurchases).toBe(1);
    // A retry answers with the final outcome: the order, or for a failed one the error that names it.
    if (finalState === NumberOrderState.NUMBER_ORDER_STATE_COMPLETED) {
      const again = await harness.client.purchaseNumber({ requestId: "doubt-1", phoneNumber, providerId: "twilio" });
      expect(again.order?.state).toBe(finalState);
    } else {
      const again = await captureRpcError((options) => harness.client.purchaseNumber({ requestId: "doubt-1", phoneNumber, providerId: "twilio" }, options));
      expect(again.code).toBe(Status.UNAVAILABLE);
      expect(again.rich?.errorInfo).toMatchObject({ reason: "CARRIER_DID_NOT_ACT", metadata: { order_id: orderId, carrier: "twilio" } });
    }
  });

  it("batch purchase at Bandwidth: one carrier order, per-number outcome", async () => {
    await open();
    const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode: "303", providerIds: ["bandwidth"], limit: 3 });
    const [first, second, third] = numbers.map((number) => number.phoneNumber);
    // The third number is sold to someone else first.
    harness.sandbox.bandwidth.numbers.owned.add(third?.slice(2) ?? "");
    const result = await harness.client.batchPurchaseNumbers({
      requestId: "batch-1",
      providerId: "bandwidth",
      items: [first, second, third].map((phoneNumber) => ({ phoneNumber: phoneNumber ?? "", reservationId: "" })),
    });
    expect(harness.sandbox.bandwidth.numbers.orders.size).toBe(1);
    expect(result.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_PARTIAL);
    expect(result.order?.items.map((item) => [item.phoneNumber, item.state])).toEqual(
      [
        [first, NumberOrderItemState.NUMBER_ORDER_ITEM_STATE_PURCHASED],
        [second, NumberOrderItemState.NUMBER_ORDER_ITEM_STATE_PURCHASED],
        [third, NumberOrderItemState.NUMBER_ORDER_ITEM_STATE_FAILED],
      ].sort((left, right) => String(left[0]).localeCompare(String(right[0]))),
    );
    expect(result.ownedNumbers.map((number) => number.phoneNumber).sort()).toEqual([first, second].sort());
  });

  it("releases idempotently and frees the number at the carrier", async () => {
    await open();
    const phoneNumber = await availableNumber("twilio");
    await harness.client.purchaseNumber({ requestId: "buy-r", phoneNumber, providerId: "twilio" });
    const released = await harness.client.releaseNumber({ requestId: "rel-1", phoneNumber });
    expect(released).toMatchObject({ alreadyReleased: false, ownedNumber: { state: OwnedNumberState.OWNED_NUMBER_STATE_RELEASED } });
    expect(harness.sandbox.twilio.owned.has(phoneNumber)).toBe(false);
    // A retry of the same request gets the first answer; another request learns the number was released before.
    expect(await harness.client.releaseNumber({ requestId: "rel-1", phoneNumber })).toEqual(released);
    expect(await harness.client.releaseNumber({ requestId: "rel-2", phoneNumber })).toMatchObject({ alreadyReleased: true });
    expect(await harness.client.releaseNumber({ requestId: "rel-2", phoneNumber })).toMatchObject({ alreadyReleased: true });
    expect(harness.sandbox.twilio.countRequests((request) => request.method === "DELETE")).toBe(1);
    const missing = await captureRpcError((options) => harness.client.releaseNumber({ requestId: "rel-3", phoneNumber: "+12125550100" }, options));
    expect(missing.code).toBe(Status.NOT_FOUND);
  });

  it("lists owned numbers in pages, filtered by carrier and state", async () => {
    await open();
    for (const [index, areaCode] of ["202", "206", "303", "305", "310"].entries()) {
      await harness.client.purchaseNumber({ requestId: `list-${index}`, phoneNumber: await availableNumber("twilio", areaCode), providerId: "twilio" });
    }
    const firstPage = await harness.client.listNumbers({ pageSize: 2 });
    const secondPage = await harness.client.listNumbers({ pageSize: 2, pageToken: firstPage.nextPageToken });
    const lastPage = await harness.client.listNumbers({ pageSize: 2, pageToken: secondPage.nextPageToken });
    expect([firstPage, secondPage, lastPage].map((page) => page.numbers.length)).toEqual([2, 2, 1]);
    expect(lastPage.nextPageToken).toBe("");
    expect(new Set([...firstPage.numbers, ...secondPage.numbers, ...lastPage.numbers].map((number) => number.phoneNumber)).size).toBe(5);
    expect((await harness.client.listNumbers({ providerId: "bandwidth" })).numbers).toEqual([]);
    const badToken = await captureRpcError((options) => harness.client.listNumbers({ pageToken: "garbage" }, options));
    expect(badToken.code).toBe(Status.INVALID_ARGUMENT);
  });
});
