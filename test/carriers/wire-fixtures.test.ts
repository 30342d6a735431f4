import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readDisconnectStatus } from "../../src/carriers/bandwidth/bandwidth-disconnects.js";
import { bandwidthErrorFromResponse } from "../../src/carriers/bandwidth/bandwidth-error.js";
import { nextPageOf, readOrderResponse } from "../../src/carriers/bandwidth/bandwidth-orders.js";
import { readBandwidthError, readSearchResult } from "../../src/carriers/bandwidth/bandwidth-wire.js";
import { parseXmlBody } from "../../src/carriers/kit/response-body.js";
import { twilioErrorFromResponse } from "../../src/carriers/twilio/twilio-error.js";
import { twilioAvailableNumbersPageSchema } from "../../src/carriers/twilio/twilio-wire.js";
import { twilioContainsMatcher } from "../../src/carriers/twilio/twilio-emulator.js";
import { parsePhoneNumber, type ParsedPhoneNumber } from "../../src/domain/phone-number.js";

const fixture = (path: string): string => readFileSync(new URL(`../__fixtures__/${path}`, import.meta.url), "utf8");
/** The official examples, read where they are kept (README of /work/shared/provider-specs). */
const official = (path: string): string => readFileSync(new URL(`../../../shared/provider-specs/${path}`, import.meta.url), "utf8");
const tn = (nationalNumber: string): ParsedPhoneNumber => {
  const parsed = parsePhoneNumber(`+1${nationalNumber}`);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.number;
};
const response = (status: number, bodyText: string, headers: Record<string, string> = {}) => ({ status, headers, bodyText });

describe("Bandwidth wire format, from the official examples", () => {
  it("reads TelephoneNumberDetail (official SDK fixture with enableTNDetail)", () => {
    const root = parseXmlBody(response(200, fixture("bandwidth/availableNumbers.GET.200.enableTNDetail.SearchResult.xml")), "SearchResult", "bandwidth", "search");
    expect(readSearchResult(root)[0]).toEqual({ telephoneNumber: "2012001555", city: "JERSEY CITY", state: "NJ", rateCenter: "JERSEYCITY" });
  });

  it("reads a plain TelephoneNumberList (guide example)", () => {
    const root = parseXmlBody(response(200, fixture("bandwidth/searchOrder.01.availableNumbers-areaCode-quantity.SearchResult.xml")), "SearchResult", "bandwidth", "search");
    expect(readSearchResult(root).map((hit) => hit.telephoneNumber)).toEqual(["6672286710", "5756186700"]);
  });

  it("reads the 400 search error and classifies 4010 as an invalid request", () => {
    const error = bandwidthErrorFromResponse(response(400, fixture("bandwidth/availableNumbers.GET.400.example.xml")), "search");
    expect(error).toMatchObject({ kind: "invalid_request", carrierCode: "4010", httpStatus: 400 });
    expect(error.message).not.toContain("null or empty");
  });

  it("finds errors in each of Bandwidth's shapes", () => {
    expect(readBandwidthError({ ResponseStatus: { ErrorCode: "5041", Description: "x" } })?.code).toBe("5041");
    expect(readBandwidthError({ ErrorList: { Error: [{ Code: "5005" }, { Code: "5018" }] } })?.code).toBe("5005");
    expect(readBandwidthError({ Errors: [{ Code: "7201" }] })?.code).toBe("7201");
    expect(readBandwidthError({ ResultCount: "0" })).toBeUndefined();
  });

  it("reads X-RateLimit-Reset into a retry delay", () => {
    const now = 1_700_000_000_000;
    const error = bandwidthErrorFromResponse(response(429, "", { "x-ratelimit-reset": String(now / 1000 + 12) }), "search", undefined, now);
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 12_000 });
  });

  it("reads a completed disconnect (guide example) and a PARTIAL order with its per-number error (SDK fixture)", () => {
    const disconnect = parseXmlBody(response(200, official("bandwidth/examples/docs/disconnect.03.disconnectId.DisconnectTelephoneNumberOrderResponse.xml")), "DisconnectTelephoneNumberOrderResponse", "bandwidth", "order_status");
    expect(readDisconnectStatus(disconnect, tn("5405514342"))).toEqual({ state: "completed" });
    const partial = parseXmlBody(response(200, official("bandwidth/examples/sdk-node-numbers/orders_orderId.GET.200.PARTIAL.OrderResponse.xml")), "OrderResponse", "bandwidth", "order_status");
    expect(readOrderResponse(partial)).toEqual({
      carrierOrderId: undefined,
      state: "partial",
      purchased: [{ e164: "+16361231234", carrierNumberId: "6361231234" }],
      failed: [{ e164: "+16365555555", carrierCode: "5005", detail: "The telephone number is unavailable for ordering", kind: "not_found" }],
    });
  });

  it("reads a disconnect still in process as pending, and a FAILED one with the error for its TN", () => {
    const received = parseXmlBody(response(201, official("bandwidth/examples/spec/disconnects.POST.201.example.xml")), "DisconnectTelephoneNumberOrderResponse", "bandwidth", "release");
    expect(readDisconnectStatus(received, tn("4158714245"))).toEqual({ state: "pending" });
    const failed = {
      OrderStatus: "FAILED",
      ErrorList: { Error: [{ Code: "5076", Description: "other", TelephoneNumber: "4158714245" }, { Code: "5006", Description: "TelephoneNumber Disconnect Error", TelephoneNumber: "4352154439" }] },
    };
    expect(readDisconnectStatus(failed, tn("4352154439"))).toEqual({ state: "failed", carrierCode: "5006", detail: "TelephoneNumber Disconnect Error" });
  });

  it("takes the next page's order id from the spec's Link-style <next> text", () => {
    expect(nextPageOf('Link=<https://dashboard.bandwidth.com 443/v1.0/accounts/9900012/orders?page=cbdcfc94-81b1-4ce9-8b6d-f8d6b85381ba&size=3>;rel="next";')).toBe("cbdcfc94-81b1-4ce9-8b6d-f8d6b85381ba");
    expect(nextPageOf("   Link description  ")).toBeUndefined();
    expect(nextPageOf(undefined)).toBeUndefined();
  });

  it("treats malformed XML as a carrier server error", () => {
    expect(() => parseXmlBody(response(200, "<SearchResult><Telephone"), "SearchResult", "bandwidth", "search")).toThrow(
      expect.objectContaining({ kind: "carrier_server", carrierCode: "MALFORMED_RESPONSE" }),
    );
  });
});

