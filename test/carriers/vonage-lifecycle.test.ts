import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { VonageAdapter } from "../../src/carriers/vonage/vonage-adapter.js";
import { vonageCarrier } from "../../src/carriers/vonage/vonage-carrier.js";
import type { VonageEmulator } from "../../src/carriers/vonage/vonage-emulator.js";
import type { CarrierAdapter } from "../../src/domain/carrier-adapter.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { specViolations } from "../support/official-spec.js";
import { phone } from "./carrier-test-kit.js";

/** Vonage through its adapter against its emulator on loopback: search, availability, purchase, lookups, release, listing. */

let started: StartedEmulator<VonageEmulator>;
let emulator: VonageEmulator;
let dispatcher: Agent;
let vonage: VonageAdapter;

function asVonage(adapter: CarrierAdapter): VonageAdapter {
  if (!(adapter instanceof VonageAdapter)) throw new Error("the vonage connection built another adapter");
  return adapter;
}

beforeEach(async () => {
  started = await vonageCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
  emulator = started.emulator;
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  vonage = asVonage(started.connection.createAdapter({ dispatcher }));
});
afterEach(async () => {
  // Every request the adapter sent in the flow speaks the official spec.
  expect(specViolations("vonage", emulator.requests)).toEqual([]);
  await vonage.close();
  await emulator.stop();
  await dispatcher.close();
});

const local: NumberSearchCriteria = { countryCode: "US", numberType: "local", features: [], limit: 5 };

async function forSale(criteria: Partial<NumberSearchCriteria>): Promise<string[]> {
  return (await vonage.doSearch({ ...local, ...criteria }, {})).numbers.map((offer) => offer.phoneNumber);
}

const searches = () => emulator.requests.filter((request) => request.path === "/number/search");
const buys = () => emulator.requests.filter((request) => request.method === "POST" && request.path === "/number/buy");
const order = (numbers: readonly string[], orderReference = "ng-order-1") => ({ numbers: numbers.map(phone), orderReference, carrierReservationIds: [] });
const lookup = (numbers: readonly string[], orderReference = "ng-order-1") => ({ carrierOrderId: undefined, orderReference, numbers: numbers.map(phone) });

