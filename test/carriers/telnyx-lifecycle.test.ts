import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { TelnyxAdapter } from "../../src/carriers/telnyx/telnyx-adapter.js";
import { telnyxCarrier } from "../../src/carriers/telnyx/telnyx-carrier.js";
import type { TelnyxEmulator } from "../../src/carriers/telnyx/telnyx-emulator.js";
import { declarationProblems } from "../../src/domain/carrier-adapter.js";
import type { CarrierOrderStatus } from "../../src/domain/carrier-lifecycle.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { specViolations } from "../support/official-spec.js";
import { phone } from "./carrier-test-kit.js";

/** Telnyx through its adapter against its emulator on loopback: search, reserve, buy (asynchronously), release, list. */

let started: StartedEmulator<TelnyxEmulator>;
let emulator: TelnyxEmulator;
let dispatcher: Agent;
let telnyx: TelnyxAdapter;

beforeEach(async () => {
  started = await telnyxCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
  emulator = started.emulator;
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const adapter = started.connection.createAdapter({ dispatcher });
  if (!(adapter instanceof TelnyxAdapter)) throw new Error("the telnyx connection builds a TelnyxAdapter");
  telnyx = adapter;
});
afterEach(async () => {
  // Every request of every flow must be one the official spec accepts.
  expect(specViolations("telnyx", emulator.requests)).toEqual([]);
  await telnyx.close();
  await emulator.stop();
  await dispatcher.close();
});

const local: NumberSearchCriteria = { countryCode: "US", numberType: "local", features: [], limit: 5 };

async function forSale(areaCode: string, limit: number): Promise<string[]> {
  return (await telnyx.doSearch({ ...local, areaCode, limit }, {})).numbers.map((offer) => offer.phoneNumber);
}

/** Polls the order until Telnyx reports it final (the emulator completes orders over polls, no timers). */
async function pollUntilFinal(lookup: Parameters<TelnyxAdapter["doGetOrderStatus"]>[0]): Promise<CarrierOrderStatus | undefined> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const status = await telnyx.doGetOrderStatus(lookup, {});
    if (status?.state !== "pending") return status;
  }
  throw new Error("the order never became final");
}

describe("Telnyx descriptor", () => {
  it("declares reservations, purchases, releases and port-ins, and has the methods for each", () => {
    expect(declarationProblems(telnyx)).toEqual([]);
    expect(telnyx.descriptor).toMatchObject({ id: "telnyx", supportsReservations: true, supportsPorting: true, maxNumbersPerPurchase: 1000 });
  });
});