describe("Twilio wire format, from the official examples", () => {
  it("reads the readFull and readEmpty examples", () => {
    const full = twilioAvailableNumbersPageSchema.parse(JSON.parse(fixture("twilio/AvailablePhoneNumbers_CountryCode_Local.GET.200.readFull.json")));
    expect(full.available_phone_numbers[0]).toMatchObject({ phone_number: "+18089251571", locality: "Hilo", region: "HI", capabilities: { voice: true, sms: false, mms: true } });
    const empty = twilioAvailableNumbersPageSchema.parse(JSON.parse(fixture("twilio/AvailablePhoneNumbers_CountryCode_Local.GET.200.readEmpty.json")));
    expect(empty.available_phone_numbers).toEqual([]);
  });

  it.each([
    [401, { code: 20003, message: "Authenticate", status: 401 }, "auth"],
    [404, { code: 20404, message: "not found", status: 404 }, "not_found"],
    [400, { code: 21422, message: "PhoneNumber is not available", status: 400 }, "not_found"],
    [400, { code: 21421, message: "PhoneNumber is invalid", status: 400 }, "invalid_request"],
    [429, { code: 20429, message: "Too Many Requests", status: 429 }, "rate_limited"],
    [500, { code: 20500, message: "Internal", status: 500 }, "carrier_server"],
  ] as const)("maps HTTP %i code %o to %s", (status, body, kind) => {
    const error = twilioErrorFromResponse(response(status, JSON.stringify(body), { "retry-after": "3" }), "search");
    expect(error.kind).toBe(kind);
    expect(error.carrierCode).toBe(String(body.code));
    if (kind === "rate_limited") expect(error.retryAfterMs).toBe(3000);
  });

  it("falls back to the HTTP status when the error body is not JSON", () => {
    expect(twilioErrorFromResponse(response(502, "<html>Bad gateway</html>"), "search").kind).toBe("carrier_server");
  });

  it("the emulator's Contains matcher follows Twilio's documented syntax", () => {
    expect(twilioContainsMatcher("1234$")?.test("+12125551234")).toBe(true);
    expect(twilioContainsMatcher("1234$")?.test("+12121234555")).toBe(false);
    expect(twilioContainsMatcher("+1212")?.test("+12125551234")).toBe(true);
    expect(twilioContainsMatcher("+1212")?.test("+13122125555")).toBe(false);
    expect(twilioContainsMatcher("55*1")?.test("+12125551234")).toBe(true);
    expect(twilioContainsMatcher("CALL")?.test("+12122255123")).toBe(true);
    expect(twilioContainsMatcher("1")).toBeNull();
  });
});
