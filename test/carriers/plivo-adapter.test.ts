import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlivoAdapter } from "../../src/carriers/plivo/plivo-adapter.js";
import { plivoCarrier } from "../../src/carriers/plivo/plivo-carrier.js";
import type { PlivoEmulator } from "../../src/carriers/plivo/plivo-emulator.js";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import type { CarrierAdapter } from "../../src/domain/carrier-adapter.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { specViolations } from "../support/official-spec.js";
import { carrierError, phone } from "./carrier-test-kit.js";

/** Plivo searches, availability checks, the health probe and error mapping, through the adapter against its emulator. */

let started: StartedEmulator<PlivoEmulator>;
let emulator: PlivoEmulator;
let dispatcher: Agent;
let plivo: CarrierAdapter;

beforeEach(async () => {
  started = await plivoCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
  emulator = started.emulator;
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  plivo = started.connection.createAdapter({ dispatcher });
});
afterEach(async () => {
  // Every request of every flow is one the derived Plivo spec accepts.
  expect(specViolations("plivo", emulator.requests)).toEqual([]);
  await plivo.close();
  await emulator.stop();
  await dispatcher.close();
});

const local: NumberSearchCriteria = { countryCode: "US", numberType: "local", features: [], limit: 5 };
const searches = () => emulator.requests.filter((request) => request.method === "GET" && request.path.endsWith("/PhoneNumber/"));

describe("Plivo search", () => {
  it("searches an area code as Plivo's pattern, with its type and country, priced by Plivo in USD cents", async () => {
    const { numbers, warnings } = await plivo.doSearch({ ...local, areaCode: "212" }, {});
    expect(numbers).toHaveLength(5);
    expect(warnings).toEqual([]);
    for (const offer of numbers) {
      expect(offer).toMatchObject({ carrierId: "plivo", countryCode: "US", numberType: "local", locality: "New York", region: "New York", priceSource: "carrier" });
      expect(offer.phoneNumber).toMatch(/^\+1212\d{7}$/);
      expect(offer.monthlyPrice).toEqual({ currencyCode: "USD", amountCents: 80 });
      expect(offer.capabilities).not.toContain("fax");
    }
    expect(Object.fromEntries(searches()[0]?.query ?? [])).toEqual({ country_iso: "US", type: "local", pattern: "212", limit: "5", offset: "0" });
  });

  it("sends a starts-with pattern as is, and refuses the patterns Plivo cannot express", async () => {
    const { numbers } = await plivo.doSearch({ ...local, areaCode: "415", pattern: { position: "starts_with", digits: "4154" } }, {});
    for (const offer of numbers) expect(offer.phoneNumber.startsWith("+14154")).toBe(true);
    expect(searches()[0]?.query.get("pattern")).toBe("4154");
    for (const position of ["ends_with", "contains"] as const) {
      const criteria = { ...local, pattern: { position, digits: "12" } };
      expect(plivo.supportsSearch(criteria)).toMatchObject({ supported: false });
      await expect(plivo.doSearch(criteria, {})).resolves.toMatchObject({ numbers: [], warnings: [expect.stringContaining("start of the number") as unknown] });
    }
    expect(plivo.supportsSearch({ ...local, areaCode: "212", pattern: { position: "starts_with", digits: "415" } })).toMatchObject({ supported: false });
    expect(searches()).toHaveLength(1);
  });

  it("filters by services, refuses fax, and finds toll-free numbers with their own price", async () => {
    const { numbers } = await plivo.doSearch({ ...local, areaCode: "303", features: ["sms", "mms"] }, {});
    expect(numbers.length).toBeGreaterThan(0);
    for (const offer of numbers) expect(offer.capabilities).toEqual(expect.arrayContaining(["sms", "mms"]));
    expect(searches()[0]?.query.get("services")).toBe("sms,mms");
    expect(plivo.supportsSearch({ ...local, features: ["fax"] })).toEqual({ supported: false, reason: "Plivo numbers offer no fax" });

    const tollFree = await plivo.doSearch({ countryCode: "US", numberType: "toll_free", features: [], limit: 3 }, {});
    expect(tollFree.numbers).toHaveLength(3);
    for (const offer of tollFree.numbers) {
      expect(phone(offer.phoneNumber).numberType).toBe("toll_free");
      expect(offer).toMatchObject({ numberType: "toll_free", monthlyPrice: { currencyCode: "USD", amountCents: 100 } });
    }
    expect(searches()[1]?.query.get("type")).toBe("tollfree");
    expect(plivo.supportsSearch({ countryCode: "US", numberType: "toll_free", city: "Denver", features: [], limit: 1 })).toMatchObject({ supported: false });
  });

  it("searches by city and region", async () => {
    const { numbers } = await plivo.doSearch({ ...local, city: "Seattle", region: "WA" }, {});
    expect(numbers.length).toBeGreaterThan(0);
    for (const offer of numbers) expect(offer.phoneNumber).toMatch(/^\+1206/);
    expect(Object.fromEntries(searches()[0]?.query ?? [])).toMatchObject({ city: "Seattle", region: "WA" });
  });

  it("searches abroad, and warns about numbers that need documents", async () => {
    const london = await plivo.doSearch({ countryCode: "GB", numberType: "local", pattern: { position: "starts_with", digits: "2079460" }, features: [], limit: 3 }, {});
    expect(london.numbers).toHaveLength(3);
    for (const offer of london.numbers) expect(offer).toMatchObject({ countryCode: "GB", phoneNumber: expect.stringMatching(/^\+442079460\d{3}$/) as unknown, monthlyPrice: { amountCents: 100 } });
    expect(london.warnings).toEqual([]);
    const berlin = await plivo.doSearch({ countryCode: "DE", numberType: "local", features: [], limit: 2 }, {});
    expect(berlin.numbers.map((offer) => offer.monthlyPrice?.amountCents)).toEqual([150, 150]);
    expect(berlin.warnings).toEqual(["2 of these plivo numbers need address or identity documents before Plivo activates them"]);
  });

  it("pages with limit ≤ 20 and offset while meta.next says there is more", async () => {
    const { numbers } = await plivo.doSearch({ ...local, areaCode: "212", limit: 25 }, {});
    expect(numbers).toHaveLength(25);
    expect(new Set(numbers.map((offer) => offer.phoneNumber)).size).toBe(25);
    expect(searches().map((request) => [request.query.get("limit"), request.query.get("offset")])).toEqual([["20", "0"], ["5", "20"]]);
  });
});

