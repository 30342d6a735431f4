import { Agent, MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { BandwidthAdapter } from "../../src/carriers/bandwidth/bandwidth-adapter.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { phone } from "./carrier-test-kit.js";

/** Bandwidth's asynchronous orders and disconnects, and its Location headers, through the adapter. */

let sandbox: SandboxCarriers;
let dispatcher: Agent;
let bandwidth: BandwidthAdapter;

beforeEach(async () => {
  sandbox = await startSandboxCarriers();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  bandwidth = new BandwidthAdapter({ ...sandbox.bandwidth.credentials, apiBaseUrl: new URL(sandbox.bandwidth.baseUrl), dispatcher });
});
afterEach(async () => {
  await bandwidth.close();
  await sandbox.stop();
  await dispatcher.close();
});

const local: NumberSearchCriteria = { countryCode: "US", numberType: "local", features: [], limit: 5 };

async function forSale(areaCode: string, limit: number): Promise<string[]> {
  return (await bandwidth.doSearch({ ...local, areaCode, limit }, {})).numbers.map((offer) => offer.phoneNumber);
}

/** Buys numbers and polls the order to its end. */
async function buy(numbers: readonly string[], orderReference: string): Promise<void> {
  const placed = await bandwidth.doPurchase({ numbers: numbers.map(phone), orderReference, carrierReservationIds: [] }, {});
  sandbox.bandwidth.numbers.completeOpenOrders();
  await expect(bandwidth.doGetOrderStatus({ carrierOrderId: placed.carrierOrderId, orderReference, numbers: numbers.map(phone) }, {})).resolves.toMatchObject({ state: "completed" });
}

const requestsTo = (suffix: string, method = "GET") => sandbox.bandwidth.requests.filter((request) => request.method === method && request.path.endsWith(suffix));

describe("Bandwidth purchases", () => {
  it("orders with the account's site and peer, pending until Bandwidth completes the order", async () => {
    const [number = ""] = await forSale("212", 1);
    const placed = await bandwidth.doPurchase({ numbers: [phone(number)], orderReference: "ng-order-1", carrierReservationIds: [] }, {});
    expect(placed).toMatchObject({ state: "pending", purchased: [], failed: [] });
    const [post] = requestsTo("/orders", "POST");
    const { siteId, peerId } = sandbox.bandwidth.credentials;
    expect(post?.body).toContain(`<SiteId>${siteId}</SiteId>`);
    expect(post?.body).toContain(`<PeerId>${peerId}</PeerId>`);

    const lookup = { carrierOrderId: placed.carrierOrderId, orderReference: "ng-order-1", numbers: [phone(number)] };
    await expect(bandwidth.doGetOrderStatus(lookup, {})).resolves.toMatchObject({ state: "pending", purchased: [] });
    await expect(bandwidth.doGetOrderStatus(lookup, {})).resolves.toMatchObject({ state: "pending" });
    await expect(bandwidth.doGetOrderStatus(lookup, {})).resolves.toEqual({
      carrierOrderId: placed.carrierOrderId,
      state: "completed",
      purchased: [{ e164: number, carrierNumberId: number.slice(2) }],
      failed: [],
    });
  });

  it("finds an order by customerOrderId with the spec's required page and size", async () => {
    const [number = ""] = await forSale("312", 1);
    sandbox.bandwidth.faults.inject({ kind: "reset", method: "POST", pathIncludes: "/orders", afterHandling: true, times: 1 });
    await expect(bandwidth.doPurchase({ numbers: [phone(number)], orderReference: "ng-lost-1", carrierReservationIds: [] }, {})).rejects.toThrow();
    sandbox.bandwidth.numbers.pollsBeforeFinal = 0;

    const status = await bandwidth.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-lost-1", numbers: [phone(number)] }, {});
    expect(status).toMatchObject({ state: "completed", purchased: [{ e164: number }] });
    const [list] = requestsTo("/orders");
    expect(Object.fromEntries(list?.query ?? [])).toEqual({ customerOrderId: "ng-lost-1", page: "1", size: "10" });
  });

  it("follows <Links><next> when several orders carry the reference, and merges them", async () => {
    const [number = ""] = await forSale("404", 1);
    // The same TN ordered twelve times: the first order takes it, the others fail (5005).
    for (let attempt = 0; attempt < 12; attempt += 1) {
      await bandwidth.doPurchase({ numbers: [phone(number)], orderReference: "ng-repeated", carrierReservationIds: [] }, {});
    }
    sandbox.bandwidth.numbers.completeOpenOrders();
    const status = await bandwidth.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-repeated", numbers: [phone(number)] }, {});
    expect(status).toMatchObject({ state: "completed", purchased: [{ e164: number }], failed: [] });
    const pages = requestsTo("/orders").map((request) => request.query.get("page"));
    expect(pages).toHaveLength(2);
    expect(pages[0]).toBe("1");
    expect(pages[1]).toMatch(/^[0-9a-f-]{36}$/);
    const orderFetches = sandbox.bandwidth.requests.filter((request) => request.method === "GET" && /\/orders\/[^/]+$/.test(request.path));
    expect(orderFetches).toHaveLength(12);
  });

  it("reads a FAILED order's numbers as failed with Bandwidth's code", async () => {
    const [number = ""] = await forSale("305", 1);
    sandbox.bandwidth.unavailable.add(number);
    sandbox.bandwidth.numbers.pollsBeforeFinal = 0;
    const placed = await bandwidth.doPurchase({ numbers: [phone(number)], orderReference: "ng-order-2", carrierReservationIds: [] }, {});
    await expect(bandwidth.doGetOrderStatus({ carrierOrderId: placed.carrierOrderId, orderReference: "ng-order-2", numbers: [phone(number)] }, {})).resolves.toMatchObject({
      state: "failed",
      purchased: [],
      failed: [{ e164: number, carrierCode: "5005" }],
    });
  });
});

describe("Bandwidth releases", () => {
  it("is pending until the disconnect completes, followed with doGetReleaseStatus", async () => {
    const [number = ""] = await forSale("617", 1);
    await buy([number], "ng-order-3");
    const release = await bandwidth.doRelease({ number: phone(number), carrierNumberId: number.slice(2), orderReference: "rel-3" }, {});
    expect(release.state).toBe("pending");
    expect(release.carrierOrderId).toMatch(/^[0-9a-f-]{36}$/);

    const lookup = { number: phone(number), carrierNumberId: number.slice(2), carrierOrderId: release.carrierOrderId, orderReference: "rel-3" };
    await expect(bandwidth.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "pending" });
    await expect(bandwidth.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "pending" });
    expect(sandbox.bandwidth.numbers.owned.has(number.slice(2))).toBe(true);
    await expect(bandwidth.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "completed" });
    expect(sandbox.bandwidth.numbers.owned.has(number.slice(2))).toBe(false);
    expect(requestsTo(`/disconnects/${release.carrierOrderId}`)).toHaveLength(3);
  });

  it("resolves a lost disconnect answer through inserviceNumbers", async () => {
    const [number = ""] = await forSale("808", 1);
    await buy([number], "ng-order-4");
    sandbox.bandwidth.faults.inject({ kind: "reset", method: "POST", pathIncludes: "/disconnects", afterHandling: true, times: 1 });
    await expect(bandwidth.doRelease({ number: phone(number), carrierNumberId: number.slice(2), orderReference: "rel-4" }, {})).rejects.toThrow();

    const lookup = { number: phone(number), carrierNumberId: number.slice(2), carrierOrderId: undefined, orderReference: "rel-4" };
    await expect(bandwidth.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "still_owned" });
    sandbox.bandwidth.numbers.completeOpenOrders();
    await expect(bandwidth.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "completed" });
    expect(requestsTo(`/inserviceNumbers/${number.slice(2)}`)).toHaveLength(2);
  });

  it("reports a disconnect Bandwidth refused as failed, with its code", async () => {
    const [number = ""] = await forSale("919", 1);
    await buy([number], "ng-order-5");
    sandbox.bandwidth.numbers.disconnects.refusing.add(number.slice(2));
    sandbox.bandwidth.numbers.pollsBeforeFinal = 0;
    const release = await bandwidth.doRelease({ number: phone(number), carrierNumberId: number.slice(2), orderReference: "rel-5" }, {});
    const lookup = { number: phone(number), carrierNumberId: number.slice(2), carrierOrderId: release.carrierOrderId, orderReference: "rel-5" };
    await expect(bandwidth.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "failed", carrierCode: "5006", detail: "TelephoneNumber Disconnect Error" });
  });

  it("answers not_owned for a TN the account does not hold", async () => {
    const [number = ""] = await forSale("202", 1);
    await expect(bandwidth.doRelease({ number: phone(number), carrierNumberId: undefined, orderReference: "rel-6" }, {})).resolves.toEqual({ state: "not_owned", carrierOrderId: undefined });
  });
});