describe("Vonage search", () => {
  it("searches an area code as a starts-with pattern with the country code, priced by Vonage in EUR", async () => {
    const { numbers, warnings } = await vonage.doSearch({ ...local, areaCode: "212" }, {});
    expect(warnings).toEqual([]);
    expect(numbers).toHaveLength(5);
    for (const offer of numbers) {
      expect(offer).toMatchObject({ carrierId: "vonage", numberType: "local", countryCode: "US", monthlyPrice: { currencyCode: "EUR", amountCents: 90 }, priceSource: "carrier" });
      expect(offer.phoneNumber).toMatch(/^\+1212\d{7}$/);
      expect(offer.locality).toBeUndefined();
    }
    expect(Object.fromEntries(searches()[0]?.query ?? [])).toEqual({ country: "US", type: "landline", pattern: "1212", search_pattern: "0", size: "5", index: "1" });
  });

  it("translates starts-with, ends-with and contains patterns, matched against the national number", async () => {
    const [sample = ""] = await forSale({ areaCode: "415", limit: 1 });
    const national = sample.slice(2);
    const startsWith = await forSale({ pattern: { position: "starts_with", digits: national.slice(0, 6) } });
    const endsWith = await forSale({ pattern: { position: "ends_with", digits: national.slice(-4) } });
    const contains = await forSale({ pattern: { position: "contains", digits: national.slice(3, 7) } });
    for (const [found, test] of [
      [startsWith, (n: string) => n.startsWith(national.slice(0, 6))],
      [endsWith, (n: string) => n.endsWith(national.slice(-4))],
      [contains, (n: string) => n.includes(national.slice(3, 7))],
    ] as const) {
      expect(found).toContain(sample);
      expect(found.every((e164) => test(e164.slice(2)))).toBe(true);
    }
    expect(searches().slice(1).map((request) => [request.query.get("pattern"), request.query.get("search_pattern")])).toEqual([
      [`1${national.slice(0, 6)}`, "0"],
      [national.slice(-4), "2"],
      [national.slice(3, 7), "1"],
    ]);
  });

  it("asks for features in the spec's own order and returns only numbers that have them", async () => {
    const voiceMms = await vonage.doSearch({ ...local, areaCode: "303", features: ["mms", "voice"] }, {});
    const smsMms = await vonage.doSearch({ ...local, areaCode: "303", features: ["mms", "sms"] }, {});
    const all = await vonage.doSearch({ ...local, areaCode: "303", features: ["voice", "mms", "sms"] }, {});
    expect(searches().map((request) => request.query.get("features"))).toEqual(["VOICE,MMS", "SMS,MMS", "SMS,MMS,VOICE"]);
    expect(voiceMms.numbers.length).toBeGreaterThan(0);
    for (const offer of [...voiceMms.numbers, ...smsMms.numbers, ...all.numbers]) expect(offer.capabilities).toContain("mms");
    for (const offer of all.numbers) expect([...offer.capabilities].sort()).toEqual(["mms", "sms", "voice"]);
  });

  it("searches toll-free numbers as landline-toll-free, and a foreign country", async () => {
    const tollFree = await vonage.doSearch({ ...local, numberType: "toll_free", areaCode: "888" }, {});
    expect(tollFree.numbers.length).toBeGreaterThan(0);
    for (const offer of tollFree.numbers) expect(offer).toMatchObject({ numberType: "toll_free", phoneNumber: expect.stringMatching(/^\+1888/) as unknown, monthlyPrice: { currencyCode: "EUR", amountCents: 180 } });
    const london = await vonage.doSearch({ countryCode: "GB", numberType: "local", features: ["voice"], limit: 20 }, {});
    expect(london.numbers.length).toBeGreaterThan(0);
    for (const offer of london.numbers) expect(offer).toMatchObject({ countryCode: "GB", phoneNumber: expect.stringMatching(/^\+44207946/) as unknown, monthlyPrice: { currencyCode: "EUR", amountCents: 100 } });
    expect(searches().map((request) => request.query.get("type"))).toEqual(["landline-toll-free", "landline"]);
    expect(searches()[1]?.query.get("country")).toBe("GB");
  });

  it("declares searches Vonage cannot express unsupported, with a reason, and sends nothing for them", async () => {
    const unsupported = [
      { ...local, city: "New York", region: "NY" },
      { ...local, features: ["fax"] as const },
      { ...local, areaCode: "212", pattern: { position: "ends_with", digits: "1234" } as const },
      { ...local, areaCode: "212", pattern: { position: "starts_with", digits: "31255" } as const },
    ];
    for (const criteria of unsupported) {
      expect(vonage.supportsSearch(criteria)).toMatchObject({ supported: false, reason: expect.any(String) as unknown });
      expect((await vonage.doSearch(criteria, {})).numbers).toEqual([]);
    }
    expect(emulator.requests).toEqual([]);
    expect(vonage.supportsSearch({ ...local, areaCode: "212", pattern: { position: "starts_with", digits: "212555" } })).toEqual({ supported: true });
  });
});

describe("Vonage availability and probe", () => {
  it("offers a number for sale, and none once it is bought or unknown", async () => {
    const [number = ""] = await forSale({ areaCode: "206", limit: 1 });
    await expect(vonage.doCheckAvailability(phone(number), {})).resolves.toMatchObject({ phoneNumber: number, carrierId: "vonage", numberType: "local", monthlyPrice: { currencyCode: "EUR", amountCents: 90 } });
    await vonage.doPurchase(order([number]), {});
    await expect(vonage.doCheckAvailability(phone(number), {})).resolves.toBeUndefined();
    await expect(vonage.doCheckAvailability(phone("+12025550123"), {})).resolves.toBeUndefined();
  });

  it("probes with one authenticated read of the account's numbers", async () => {
    await expect(vonage.doProbeHealth({})).resolves.toBeUndefined();
    expect(emulator.requests.map((request) => `${request.method} ${request.path}?${request.query.toString()}`)).toEqual(["GET /account/numbers?size=1&index=1"]);
  });
});