describe("Telnyx search", () => {
  it("finds numbers by area code, each priced by Telnyx in integer cents, with its place and capabilities", async () => {
    const { numbers, warnings } = await telnyx.doSearch({ ...local, areaCode: "212", limit: 3 }, {});
    expect(warnings).toEqual([]);
    expect(numbers).toHaveLength(3);
    for (const offer of numbers) {
      expect(offer).toMatchObject({ carrierId: "telnyx", numberType: "local", countryCode: "US", region: "NY", locality: "New York", rateCenter: "NWYRCYZN01" });
      expect(offer.phoneNumber).toMatch(/^\+1212\d{7}$/);
      expect(offer.monthlyPrice).toEqual({ currencyCode: "USD", amountCents: 100 });
      expect(offer.priceSource).toBe("carrier");
      expect(offer.capabilities).toContain("voice");
    }
    const search = emulator.requests.at(-1);
    expect(Object.fromEntries(search?.query ?? [])).toEqual({
      "filter[country_code]": "US",
      "filter[phone_number_type]": "local",
      "filter[national_destination_code]": "212",
      "filter[limit]": "3",
      "filter[best_effort]": "false",
    });
  });

  it("asks for exact matches only: no near match (best_effort) from another area code", async () => {
    const numbers = await forSale("808", 100);
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers.every((number) => number.startsWith("+1808"))).toBe(true);
  });

  it("translates patterns: starts_with loses the area code, ends_with and contains go as they are", async () => {
    const [sample = ""] = await forSale("415", 1);
    const national = sample.slice(2);
    const startsWith = await telnyx.doSearch({ ...local, areaCode: "415", pattern: { position: "starts_with", digits: national.slice(0, 6) } }, {});
    expect(startsWith.numbers.map((offer) => offer.phoneNumber)).toContain(sample);
    expect(emulator.requests.at(-1)?.query.get("filter[phone_number][starts_with]")).toBe(national.slice(3, 6));

    const endsWith = await telnyx.doSearch({ ...local, pattern: { position: "ends_with", digits: national.slice(-4) } }, {});
    expect(endsWith.numbers.map((offer) => offer.phoneNumber)).toContain(sample);
    expect(endsWith.numbers.every((offer) => offer.phoneNumber.endsWith(national.slice(-4)))).toBe(true);

    const contains = await telnyx.doSearch({ ...local, areaCode: "415", pattern: { position: "contains", digits: national.slice(4, 8) } }, {});
    expect(contains.numbers.map((offer) => offer.phoneNumber)).toContain(sample);
    expect(contains.warnings).toEqual(["telnyx matches a contains pattern only after the area code"]);
  });

  it("says which searches it cannot express", () => {
    expect(telnyx.supportsSearch({ ...local, areaCode: "212", pattern: { position: "starts_with", digits: "303555" } })).toEqual({ supported: false, reason: "pattern does not start with area_code" });
    expect(telnyx.supportsSearch({ ...local, areaCode: "212", pattern: { position: "ends_with", digits: "12345678" } })).toMatchObject({ supported: false });
    expect(telnyx.supportsSearch({ ...local, areaCode: "212", pattern: { position: "ends_with", digits: "1234567" } })).toEqual({ supported: true });
  });

  it("filters by features, comma-joined as the official SDK sends them", async () => {
    const { numbers } = await telnyx.doSearch({ ...local, areaCode: "312", features: ["sms", "mms", "fax"], limit: 50 }, {});
    expect(numbers.length).toBeGreaterThan(0);
    for (const offer of numbers) expect(offer.capabilities).toEqual(expect.arrayContaining(["sms", "mms", "fax"]));
    expect(emulator.requests.at(-1)?.query.get("filter[features]")).toBe("sms,mms,fax");
  });

  it("searches toll-free numbers, and locality with region", async () => {
    const tollFree = await telnyx.doSearch({ countryCode: "US", numberType: "toll_free", features: [], limit: 5, pattern: { position: "starts_with", digits: "888" } }, {});
    expect(tollFree.numbers).toHaveLength(5);
    expect(tollFree.numbers.every((offer) => offer.phoneNumber.startsWith("+1888") && offer.numberType === "toll_free")).toBe(true);
    expect(tollFree.numbers[0]?.monthlyPrice).toEqual({ currencyCode: "USD", amountCents: 200 });

    const inCity = await telnyx.doSearch({ ...local, city: "Chicago", region: "IL" }, {});
    expect(inCity.numbers.length).toBe(5);
    expect(inCity.numbers.every((offer) => offer.locality === "Chicago" && offer.region === "IL")).toBe(true);
  });

  it("searches a foreign country: London numbers, priced by Telnyx in USD", async () => {
    const { numbers } = await telnyx.doSearch({ countryCode: "GB", numberType: "local", features: [], limit: 20 }, {});
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers.every((offer) => offer.phoneNumber.startsWith("+44207946") && offer.countryCode === "GB" && offer.locality === "London")).toBe(true);
    expect(numbers[0]?.monthlyPrice).toEqual({ currencyCode: "USD", amountCents: 120 });
    // best_effort is a US/Canada filter: not sent elsewhere.
    expect(emulator.requests.at(-1)?.query.has("filter[best_effort]")).toBe(false);
    const byArea = await telnyx.doSearch({ countryCode: "GB", numberType: "local", features: [], limit: 20, areaCode: "20", pattern: { position: "starts_with", digits: "207946" } }, {});
    expect(byArea.numbers.map((offer) => offer.phoneNumber).sort()).toEqual(numbers.map((offer) => offer.phoneNumber).sort());
  });
});

