import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CarrierHttpResponse } from "../../src/carriers/kit/carrier-http-client.js";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { VonageAdapter } from "../../src/carriers/vonage/vonage-adapter.js";
import { vonageCarrier } from "../../src/carriers/vonage/vonage-carrier.js";
import type { VonageEmulator } from "../../src/carriers/vonage/vonage-emulator.js";
import { readVonageBody, vonageErrorFromResponse } from "../../src/carriers/vonage/vonage-error.js";
import { vonageStatusBodySchema } from "../../src/carriers/vonage/vonage-wire.js";
import type { CarrierAdapter } from "../../src/domain/carrier-adapter.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { specViolations } from "../support/official-spec.js";
import { failure, phone } from "./carrier-test-kit.js";

/** How Vonage's answers (and its silences) map onto numbergate's carrier error taxonomy. */

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
  expect(specViolations("vonage", emulator.requests)).toEqual([]);
  await vonage.close();
  await emulator.stop();
  await dispatcher.close();
});

const search: NumberSearchCriteria = { countryCode: "US", numberType: "local", areaCode: "212", features: [], limit: 3 };

async function oneForSale(): Promise<string> {
  const [offer] = (await vonage.doSearch(search, {})).numbers;
  if (!offer) throw new Error("nothing for sale in 212");
  return offer.phoneNumber;
}

describe("Vonage error mapping against the emulator", () => {
  it("wrong credentials: auth, naming the variables, never the secret", async () => {
    const wrong = new VonageAdapter({ apiKey: emulator.credentials.apiKey, apiSecret: "not-the-secret", apiBaseUrl: new URL(emulator.baseUrl), dispatcher });
    try {
      const error = await failure(wrong.doSearch(search, {}));
      expect(error).toMatchObject({ kind: "auth", carrierId: "vonage", httpStatus: 401, carrierCode: "401", requestMayHaveReachedCarrier: true });
      expect(error.message).toContain("VONAGE_API_KEY");
      expect(error.message).not.toContain("not-the-secret");
      expect(error.message).not.toContain(emulator.credentials.apiSecret);
      await expect(wrong.doProbeHealth({})).rejects.toMatchObject({ kind: "auth" });
    } finally {
      await wrong.close();
    }
  });

  it("a number not for sale: the purchase is not_found (420); its availability is simply none", async () => {
    const unknown = phone("+12125550199");
    await expect(vonage.doCheckAvailability(unknown, {})).resolves.toBeUndefined();
    const error = await failure(vonage.doPurchase({ numbers: [unknown], orderReference: "ng-unknown", carrierReservationIds: [] }, {}));
    expect(error).toMatchObject({ kind: "not_found", httpStatus: 420, carrierCode: "420", carrierMessage: "method failed", requestMayHaveReachedCarrier: true });
    expect(error.isRetryable).toBe(false);
  });

  it("rate limited: rate_limited, without a retryAfterMs (Vonage documents no Retry-After; see the unit test for one)", async () => {
    emulator.faults.inject({ kind: "rate_limit", retryAfterSeconds: 2, times: 1 });
    const silent = await failure(vonage.doSearch(search, {}));
    expect(silent).toMatchObject({ kind: "rate_limited", httpStatus: 429, carrierCode: "rate-limit", retryAfterMs: undefined });
  });

  it("5xx: carrier_server, retryable", async () => {
    emulator.faults.inject({ kind: "status", status: 503, times: 1 });
    const error = await failure(vonage.doSearch(search, {}));
    expect(error).toMatchObject({ kind: "carrier_server", httpStatus: 503, carrierCode: "503", requestMayHaveReachedCarrier: true });
    expect(error.isRetryable).toBe(true);
  });

  it("a body numbergate cannot read: carrier_server MALFORMED_RESPONSE", async () => {
    emulator.faults.inject({ kind: "malformed", times: 1 });
    await expect(vonage.doSearch(search, {})).rejects.toMatchObject({ kind: "carrier_server", carrierCode: "MALFORMED_RESPONSE", httpStatus: 200 });
  });

  it("connection refused: network, and the request provably never left", async () => {
    await emulator.refuseConnections();
    await expect(vonage.doSearch(search, {})).rejects.toMatchObject({ kind: "network", requestMayHaveReachedCarrier: false });
    await expect(vonage.doPurchase({ numbers: [phone("+12125550199")], orderReference: "ng-refused", carrierReservationIds: [] }, {})).rejects.toMatchObject({ kind: "network", requestMayHaveReachedCarrier: false });
  });

  it("a failed ownership check before a buy: the purchase never left, so it may be tried again", async () => {
    const number = await oneForSale();
    emulator.faults.inject({ kind: "status", status: 500, method: "GET", pathIncludes: "/account/numbers", times: 1 });
    const error = await failure(vonage.doPurchase({ numbers: [phone(number)], orderReference: "ng-check", carrierReservationIds: [] }, {}));
    expect(error).toMatchObject({ kind: "carrier_server", httpStatus: 500, requestMayHaveReachedCarrier: false });
    expect(emulator.countRequests((request) => request.path === "/number/buy")).toBe(0);
  });

  it("a buy answered 5xx or unreadable is in doubt: the request may have acted", async () => {
    const number = await oneForSale();
    emulator.faults.inject({ kind: "status", status: 502, method: "POST", times: 1 });
    await expect(vonage.doPurchase({ numbers: [phone(number)], orderReference: "ng-5xx", carrierReservationIds: [] }, {})).rejects.toMatchObject({ kind: "carrier_server", requestMayHaveReachedCarrier: true });
    emulator.faults.inject({ kind: "malformed", method: "POST", times: 1 });
    await expect(vonage.doPurchase({ numbers: [phone(number)], orderReference: "ng-malformed", carrierReservationIds: [] }, {})).rejects.toMatchObject({ carrierCode: "MALFORMED_RESPONSE", requestMayHaveReachedCarrier: true });
  });
});