describe("Vonage purchase", () => {
  it("buys one number with a form body, msisdn without '+', after checking the account does not hold it", async () => {
    const [number = ""] = await forSale({ areaCode: "312", limit: 1 });
    emulator.requests.length = 0;
    const status = await vonage.doPurchase(order([number]), {});
    expect(status).toEqual({ carrierOrderId: undefined, state: "completed", purchased: [{ e164: number, carrierNumberId: number.slice(1) }], failed: [] });
    expect(emulator.describeState()).toEqual({ purchases: [number], owned: [number] });
    expect(emulator.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["GET /account/numbers", "POST /number/buy"]);
    expect(emulator.requests[0]?.query.get("pattern")).toBe(number.slice(1));
    expect(buys()[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(buys()[0]?.body))).toEqual({ country: "US", msisdn: number.slice(1) });
    await expect(vonage.doGetOrderStatus(lookup([number]), {})).resolves.toMatchObject({ state: "completed", purchased: [{ e164: number }] });
  });

  it("refuses, without a buy, a number the account already holds", async () => {
    const [number = ""] = await forSale({ areaCode: "404", limit: 1 });
    emulator.addOwned(number);
    const status = await vonage.doPurchase(order([number]), {});
    expect(status).toMatchObject({ state: "failed", purchased: [], failed: [{ e164: number, kind: "not_found", detail: expect.stringContaining("already holds") as unknown }] });
    expect(buys()).toEqual([]);
    expect(emulator.purchases).toEqual([]);
  });

  it("maps Vonage's 420 for a number no longer for sale onto not_found", async () => {
    const [number = ""] = await forSale({ areaCode: "512", limit: 1 });
    emulator.unavailable.add(number);
    await expect(vonage.doPurchase(order([number]), {})).rejects.toMatchObject({ kind: "not_found", httpStatus: 420, carrierCode: "420", requestMayHaveReachedCarrier: true });
    expect(emulator.purchases).toEqual([]);
  });

  it("buys a number abroad with its own country", async () => {
    const [number = ""] = await forSale({ countryCode: "DE", limit: 1 });
    await vonage.doPurchase(order([number]), {});
    expect(Object.fromEntries(new URLSearchParams(buys()[0]?.body))).toEqual({ country: "DE", msisdn: number.slice(1) });
    expect(emulator.purchases).toEqual([number]);
  });
});