describe("Telnyx availability", () => {
  it("offers a number for sale, and not one held elsewhere or already on the account", async () => {
    const [free = "", heldElsewhere = "", owned = ""] = await forSale("303", 3);
    await expect(telnyx.doCheckAvailability(phone(free), {})).resolves.toMatchObject({ phoneNumber: free, monthlyPrice: { currencyCode: "USD", amountCents: 100 } });
    emulator.unavailable.add(heldElsewhere);
    emulator.addOwned(owned);
    await expect(telnyx.doCheckAvailability(phone(heldElsewhere), {})).resolves.toBeUndefined();
    await expect(telnyx.doCheckAvailability(phone(owned), {})).resolves.toBeUndefined();
    await expect(telnyx.doCheckAvailability(phone("+12025550123"), {})).resolves.toBeUndefined();
    await expect(telnyx.doCheckAvailability(phone("+61291234567"), {})).resolves.toBeUndefined();
  });

  it("checks toll-free and foreign numbers in their own type and country", async () => {
    const [tollFree = ""] = (await telnyx.doSearch({ countryCode: "US", numberType: "toll_free", features: [], limit: 1 }, {})).numbers.map((offer) => offer.phoneNumber);
    await expect(telnyx.doCheckAvailability(phone(tollFree), {})).resolves.toMatchObject({ phoneNumber: tollFree, numberType: "toll_free" });
    const [paris = ""] = (await telnyx.doSearch({ countryCode: "FR", numberType: "local", features: [], limit: 1 }, {})).numbers.map((offer) => offer.phoneNumber);
    await expect(telnyx.doCheckAvailability(phone(paris), {})).resolves.toMatchObject({ phoneNumber: paris, countryCode: "FR", locality: "Paris", monthlyPrice: { currencyCode: "USD", amountCents: 175 } });
    expect(emulator.requests.at(-1)?.query.get("filter[phone_number_type]")).toBe("local");
  });
});

describe("Telnyx reservations", () => {
  it("reserves for 30 minutes, refuses a number already on hold (not_found), and buys the reserved number", async () => {
    const [number = ""] = await forSale("206", 1);
    const before = Date.now();
    const reservation = await telnyx.doReserve({ number: phone(number), holdMs: 900_000 }, {});
    expect(reservation.carrierReservationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reservation.expiresAt?.getTime()).toBeGreaterThanOrEqual(before + 30 * 60_000);
    await expect(telnyx.doReserve({ number: phone(number), holdMs: 900_000 }, {})).rejects.toMatchObject({ kind: "not_found", carrierId: "telnyx", carrierMessage: "Number is already on hold" });
    await expect(telnyx.doCancelReservation(reservation.carrierReservationId, {})).resolves.toBeUndefined();

    const placed = await telnyx.doPurchase({ numbers: [phone(number)], orderReference: "ng-reserved", carrierReservationIds: [reservation.carrierReservationId] }, {});
    expect(placed.state).toBe("pending");
    const status = await pollUntilFinal({ carrierOrderId: placed.carrierOrderId, orderReference: "ng-reserved", numbers: [phone(number)] });
    expect(status).toMatchObject({ state: "completed", purchased: [{ e164: number }] });
  });
});

