import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { asArray, childObject, childText } from "../../src/carriers/kit/xml.js";
import { basic, sendRaw, xmlOf, type RawAnswer } from "./carrier-test-kit.js";

/**
 * The Bandwidth emulator is never more lenient than the official spec: these requests are what a careless
 * adapter would send, and each is refused or answered the way Bandwidth documents.
 */

let sandbox: SandboxCarriers;
let dispatcher: Agent;
let accountUrl: string;
let authorization: string;

beforeEach(async () => {
  sandbox = await startSandboxCarriers();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const { username, password, accountId } = sandbox.bandwidth.credentials;
  accountUrl = `${sandbox.bandwidth.baseUrl}/accounts/${accountId}`;
  authorization = basic(username, password);
});
afterEach(async () => {
  await sandbox.stop();
  await dispatcher.close();
});

const XML = "application/xml; charset=utf-8";

function get(path: string): Promise<RawAnswer> {
  return sendRaw(dispatcher, `${accountUrl}${path}`, { headers: { authorization } });
}

function post(path: string, body: string, contentType = XML): Promise<RawAnswer> {
  return sendRaw(dispatcher, `${accountUrl}${path}`, { method: "POST", headers: { authorization, "content-type": contentType }, body });
}

/** TNs the emulator has for sale in an area code. */
async function forSale(areaCode: string, quantity: number): Promise<string[]> {
  const answer = await get(`/availableNumbers?areaCode=${areaCode}&quantity=${quantity}`);
  return asArray(childObject(xmlOf(answer, "SearchResult"), "TelephoneNumberList")?.["TelephoneNumber"]).filter((tn): tn is string => typeof tn === "string");
}

function orderBody(tns: readonly string[], options: { siteId?: string | null; peerId?: string; reference?: string } = {}): string {
  const { siteId, peerId } = sandbox.bandwidth.credentials;
  const site = options.siteId === null ? "" : `<SiteId>${options.siteId ?? siteId}</SiteId>`;
  const peer = `<PeerId>${options.peerId ?? peerId}</PeerId>`;
  const list = tns.map((tn) => `<TelephoneNumber>${tn}</TelephoneNumber>`).join("");
  return `<Order><CustomerOrderId>${options.reference ?? "ng-test"}</CustomerOrderId>${site}${peer}<ExistingTelephoneNumberOrderType><TelephoneNumberList>${list}</TelephoneNumberList></ExistingTelephoneNumberOrderType></Order>`;
}

async function placeOrder(tns: readonly string[], reference?: string): Promise<string> {
  const answer = await post("/orders", orderBody(tns, { reference }));
  expect(answer.status).toBe(201);
  const root = xmlOf(answer, "OrderResponse");
  expect(childText(root, "OrderStatus")).toBe("RECEIVED");
  return childText(childObject(root, "Order"), "id") ?? "";
}

async function orderStatus(orderId: string): Promise<Record<string, unknown>> {
  const answer = await get(`/orders/${orderId}`);
  expect(answer.status).toBe(200);
  return xmlOf(answer, "OrderResponse");
}

function errorCode(answer: RawAnswer, root: string): string | undefined {
  return childText(childObject(childObject(xmlOf(answer, root), "ErrorList"), "Error"), "Code");
}

