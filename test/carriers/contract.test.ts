import { Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CarrierEmulator } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { featureMethods, type CarrierAdapter } from "../../src/domain/carrier-adapter.js";
import { CarrierError } from "../../src/domain/carrier-error.js";
import type { CarrierOrderStatus } from "../../src/domain/carrier-lifecycle.js";
import type { AvailableNumberOffer, NumberSearchCriteria } from "../../src/domain/numbers.js";
import { parsePhoneNumber, type ParsedPhoneNumber } from "../../src/domain/phone-number.js";
import { specViolations, type SpecCarrier } from "../support/official-spec.js";
import { sendsRetryHint } from "../support/retry-hint.js";
import { carrierError } from "./carrier-test-kit.js";

/**
 * One contract, every registered carrier: each adapter against its own emulator, the same questions asked the
 * same way, and every request it sent checked against the carrier's official spec. A carrier that does not
 * offer an operation says so in its descriptor; the suite reads the declaration, never a missing method.
 */
const NEW_YORK: NumberSearchCriteria = { countryCode: "US", numberType: "local", areaCode: "212", features: [], limit: 5 };
const POLLS = 10;

function phone(e164: string): ParsedPhoneNumber {
  const parsed = parsePhoneNumber(e164);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.number;
}

describe.each(CARRIERS.map((carrier) => [carrier.id, carrier] as const))("%s honours the adapter contract", (id, carrier) => {
  let started: StartedEmulator<CarrierEmulator>;
  let dispatcher: Agent;
  let adapter: CarrierAdapter;
  let references = 0;
  const reference = () => `ng-contract-${id}-${(references += 1)}`;

  beforeAll(async () => {
    started = await carrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
    dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    adapter = started.connection.createAdapter({ dispatcher });
  });
  afterAll(async () => {
    await adapter.close();
    await started.emulator.stop();
    await dispatcher.destroy();
  });
  afterEach(() => {
    started.emulator.faults.clear();
    // Every request of every test is one the carrier's official spec accepts.
    expect(specViolations(id as SpecCarrier, started.emulator.requests)).toEqual([]);
    started.emulator.requests.length = 0;
  });

  async function forSale(count: number, criteria: NumberSearchCriteria = NEW_YORK): Promise<AvailableNumberOffer[]> {
    const { numbers } = await adapter.doSearch({ ...criteria, limit: count }, {});
    expect(numbers.length).toBeGreaterThanOrEqual(count);
    return numbers.slice(0, count);
  }

  /** The order's status once the carrier has finished it (asynchronous carriers complete over polls). */
  async function settled(first: CarrierOrderStatus, orderReference: string, numbers: readonly ParsedPhoneNumber[]): Promise<CarrierOrderStatus | undefined> {
    let status: CarrierOrderStatus | undefined = first;
    for (let poll = 0; status?.state === "pending" && poll < POLLS; poll += 1) {
      status = await featureMethods(adapter, "purchases")?.doGetOrderStatus({ carrierOrderId: status.carrierOrderId, orderReference, numbers }, {});
    }
    return status;
  }

  it("declares itself: its id, and every feature it declares backed by its methods", () => {
    expect(adapter.descriptor.id).toBe(id);
    expect(featureMethods(adapter, "purchases")).toBeDefined();
    expect(featureMethods(adapter, "releases")).toBeDefined();
    expect(featureMethods(adapter, "reservations") !== undefined).toBe(adapter.descriptor.supportsReservations);
    expect(adapter.descriptor.countries).toContain("US");
  });

  it("searches by area code, by pattern, by feature and by number type", async () => {
    const byArea = await forSale(3);
    for (const offer of byArea) expect(offer).toMatchObject({ carrierId: id, countryCode: "US", numberType: "local", phoneNumber: expect.stringMatching(/^\+1212\d{7}$/) });
    const last4 = byArea[0]?.phoneNumber.slice(-4) ?? "";
    const patterned = { ...NEW_YORK, pattern: { position: "ends_with", digits: last4 } } as const;
    if (adapter.supportsSearch(patterned).supported) {
      const { numbers } = await adapter.doSearch(patterned, {});
      expect(numbers.map((offer) => offer.phoneNumber)).toContain(byArea[0]?.phoneNumber);
      for (const offer of numbers) expect(offer.phoneNumber.endsWith(last4)).toBe(true);
    }
    const withSms = { ...NEW_YORK, features: ["sms"] } as const;
    if (adapter.descriptor.capabilities.includes("sms") && adapter.supportsSearch(withSms).supported) {
      for (const offer of (await adapter.doSearch(withSms, {})).numbers) expect(offer.capabilities).toContain("sms");
    }
    const tollFree = { countryCode: "US", numberType: "toll_free", features: [], limit: 3 } as const;
    if (adapter.descriptor.numberTypes.includes("toll_free") && adapter.supportsSearch(tollFree).supported) {
      const { numbers } = await adapter.doSearch(tollFree, {});
      expect(numbers.length).toBeGreaterThan(0);
      for (const offer of numbers) expect(phone(offer.phoneNumber).numberType).toBe("toll_free");
    }
  });

  it("prices its offers where it says it does", async () => {
    const [offer] = await forSale(1);
    if (carrier.priceSource === "carrier") expect(offer?.monthlyPrice).toMatchObject({ amountCents: expect.any(Number), currencyCode: expect.stringMatching(/^[A-Z]{3}$/) });
    else expect(offer?.monthlyPrice).toBeUndefined();
  });

  it("checks one number's availability", async () => {
    const [offer] = await forSale(1);
    expect(await adapter.doCheckAvailability(phone(offer?.phoneNumber ?? ""), {})).toMatchObject({ phoneNumber: offer?.phoneNumber, carrierId: id });
    // Not a number the carrier stocks.
    expect(await adapter.doCheckAvailability(phone("+12125550123"), {})).toBeUndefined();
  });

  it("reserves and cancels where it declares reservations", async () => {
    const reservations = featureMethods(adapter, "reservations");
    if (!reservations) return;
    const [offer] = await forSale(1);
    const reservation = await reservations.doReserve({ number: phone(offer?.phoneNumber ?? ""), holdMs: 60_000 }, {});
    expect(reservation.carrierReservationId).not.toBe("");
    await reservations.doCancelReservation(reservation.carrierReservationId, {});
  });

  it("buys a number, finds the order by numbergate's reference, and releases it", async () => {
    const purchases = featureMethods(adapter, "purchases");
    const releases = featureMethods(adapter, "releases");
    if (!purchases || !releases) throw new Error("purchases and releases are declared by every carrier");
    const [offer] = await forSale(1);
    const number = phone(offer?.phoneNumber ?? "");
    const orderReference = reference();
    const status = await settled(await purchases.doPurchase({ numbers: [number], orderReference, carrierReservationIds: [] }, {}), orderReference, [number]);
    expect(status?.purchased.map((entry) => entry.e164)).toEqual([number.e164]);
    const found = await purchases.doGetOrderStatus({ carrierOrderId: undefined, orderReference, numbers: [number] }, {});
    expect(found?.purchased.map((entry) => entry.e164)).toEqual([number.e164]);
    // Bought: no longer for sale.
    expect(await adapter.doCheckAvailability(number, {})).toBeUndefined();

    const carrierNumberId = status?.purchased[0]?.carrierNumberId;
    const released = await releases.doRelease({ number, carrierNumberId, orderReference: reference() }, {});
    expect(["completed", "pending"]).toContain(released.state);
    let releaseState = released.state === "completed" ? "completed" : "pending";
    for (let poll = 0; releaseState === "pending" && poll < POLLS; poll += 1) {
      releaseState = (await releases.doGetReleaseStatus({ number, carrierNumberId, carrierOrderId: released.carrierOrderId, orderReference: "" }, {})).state;
    }
    expect(releaseState).toBe("completed");
  });

  it("finds a purchase whose answer was lost, and reports no trace of one that never happened", async () => {
    const purchases = featureMethods(adapter, "purchases");
    if (!purchases) throw new Error("purchases are declared by every carrier");
    const [bought, never] = (await forSale(2)).map((offer) => phone(offer.phoneNumber));
    if (!bought || !never) throw new Error("two numbers expected");
    const orderReference = reference();
    started.emulator.faults.inject({ kind: "hang", afterHandling: true, method: "POST", times: 1 });
    const attempt = new AbortController();
    const lost = purchases.doPurchase({ numbers: [bought], orderReference, carrierReservationIds: [] }, { signal: attempt.signal });
    // The purchase's POST is at the carrier (some adapters read first, to check the account does not hold it).
    await expect.poll(() => started.emulator.countRequests((request) => request.method === "POST")).toBe(1);
    attempt.abort();
    await expect(lost).rejects.toBeDefined();
    let found = await purchases.doGetOrderStatus({ carrierOrderId: undefined, orderReference, numbers: [bought] }, {});
    for (let poll = 0; found?.state === "pending" && poll < POLLS; poll += 1) {
      found = await purchases.doGetOrderStatus({ carrierOrderId: found.carrierOrderId, orderReference, numbers: [bought] }, {});
    }
    expect(found?.purchased.map((entry) => entry.e164)).toEqual([bought.e164]);

    const nothing = await purchases.doGetOrderStatus({ carrierOrderId: undefined, orderReference: reference(), numbers: [never] }, {});
    expect(nothing?.purchased ?? []).toEqual([]);
  });

  it("lists the numbers it owns, page by page", async () => {
    // Every carrier declares purchases and inventory (declaredFeatures), so both are there.
    const purchases = featureMethods(adapter, "purchases");
    const inventory = featureMethods(adapter, "inventory");
    if (!purchases || !inventory) throw new Error(`${carrier.id} offers no purchases or no inventory listing`);
    const numbers = (await forSale(3, { ...NEW_YORK, areaCode: "415" })).map((offer) => phone(offer.phoneNumber));
    for (const number of numbers) {
      const orderReference = reference();
      await settled(await purchases.doPurchase({ numbers: [number], orderReference, carrierReservationIds: [] }, {}), orderReference, [number]);
    }
    const listed: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      const answer = await inventory.doListOwnedNumbers(pageToken === undefined ? { pageSize: 2 } : { pageToken, pageSize: 2 }, {});
      expect(answer.numbers.length).toBeLessThanOrEqual(2);
      listed.push(...answer.numbers.map((entry) => entry.e164));
      pageToken = answer.nextPageToken;
      if (!pageToken) break;
    }
    expect(listed).toEqual(expect.arrayContaining(numbers.map((number) => number.e164)));
  });

  it("maps the carrier's failures onto the one taxonomy, and says whether a request may have reached it", async () => {
    const search = () => adapter.doSearch(NEW_YORK, {});
    started.emulator.faults.inject({ kind: "status", status: 401, times: 1 });
    expect(await carrierError(search)).toMatchObject({ kind: "auth", carrierId: id, requestMayHaveReachedCarrier: true });
    // What the carrier's own 429 says about when to retry, read raw; the adapter must pass on exactly that.
    const retryHint = await sendsRetryHint(started.emulator, dispatcher);
    started.emulator.faults.inject({ kind: "rate_limit", retryAfterSeconds: 2, times: 1 });
    const limited = await carrierError(search);
    expect(limited.kind).toBe("rate_limited");
    if (!retryHint) expect(limited.retryAfterMs).toBeUndefined();
    // Bandwidth's reset is an epoch second, rounded up: up to a second more than asked.
    else expect(limited.retryAfterMs).toSatisfy((ms: number) => ms >= 1000 && ms <= 3000);
    started.emulator.faults.inject({ kind: "status", status: 503, times: 1 });
    expect(await carrierError(search)).toMatchObject({ kind: "carrier_server" });
    started.emulator.faults.inject({ kind: "malformed", times: 1 });
    expect(await carrierError(search)).toMatchObject({ kind: "carrier_server", carrierCode: "MALFORMED_RESPONSE" });
    started.emulator.faults.inject({ kind: "reset", times: 1 });
    expect(await carrierError(search)).toMatchObject({ kind: "network", requestMayHaveReachedCarrier: true });
    // A number the carrier does not sell: refused, never bought.
    const purchases = featureMethods(adapter, "purchases");
    const unknown = phone("+12125550123");
    try {
      const status = await purchases?.doPurchase({ numbers: [unknown], orderReference: reference(), carrierReservationIds: [] }, {});
      expect(status?.purchased ?? []).toEqual([]);
    } catch (error) {
      expect(CarrierError.is(error) && ["not_found", "invalid_request"].includes(error.kind)).toBe(true);
    }
    await started.emulator.refuseConnections();
    try {
      // A kept-alive socket the carrier just dropped may still take the first request (it may have arrived);
      // a new connection is then refused, and that request provably never left.
      let refused = await carrierError(search);
      if (refused.requestMayHaveReachedCarrier) refused = await carrierError(search);
      expect(refused).toMatchObject({ kind: "network", requestMayHaveReachedCarrier: false });
    } finally {
      await started.emulator.acceptConnections();
    }
  });
});