describe("Telnyx purchase", () => {
  it("places an asynchronous order with the reference, polls it to completion, and records the inventory id", async () => {
    const [first = "", second = ""] = await forSale("512", 2);
    const placed = await telnyx.doPurchase({ numbers: [phone(first), phone(second)], orderReference: "ng-order-1", carrierReservationIds: [] }, {});
    expect(placed).toEqual({ carrierOrderId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, state: "pending", purchased: [], failed: [] });
    const order = JSON.parse(emulator.requests.find((request) => request.method === "POST")?.body ?? "{}") as unknown;
    expect(order).toEqual({ phone_numbers: [{ phone_number: first }, { phone_number: second }], customer_reference: "ng-order-1" });
    expect(emulator.purchases).toEqual([]);

    const lookup = { carrierOrderId: placed.carrierOrderId, orderReference: "ng-order-1", numbers: [phone(first), phone(second)] };
    await expect(telnyx.doGetOrderStatus(lookup, {})).resolves.toMatchObject({ state: "pending", purchased: [] });
    const status = await pollUntilFinal(lookup);
    expect(status?.state).toBe("completed");
    const owned = [...emulator.account.phoneNumbers.values()];
    expect(status?.purchased).toEqual(owned.map((record) => ({ e164: record.phoneNumber, carrierNumberId: record.id })));
    expect(emulator.purchases).toEqual([first, second]);
  });

  it("reports a number Telnyx could not sell as failed (not_found); the rest of the order completes: partial", async () => {
    const [bought = "", takenMeanwhile = ""] = await forSale("617", 2);
    emulator.unavailable.add(takenMeanwhile);
    const placed = await telnyx.doPurchase({ numbers: [phone(bought), phone(takenMeanwhile)], orderReference: "ng-order-2", carrierReservationIds: [] }, {});
    const status = await pollUntilFinal({ carrierOrderId: placed.carrierOrderId, orderReference: "ng-order-2", numbers: [phone(bought), phone(takenMeanwhile)] });
    expect(status).toMatchObject({ state: "partial", purchased: [{ e164: bought }], failed: [{ e164: takenMeanwhile, kind: "not_found", carrierCode: undefined }] });
    expect(emulator.purchases).toEqual([bought]);
  });

  it("finds an order by its reference alone, following every page of orders", async () => {
    const numbers = await forSale("919", 3);
    for (const number of numbers) await telnyx.doPurchase({ numbers: [phone(number)], orderReference: "ng-split-order", carrierReservationIds: [] }, {});
    emulator.completeOpenOrders();
    const status = await telnyx.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-split-order", numbers: numbers.map(phone) }, {});
    expect(status?.state).toBe("completed");
    expect(status?.purchased.map((entry) => entry.e164).sort()).toEqual([...numbers].sort());
    const lists = emulator.requests.filter((request) => request.method === "GET" && request.path === "/v2/number_orders");
    expect(lists.map((request) => request.query.get("filter[customer_reference]"))).toEqual(["ng-split-order"]);
  });

  it("resolves a purchase whose answer was lost by its reference, and never buys twice", async () => {
    const [number = ""] = await forSale("404", 1);
    emulator.faults.inject({ kind: "hang", afterHandling: true, method: "POST", times: 1 });
    const abort = new AbortController();
    const purchase = telnyx.doPurchase({ numbers: [phone(number)], orderReference: "ng-in-doubt", carrierReservationIds: [] }, { signal: abort.signal });
    // The order exists at Telnyx once the emulator has handled the POST, whose answer then never comes.
    await expect.poll(() => emulator.account.orders.size).toBe(1);
    abort.abort(new Error("numbergate gave up waiting"));
    await expect(purchase).rejects.toThrow("numbergate gave up waiting");

    const status = await pollUntilFinal({ carrierOrderId: undefined, orderReference: "ng-in-doubt", numbers: [phone(number)] });
    expect(status).toMatchObject({ state: "completed", purchased: [{ e164: number }] });
    expect(emulator.purchases).toEqual([number]);
    expect(emulator.requests.filter((request) => request.method === "POST")).toHaveLength(1);
  });

  it("has no trace of a purchase that never reached Telnyx, nor counts a number the account held under no order of ours", async () => {
    const [neverBought = "", heldBefore = ""] = await forSale("305", 2);
    emulator.addOwned(heldBefore);
    await expect(telnyx.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-lost", numbers: [phone(neverBought), phone(heldBefore)] }, {})).resolves.toBeUndefined();
    // Another order's reference does not make its numbers this order's.
    const placed = await telnyx.doPurchase({ numbers: [phone(neverBought)], orderReference: "ng-lost-2", carrierReservationIds: [] }, {});
    emulator.completeOpenOrders();
    await expect(telnyx.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-lost", numbers: [phone(neverBought)] }, {})).resolves.toBeUndefined();
    await expect(telnyx.doGetOrderStatus({ carrierOrderId: placed.carrierOrderId, orderReference: "ng-lost", numbers: [phone(neverBought)] }, {})).resolves.toBeUndefined();
  });
});

describe("Telnyx release", () => {
  async function buy(number: string, reference: string): Promise<string> {
    const placed = await telnyx.doPurchase({ numbers: [phone(number)], orderReference: reference, carrierReservationIds: [] }, {});
    const status = await pollUntilFinal({ carrierOrderId: placed.carrierOrderId, orderReference: reference, numbers: [phone(number)] });
    const id = status?.purchased[0]?.carrierNumberId;
    if (id === undefined) throw new Error(`${number} was not bought`);
    return id;
  }

  it("deletes synchronously by inventory id, finds the id by number when numbergate lacks it, and the number is for sale again", async () => {
    const [first = "", second = ""] = await forSale("202", 2);
    const firstId = await buy(first, "ng-rel-1");
    await buy(second, "ng-rel-2");
    await expect(telnyx.doRelease({ number: phone(first), carrierNumberId: firstId, orderReference: "rel-1" }, {})).resolves.toEqual({ state: "completed", carrierOrderId: undefined });
    await expect(telnyx.doRelease({ number: phone(second), carrierNumberId: undefined, orderReference: "rel-2" }, {})).resolves.toEqual({ state: "completed", carrierOrderId: undefined });
    expect(emulator.describeState().owned).toEqual([]);
    await expect(telnyx.doRelease({ number: phone(first), carrierNumberId: firstId, orderReference: "rel-1" }, {})).resolves.toMatchObject({ state: "not_owned" });
    await expect(telnyx.doRelease({ number: phone(second), carrierNumberId: undefined, orderReference: "rel-2" }, {})).resolves.toMatchObject({ state: "not_owned" });
    await expect(telnyx.doCheckAvailability(phone(first), {})).resolves.toMatchObject({ phoneNumber: first });
    // The number filter takes digits only: a "+" would make Telnyx return nothing.
    const lookups = emulator.requests.filter((request) => request.path === "/v2/phone_numbers" && request.query.has("filter[phone_number]"));
    expect(lookups.every((request) => /^\d+$/.test(request.query.get("filter[phone_number]") ?? ""))).toBe(true);
  });

  it("follows a release whose answer was lost: still_owned under the same id, completed once gone or held under another id", async () => {
    const [number = ""] = await forSale("310", 1);
    const id = await buy(number, "ng-rel-3");
    const lookup = { number: phone(number), carrierNumberId: id, carrierOrderId: undefined, orderReference: "rel-3" };
    await expect(telnyx.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "still_owned" });

    emulator.faults.inject({ kind: "reset", method: "DELETE", afterHandling: true, times: 1 });
    await expect(telnyx.doRelease({ number: phone(number), carrierNumberId: id, orderReference: "rel-3" }, {})).rejects.toMatchObject({ kind: "network", requestMayHaveReachedCarrier: true });
    await expect(telnyx.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "completed" });

    emulator.addOwned(number);
    await expect(telnyx.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "completed" });
    await expect(telnyx.doGetReleaseStatus({ ...lookup, carrierNumberId: undefined }, {})).resolves.toEqual({ state: "still_owned" });
  });
});