describe("Bandwidth emulator: orders", () => {
  it("completes an order only after polls; its TNs are owned then, and recorded as purchases once", async () => {
    const [tn = ""] = await forSale("212", 1);
    const orderId = await placeOrder([tn]);
    expect(sandbox.bandwidth.numbers.owned.has(tn)).toBe(false);
    expect(childText(await orderStatus(orderId), "OrderStatus")).toBe("PROCESSING");
    expect(childText(await orderStatus(orderId), "OrderStatus")).toBe("PROCESSING");
    expect(sandbox.bandwidth.describeState().purchases).toEqual([]);
    const final = await orderStatus(orderId);
    expect(childText(final, "OrderStatus")).toBe("COMPLETE");
    expect(childText(childObject(childObject(final, "CompletedNumbers"), "TelephoneNumber"), "FullNumber")).toBe(tn);
    expect(sandbox.bandwidth.numbers.owned.has(tn)).toBe(true);
    await orderStatus(orderId);
    expect(sandbox.bandwidth.describeState().purchases).toEqual([tn]);
  });

  it("refuses a second order for a TN whose first order is still in process", async () => {
    const [tn = ""] = await forSale("312", 1);
    const first = await placeOrder([tn]);
    const second = await placeOrder([tn]);
    sandbox.bandwidth.numbers.completeOpenOrders();
    expect(childText(await orderStatus(first), "OrderStatus")).toBe("COMPLETE");
    const refused = await orderStatus(second);
    expect(childText(refused, "OrderStatus")).toBe("FAILED");
    expect(childText(childObject(childObject(refused, "ErrorList"), "Error"), "Code")).toBe("5005");
    expect(sandbox.bandwidth.describeState().purchases).toEqual([tn]);
  });

  it("with pollsBeforeFinal 0 an order is final on its first GET", async () => {
    sandbox.bandwidth.numbers.pollsBeforeFinal = 0;
    const [tn = ""] = await forSale("404", 1);
    expect(childText(await orderStatus(await placeOrder([tn])), "OrderStatus")).toBe("COMPLETE");
  });

  it("refuses orders naming another site (5016), no site (5022) or another SIP peer (5023)", async () => {
    const [tn = ""] = await forSale("206", 1);
    expect(errorCode(await post("/orders", orderBody([tn], { siteId: "999999" })), "OrderResponse")).toBe("5016");
    expect(errorCode(await post("/orders", orderBody([tn], { siteId: null })), "OrderResponse")).toBe("5022");
    expect(errorCode(await post("/orders", orderBody([tn], { peerId: "123" })), "OrderResponse")).toBe("5023");
    expect(sandbox.bandwidth.numbers.orders.size).toBe(0);
  });

  it("refuses writes that are not declared XML with 415", async () => {
    const [tn = ""] = await forSale("303", 1);
    expect((await post("/orders", orderBody([tn]), "application/json")).status).toBe(415);
    expect((await post("/tnreservation", `<Reservation><ReservedTn>${tn}</ReservedTn></Reservation>`, "text/plain")).status).toBe(415);
    expect((await post("/disconnects", "<DisconnectTelephoneNumberOrder/>", "application/x-www-form-urlencoded")).status).toBe(415);
    expect(sandbox.bandwidth.numbers.orders.size).toBe(0);
  });

  it("acts on an order before losing its answer (afterHandling): the TNs are committed to it", async () => {
    const [tn = ""] = await forSale("305", 1);
    sandbox.bandwidth.faults.inject({ kind: "reset", method: "POST", pathIncludes: "/orders", afterHandling: true, times: 1 });
    await expect(post("/orders", orderBody([tn]))).rejects.toThrow();
    expect(sandbox.bandwidth.numbers.orders.size).toBe(1);
    expect(sandbox.bandwidth.numbers.isForSale(tn)).toBe(false);
  });
});

describe("Bandwidth emulator: order list", () => {
  it("requires page and size (400 with a Bandwidth error body)", async () => {
    const missingBoth = await get("/orders?customerOrderId=ng-test");
    expect(missingBoth.status).toBe(400);
    expect(errorCode(missingBoth, "ResponseSelectWrapper")).toBe("4018");
    expect((await get("/orders?customerOrderId=ng-test&page=1")).status).toBe(400);
    expect((await get("/orders?customerOrderId=ng-test&size=10")).status).toBe(400);
    expect((await get("/orders?customerOrderId=ng-test&page=1&size=10")).status).toBe(200);
  });

  it("pages by the id of each page's first order, filtered by customerOrderId", async () => {
    const tns = await forSale("617", 4);
    const ids = [await placeOrder([tns[0] ?? ""], "ng-paged"), await placeOrder([tns[1] ?? ""], "ng-other"), await placeOrder([tns[2] ?? ""], "ng-paged"), await placeOrder([tns[3] ?? ""], "ng-paged")];
    const first = childObject(xmlOf(await get("/orders?customerOrderId=ng-paged&page=1&size=2"), "ResponseSelectWrapper"), "ListOrderIdUserIdDate");
    expect(childText(first, "TotalCount")).toBe("3");
    expect(asArray(first?.["OrderIdUserIdDate"]).map((entry) => childText(entry, "orderId"))).toEqual([ids[0], ids[2]]);
    const next = childText(childObject(first, "Links"), "next") ?? "";
    expect(next).toMatch(new RegExp(`^Link=<${accountUrl}/orders\\?page=${ids[3]}&size=2&customerOrderId=ng-paged>;rel="next";$`));
    const second = childObject(xmlOf(await get(`/orders?customerOrderId=ng-paged&page=${ids[3]}&size=2`), "ResponseSelectWrapper"), "ListOrderIdUserIdDate");
    expect(asArray(second?.["OrderIdUserIdDate"]).map((entry) => childText(entry, "orderId"))).toEqual([ids[3]]);
    expect(childText(childObject(second, "Links"), "next")).toBeUndefined();
  });
});

