import { Status } from "nice-grpc";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { CustomerInfo } from "../../generated/numbergate/v1/common.js";
import { NumberOrderState, type ListNumberOrdersRequest, type NumberOrder } from "../../generated/numbergate/v1/numbers.js";
import { asShown } from "../support/customer-info.js";
import { DATABASES } from "../support/databases.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

const CUSTOMER: CustomerInfo = { customerId: "cust-list-1", name: "Grace Lister", email: "grace.lister@example.test", company: "Listing Ltd", address: undefined };

/**
 * Five orders, oldest first: four completed (twilio, bandwidth, twilio, bandwidth) and a fifth at Twilio whose
 * connection broke after sending, so it stays in doubt (the in-doubt grace is far away).
 */
interface Fixture {
  readonly harness: Harness;
  readonly orders: readonly NumberOrder[];
}

async function buildFixture(databaseUrl: string | undefined): Promise<Fixture> {
  const harness = await startHarness({
    DATABASE_URL: databaseUrl,
    NUMBERGATE_SWEEP_INTERVAL: "50",
    NUMBERGATE_ORDER_CHECK_INTERVAL: "50",
    NUMBERGATE_IN_DOUBT_GRACE: "600000",
    NUMBERGATE_PURCHASE_WAIT: "0",
  });
  const settled = async (orderId: string, state: NumberOrderState): Promise<NumberOrder> => {
    await vi.waitFor(async () => expect((await harness.client.getNumberOrder({ orderId })).order?.state).toBe(state), { timeout: 15_000, interval: 50 });
    return (await harness.client.getNumberOrder({ orderId })).order as NumberOrder;
  };
  const buy = async (providerId: string, areaCode: string, requestId: string): Promise<NumberOrder> => {
    const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit: 1 });
    const phoneNumber = numbers[0]?.phoneNumber;
    if (!phoneNumber) throw new Error(`no number in ${areaCode} at ${providerId}`);
    const { order } = await harness.client.purchaseNumber({ requestId, phoneNumber, providerId, customerInfo: CUSTOMER });
    if (!order) throw new Error(`no order for ${requestId}`);
    return order;
  };
  const bought = [await buy("twilio", "212", "list-1"), await buy("bandwidth", "212", "list-2"), await buy("twilio", "415", "list-3"), await buy("bandwidth", "415", "list-4")];
  // As GetNumberOrder shows them once settled: the listing must show the same.
  const completed = await Promise.all(bought.map((order) => settled(order.orderId, NumberOrderState.NUMBER_ORDER_STATE_COMPLETED)));
  // Only now: the fault must hit the fifth purchase, not a detached call of an earlier one.
  harness.sandbox.twilio.faults.inject({ kind: "reset", method: "POST", pathIncludes: "IncomingPhoneNumbers", times: 1 });
  const doubtful = await buy("twilio", "303", "list-5");
  const orders = [...completed, await settled(doubtful.orderId, NumberOrderState.NUMBER_ORDER_STATE_IN_DOUBT)];
  return { harness, orders };
}