describe("Vonage purchase lookup", () => {
  it("finds an in-doubt purchase whose answer was lost, from this process and from a fresh one", async () => {
    const [number = ""] = await forSale({ areaCode: "617", limit: 1 });
    emulator.faults.inject({ kind: "hang", afterHandling: true, method: "POST", times: 1 });
    await expect(vonage.doPurchase(order([number], "ng-doubt"), { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(emulator.purchases).toEqual([number]);
    const found = { carrierOrderId: undefined, state: "completed", purchased: [{ e164: number, carrierNumberId: number.slice(1) }], failed: [] };
    await expect(vonage.doGetOrderStatus(lookup([number], "ng-doubt"), {})).resolves.toEqual(found);
    // Another replica, with no memory of the buy, reads the account the same way.
    const other = asVonage(started.connection.createAdapter({ dispatcher }));
    try {
      await expect(other.doGetOrderStatus(lookup([number], "ng-doubt"), {})).resolves.toEqual(found);
    } finally {
      await other.close();
    }
    expect(buys()).toHaveLength(1);
  });

  it("has no trace of a buy that never acted", async () => {
    const [number = ""] = await forSale({ areaCode: "808", limit: 1 });
    emulator.faults.inject({ kind: "hang", method: "POST", times: 1 });
    await expect(vonage.doPurchase(order([number], "ng-lost"), { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await expect(vonage.doGetOrderStatus(lookup([number], "ng-lost"), {})).resolves.toBeUndefined();
    expect(emulator.purchases).toEqual([]);
  });

  it("does not count a number the account got elsewhere when this order's buy was never sent", async () => {
    const [number = ""] = await forSale({ areaCode: "919", limit: 1 });
    emulator.faults.inject({ kind: "hang", method: "GET", pathIncludes: "/account/numbers", times: 1 });
    await expect(vonage.doPurchase(order([number], "ng-cut"), { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    emulator.addOwned(number);
    const status = await vonage.doGetOrderStatus(lookup([number], "ng-cut"), {});
    expect(status).toMatchObject({ state: "failed", purchased: [], failed: [{ e164: number, kind: "not_found", detail: expect.stringContaining("never sent a buy") as unknown }] });
    expect(buys()).toEqual([]);
  });

  it("reports each number of a lookup: bought ones purchased, the rest in neither list", async () => {
    const [bought = "", neverBought = ""] = await forSale({ areaCode: "646", limit: 2 });
    await vonage.doPurchase(order([bought], "ng-two"), {});
    const status = await vonage.doGetOrderStatus(lookup([bought, neverBought], "ng-two"), {});
    expect(status).toEqual({ carrierOrderId: undefined, state: "partial", purchased: [{ e164: bought, carrierNumberId: bought.slice(1) }], failed: [] });
  });
});

describe("Vonage release", () => {
  it("cancels synchronously; the number is for sale again; cancelling again is not owned", async () => {
    const [number = ""] = await forSale({ areaCode: "202", limit: 1 });
    await vonage.doPurchase(order([number]), {});
    const release = { number: phone(number), carrierNumberId: number.slice(1), orderReference: "ng-release-1" };
    await expect(vonage.doRelease(release, {})).resolves.toEqual({ state: "completed", carrierOrderId: undefined });
    expect(emulator.owned.size).toBe(0);
    await expect(vonage.doCheckAvailability(phone(number), {})).resolves.toMatchObject({ phoneNumber: number });
    // Vonage answers HTTP 200 with error-code 420 for a number the account does not hold; the account confirms it.
    await expect(vonage.doRelease(release, {})).resolves.toEqual({ state: "not_owned", carrierOrderId: undefined });
    const cancels = emulator.requests.filter((request) => request.path === "/number/cancel");
    expect(cancels.map((request) => Object.fromEntries(new URLSearchParams(request.body)))).toEqual([
      { country: "US", msisdn: number.slice(1) },
      { country: "US", msisdn: number.slice(1) },
    ]);
  });

  it("follows a release whose answer was lost: still owned until the cancel acted, then completed", async () => {
    const [number = ""] = await forSale({ areaCode: "305", limit: 1 });
    await vonage.doPurchase(order([number]), {});
    const releaseLookup = { number: phone(number), carrierNumberId: number.slice(1), carrierOrderId: undefined, orderReference: "ng-release-2" };
    await expect(vonage.doGetReleaseStatus(releaseLookup, {})).resolves.toEqual({ state: "still_owned" });
    emulator.faults.inject({ kind: "reset", method: "POST", pathIncludes: "/number/cancel", afterHandling: true, times: 1 });
    await expect(vonage.doRelease({ number: phone(number), carrierNumberId: number.slice(1), orderReference: "ng-release-2" }, {})).rejects.toMatchObject({ kind: "network", requestMayHaveReachedCarrier: true });
    await expect(vonage.doGetReleaseStatus(releaseLookup, {})).resolves.toEqual({ state: "completed" });
  });
});

describe("Vonage owned numbers", () => {
  it("lists the account's numbers page by page, with the page index as the token", async () => {
    const numbers = await forSale({ areaCode: "310", limit: 7 });
    for (const number of numbers) await vonage.doPurchase(order([number], `ng-list-${number}`), {});
    const seen: string[] = [];
    const tokens: (string | undefined)[] = [];
    let pageToken: string | undefined;
    do {
      const page = await vonage.doListOwnedNumbers({ pageToken, pageSize: 3 }, {});
      seen.push(...page.numbers.map((entry) => entry.e164));
      for (const entry of page.numbers) expect(entry).toEqual({ e164: entry.e164, carrierNumberId: entry.e164.slice(1), numberType: "local", capabilities: expect.arrayContaining(["voice"]) as unknown });
      tokens.push(page.nextPageToken);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(seen).toEqual(numbers);
    expect(tokens).toEqual(["2", "3", undefined]);
    const listings = emulator.requests.filter((request) => request.path === "/account/numbers" && !request.query.has("pattern"));
    expect(listings.map((request) => request.query.toString())).toEqual(["size=3&index=1", "size=3&index=2", "size=3&index=3"]);
  });

  it("refuses a page token that is not a page number, without calling Vonage", async () => {
    await expect(vonage.doListOwnedNumbers({ pageToken: "abc", pageSize: 10 }, {})).rejects.toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    expect(emulator.requests).toEqual([]);
  });
});