describe("Telnyx owned numbers", () => {
  it("lists the account's numbers page by page, oldest purchase first, with their inventory ids and types", async () => {
    const numbers = [...(await forSale("646", 4)), ...(await telnyx.doSearch({ countryCode: "US", numberType: "toll_free", features: [], limit: 1 }, {})).numbers.map((offer) => offer.phoneNumber)];
    const placed = await telnyx.doPurchase({ numbers: numbers.map(phone), orderReference: "ng-many", carrierReservationIds: [] }, {});
    await pollUntilFinal({ carrierOrderId: placed.carrierOrderId, orderReference: "ng-many", numbers: numbers.map(phone) });

    const pages: { numbers: readonly { e164: string; carrierNumberId: string; numberType: string | undefined }[]; nextPageToken: string | undefined }[] = [];
    let pageToken: string | undefined;
    do {
      const page = await telnyx.doListOwnedNumbers({ pageToken, pageSize: 2 }, {});
      pages.push(page);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(pages.map((page) => page.nextPageToken)).toEqual(["2", "3", undefined]);
    const listed = pages.flatMap((page) => page.numbers);
    expect(listed.map((entry) => entry.e164)).toEqual(numbers);
    expect(listed.map((entry) => entry.carrierNumberId)).toEqual([...emulator.account.phoneNumbers.keys()]);
    expect(listed.map((entry) => entry.numberType)).toEqual(["local", "local", "local", "local", "toll_free"]);
  });
});