describe.each(DATABASES)("ListNumberOrders on $name", { timeout: 60_000 }, (database) => {
  let building: Promise<Fixture> | undefined;
  // Built by the first test that runs (never for skipped variants), shared by the rest: buying is the slow part.
  const fixture = (): Promise<Fixture> => (building ??= database.fresh().then(buildFixture));
  afterAll(async () => {
    if (building) await (await building).harness.close();
  });

  const ids = (orders: readonly NumberOrder[]): string[] => orders.map((order) => order.orderId);
  const newestFirst = (orders: readonly NumberOrder[]): string[] => ids([...orders].reverse());

  /** Every page of a listing, following next_page_token. */
  async function walk(harness: Harness, request: Partial<ListNumberOrdersRequest>): Promise<{ pages: string[][]; tokens: string[] }> {
    const pages: string[][] = [];
    const tokens: string[] = [];
    let pageToken = "";
    do {
      const page = await harness.client.listNumberOrders({ ...request, pageToken });
      pages.push(ids(page.numberOrders));
      tokens.push(page.nextPageToken);
      pageToken = page.nextPageToken;
    } while (pageToken !== "" && pages.length < 20);
    return { pages, tokens };
  }

  it("lists every order newest first, as GetNumberOrder shows it, with the customer's e-mail masked", async () => {
    const { harness, orders } = await fixture();
    const page = await harness.client.listNumberOrders({});
    expect(page.numberOrders).toEqual([...orders].reverse());
    expect(page.nextPageToken).toBe("");
    for (const order of page.numberOrders) {
      expect(order.customerInfo).toEqual(asShown(CUSTOMER));
      expect(order.customerInfo?.email).not.toContain("grace.lister");
      expect(order.items).toHaveLength(1);
    }
  });

  it("page_size 1 walks every order with tokens, and the last page has an empty token", async () => {
    const { harness, orders } = await fixture();
    const { pages, tokens } = await walk(harness, { pageSize: 1 });
    expect(pages).toEqual(newestFirst(orders).map((id) => [id]));
    expect(tokens.slice(0, -1).every((token) => token !== "")).toBe(true);
    expect(tokens.at(-1)).toBe("");
  });

  it("filters by provider, paging within the filter", async () => {
    const { harness, orders } = await fixture();
    const twilio = orders.filter((order) => order.providerId === "twilio");
    const { pages } = await walk(harness, { providerId: "twilio", pageSize: 2 });
    expect(pages).toEqual([newestFirst(twilio).slice(0, 2), newestFirst(twilio).slice(2)]);
    const bandwidth = await harness.client.listNumberOrders({ providerId: "bandwidth" });
    expect(ids(bandwidth.numberOrders)).toEqual(newestFirst(orders.filter((order) => order.providerId === "bandwidth")));
    expect((await harness.client.listNumberOrders({ providerId: "telnyx" })).numberOrders).toEqual([]);
  });

  it("filters by any of several states", async () => {
    const { harness, orders } = await fixture();
    const doubtful = orders[4];
    const inDoubt = await harness.client.listNumberOrders({ states: [NumberOrderState.NUMBER_ORDER_STATE_IN_DOUBT] });
    expect(ids(inDoubt.numberOrders)).toEqual([doubtful?.orderId]);
    expect(inDoubt.numberOrders[0]?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_IN_DOUBT);
    // The on-call question: what is unfinished?
    const unfinished = await harness.client.listNumberOrders({ states: [NumberOrderState.NUMBER_ORDER_STATE_PENDING, NumberOrderState.NUMBER_ORDER_STATE_IN_DOUBT] });
    expect(ids(unfinished.numberOrders)).toEqual([doubtful?.orderId]);
    const completedAtBandwidth = await harness.client.listNumberOrders({ providerId: "bandwidth", states: [NumberOrderState.NUMBER_ORDER_STATE_COMPLETED] });
    expect(ids(completedAtBandwidth.numberOrders)).toEqual(newestFirst(orders.filter((order) => order.providerId === "bandwidth")));
    expect((await harness.client.listNumberOrders({ states: [NumberOrderState.NUMBER_ORDER_STATE_FAILED] })).numberOrders).toEqual([]);
  });

  it("filters by a creation-time window: from create_time_after, up to but not including create_time_before", async () => {
    const { harness, orders } = await fixture();
    const [, second, third, fourth] = orders;
    const window = { createTimeAfter: second?.createTime, createTimeBefore: fourth?.createTime };
    expect(ids((await harness.client.listNumberOrders(window)).numberOrders)).toEqual([third?.orderId, second?.orderId]);
    const { pages } = await walk(harness, { ...window, pageSize: 1 });
    expect(pages).toEqual([[third?.orderId], [second?.orderId]]);
    const since = await harness.client.listNumberOrders({ createTimeAfter: fourth?.createTime });
    expect(ids(since.numberOrders)).toEqual(newestFirst(orders.slice(3)));
    const until = await harness.client.listNumberOrders({ createTimeBefore: second?.createTime });
    expect(ids(until.numberOrders)).toEqual([orders[0]?.orderId]);
  });

  it("refuses bad input with INVALID_ARGUMENT naming the field, and tokens from another list or other filters", async () => {
    const { harness, orders } = await fixture();
    const twilioToken = (await harness.client.listNumberOrders({ providerId: "twilio", pageSize: 1 })).nextPageToken;
    expect(twilioToken).not.toBe("");
    // The same token with its own filters is fine.
    expect((await harness.client.listNumberOrders({ providerId: "twilio", pageSize: 1, pageToken: twilioToken })).numberOrders).toHaveLength(1);
    const numbersToken = (await harness.client.listNumbers({ pageSize: 1 })).nextPageToken;
    expect(numbersToken).not.toBe("");
    const at = orders[2]?.createTime;
    const cases: [Partial<ListNumberOrdersRequest>, string, string][] = [
      [{ pageSize: -1 }, "page_size", "INVALID_FIELD"],
      [{ pageToken: "not-a-token" }, "page_token", "INVALID_FIELD"],
      [{ pageToken: numbersToken }, "page_token", "INVALID_FIELD"],
      [{ pageToken: twilioToken }, "page_token", "INVALID_FIELD"],
      [{ providerId: "bandwidth", pageToken: twilioToken }, "page_token", "INVALID_FIELD"],
      [{ providerId: "no-such-carrier" }, "provider_id", "UNKNOWN_PROVIDER"],
      [{ states: [NumberOrderState.NUMBER_ORDER_STATE_UNSPECIFIED] }, "states[0]", "INVALID_FIELD"],
      [{ createTimeAfter: at, createTimeBefore: at }, "create_time_after", "INVALID_FIELD"],
      [{ createTimeAfter: orders[3]?.createTime, createTimeBefore: orders[1]?.createTime }, "create_time_after", "INVALID_FIELD"],
    ];
    for (const [request, field, reason] of cases) {
      const error = await captureRpcError((options) => harness.client.listNumberOrders(request, options));
      expect(error.code, field).toBe(Status.INVALID_ARGUMENT);
      expect(error.details, field).toContain(field);
      expect(error.rich?.errorInfo?.reason, field).toBe(reason);
      expect(error.rich?.badRequest?.fieldViolations.map((violation) => violation.field), field).toEqual([field]);
    }
  });

  it("caps page_size at 500", async () => {
    const { harness, orders } = await fixture();
    const page = await harness.client.listNumberOrders({ pageSize: 10_000 });
    expect(ids(page.numberOrders)).toEqual(newestFirst(orders));
    expect(page.nextPageToken).toBe("");
  });
});