describe("Bandwidth emulator: reservations, disconnects and in-service numbers", () => {
  it("names reservations and disconnects with absolute Location URLs", async () => {
    const [reserved = "", bought = ""] = await forSale("512", 2);
    const reservation = await post("/tnreservation", `<Reservation><ReservedTn>${reserved}</ReservedTn></Reservation>`);
    expect(reservation.status).toBe(201);
    expect(reservation.headers["location"]).toMatch(new RegExp(`^${accountUrl}/tnreservation/[0-9a-f-]{36}$`));

    sandbox.bandwidth.numbers.pollsBeforeFinal = 0;
    await orderStatus(await placeOrder([bought]));
    const disconnect = await post("/disconnects", `<DisconnectTelephoneNumberOrder><CustomerOrderId>rel-1</CustomerOrderId><DisconnectTelephoneNumberOrderType><TelephoneNumberList><TelephoneNumber>${bought}</TelephoneNumber></TelephoneNumberList></DisconnectTelephoneNumberOrderType></DisconnectTelephoneNumberOrder>`);
    expect(disconnect.status).toBe(201);
    const id = childText(childObject(xmlOf(disconnect, "DisconnectTelephoneNumberOrderResponse"), "orderRequest"), "id");
    expect(disconnect.headers["location"]).toBe(`${accountUrl}/disconnects/${id}`);
  });

  it("keeps a TN in service until its disconnect completes after polls", async () => {
    const [tn = ""] = await forSale("415", 1);
    sandbox.bandwidth.numbers.pollsBeforeFinal = 0;
    await orderStatus(await placeOrder([tn]));
    sandbox.bandwidth.numbers.pollsBeforeFinal = 1;
    const body = `<DisconnectTelephoneNumberOrder><DisconnectTelephoneNumberOrderType><TelephoneNumberList><TelephoneNumber>${tn}</TelephoneNumber></TelephoneNumberList></DisconnectTelephoneNumberOrderType></DisconnectTelephoneNumberOrder>`;
    const created = xmlOf(await post("/disconnects", body), "DisconnectTelephoneNumberOrderResponse");
    expect(childText(created, "OrderStatus")).toBe("RECEIVED");
    const id = childText(childObject(created, "orderRequest"), "id") ?? "";
    expect((await get(`/inserviceNumbers/${tn}`)).status).toBe(200);
    expect(childText(xmlOf(await get(`/disconnects/${id}`), "DisconnectTelephoneNumberOrderResponse"), "OrderStatus")).toBe("PROCESSING");
    expect((await get(`/inserviceNumbers/${tn}`)).status).toBe(200);
    const done = xmlOf(await get(`/disconnects/${id}`), "DisconnectTelephoneNumberOrderResponse");
    expect(childText(done, "OrderStatus")).toBe("COMPLETE");
    expect(childText(childObject(done, "DisconnectedTelephoneNumberList"), "TelephoneNumber")).toBe(tn);
    const gone = await get(`/inserviceNumbers/${tn}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toBe("");
  });
});

describe("Bandwidth emulator: availableNumbers combinations", () => {
  it("refuses LCA with combinational parameters on an NPA-NXX search, and adds the calling area without LCA=false", async () => {
    const [tn = ""] = await forSale("212", 1);
    const prefix = tn.slice(0, 6);
    const refused = await get(`/availableNumbers?npaNxx=${prefix}&state=NY&LCA=false&quantity=50`);
    expect(refused.status).toBe(400);
    expect(childText(childObject(xmlOf(refused, "SearchResult"), "Error"), "Code")).toBe("4010");

    const withCallingArea = await get(`/availableNumbers?npaNxx=${prefix}&state=NY&quantity=100`);
    const listed = asArray(childObject(xmlOf(withCallingArea, "SearchResult"), "TelephoneNumberList")?.["TelephoneNumber"]);
    expect(listed).toContain(tn);
    expect(listed.some((number) => typeof number === "string" && !number.startsWith(prefix))).toBe(true);

    const exact = await get(`/availableNumbers?npaNxx=${prefix}&LCA=false&quantity=100`);
    const exactList = asArray(childObject(xmlOf(exact, "SearchResult"), "TelephoneNumberList")?.["TelephoneNumber"]);
    expect(exactList.length).toBeGreaterThan(0);
    expect(exactList.every((number) => typeof number === "string" && number.startsWith(prefix))).toBe(true);
  });

  it("finds toll-free numbers by tollFreeVanity (their last 7 digits) and refuses a detail flag there", async () => {
    const wildcard = asArray(childObject(xmlOf(await get("/availableNumbers?tollFreeWildCardPattern=8**&quantity=1"), "SearchResult"), "TelephoneNumberList")?.["TelephoneNumber"]);
    const tollFree = String(wildcard[0]);
    const vanity = await get(`/availableNumbers?tollFreeVanity=${tollFree.slice(-7)}&quantity=10`);
    expect(asArray(childObject(xmlOf(vanity, "SearchResult"), "TelephoneNumberList")?.["TelephoneNumber"])).toContain(tollFree);
    expect((await get(`/availableNumbers?tollFreeVanity=${tollFree.slice(-7)}&enableTNDetail=true`)).status).toBe(400);
    expect((await get("/availableNumbers?tollFreeVanity=123")).status).toBe(400);
  });
});
