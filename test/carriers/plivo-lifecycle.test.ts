import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlivoAdapter } from "../../src/carriers/plivo/plivo-adapter.js";
import { plivoCarrier } from "../../src/carriers/plivo/plivo-carrier.js";
import type { PlivoEmulator } from "../../src/carriers/plivo/plivo-emulator.js";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { featureMethods } from "../../src/domain/carrier-adapter.js";
import { CarrierError } from "../../src/domain/carrier-error.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import type { ParsedPhoneNumber } from "../../src/domain/phone-number.js";
import { specViolations } from "../support/official-spec.js";
import { phone } from "./carrier-test-kit.js";

/** Plivo purchases (immediate, pending, in doubt), lookups, releases and the owned-number list, through the adapter. */

let started: StartedEmulator<PlivoEmulator>;
let emulator: PlivoEmulator;
let dispatcher: Agent;
let plivo: PlivoAdapter;

beforeEach(async () => {
  started = await plivoCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
  emulator = started.emulator;
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const adapter = started.connection.createAdapter({ dispatcher });
  if (!(adapter instanceof PlivoAdapter)) throw new Error("the plivo connection builds a PlivoAdapter");
  // Declared in the descriptor and backed by the methods: numbergate offers both at Plivo.
  expect(featureMethods(adapter, "purchases") && featureMethods(adapter, "releases")).toBe(adapter);
  plivo = adapter;
});
afterEach(async () => {
  expect(specViolations("plivo", emulator.requests)).toEqual([]);
  await plivo.close();
  await emulator.stop();
  await dispatcher.close();
});

async function forSale(criteria: Partial<NumberSearchCriteria>, limit = 1): Promise<ParsedPhoneNumber[]> {
  const { numbers } = await plivo.doSearch({ countryCode: "US", numberType: "local", features: [], ...criteria, limit }, {});
  expect(numbers).toHaveLength(limit);
  return numbers.map((offer) => phone(offer.phoneNumber));
}

const buy = (number: ParsedPhoneNumber, orderReference: string, signal?: AbortSignal) => plivo.doPurchase({ numbers: [number], orderReference, carrierReservationIds: [] }, { signal });
const lookUp = (numbers: readonly ParsedPhoneNumber[], orderReference = "ng-lookup", carrierOrderId?: string) => plivo.doGetOrderStatus({ carrierOrderId, orderReference, numbers }, {});
const posts = () => emulator.requests.filter((request) => request.method === "POST");

