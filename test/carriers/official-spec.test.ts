import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import { specViolations, type SpecCarrier } from "../support/official-spec.js";
import { isSchema } from "../support/official-spec-xml.js";

const SPECS = new URL("../../../shared/provider-specs/", import.meta.url);
const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const NUMBER_SID = `PN${"fedcba9876543210".repeat(2)}`;
const BASIC = `Basic ${Buffer.from("user:secret").toString("base64")}`;
const FORM = "application/x-www-form-urlencoded";
const XML = "application/xml; charset=utf-8";
const TWILIO_NUMBERS = `/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers.json`;
const BANDWIDTH_ACCOUNT = "/api/accounts/9900000";

function request(method: string, pathAndQuery: string, options: { body?: string; contentType?: string; authorization?: string | null } = {}): EmulatorRequest {
  const [path = "", query = ""] = pathAndQuery.split("?");
  const headers: Record<string, string> = { host: "127.0.0.1" };
  if (options.authorization !== null) headers.authorization = options.authorization ?? BASIC;
  if (options.contentType) headers["content-type"] = options.contentType;
  return { method, path, query: new URLSearchParams(query), headers, body: options.body ?? "" };
}

function problems(carrier: SpecCarrier, ...requests: EmulatorRequest[]): string[] {
  return specViolations(carrier, requests).map((violation) => violation.problem);
}

/** The request examples each INDEX.md lists: file, method and path template. */
function requestExamples(folder: string): { file: string; method: string; path: string }[] {
  const index = readFileSync(new URL(`${folder}/INDEX.md`, SPECS), "utf8");
  return index.split("\n").flatMap((line) => {
    const cells = line.split("|").map((cell) => cell.trim());
    const methodAt = cells.findIndex((cell) => /^(GET|POST|PUT|DELETE)$/.test(cell));
    const [file, method, path] = [cells[1], cells[methodAt], cells[methodAt + 1]];
    return methodAt > 0 && file && method && path && file.includes(".request.") ? [{ file, method, path }] : [];
  });
}

const bandwidthOrder = (inner: string): string => `<?xml version="1.0" encoding="UTF-8"?><Order><CustomerOrderId>ng-abc</CustomerOrderId>${inner}</Order>`;
const existingNumbers = "<ExistingTelephoneNumberOrderType><TelephoneNumberList><TelephoneNumber>9193752369</TelephoneNumber></TelephoneNumberList></ExistingTelephoneNumberOrderType>";

