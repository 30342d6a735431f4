import { Agent, MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { TelnyxAdapter } from "../../src/carriers/telnyx/telnyx-adapter.js";
import { telnyxCarrier } from "../../src/carriers/telnyx/telnyx-carrier.js";
import type { TelnyxEmulator } from "../../src/carriers/telnyx/telnyx-emulator.js";
import { telnyxRetryAfterMs } from "../../src/carriers/telnyx/telnyx-error.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { specViolations } from "../support/official-spec.js";
import { phone, failure } from "./carrier-test-kit.js";

/** Telnyx's failures in numbergate's one taxonomy: from its emulator's error answers, faults and transport. */

const local: NumberSearchCriteria = { countryCode: "US", numberType: "local", areaCode: "212", features: [], limit: 2 };

describe("Telnyx errors from its emulator", () => {
  let started: StartedEmulator<TelnyxEmulator>;
  let emulator: TelnyxEmulator;
  let dispatcher: Agent;
  let telnyx: TelnyxAdapter;

  beforeEach(async () => {
    started = await telnyxCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
    emulator = started.emulator;
    dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    telnyx = new TelnyxAdapter({ apiKey: emulator.apiKey, apiBaseUrl: new URL(emulator.baseUrl), dispatcher });
  });
  afterEach(async () => {
    expect(specViolations("telnyx", emulator.requests)).toEqual([]);
    await telnyx.close();
    await emulator.stop();
    await dispatcher.close();
  });

  it("wrong credentials: auth (10009), in numbergate's words, never the key", async () => {
    const wrongKey = "KEYWRONG0000_secretsecret";
    const wrong = new TelnyxAdapter({ apiKey: wrongKey, apiBaseUrl: new URL(emulator.baseUrl), dispatcher });
    try {
      const error = await failure(wrong.doProbeHealth({}));
      expect(error).toMatchObject({ kind: "auth", carrierId: "telnyx", httpStatus: 401, carrierCode: "10009", requestMayHaveReachedCarrier: true });
      expect(error.message).toBe("telnyx rejected numbergate's credentials (check TELNYX_API_KEY) (Telnyx error 10009)");
      expect(`${error.message} ${error.carrierMessage ?? ""}`).not.toContain(wrongKey);
    } finally {
      await wrong.close();
    }
  });

  it("an unavailable number: not_found, when reserving it and in its order", async () => {
    const [number = ""] = (await telnyx.doSearch(local, {})).numbers.map((offer) => offer.phoneNumber);
    emulator.unavailable.add(number);
    await expect(failure(telnyx.doReserve({ number: phone(number), holdMs: 60_000 }, {}))).resolves.toMatchObject({ kind: "not_found", carrierMessage: "Number is not available" });
    const placed = await telnyx.doPurchase({ numbers: [phone(number)], orderReference: "ng-gone", carrierReservationIds: [] }, {});
    emulator.completeOpenOrders();
    await expect(telnyx.doGetOrderStatus({ carrierOrderId: placed.carrierOrderId, orderReference: "ng-gone", numbers: [phone(number)] }, {})).resolves.toMatchObject({
      state: "failed",
      purchased: [],
      failed: [{ e164: number, kind: "not_found" }],
    });
  });

  it("a resource Telnyx does not have: not_found (10005)", async () => {
    emulator.faults.inject({ kind: "status", status: 404, times: 1 });
    await expect(failure(telnyx.doSearch(local, {}))).resolves.toMatchObject({ kind: "not_found", httpStatus: 404, carrierCode: "10005" });
  });

  it("rate limited: rate_limited (10011), with the wait x-ratelimit-reset gives", async () => {
    emulator.faults.inject({ kind: "rate_limit", retryAfterSeconds: 3, times: 1 });
    const error = await failure(telnyx.doSearch(local, {}));
    expect(error).toMatchObject({ kind: "rate_limited", httpStatus: 429, carrierCode: "10011", retryAfterMs: 3000, isRetryable: true });
    expect(error.message).toBe("telnyx is rate limiting numbergate (Telnyx error 10011)");
  });

  it.each([500, 503])("HTTP %i: carrier_server (10007), retryable", async (status) => {
    emulator.faults.inject({ kind: "status", status, times: 1 });
    await expect(failure(telnyx.doCheckAvailability(phone("+12125550199"), {}))).resolves.toMatchObject({ kind: "carrier_server", httpStatus: status, carrierCode: "10007", isRetryable: true });
  });

  it("a body numbergate cannot read: carrier_server MALFORMED_RESPONSE", async () => {
    emulator.faults.inject({ kind: "malformed", times: 1 });
    await expect(failure(telnyx.doSearch(local, {}))).resolves.toMatchObject({ kind: "carrier_server", carrierCode: "MALFORMED_RESPONSE", httpStatus: 200 });
  });

  it("a purchase answered with a 5xx may have acted: carrier_server, with the request counted as reaching Telnyx", async () => {
    emulator.faults.inject({ kind: "status", status: 500, method: "POST", times: 1 });
    await expect(failure(telnyx.doPurchase({ numbers: [phone("+12125550199")], orderReference: "ng-5xx", carrierReservationIds: [] }, {}))).resolves.toMatchObject({
      kind: "carrier_server",
      requestMayHaveReachedCarrier: true,
    });
  });

  it("connection refused: network, and the request provably never left", async () => {
    await emulator.refuseConnections();
    const error = await failure(telnyx.doPurchase({ numbers: [phone("+12125550199")], orderReference: "ng-refused", carrierReservationIds: [] }, {}));
    expect(error).toMatchObject({ kind: "network", requestMayHaveReachedCarrier: false });
    await emulator.acceptConnections();
  });
});

describe("Telnyx answers scripted beyond the emulator", () => {
  const base = new URL("https://api.telnyx.test/v2");
  let mock: MockAgent;
  let telnyx: TelnyxAdapter;

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
    telnyx = new TelnyxAdapter({ apiKey: "KEYTEST", apiBaseUrl: base, dispatcher: mock });
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  const search = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    mock
      .get(base.origin)
      .intercept({ path: (path) => path.startsWith("/v2/available_phone_numbers?"), method: "GET" })
      .reply(status, typeof body === "string" ? body : JSON.stringify(body), { headers: { "content-type": "application/json", ...headers } });

  const item = (phoneNumber: string, bestEffort: boolean, monthly = "1.00000") => ({
    phone_number: phoneNumber,
    best_effort: bestEffort,
    record_type: "available_phone_number",
    features: [{ name: "voice" }, { name: "sms" }, { name: "emergency" }],
    region_information: [{ region_type: "country_code", region_name: "US" }],
    cost_information: { monthly_cost: monthly, upfront_cost: "1.00000", currency: "USD" },
  });

  it("drops near matches (best_effort) that come back anyway, and reads prices digit by digit", async () => {
    search(200, { data: [item("+12125550101", false, "0.29"), item("+16465550102", true), item("+12125550103", false, "1.005")] });
    const { numbers } = await telnyx.doSearch(local, {});
    expect(numbers.map((offer) => [offer.phoneNumber, offer.monthlyPrice?.amountCents, offer.capabilities])).toEqual([
      ["+12125550101", 29, ["voice", "sms"]],
      // Half a cent more is a cent more: a price filter never admits a number dearer than its limit.
      ["+12125550103", 101, ["voice", "sms"]],
    ]);
  });

  it("an offer without a readable price carries none (numbergate then treats it as unpriced)", async () => {
    search(200, { data: [{ ...item("+12125550101", false), cost_information: { monthly_cost: "1,00", currency: "USD" } }] });
    const [offer] = (await telnyx.doSearch(local, {})).numbers;
    expect(offer).toBeDefined();
    expect(offer?.monthlyPrice).toBeUndefined();
    expect(offer?.priceSource).toBeUndefined();
  });

  it("honours retry-after-ms and Retry-After before x-ratelimit-reset, as Telnyx's SDK does", async () => {
    const limited = { errors: [{ code: "10011", title: "Too many requests" }] };
    search(429, limited, { "retry-after-ms": "1500", "x-ratelimit-reset": "9" });
    await expect(telnyx.doSearch(local, {})).rejects.toMatchObject({ kind: "rate_limited", retryAfterMs: 1500 });
    search(429, limited, { "retry-after": "2", "x-ratelimit-reset": "9" });
    await expect(telnyx.doSearch(local, {})).rejects.toMatchObject({ kind: "rate_limited", retryAfterMs: 2000 });
    search(429, "", {});
    await expect(telnyx.doSearch(local, {})).rejects.toMatchObject({ kind: "rate_limited", retryAfterMs: undefined, carrierCode: undefined });
    expect(telnyxRetryAfterMs({ "x-ratelimit-reset": "1700000010" }, 1_700_000_000_000)).toBe(10_000);
  });

  it("maps Telnyx's codes over HTTP statuses, and a proxy's page by its status", async () => {
    const codeOnly = (code: string) => ({ errors: [{ code, title: "t", detail: "d" }] });
    search(422, codeOnly("10016"));
    await expect(telnyx.doSearch(local, {})).rejects.toMatchObject({ kind: "invalid_request", carrierCode: "10016", carrierMessage: "t: d" });
    search(400, codeOnly("10010"));
    await expect(telnyx.doSearch(local, {})).rejects.toMatchObject({ kind: "auth", carrierCode: "10010" });
    search(400, { errors: [{ code: 10008 }] });
    await expect(telnyx.doSearch(local, {})).rejects.toMatchObject({ kind: "carrier_server", carrierCode: "10008" });
    // 10006 is "invalid id" in the docs but "Not authorized" in the spec's example: the status decides.
    search(403, codeOnly("10006"));
    await expect(telnyx.doSearch(local, {})).rejects.toMatchObject({ kind: "auth", carrierCode: "10006" });
    search(502, "<html>Bad Gateway</html>");
    await expect(telnyx.doSearch(local, {})).rejects.toMatchObject({ kind: "carrier_server", httpStatus: 502, carrierCode: undefined });
  });

  it("a number order whose numbers failed on regulatory requirements: failed, with no taxonomy kind", async () => {
    const order = {
      data: {
        id: "12ade33a-21c0-473b-b055-b3c836e1c292",
        status: "failure",
        customer_reference: "ng-docs",
        phone_numbers: [{ id: "dc8e4d67-33a0-4cbb-af74-7b58f05bd494", phone_number: "+493012345678", status: "failure", requirements_met: false, requirements_status: "requirement-info-exception" }],
      },
    };
    mock.get(base.origin).intercept({ path: "/v2/number_orders", method: "POST" }).reply(200, JSON.stringify(order), { headers: { "content-type": "application/json" } });
    const placed = await telnyx.doPurchase({ numbers: [phone("+493012345678")], orderReference: "ng-docs", carrierReservationIds: [] }, {});
    expect(placed.state).toBe("failed");
    expect(placed.failed).toEqual([{ e164: "+493012345678", carrierCode: undefined, detail: expect.stringContaining("regulatory requirements") as unknown }]);
  });
});
