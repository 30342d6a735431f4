import { readFileSync } from "node:fs";
import { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlivoAdapter } from "../../src/carriers/plivo/plivo-adapter.js";
import { plivoErrorFromResponse } from "../../src/carriers/plivo/plivo-error.js";
import { phone } from "./carrier-test-kit.js";

/**
 * The adapter reading Plivo's own example bodies (provider-specs/plivo/examples: SDK fixtures and the docs' pending
 * example), served by undici's MockAgent exactly as written.
 */

const official = (file: string): string => readFileSync(new URL(`../../../shared/provider-specs/plivo/examples/${file}`, import.meta.url), "utf8");
const AUTH_ID = "MANWVLYTK4ZWU1YTY4ZT";
const ORIGIN = "https://api.plivo.com";
const ACCOUNT = `/v1/Account/${AUTH_ID}`;
const JSON_HEADERS = { "content-type": "application/json" };

let agent: MockAgent;
let plivo: PlivoAdapter;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  plivo = new PlivoAdapter({ authId: AUTH_ID, authToken: "token", apiBaseUrl: new URL(`${ORIGIN}/v1`), dispatcher: agent });
});
afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await plivo.close();
  await agent.close();
});

function answer(method: string, path: string, status: number, body: string): void {
  agent.get(ORIGIN).intercept({ method, path: (requested) => requested.split("?")[0] === path }).reply(status, body, { headers: JSON_HEADERS });
}

describe("Plivo's example bodies through the adapter", () => {
  it("reads the search example: digits to E.164, rates to cents, fixed to local", async () => {
    answer("GET", `${ACCOUNT}/PhoneNumber/`, 200, official("phonenumber_search.response.json"));
    const { numbers, warnings } = await plivo.doSearch({ countryCode: "US", numberType: "local", areaCode: "415", features: ["voice", "sms"], limit: 20 }, {});
    expect(numbers.map((offer) => offer.phoneNumber)).toEqual(["+14154009186", "+14154009187"]);
    expect(numbers[0]).toEqual({
      phoneNumber: "+14154009186",
      carrierId: "plivo",
      numberType: "local",
      countryCode: "US",
      locality: undefined,
      region: "United States",
      rateCenter: "SNFC CNTRL",
      capabilities: ["voice", "sms"],
      monthlyPrice: { currencyCode: "USD", amountCents: 80 },
      priceSource: "carrier",
    });
    expect(warnings).toEqual([]);
  });

  it("reads the buy example (Success, with an HA fallback_number field) as completed", async () => {
    answer("GET", `${ACCOUNT}/Number/14154009186/`, 404, official("error_body.example.json"));
    answer("POST", `${ACCOUNT}/PhoneNumber/14154009186/`, 201, official("phonenumber_buy.response.json"));
    await expect(plivo.doPurchase({ numbers: [phone("+14154009186")], orderReference: "ng-x", carrierReservationIds: [] }, {})).resolves.toEqual({
      carrierOrderId: "aa52882c-1c88-11e4-bd8a-12313f016a39",
      state: "completed",
      purchased: [{ e164: "+14154009186", carrierNumberId: "14154009186" }],
      failed: [],
    });
  });

  it("reads the docs' pending buy (a German number awaiting documents) as pending", async () => {
    answer("GET", `${ACCOUNT}/Number/4969365065273/`, 404, official("error_body.example.json"));
    answer("POST", `${ACCOUNT}/PhoneNumber/4969365065273/`, 201, official("phonenumber_buy.pending-verification.response.json"));
    await expect(plivo.doPurchase({ numbers: [phone("+4969365065273")], orderReference: "ng-de", carrierReservationIds: [] }, {})).resolves.toMatchObject({ state: "pending", purchased: [], failed: [] });
  });

  it("counts the get example (active false, but no compliance status) as rented, not awaiting activation", async () => {
    answer("GET", `${ACCOUNT}/Number/17609915566/`, 200, official("number_get.response.json"));
    await expect(plivo.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-y", numbers: [phone("+17609915566")] }, {})).resolves.toMatchObject({
      state: "completed",
      purchased: [{ e164: "+17609915566", carrierNumberId: "17609915566" }],
    });
  });

  it("reads the list example: its numbers, types and services, and the next offset from meta.next", async () => {
    answer("GET", `${ACCOUNT}/Number/`, 200, official("number_list.response.json"));
    await expect(plivo.doListOwnedNumbers({ pageSize: 3 }, {})).resolves.toEqual({
      numbers: [
        { e164: "+18135401302", carrierNumberId: "18135401302", numberType: "local", capabilities: ["voice", "sms"] },
        { e164: "+14153661106", carrierNumberId: "14153661106", numberType: "local", capabilities: ["voice", "sms"] },
        { e164: "+14152753408", carrierNumberId: "14152753408", numberType: "toll_free", capabilities: ["voice", "sms"] },
      ],
      nextPageToken: "3",
    });
  });

  it("never reads a 404 without Plivo's api_id (a proxy, a wrong base URL) as 'not rented' or 'not owned'", async () => {
    answer("GET", `${ACCOUNT}/Number/14154009186/`, 404, "<html>Not Found</html>");
    await expect(plivo.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-z", numbers: [phone("+14154009186")] }, {})).rejects.toMatchObject({ kind: "not_found", httpStatus: 404 });
    answer("DELETE", `${ACCOUNT}/Number/14154009186/`, 404, "<html>Not Found</html>");
    await expect(plivo.doRelease({ number: phone("+14154009186"), carrierNumberId: undefined, orderReference: "ng-r" }, {})).rejects.toMatchObject({ kind: "not_found" });
    answer("GET", `${ACCOUNT}/Number/14154009186/`, 404, "<html>Not Found</html>");
    await expect(plivo.doPurchase({ numbers: [phone("+14154009186")], orderReference: "ng-p", carrierReservationIds: [] }, {})).rejects.toMatchObject({ kind: "not_found", requestMayHaveReachedCarrier: false });
  });

  it("reads the error body's message for logs only", () => {
    const error = plivoErrorFromResponse({ status: 400, headers: {}, bodyText: official("error_body.example.json") }, "purchase");
    expect(error).toMatchObject({ kind: "invalid_request", carrierMessage: "The number xxxxx is not a valid number", carrierCode: undefined });
    expect(error.message).toBe("plivo rejected the request as invalid (HTTP 400)");
    expect(plivoErrorFromResponse({ status: 502, headers: {}, bodyText: "<html>Bad gateway</html>" }, "search")).toMatchObject({ kind: "carrier_server", carrierMessage: undefined });
  });
});