describe("valid requests pass the official specs", () => {
  it("Twilio: buy a number with a form body and Basic auth", () => {
    const body = "PhoneNumber=%2B12125550100&FriendlyName=ng-abc";
    expect(specViolations("twilio", [request("POST", TWILIO_NUMBERS, { body, contentType: FORM })])).toEqual([]);
  });

  it("Twilio: search local numbers, list, fetch and release owned numbers, check portability", () => {
    const requests = [
      request("GET", `/2010-04-01/Accounts/${ACCOUNT_SID}/AvailablePhoneNumbers/US/Local.json?AreaCode=212&PageSize=20&SmsEnabled=true`),
      request("GET", `${TWILIO_NUMBERS}?PhoneNumber=%2B12125550100&PageSize=1`),
      request("GET", `/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers/${NUMBER_SID}.json`),
      request("DELETE", `/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers/${NUMBER_SID}.json`),
      request("GET", `/v1/Porting/Portability/PhoneNumber/%2B12125550100?TargetAccountSid=${ACCOUNT_SID}`),
    ];
    expect(specViolations("twilio", requests)).toEqual([]);
  });

  it("Twilio: a JSON port-in body with the required fields", () => {
    const body = JSON.stringify({
      account_sid: ACCOUNT_SID,
      documents: ["RD00000000000000000000000000000000"],
      losing_carrier_information: { customer_name: "Ng", authorized_representative: "Ng Rep", authorized_representative_email: "rep@example.com" },
      phone_numbers: [{ phone_number: "+12125550100" }],
    });
    expect(specViolations("twilio", [request("POST", "/v1/Porting/PortIn", { body, contentType: "application/json" })])).toEqual([]);
  });

  it.each(requestExamples("twilio/examples"))("Twilio's own request example $file, sent as a form", ({ file, method, path }) => {
    const example: unknown = JSON.parse(readFileSync(new URL(`twilio/examples/${file}`, SPECS), "utf8"));
    if (!isSchema(example)) throw new Error(`${file} is not an object`);
    const body = new URLSearchParams(Object.fromEntries(Object.entries(example).map(([name, value]) => [name, String(value)]))).toString();
    const filled = path.replace("{AccountSid}", ACCOUNT_SID).replace("{Sid}", NUMBER_SID);
    expect(specViolations("twilio", [request(method, filled, { body, contentType: FORM })])).toEqual([]);
  });

  it("Bandwidth: list orders by customerOrderId with page and size", () => {
    expect(specViolations("bandwidth", [request("GET", `${BANDWIDTH_ACCOUNT}/orders?page=1&size=10&customerOrderId=ng-abc`)])).toEqual([]);
  });

  it("Bandwidth: search, order status and reservation lookups", () => {
    const requests = [
      request("GET", `${BANDWIDTH_ACCOUNT}/availableNumbers?areaCode=919&quantity=5&enableTNDetail=true&LCA=false`),
      request("GET", `${BANDWIDTH_ACCOUNT}/orders/9c2b7d0e-0b32-4c0c-9d6a-1f3c9f0a1b2c`),
      request("DELETE", `${BANDWIDTH_ACCOUNT}/tnreservation/0099ff73-da96-4303-8a0a-00ff316c07aa`),
      request("GET", "/api/tns/9193752369/tndetails"),
    ];
    expect(specViolations("bandwidth", requests)).toEqual([]);
  });

  const bandwidthExamples = requestExamples("bandwidth/examples/spec").map((example) => ({ ...example, file: `spec/${example.file}` }));
  it.each(bandwidthExamples)("Bandwidth's own request example $file", ({ file, method, path }) => {
    const body = readFileSync(new URL(`bandwidth/examples/${file}`, SPECS), "utf8");
    const filled = `/api${path.replace("{accountId}", "9900000").replace(/\{\w+\}/g, "abc-123")}`;
    expect(specViolations("bandwidth", [request(method, filled, { body, contentType: XML })])).toEqual([]);
  });

  it("the spec examples cover every request body numbergate sends to Bandwidth", () => {
    const posted = bandwidthExamples.filter((example) => example.method === "POST").map((example) => example.path);
    for (const path of ["orders", "tnreservation", "disconnects", "lnpchecker", "portins"]) expect(posted).toContain(`/accounts/{accountId}/${path}`);
  });

  it.each([
    ["orders", "searchOrder.11.orders.Order.xml"],
    ["disconnects", "disconnect.01.disconnects.DisconnectTelephoneNumberOrder.xml"],
    ["lnpchecker", "lnpChecker.01.lnpchecker.NumberPortabilityRequest.xml"],
  ])("Bandwidth's guide example for %s", (path, file) => {
    const body = readFileSync(new URL(`bandwidth/examples/docs/${file}`, SPECS), "utf8");
    expect(specViolations("bandwidth", [request("POST", `${BANDWIDTH_ACCOUNT}/${path}`, { body, contentType: XML })])).toEqual([]);
  });

  it("a named scalar may be sent as text or as its one child element", () => {
    const nested = "<Reservation><ReservedTn><TelephoneNumber>4354770625</TelephoneNumber></ReservedTn></Reservation>";
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/tnreservation`, { body: nested, contentType: XML }))).toEqual([]);
  });
});

describe("invalid requests are named", () => {
  it("Bandwidth GET /orders without page and size", () => {
    const found = problems("bandwidth", request("GET", `${BANDWIDTH_ACCOUNT}/orders?customerOrderId=ng-abc`));
    expect(found).toEqual(expect.arrayContaining(["required query parameter 'page' is missing", "required query parameter 'size' is missing"]));
  });

  it("an unknown path, and a known path with a method the spec does not have", () => {
    expect(problems("bandwidth", request("GET", `${BANDWIDTH_ACCOUNT}/numbers`))).toEqual([expect.stringMatching(/no operation of the official bandwidth spec matches GET \/accounts\/9900000\/numbers/)]);
    expect(problems("twilio", request("PATCH", TWILIO_NUMBERS))).toEqual([expect.stringMatching(/matches PATCH .*\(the spec has GET, POST there\)/)]);
  });

  it("a path outside the base path", () => {
    expect(problems("bandwidth", request("GET", "/accounts/9900000/orders?page=1&size=10&customerOrderId=x"))).toEqual(["path is not below the base path /api"]);
    expect(specViolations("bandwidth", [request("GET", "/accounts/9900000/orders?page=1&size=10&customerOrderId=x")], { basePath: "" })).toEqual([]);
  });

  it("a missing or non-Basic Authorization header", () => {
    expect(problems("twilio", request("GET", TWILIO_NUMBERS, { authorization: null }))).toEqual([expect.stringMatching(/'accountSid_authToken' needs HTTP Basic credentials .* found none/)]);
    expect(problems("bandwidth", request("GET", "/api/tns/9193752369", { authorization: "Bearer abc" }))).toEqual([expect.stringMatching(/'httpBasic' needs HTTP Basic credentials/)]);
  });

  it("Twilio POST IncomingPhoneNumbers with a JSON Content-Type", () => {
    const found = problems("twilio", request("POST", TWILIO_NUMBERS, { body: '{"PhoneNumber":"+12125550100"}', contentType: "application/json" }));
    expect(found).toEqual(["Content-Type 'application/json' must be one of the spec's: application/x-www-form-urlencoded"]);
  });

  it("a body without a Content-Type, a body on a GET, a missing required body", () => {
    expect(problems("twilio", request("POST", TWILIO_NUMBERS, { body: "PhoneNumber=%2B12125550100" }))).toEqual([expect.stringMatching(/Content-Type header is missing/)]);
    expect(problems("twilio", request("GET", TWILIO_NUMBERS, { body: "PhoneNumber=%2B12125550100", contentType: FORM }))).toEqual(["the operation takes no request body, but one was sent"]);
    expect(problems("twilio", request("POST", "/v1/Porting/PortIn"))).toEqual(["the request body is required, none was sent"]);
  });

  it("a form body with a misspelt or mistyped parameter", () => {
    expect(problems("twilio", request("POST", TWILIO_NUMBERS, { body: "PhoneNumbr=%2B12125550100", contentType: FORM }))).toEqual(["unknown body field 'PhoneNumbr' (not in the spec)"]);
    const mistyped = "PhoneNumber=%2B12125550100&VoiceCallerIdLookup=maybe&VoiceMethod=PUT&TrunkSid=TK1";
    expect(problems("twilio", request("POST", TWILIO_NUMBERS, { body: mistyped, contentType: FORM }))).toEqual(
      expect.arrayContaining(["body field 'VoiceCallerIdLookup' must be boolean", "body field 'VoiceMethod' must be one of: GET, POST", expect.stringMatching(/body field 'TrunkSid' must/)]),
    );
  });

  it("a required form field of the Local purchase", () => {
    expect(problems("twilio", request("POST", `/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers/Local.json`, { body: "FriendlyName=x", contentType: FORM }))).toEqual([
      "required body field 'PhoneNumber' is missing",
    ]);
  });

  it("a JSON body missing nested required fields, and malformed JSON", () => {
    const body = JSON.stringify({ account_sid: ACCOUNT_SID, documents: [], losing_carrier_information: { customer_name: "Ng" } });
    expect(problems("twilio", request("POST", "/v1/Porting/PortIn", { body, contentType: "application/json" }))).toEqual(
      expect.arrayContaining(["required body field 'losing_carrier_information.authorized_representative' is missing"]),
    );
    expect(problems("twilio", request("POST", "/v1/Porting/PortIn", { body: "{", contentType: "application/json" }))).toEqual([expect.stringMatching(/^body is not valid JSON/)]);
  });

  it("Twilio path parameters are checked against their patterns", () => {
    expect(problems("twilio", request("GET", "/2010-04-01/Accounts/AC123/IncomingPhoneNumbers.json"))).toEqual(expect.arrayContaining([expect.stringMatching(/^path parameter 'AccountSid' must/)]));
  });

  it("Bandwidth order XML with a misspelt element", () => {
    const body = bandwidthOrder(`<SiteID>743</SiteID>${existingNumbers}`);
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/orders`, { body, contentType: XML }))).toEqual([
      "XML element <SiteID> is not allowed in Order (the spec allows: BackOrderRequested, CloseOrder, CustomerOrderId, Name, OrderCreateDate, PartialAllowed, PeerId, SiteId, TnAttributes, ExistingTelephoneNumberOrderType)",
    ]);
  });

  it("Bandwidth XML errors deep in the document, in lists and in the root", () => {
    const deep = bandwidthOrder("<SiteId>743</SiteId><ExistingTelephoneNumberOrderType><TelephoneNumberList><TN>9193752369</TN></TelephoneNumberList></ExistingTelephoneNumberOrderType>");
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/orders`, { body: deep, contentType: XML }))).toEqual([
      expect.stringMatching(/^XML element <TN> is not allowed in Order\/ExistingTelephoneNumberOrderType\/TelephoneNumberList \(the spec allows: TelephoneNumber\)/),
    ]);
    const twice = bandwidthOrder(`<SiteId>1</SiteId><SiteId>2</SiteId>${existingNumbers}`);
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/orders`, { body: twice, contentType: XML }))).toEqual(["XML element <SiteId> appears 2 times in Order, the spec allows one"]);
    const textList = "<DisconnectTelephoneNumberOrder><DisconnectTelephoneNumberOrderType><TelephoneNumberList>9193752369</TelephoneNumberList></DisconnectTelephoneNumberOrderType></DisconnectTelephoneNumberOrder>";
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/disconnects`, { body: textList, contentType: XML }))).toEqual([
      "DisconnectTelephoneNumberOrder/DisconnectTelephoneNumberOrderType/TelephoneNumberList must be a list of elements, found text",
    ]);
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/tnreservation`, { body: "<Reservations><ReservedTn>1</ReservedTn></Reservations>", contentType: XML }))).toEqual([
      "XML root element <Reservations> is not the spec's <Reservation>",
    ]);
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/tnreservation`, { body: "<Reservation>4354770625<ReservedTn>1</ReservedTn></Reservation>", contentType: XML }))).toEqual([
      "Reservation mixes text with child elements",
    ]);
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/tnreservation`, { body: "<Reservation><ReservedTn>1</Reservation>", contentType: XML }))).toEqual([
      expect.stringMatching(/^body is not well-formed XML/),
    ]);
  });

  it("Bandwidth XML missing required elements", () => {
    // The order schemas declare nothing required (SiteId is required only in prose); disconnects and port-ins do.
    const disconnect = "<DisconnectTelephoneNumberOrder><CustomerOrderId>ng-abc</CustomerOrderId><DisconnectTelephoneNumberOrderType><Protected>UNCHANGED</Protected></DisconnectTelephoneNumberOrderType></DisconnectTelephoneNumberOrder>";
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/disconnects`, { body: disconnect, contentType: XML }))).toEqual([
      "DisconnectTelephoneNumberOrder/DisconnectTelephoneNumberOrderType is missing required XML element <TelephoneNumberList>",
    ]);
    const portIn = "<LnpOrder><ListOfPhoneNumbers><PhoneNumber>8774809871</PhoneNumber></ListOfPhoneNumbers><LoaAuthorizingPerson>Ng</LoaAuthorizingPerson><TargetRespOrgId>JYT01</TargetRespOrgId></LnpOrder>";
    expect(problems("bandwidth", request("POST", `${BANDWIDTH_ACCOUNT}/portins`, { body: portIn, contentType: XML }))).toEqual(["LnpOrder is missing required XML element <SiteId>"]);
  });

  it("Bandwidth availableNumbers with an out-of-range, non-integer or unknown query parameter", () => {
    const search = (query: string): string[] => problems("bandwidth", request("GET", `${BANDWIDTH_ACCOUNT}/availableNumbers?areaCode=919&${query}`));
    expect(search("quantity=0")).toEqual(["query parameter 'quantity' must be >= 1"]);
    expect(search("quantity=abc")).toEqual(["query parameter 'quantity' must be integer"]);
    expect(search("quantity=5&enableTNDetail=yes")).toEqual(["query parameter 'enableTNDetail' must be boolean"]);
    expect(search("quantity=5&areacode=919")).toEqual(["unknown query parameter 'areacode' (not in the spec)"]);
  });

  it("labels each violation with its request and keeps valid requests out", () => {
    const violations = specViolations("bandwidth", [
      request("GET", `${BANDWIDTH_ACCOUNT}/orders?page=1&size=10&customerOrderId=ng-abc`),
      request("GET", `${BANDWIDTH_ACCOUNT}/availableNumbers?quantity=0`),
    ]);
    expect(violations).toEqual([{ request: "GET /api/accounts/9900000/availableNumbers?quantity=0", problem: "query parameter 'quantity' must be >= 1" }]);
  });
});

describe("loading the specs", () => {
  it("says where the official specs are expected when they are missing", async () => {
    vi.resetModules();
    vi.doMock("node:fs", async (importOriginal) => ({ ...(await importOriginal<typeof import("node:fs")>()), existsSync: () => false }));
    try {
      const fresh = await import("../support/official-spec.js");
      expect(() => fresh.specViolations("twilio", [request("GET", TWILIO_NUMBERS)])).toThrow(/official carrier specs are expected at \.\.\/shared\/provider-specs beside the repository/);
    } finally {
      vi.doUnmock("node:fs");
      vi.resetModules();
    }
  });
});