describe("Vonage error bodies", () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}): CarrierHttpResponse => ({ status, headers, bodyText: typeof body === "string" ? body : JSON.stringify(body) });

  it("treats an HTTP 200 whose body carries a failing error-code as that error", () => {
    const read = (body: unknown) => () => readVonageBody(answer(200, body), vonageStatusBodySchema, "purchase");
    expect(read({ "error-code": "401", "error-code-label": "Invalid auth token" })).toThrow(expect.objectContaining({ kind: "auth", carrierCode: "401", httpStatus: 200 }) as Error);
    expect(read({ "error-code": "420", "error-code-label": "method failed" })).toThrow(expect.objectContaining({ kind: "not_found", carrierCode: "420" }) as Error);
    expect(read({ "error-code": "500", "error-code-label": "internal error" })).toThrow(expect.objectContaining({ kind: "carrier_server" }) as Error);
    expect(read({ "error-code": 200, "error-code-label": "success" })()).toEqual({ "error-code": "200", "error-code-label": "success" });
  });

  it("maps the 420 that needs the Dashboard (a local address) onto invalid_request", () => {
    const label = "Numbers from this country can be requested from the Dashboard (https://dashboard.nexmo.com/buy-numbers) as they require a valid local address to be provided before being purchased.";
    expect(vonageErrorFromResponse(answer(420, { "error-code": "420", "error-code-label": label }), "purchase")).toMatchObject({ kind: "invalid_request", carrierCode: "420", carrierMessage: label });
  });

  it("reads the RFC 7807 rate-limit body and a Retry-After, and a non-JSON error by its status", () => {
    const body = { title: "Rate Limit Hit", type: "https://developer.vonage.com/api-errors#rate-limit", detail: "Please wait, then retry your request", instance: "bf0ca0bf927b3b52e3cb03217e1a1ddf" };
    expect(vonageErrorFromResponse(answer(429, body, { "retry-after": "3" }), "search")).toMatchObject({ kind: "rate_limited", retryAfterMs: 3000, carrierCode: "rate-limit" });
    expect(vonageErrorFromResponse(answer(504, "<html>gateway timeout</html>"), "search")).toMatchObject({ kind: "carrier_server", carrierCode: undefined, message: "vonage failed to process the request" });
    expect(vonageErrorFromResponse(answer(400, { "error-code": "400", "error-code-label": "bad request" }), "search")).toMatchObject({ kind: "invalid_request", message: "vonage rejected the request as invalid (Vonage error 400)" });
  });
});
