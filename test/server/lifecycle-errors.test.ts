import { Status, type CallOptions } from "nice-grpc";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness({ NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50" });
});
afterEach(async () => {
  vi.useRealTimers();
  await harness.close();
});

async function forSale(providerId: string, areaCode: string, count = 1): Promise<string[]> {
  const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit: count });
  if (numbers.length < count) throw new Error(`fewer than ${count} ${providerId} numbers in ${areaCode}`);
  return numbers.map((number) => number.phoneNumber);
}

async function reserve(providerId: string, phoneNumber: string): Promise<string> {
  const { reservation } = await harness.client.reserveNumber({ phoneNumber, providerId });
  return reservation?.reservationId ?? "";
}

function fieldsOf(error: Awaited<ReturnType<typeof captureRpcError>>): string[] {
  return error.rich?.badRequest?.fieldViolations.map((violation) => violation.field) ?? [];
}

describe("ids that point nowhere, or at something unusable, name their field in google.rpc.BadRequest", () => {
  it("a well-formed reservation_id that names no reservation: INVALID_ARGUMENT, RESERVATION_INVALID", async () => {
    const [phoneNumber = ""] = await forSale("twilio", "212");
    const error = await captureRpcError((options) => harness.client.purchaseNumber({ requestId: "r-unknown", phoneNumber, providerId: "twilio", reservationId: "res_doesNotExist1" }, options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.errorInfo?.reason).toBe("RESERVATION_INVALID");
    expect(fieldsOf(error)).toEqual(["reservation_id"]);
    expect(harness.sandbox.twilio.countRequests((request) => request.method === "POST")).toBe(0);
  });

  it("in a batch, the item's own field: items[1].reservation_id", async () => {
    const [first = "", second = ""] = await forSale("twilio", "415", 2);
    const reservationId = await reserve("twilio", first);
    const error = await captureRpcError((options) =>
      harness.client.batchPurchaseNumbers(
        { requestId: "b-unknown", providerId: "twilio", items: [{ phoneNumber: first, reservationId }, { phoneNumber: second, reservationId: "res_doesNotExist2" }] },
        options,
      ),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.errorInfo?.reason).toBe("RESERVATION_INVALID");
    expect(fieldsOf(error)).toEqual(["items[1].reservation_id"]);
  });

  it.each([
    ["another number", "twilio", 1],
    ["another carrier", "bandwidth", 0],
  ] as const)("a reservation that holds %s: FAILED_PRECONDITION, RESERVATION_MISMATCH", async (_case, buyAt, numberIndex) => {
    const numbers = await forSale("twilio", "303", 2);
    const reservationId = await reserve("twilio", numbers[0] ?? "");
    const error = await captureRpcError((options) => harness.client.purchaseNumber({ requestId: "r-mismatch", phoneNumber: numbers[numberIndex] ?? "", providerId: buyAt, reservationId }, options));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.rich?.errorInfo?.reason).toBe("RESERVATION_MISMATCH");
    expect(fieldsOf(error)).toEqual(["reservation_id"]);
  });

  it("a cancelled reservation: FAILED_PRECONDITION, RESERVATION_NOT_ACTIVE", async () => {
    const [phoneNumber = ""] = await forSale("twilio", "206");
    const reservationId = await reserve("twilio", phoneNumber);
    await harness.client.cancelReservation({ reservationId });
    const error = await captureRpcError((options) => harness.client.purchaseNumber({ requestId: "r-cancelled", phoneNumber, providerId: "twilio", reservationId }, options));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.rich?.errorInfo?.reason).toBe("RESERVATION_NOT_ACTIVE");
    expect(fieldsOf(error)).toEqual(["reservation_id"]);
    expect(error.rich?.badRequest?.fieldViolations[0]?.description).toMatch(/cancelled/);
  });

  it("an expired reservation (before the sweeper ends it): RESERVATION_NOT_ACTIVE", async () => {
    const [phoneNumber = ""] = await forSale("twilio", "305");
    const { reservation } = await harness.client.reserveNumber({ phoneNumber, providerId: "twilio", reservationDuration: { seconds: 60, nanos: 0 } });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    const error = await captureRpcError((options) =>
      harness.client.purchaseNumber({ requestId: "r-expired", phoneNumber, providerId: "twilio", reservationId: reservation?.reservationId ?? "" }, options),
    );
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.rich?.errorInfo?.reason).toBe("RESERVATION_NOT_ACTIVE");
    expect(error.rich?.badRequest?.fieldViolations[0]?.description).toMatch(/expired/);
  });

  it("a reservation another purchase used: RESERVATION_NOT_ACTIVE; the purchase that used it still replays", async () => {
    const [phoneNumber = ""] = await forSale("twilio", "310");
    const reservationId = await reserve("twilio", phoneNumber);
    const bought = await harness.client.purchaseNumber({ requestId: "r-first", phoneNumber, providerId: "twilio", reservationId });
    expect(bought.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);
    const error = await captureRpcError((options) => harness.client.purchaseNumber({ requestId: "r-second", phoneNumber, providerId: "twilio", reservationId }, options));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.rich?.errorInfo?.reason).toBe("RESERVATION_NOT_ACTIVE");
    expect(error.rich?.badRequest?.fieldViolations[0]?.description).toMatch(/consumed/);
    expect(await harness.client.purchaseNumber({ requestId: "r-first", phoneNumber, providerId: "twilio", reservationId })).toEqual(bought);
  });

  it.each([
    ["GetReservation", "reservation_id", (options: CallOptions) => harness.client.getReservation({ reservationId: "res_doesNotExist3" }, options)],
    ["CancelReservation", "reservation_id", (options: CallOptions) => harness.client.cancelReservation({ reservationId: "res_doesNotExist4" }, options)],
    ["GetNumberOrder", "order_id", (options: CallOptions) => harness.client.getNumberOrder({ orderId: "ord_doesNotExist5" }, options)],
    ["ReleaseNumber", "phone_number", (options: CallOptions) => harness.client.releaseNumber({ requestId: "rel-nothing", phoneNumber: "+12125550100" }, options)],
  ])("%s of something that does not exist: NOT_FOUND, RESOURCE_NOT_FOUND, naming %s", async (_rpc, field, call) => {
    const error = await captureRpcError(call);
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.rich?.errorInfo?.reason).toBe("RESOURCE_NOT_FOUND");
    expect(fieldsOf(error)).toEqual([field]);
  });
});