describe("Bandwidth Location headers", () => {
  const base = new URL("https://dashboard.bandwidth.test/api");
  const reservationPath = "/api/accounts/9900000/tnreservation";
  let mock: MockAgent;
  let scripted: BandwidthAdapter;

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
    scripted = new BandwidthAdapter({ username: "user", password: "secret", accountId: "9900000", siteId: "1", apiBaseUrl: base, dispatcher: mock });
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  function answerReservation(location: string | undefined): void {
    mock.get(base.origin).intercept({ path: reservationPath, method: "POST" }).reply(201, "", location === undefined ? {} : { headers: { location } });
  }

  const reserve = () => scripted.doReserve({ number: phone("+19195550123"), holdMs: 60_000 }, {});

  it("takes the id of an absolute Location naming this account's reservation", async () => {
    answerReservation(`${base.origin}/api/accounts/9900000/tnreservation/8da0f39c-043c-4806-9f0f-497b2d197bc5`);
    await expect(reserve()).resolves.toEqual({ carrierReservationId: "8da0f39c-043c-4806-9f0f-497b2d197bc5", expiresAt: undefined });
  });

  it.each([
    ["relative", "/api/accounts/9900000/tnreservation/8da0f39c"],
    ["on another host", "https://elsewhere.example/api/accounts/9900000/tnreservation/8da0f39c"],
    ["of another account", "https://dashboard.bandwidth.test/api/accounts/1234567/tnreservation/8da0f39c"],
    ["of another resource", "https://dashboard.bandwidth.test/api/accounts/9900000/orders/8da0f39c"],
    ["without an id", "https://dashboard.bandwidth.test/api/accounts/9900000/tnreservation/"],
    ["with an id that is not URL-safe", "https://dashboard.bandwidth.test/api/accounts/9900000/tnreservation/a%2F..%2Fb"],
  ])("refuses a Location %s as a carrier_server error", async (_case, location) => {
    answerReservation(location);
    await expect(reserve()).rejects.toMatchObject({ kind: "carrier_server", carrierId: "bandwidth", operation: "reserve" });
  });

  it("refuses a 201 without a Location", async () => {
    answerReservation(undefined);
    await expect(reserve()).rejects.toMatchObject({ kind: "carrier_server" });
  });

  it("takes a disconnect id from the body, or else from a valid Location, and stays pending without either", async () => {
    const disconnects = "/api/accounts/9900000/disconnects";
    const received = (id: string) => `<DisconnectTelephoneNumberOrderResponse><orderRequest>${id}</orderRequest><OrderStatus>RECEIVED</OrderStatus></DisconnectTelephoneNumberOrderResponse>`;
    const release = () => scripted.doRelease({ number: phone("+19195550123"), carrierNumberId: "9195550123", orderReference: "rel-1" }, {});
    mock.get(base.origin).intercept({ path: disconnects, method: "POST" }).reply(201, received("<id>from-body</id>"), { headers: { location: `${base.origin}${disconnects}/from-location` } });
    await expect(release()).resolves.toEqual({ state: "pending", carrierOrderId: "from-body" });
    mock.get(base.origin).intercept({ path: disconnects, method: "POST" }).reply(201, received(""), { headers: { location: `${base.origin}${disconnects}/from-location` } });
    await expect(release()).resolves.toEqual({ state: "pending", carrierOrderId: "from-location" });
    mock.get(base.origin).intercept({ path: disconnects, method: "POST" }).reply(201, received(""), { headers: { location: `${disconnects}/relative` } });
    await expect(release()).resolves.toEqual({ state: "pending", carrierOrderId: undefined });
  });
});