describe("Plivo availability and health", () => {
  it("finds a number for sale by its whole national number, and nothing for one it does not sell", async () => {
    const [offer] = (await plivo.doSearch({ ...local, areaCode: "617", limit: 1 }, {})).numbers;
    const number = phone(offer?.phoneNumber ?? "");
    await expect(plivo.doCheckAvailability(number, {})).resolves.toEqual(offer);
    expect(searches()[1]?.query.get("pattern")).toBe(number.nationalNumber);
    await expect(plivo.doCheckAvailability(phone("+12125550123"), {})).resolves.toBeUndefined();
    emulator.unavailable.add(number.e164);
    await expect(plivo.doCheckAvailability(number, {})).resolves.toBeUndefined();
  });

  it("checks a foreign number in its own country", async () => {
    const [offer] = (await plivo.doSearch({ countryCode: "FR", numberType: "local", features: [], limit: 1 }, {})).numbers;
    await expect(plivo.doCheckAvailability(phone(offer?.phoneNumber ?? ""), {})).resolves.toMatchObject({ phoneNumber: offer?.phoneNumber, countryCode: "FR", monthlyPrice: { amountCents: 200 } });
  });

  it("probes with an authenticated one-item read of the account's numbers", async () => {
    await expect(plivo.doProbeHealth({})).resolves.toBeUndefined();
    const [probe] = emulator.requests;
    expect(probe?.path).toBe(`/v1/Account/${emulator.credentials.authId}/Number/`);
    expect(probe?.query.get("limit")).toBe("1");
  });
});

describe("Plivo errors", () => {
  const search = () => plivo.doSearch({ ...local, areaCode: "212" }, {});

  it("maps rejected credentials to auth, in numbergate's words and without the token", async () => {
    const wrong = new PlivoAdapter({ authId: emulator.credentials.authId, authToken: "not-the-token", apiBaseUrl: new URL(emulator.baseUrl), dispatcher });
    try {
      const error = await carrierError(() => wrong.doSearch(local, {}));
      expect(error).toMatchObject({ kind: "auth", carrierId: "plivo", httpStatus: 401, requestMayHaveReachedCarrier: true, carrierMessage: "authentication failed" });
      expect(error.message).toBe("plivo rejected numbergate's credentials (check PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN) (HTTP 401)");
      expect(error.message).not.toContain("not-the-token");
    } finally {
      await wrong.close();
    }
  });

  it("maps Plivo's 429 to rate_limited (Plivo sends no Retry-After), 5xx to carrier_server, an unreadable body to MALFORMED_RESPONSE", async () => {
    emulator.faults.inject({ kind: "rate_limit", retryAfterSeconds: 2, times: 1 });
    expect(await carrierError(search)).toMatchObject({ kind: "rate_limited", httpStatus: 429, retryAfterMs: undefined, carrierMessage: "Too Many Requests" });
    for (const status of [500, 503]) {
      emulator.faults.inject({ kind: "status", status, times: 1 });
      expect(await carrierError(search)).toMatchObject({ kind: "carrier_server", httpStatus: status, requestMayHaveReachedCarrier: true });
    }
    emulator.faults.inject({ kind: "malformed", times: 1 });
    expect(await carrierError(search)).toMatchObject({ kind: "carrier_server", carrierCode: "MALFORMED_RESPONSE", httpStatus: 200 });
    emulator.faults.inject({ kind: "status", status: 400, times: 1 });
    expect(await carrierError(search)).toMatchObject({ kind: "invalid_request" });
  });

  it("maps a refused connection to network, provably never sent; a reset to network that may have arrived", async () => {
    emulator.faults.inject({ kind: "reset", times: 1 });
    expect(await carrierError(search)).toMatchObject({ kind: "network", requestMayHaveReachedCarrier: true });
    await emulator.refuseConnections();
    try {
      expect(await carrierError(search)).toMatchObject({ kind: "network", carrierId: "plivo", requestMayHaveReachedCarrier: false });
    } finally {
      await emulator.acceptConnections();
    }
  });
});