describe("a purchase the carrier definitively refused is an error naming its order, and a retry replays it", () => {
  async function refusedTwice(request: { requestId: string; phoneNumber: string; providerId: string }) {
    const first = await captureRpcError((options) => harness.client.purchaseNumber(request, options));
    const again = await captureRpcError((options) => harness.client.purchaseNumber(request, options));
    expect(again).toEqual(first);
    const orderId = first.rich?.errorInfo?.metadata["order_id"] ?? "";
    expect((await harness.client.getNumberOrder({ orderId })).order).toMatchObject({ state: NumberOrderState.NUMBER_ORDER_STATE_FAILED, requestId: request.requestId });
    return first;
  }

  it("the number is not for sale (Twilio 21422): NOT_FOUND, CARRIER_NOT_FOUND", async () => {
    const error = await refusedTwice({ requestId: "p-not-sold", phoneNumber: "+12125550100", providerId: "twilio" });
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.rich?.errorInfo).toMatchObject({ reason: "CARRIER_NOT_FOUND", metadata: { carrier: "twilio" } });
    expect(error.details).toMatch(/nothing was bought/);
  });

  it("the carrier refuses numbergate's credentials: INTERNAL, CARRIER_AUTH_FAILED", async () => {
    const [phoneNumber = ""] = await forSale("twilio", "212");
    harness.sandbox.twilio.faults.inject({ kind: "status", status: 401, method: "POST", pathIncludes: "IncomingPhoneNumbers" });
    const error = await refusedTwice({ requestId: "p-auth", phoneNumber, providerId: "twilio" });
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.rich?.errorInfo?.reason).toBe("CARRIER_AUTH_FAILED");
  });

  it("numbergate did not call the carrier (drained): UNAVAILABLE, CARRIER_UNAVAILABLE, no RetryInfo on a replayed failure", async () => {
    const [phoneNumber = ""] = await forSale("twilio", "415");
    await harness.client.setProviderEnabled({ providerId: "twilio", enabled: false, reason: "maintenance" });
    const error = await refusedTwice({ requestId: "p-drained", phoneNumber, providerId: "twilio" });
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.rich?.errorInfo?.reason).toBe("CARRIER_UNAVAILABLE");
    expect(error.rich?.retryInfo).toBeUndefined();
  });

  it("the request never left (connection refused): UNAVAILABLE, CARRIER_NETWORK_ERROR", async () => {
    const [phoneNumber = ""] = await forSale("twilio", "303");
    await harness.sandbox.twilio.refuseConnections();
    try {
      const error = await refusedTwice({ requestId: "p-refused", phoneNumber, providerId: "twilio" });
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.rich?.errorInfo?.reason).toBe("CARRIER_NETWORK_ERROR");
    } finally {
      await harness.sandbox.twilio.acceptConnections();
    }
  });

  it("Bandwidth's order for a number it no longer sells ends FAILED (5005): NOT_FOUND, CARRIER_NOT_FOUND, as at Twilio", async () => {
    const [phoneNumber = ""] = await forSale("bandwidth", "303");
    harness.sandbox.bandwidth.numbers.owned.add(phoneNumber.slice(2));
    const error = await refusedTwice({ requestId: "p-bw-failed", phoneNumber, providerId: "bandwidth" });
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.rich?.errorInfo?.reason).toBe("CARRIER_NOT_FOUND");
  });

  it("a batch in which every number failed is an error; one in which some were bought answers OK, PARTIAL", async () => {
    const [first = "", second = ""] = await forSale("twilio", "206", 2);
    const failed = await captureRpcError((options) =>
      harness.client.batchPurchaseNumbers({ requestId: "b-all-failed", providerId: "twilio", items: [{ phoneNumber: "+12125550100" }, { phoneNumber: "+12125550101" }].map((item) => ({ ...item, reservationId: "" })) }, options),
    );
    expect(failed.code).toBe(Status.NOT_FOUND);
    expect(failed.rich?.errorInfo?.metadata["order_id"]).toMatch(/^ord_/);
    const partial = await harness.client.batchPurchaseNumbers({ requestId: "b-partial", providerId: "twilio", items: [first, second, "+12125550102"].map((phoneNumber) => ({ phoneNumber, reservationId: "" })) });
    expect(partial.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_PARTIAL);
  });
});