describe("Plivo purchases", () => {
  it("checks the account, then buys with a JSON body: Success is completed, the number's digits its id", async () => {
    const [number = phone("+12125550100")] = await forSale({ areaCode: "212" });
    emulator.requests.length = 0;
    const status = await buy(number, "ng-order-1");
    expect(status).toEqual({ carrierOrderId: expect.any(String) as unknown, state: "completed", purchased: [{ e164: number.e164, carrierNumberId: number.e164.slice(1) }], failed: [] });
    const digits = number.e164.slice(1);
    const authId = emulator.credentials.authId;
    expect(emulator.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET /v1/Account/${authId}/Number/${digits}/`, `POST /v1/Account/${authId}/PhoneNumber/${digits}/`]);
    expect(posts()[0]?.headers["content-type"]).toBe("application/json");
    expect(posts()[0]?.body).toBe("{}");
    expect(emulator.describeState()).toEqual({ purchases: [number.e164], owned: [number.e164], pending: [] });
    await expect(plivo.doCheckAvailability(number, {})).resolves.toBeUndefined();
    await expect(lookUp([number])).resolves.toEqual({ carrierOrderId: undefined, state: "completed", purchased: [{ e164: number.e164, carrierNumberId: digits }], failed: [] });
  });

  it("follows a buy Plivo answers pending (documents awaited) with GET Number/{number}/ until Plivo activates it", async () => {
    const [number = phone("+4930123456")] = await forSale({ countryCode: "DE" });
    const placed = await buy(number, "ng-order-de");
    expect(placed).toMatchObject({ state: "pending", purchased: [], failed: [] });
    expect(emulator.describeState().pending).toEqual([number.e164]);
    // Two polls find it inactive (DEFAULT_POLLS_BEFORE_ACTIVE), the third active.
    await expect(lookUp([number], "ng-order-de", placed.carrierOrderId)).resolves.toMatchObject({ state: "pending", purchased: [] });
    await expect(lookUp([number], "ng-order-de", placed.carrierOrderId)).resolves.toMatchObject({ state: "pending", purchased: [] });
    await expect(lookUp([number], "ng-order-de", placed.carrierOrderId)).resolves.toEqual({
      carrierOrderId: placed.carrierOrderId,
      state: "completed",
      purchased: [{ e164: number.e164, carrierNumberId: number.e164.slice(1) }],
      failed: [],
    });
    expect(emulator.describeState()).toEqual({ purchases: [number.e164], owned: [number.e164], pending: [] });
  });

  it("refuses, without buying, a number the account already rents: it is never this order's purchase", async () => {
    const [number = phone("+13035550100")] = await forSale({ areaCode: "303" });
    emulator.addOwned(number.e164, { addedOn: "2019-05-01" });
    const status = await buy(number, "ng-order-2");
    expect(status).toMatchObject({ state: "failed", purchased: [], failed: [{ e164: number.e164, kind: "not_found", detail: expect.stringContaining("already rents") as unknown }] });
    expect(posts()).toEqual([]);
    expect(emulator.describeState().purchases).toEqual([]);
  });

  it("refuses a number Plivo does not sell, or no longer sells, as not_found", async () => {
    const unknown = await buy(phone("+12125550123"), "ng-order-3").catch((error: unknown) => error);
    expect(unknown).toMatchObject({ kind: "not_found", httpStatus: 404, operation: "purchase", requestMayHaveReachedCarrier: true });
    const [taken = phone("+14045550100")] = await forSale({ areaCode: "404" });
    emulator.unavailable.add(taken.e164);
    await expect(buy(taken, "ng-order-4")).rejects.toMatchObject({ kind: "not_found" });
    expect(emulator.describeState().purchases).toEqual([]);
  });

  it("reports a failed check before buying as never sent, so the purchase may be tried again", async () => {
    const [number = phone("+15125550100")] = await forSale({ areaCode: "512" });
    emulator.faults.inject({ kind: "status", status: 503, method: "GET", pathIncludes: "/Number/", times: 1 });
    const error = await buy(number, "ng-order-5").catch((caught: unknown) => caught);
    expect(CarrierError.is(error) && error).toMatchObject({ kind: "carrier_server", operation: "purchase", requestMayHaveReachedCarrier: false });
    expect(posts()).toEqual([]);
    await expect(buy(number, "ng-order-5")).resolves.toMatchObject({ state: "completed" });
  });
});

describe("Plivo purchases whose answer was lost", () => {
  async function lostPurchase(number: ParsedPhoneNumber, afterHandling: boolean): Promise<void> {
    emulator.faults.inject({ kind: "hang", afterHandling, method: "POST", times: 1 });
    const attempt = new AbortController();
    const purchase = buy(number, "ng-lost", attempt.signal);
    // The buy itself reached the emulator (and, with afterHandling, was acted on) before its answer is given up.
    await expect.poll(() => posts().length).toBe(1);
    attempt.abort();
    await expect(purchase).rejects.toBeDefined();
  }

  it("finds the number this order's POST bought on the account", async () => {
    const [number = phone("+18085550100")] = await forSale({ areaCode: "808" });
    await lostPurchase(number, true);
    await expect(lookUp([number], "ng-lost")).resolves.toMatchObject({ state: "completed", purchased: [{ e164: number.e164 }], failed: [] });
    expect(emulator.describeState().purchases).toEqual([number.e164]);
  });

  it("has no trace of a purchase that never happened", async () => {
    const [number = phone("+19195550100")] = await forSale({ areaCode: "919" });
    await lostPurchase(number, false);
    await expect(lookUp([number], "ng-lost")).resolves.toBeUndefined();
    expect(emulator.describeState().purchases).toEqual([]);
  });

  it("reports the bought number and leaves the untraced one to the grace in a lookup of several", async () => {
    const [bought = phone("+12025550100"), never = phone("+12025550101")] = await forSale({ areaCode: "202" }, 2);
    await buy(bought, "ng-batch");
    await expect(lookUp([bought, never], "ng-batch")).resolves.toEqual({ carrierOrderId: undefined, state: "partial", purchased: [{ e164: bought.e164, carrierNumberId: bought.e164.slice(1) }], failed: [] });
  });
});

describe("Plivo releases", () => {
  it("unrents synchronously (204: completed), and the number is for sale again; a second release is not_owned", async () => {
    const [number = phone("+13105550100")] = await forSale({ areaCode: "310" });
    await buy(number, "ng-order-6");
    const release = { number, carrierNumberId: number.e164.slice(1), orderReference: "ng-rel-1" };
    await expect(plivo.doRelease(release, {})).resolves.toEqual({ state: "completed", carrierOrderId: undefined });
    expect(emulator.requests.at(-1)).toMatchObject({ method: "DELETE", path: `/v1/Account/${emulator.credentials.authId}/Number/${number.e164.slice(1)}/` });
    await expect(plivo.doCheckAvailability(number, {})).resolves.toMatchObject({ phoneNumber: number.e164 });
    await expect(plivo.doRelease(release, {})).resolves.toEqual({ state: "not_owned", carrierOrderId: undefined });
  });

  it("follows a release whose answer was lost: still_owned while on the account, completed once gone", async () => {
    const [number = phone("+13125550100")] = await forSale({ areaCode: "312" });
    await buy(number, "ng-order-7");
    const lookup = { number, carrierNumberId: number.e164.slice(1), carrierOrderId: undefined, orderReference: "ng-rel-2" };
    await expect(plivo.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "still_owned" });
    emulator.faults.inject({ kind: "reset", method: "DELETE", afterHandling: true, times: 1 });
    await expect(plivo.doRelease({ number, carrierNumberId: lookup.carrierNumberId, orderReference: "ng-rel-2" }, {})).rejects.toMatchObject({ kind: "network" });
    await expect(plivo.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "completed" });
  });

  it("maps a refused release to the taxonomy", async () => {
    const [number = phone("+16175550100")] = await forSale({ areaCode: "617" });
    await buy(number, "ng-order-8");
    emulator.faults.inject({ kind: "status", status: 500, method: "DELETE", times: 1 });
    await expect(plivo.doRelease({ number, carrierNumberId: undefined, orderReference: "ng-rel-3" }, {})).rejects.toMatchObject({ kind: "carrier_server", operation: "release" });
  });
});

describe("Plivo owned numbers", () => {
  it("lists the account's numbers page by page, the offset as page token taken from meta.next", async () => {
    const bought = await forSale({ areaCode: "646" }, 3);
    for (const number of bought) await buy(number, "ng-list");
    const [other = phone("+12065550100")] = await forSale({ areaCode: "206" });
    emulator.addOwned(other.e164);
    const toll = emulator.stock.find((number) => number.kind === "tollfree");
    if (toll) emulator.addOwned(toll.e164);
    emulator.requests.length = 0;

    const first = await plivo.doListOwnedNumbers({ pageSize: 2 }, {});
    expect(first?.numbers.map((entry) => entry.e164)).toEqual(bought.slice(0, 2).map((number) => number.e164));
    const stocked = emulator.stock.find((number) => number.e164 === bought[0]?.e164);
    expect(first?.numbers[0]).toEqual({ e164: bought[0]?.e164, carrierNumberId: bought[0]?.e164.slice(1), numberType: "local", capabilities: stocked?.capabilities });
    expect(first?.nextPageToken).toBe("2");
    const second = await plivo.doListOwnedNumbers({ pageSize: 2, pageToken: first?.nextPageToken }, {});
    expect(second?.numbers.map((entry) => entry.e164)).toEqual([bought[2]?.e164, other.e164]);
    const third = await plivo.doListOwnedNumbers({ pageSize: 2, pageToken: second?.nextPageToken }, {});
    expect(third).toEqual({ numbers: [{ e164: toll?.e164, carrierNumberId: toll?.digits, numberType: "toll_free", capabilities: toll?.capabilities }], nextPageToken: undefined });
    expect(emulator.requests.map((request) => request.query.toString())).toEqual(["limit=2&offset=0", "limit=2&offset=2", "limit=2&offset=4"]);
    // Plivo's limit is at most 20, whatever numbergate asks for.
    await plivo.doListOwnedNumbers({ pageSize: 500 }, {});
    expect(emulator.requests.at(-1)?.query.get("limit")).toBe("20");
    await expect(plivo.doListOwnedNumbers({ pageSize: 2, pageToken: "x" }, {})).rejects.toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
  });
});
