import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { prepareDocument } from "../support/official-spec-document.js";
import { compileSpecs, SPEC_CARRIERS, specOperationId, specViolations, type SpecCarrier } from "../support/official-spec.js";
import { isSchema } from "../support/official-spec-xml.js";

const SPECS = new URL("../../../shared/provider-specs/", import.meta.url);
const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const NUMBER_SID = `PN${"fedcba9876543210".repeat(2)}`;
const BASIC = `Basic ${Buffer.from("user:secret").toString("base64")}`;
const FORM = "application/x-www-form-urlencoded";
const XML = "application/xml; charset=utf-8";
const TWILIO_NUMBERS = `/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers.json`;
const BANDWIDTH_ACCOUNT = "/api/accounts/9900000";
const BEARER = "Bearer KEY0123456789ABCDEF_abcdef";
const JSON_TYPE = "application/json";
const PLIVO_ACCOUNT = "/v1/Account/MANWVLYTK4ZWU1YTY4ZT";

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

function example(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, SPECS), "utf8"));
}

/** The first item's `key` of a list in one of the carrier's example response bodies. */
function firstOf(file: string, list: string, key: string): string {
  const body = example(file);
  const items = isSchema(body) ? body[list] : undefined;
  const value = Array.isArray(items) && isSchema(items[0]) ? items[0][key] : undefined;
  if (typeof value !== "string") throw new Error(`${file} has no ${list}[0].${key}`);
  return value;
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

describe("Telnyx: OpenAPI 3.1, JSON bodies, Bearer auth, deepObject filters, below /v2", () => {
  const telnyx = (method: string, pathAndQuery: string, body?: unknown, options: { contentType?: string; authorization?: string | null } = {}): EmulatorRequest =>
    request(method, `/v2${pathAndQuery}`, { authorization: BEARER, ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: JSON_TYPE }), ...options });
  // A number from Telnyx's own search example, ordered as telnyx.md describes the body.
  const number = firstOf("telnyx/examples/available_phone_numbers.response.json", "data", "phone_number");
  const order = { phone_numbers: [{ phone_number: number }], customer_reference: "ng-x" };

  it("search by country and area code, with a limit", () => {
    expect(specViolations("telnyx", [telnyx("GET", "/available_phone_numbers?filter[country_code]=US&filter[national_destination_code]=212&filter[limit]=5")])).toEqual([]);
  });

  it("search with every kind of filter: nested, boolean, an array comma-joined as the SDK sends it, percent-encoded brackets", () => {
    const requests = [
      telnyx("GET", "/available_phone_numbers?filter[country_code]=US&filter[phone_number][starts_with]=212&filter[features]=sms,voice&filter[best_effort]=false&filter[reservable]=true&filter[exclude_held_numbers]=true&filter[phone_number_type]=local"),
      telnyx("GET", "/available_phone_numbers?filter%5Bcountry_code%5D=US&filter%5Blocality%5D=Chicago&filter%5Badministrative_area%5D=IL&filter%5Blimit%5D=2"),
    ];
    expect(specViolations("telnyx", requests)).toEqual([]);
  });

  it("order, reserve, poll, list, release, and check portability", () => {
    const requests = [
      telnyx("POST", "/number_orders", order),
      telnyx("POST", "/number_reservations", order),
      telnyx("POST", "/number_reservations/12ade33a-21c0-473b-b055-b3c836e1c292/actions/extend"),
      telnyx("GET", "/number_orders/12ade33a-21c0-473b-b055-b3c836e1c292"),
      telnyx("GET", "/number_orders?filter[customer_reference]=ng-x&page[number]=1&page[size]=20"),
      telnyx("GET", `/phone_numbers?filter[phone_number]=${encodeURIComponent(number)}&page[size]=1`),
      telnyx("DELETE", "/phone_numbers/1293384261075731499"),
      telnyx("POST", "/portability_checks", { phone_numbers: [number] }),
      telnyx("POST", "/porting_orders", { phone_numbers: [number], customer_reference: "ng-x" }),
    ];
    expect(specViolations("telnyx", requests)).toEqual([]);
  });

  it("deepObject keys with a dot, three levels deep, and another deepObject (sort) beside a plain parameter", () => {
    const requests = [
      telnyx("GET", `/number_reservations?filter[phone_numbers.phone_number]=${encodeURIComponent(number)}&filter[created_at][gt]=2024-01-01T00:00:00Z&filter[status]=success`),
      telnyx("GET", "/porting_orders?filter[phone_numbers][phone_number][contains]=%2B1303&sort[value]=-created_at&include_phone_numbers=false&page[size]=50"),
    ];
    expect(specViolations("telnyx", requests)).toEqual([]);
    // telnyx.md writes this filter as filter[phone_numbers][phone_number]; the spec has it one level deeper, [contains].
    expect(problems("telnyx", telnyx("GET", "/porting_orders?filter[phone_numbers][phone_number]=%2B1303"))).toEqual(["query parameter 'filter[phone_numbers][phone_number]' must be object"]);
  });

  it("the spec's own CreateNumberOrderRequest example", () => {
    const spec = example("telnyx/openapi.trimmed.json");
    const schemas = isSchema(spec) && isSchema(spec.components) && isSchema(spec.components.schemas) ? spec.components.schemas : {};
    const body = isSchema(schemas.CreateNumberOrderRequest) ? schemas.CreateNumberOrderRequest.example : undefined;
    expect(body).toBeDefined();
    expect(specViolations("telnyx", [telnyx("POST", "/number_orders", body)])).toEqual([]);
  });

  it("3.1 nullable types: null is accepted where the spec says [string, null], other types are not", () => {
    expect(problems("telnyx", telnyx("POST", "/porting_orders", { phone_numbers: [number], customer_reference: null }))).toEqual([]);
    expect(problems("telnyx", telnyx("POST", "/porting_orders", { phone_numbers: [number], customer_reference: 5 }))).toEqual(["body field 'customer_reference' must be string"]);
  });

  it("a missing or non-Bearer Authorization header", () => {
    const search = "/available_phone_numbers?filter[country_code]=US";
    expect(problems("telnyx", telnyx("GET", search, undefined, { authorization: null }))).toEqual(["security scheme 'bearerAuth' needs an Authorization: Bearer <token> header, found none"]);
    expect(problems("telnyx", telnyx("GET", search, undefined, { authorization: BASIC }))).toEqual(["security scheme 'bearerAuth' needs an Authorization: Bearer <token> header, found another Authorization header"]);
  });

  it("unknown, misspelt and mistyped query parameters, named as they are sent", () => {
    const search = (query: string): string[] => problems("telnyx", telnyx("GET", `/available_phone_numbers?${query}`));
    expect(search("filter[contry_code]=US")).toEqual(["unknown query parameter 'filter[contry_code]' (not in the spec)"]);
    expect(search("country_code=US")).toEqual(["unknown query parameter 'country_code' (not in the spec)"]);
    expect(search("filter[country_code]=US&filter[limit]=five")).toEqual(["query parameter 'filter[limit]' must be integer"]);
    expect(search("filter[phone_number][begins_with]=212")).toEqual(["unknown query parameter 'filter[phone_number][begins_with]' (not in the spec)"]);
    expect(search("filter[features]=sms,telepathy")).toEqual([expect.stringMatching(/^query parameter 'filter\[features\]\[1\]' must be one of: sms, mms, voice/)]);
    expect(search("page[number]=1")).toEqual(["unknown query parameter 'page[number]' (not in the spec)"]);
    expect(problems("telnyx", telnyx("GET", "/number_orders?page[size]=0"))).toEqual(["query parameter 'page[size]' must be >= 1"]);
  });

  it("a form body, a misspelt body field, a number without its phone_number, a read-only field", () => {
    expect(problems("telnyx", telnyx("POST", "/number_orders", undefined, { contentType: FORM }), telnyx("POST", "/number_orders", undefined))).toEqual([
      "the request body is required, none was sent",
      "the request body is required, none was sent",
    ]);
    const form = request("POST", "/v2/number_orders", { authorization: BEARER, body: `phone_numbers[0][phone_number]=${encodeURIComponent(number)}`, contentType: FORM });
    expect(problems("telnyx", form)).toEqual(["Content-Type 'application/x-www-form-urlencoded' must be one of the spec's: application/json"]);
    expect(problems("telnyx", telnyx("POST", "/number_orders", { ...order, customer_ref: "ng-x" }))).toEqual(["unknown body field 'customer_ref' (not in the spec)"]);
    expect(problems("telnyx", telnyx("POST", "/number_orders", { phone_numbers: [{ number }] }))).toEqual(["required body field 'phone_numbers.0.phone_number' is missing"]);
    expect(problems("telnyx", telnyx("POST", "/number_reservations", { ...order, status: "pending" }))).toEqual(["body field 'status' is read-only in the spec: responses carry it, requests must not"]);
  });

  it("a path without /v2, and one the spec does not have", () => {
    expect(problems("telnyx", request("GET", "/available_phone_numbers?filter[country_code]=US", { authorization: BEARER }))).toEqual(["path is not below the base path /v2"]);
    expect(problems("telnyx", telnyx("DELETE", "/number_reservations/12ade33a-21c0-473b-b055-b3c836e1c292"))).toEqual([expect.stringMatching(/^no operation of the official telnyx spec matches DELETE .*\(the spec has GET there\)/)]);
  });
});

describe("Vonage: YAML, form-encoded writes, Basic auth or api_key/api_secret in the query", () => {
  const KEYS = "api_key=abcd1234&api_secret=s3cr3t";
  const vonage = (method: string, pathAndQuery: string, options: { body?: string; contentType?: string; authorization?: string | null } = {}): EmulatorRequest => request(method, pathAndQuery, options);
  // A number from Vonage's own search example (digits, no '+'), bought as vonage.md describes.
  const msisdn = firstOf("vonage/examples/number_search.response.json", "numbers", "msisdn");
  const details = `country=GB&msisdn=${msisdn}`;

  it("search with the legacy query keys, or with Basic auth", () => {
    const search = "/number/search?country=US&type=landline&pattern=1212&search_pattern=0&features=SMS,VOICE&size=10&index=1";
    expect(specViolations("vonage", [vonage("GET", `${search}&${KEYS}`, { authorization: null }), vonage("GET", search)])).toEqual([]);
  });

  it("buy and cancel with a form body, list owned numbers", () => {
    const requests = [
      vonage("POST", `/number/buy?${KEYS}`, { body: details, contentType: FORM, authorization: null }),
      vonage("POST", "/number/buy", { body: `${details}&target_api_key=1a2345b7`, contentType: `${FORM}; charset=utf-8` }),
      vonage("POST", "/number/cancel", { body: details, contentType: FORM }),
      vonage("GET", `/account/numbers?country=GB&pattern=${msisdn}&search_pattern=0&has_application=false&size=100&index=1`),
    ];
    expect(specViolations("vonage", requests)).toEqual([]);
  });

  it("a search without its required country, with an unknown or out-of-range parameter, with features out of the spec's order", () => {
    const search = (query: string): string[] => problems("vonage", vonage("GET", `/number/search?${query}`));
    expect(search("pattern=1212")).toEqual(["required query parameter 'country' is missing"]);
    expect(search("country=US&area_code=212")).toEqual(["unknown query parameter 'area_code' (not in the spec)"]);
    expect(search("country=US&size=101")).toEqual(["query parameter 'size' must be <= 100"]);
    expect(search("country=US&search_pattern=3")).toEqual(["query parameter 'search_pattern' must be one of: 0, 1, 2"]);
    expect(search("country=USA")).toEqual(["query parameter 'country' must NOT have more than 2 characters"]);
    expect(search("country=US&features=VOICE,SMS")).toEqual(["query parameter 'features' must be one of: SMS, VOICE, SMS,VOICE, MMS, SMS,MMS, VOICE,MMS, SMS,MMS,VOICE"]);
  });

  it("no credentials, half the query credentials, credentials in the form body instead of the query", () => {
    expect(problems("vonage", vonage("GET", "/number/search?country=US", { authorization: null }))).toEqual([
      "none of the spec's security alternatives is met: security scheme 'basicAuth' needs HTTP Basic credentials (Authorization: Basic base64(user:password)), found none; or security scheme 'apiKey' needs the API key query parameter 'api_key' and security scheme 'apiSecret' needs the API key query parameter 'api_secret'",
    ]);
    expect(problems("vonage", vonage("GET", "/number/search?country=US&api_key=abcd1234", { authorization: null }))).toEqual([expect.stringMatching(/; or security scheme 'apiSecret' needs the API key query parameter 'api_secret'$/)]);
    expect(problems("vonage", vonage("POST", "/number/buy", { body: `${details}&${KEYS}`, contentType: FORM, authorization: null }))).toEqual([
      expect.stringMatching(/^none of the spec's security alternatives is met/),
      "unknown body field 'api_key' (not in the spec)",
      "unknown body field 'api_secret' (not in the spec)",
    ]);
  });

  it("a JSON buy, a misspelt form field, a buy without its body", () => {
    expect(problems("vonage", vonage("POST", "/number/buy", { body: JSON.stringify({ country: "GB", msisdn }), contentType: JSON_TYPE }))).toEqual([
      "Content-Type 'application/json' must be one of the spec's: application/x-www-form-urlencoded",
    ]);
    expect(problems("vonage", vonage("POST", "/number/buy", { body: `countr=GB&msisdn=${msisdn}`, contentType: FORM }))).toEqual(
      expect.arrayContaining(["required body field 'country' is missing", "unknown body field 'countr' (not in the spec)"]),
    );
    expect(problems("vonage", vonage("POST", "/number/buy"))).toEqual(["the request body is required, none was sent"]);
  });
});

describe("Plivo: derived YAML spec, JSON bodies, Basic auth, below /v1/Account/{auth_id}, trailing slashes", () => {
  // A number from Plivo's own search example (digits, no '+'), bought as plivo.md describes.
  const number = firstOf("plivo/examples/phonenumber_search.response.json", "objects", "number");
  const plivo = (method: string, pathAndQuery: string, options: { body?: string; contentType?: string; authorization?: string | null } = {}): EmulatorRequest => request(method, `${PLIVO_ACCOUNT}${pathAndQuery}`, options);

  it("search, buy with and without a body, list, get and unrent", () => {
    const requests = [
      plivo("GET", "/PhoneNumber/?country_iso=US&type=local&pattern=415&services=voice,sms&limit=20&offset=0"),
      plivo("GET", "/PhoneNumber/?country_iso=US&npanxx=415400&local_calling_area=true&region=CA&city=San%20Francisco"),
      plivo("POST", `/PhoneNumber/${number}/`, { body: JSON.stringify({ app_id: "20468599130939380", cnam_lookup: "disabled" }), contentType: JSON_TYPE }),
      plivo("POST", `/PhoneNumber/${number}/`),
      plivo("GET", `/Number/?number_startswith=1415&type=local&limit=20&offset=0`),
      plivo("GET", `/Number/${number}/`),
      plivo("DELETE", `/Number/${number}/`),
    ];
    expect(specViolations("plivo", requests)).toEqual([]);
  });

  it("a search without country_iso, with an unknown parameter, with a limit above 20", () => {
    const search = (query: string): string[] => problems("plivo", plivo("GET", `/PhoneNumber/?${query}`));
    expect(search("type=local&pattern=415")).toEqual(["required query parameter 'country_iso' is missing"]);
    expect(search("country_iso=US&area_code=415")).toEqual(["unknown query parameter 'area_code' (not in the spec)"]);
    expect(search("country_iso=US&limit=50")).toEqual(["query parameter 'limit' must be <= 20"]);
  });

  it("a path without its trailing slash, or outside /v1/Account/{auth_id}", () => {
    expect(problems("plivo", plivo("GET", "/PhoneNumber?country_iso=US"))).toEqual(["the spec's path is /PhoneNumber/, with a trailing '/', and the request's has none"]);
    expect(problems("plivo", plivo("DELETE", `/Number/${number}`))).toEqual(["the spec's path is /Number/{number}/, with a trailing '/', and the request's has none"]);
    expect(problems("plivo", request("GET", "/v1/PhoneNumber/?country_iso=US"))).toEqual(["path is not below the base path /v1/Account/{auth_id}"]);
    expect(problems("plivo", request("GET", "/v1/Account//PhoneNumber/?country_iso=US"))).toEqual(["path is not below the base path /v1/Account/{auth_id}"]);
  });

  it("a form buy, a misspelt or mistyped body field, missing or Bearer auth", () => {
    const buy = (body: string, contentType = JSON_TYPE): string[] => problems("plivo", plivo("POST", `/PhoneNumber/${number}/`, { body, contentType }));
    expect(buy("app_id=1", FORM)).toEqual(["Content-Type 'application/x-www-form-urlencoded' must be one of the spec's: application/json"]);
    expect(buy(JSON.stringify({ appid: "1" }))).toEqual(["unknown body field 'appid' (not in the spec)"]);
    expect(buy(JSON.stringify({ cnam_lookup: "yes", ha_enable: "true" }))).toEqual(["body field 'cnam_lookup' must be one of: enabled, disabled", "body field 'ha_enable' must be boolean"]);
    expect(problems("plivo", plivo("GET", `/Number/${number}/`, { authorization: null }))).toEqual([expect.stringMatching(/^security scheme 'basicAuth' needs HTTP Basic credentials .* found none$/)]);
    expect(problems("plivo", plivo("GET", `/Number/${number}/`, { authorization: BEARER }))).toEqual([expect.stringMatching(/found another Authorization header$/)]);
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

  it.each([
    ["twilio", ["3.0.1", "3.0.1"]],
    ["bandwidth", ["3.0.1"]],
    ["telnyx", ["3.1.0"]],
    ["vonage", ["3.0.0"]],
    ["plivo", ["3.0.3"]],
  ] as const)("every spec file of %s loads, and the request validators of all its operations compile", (carrier, versions) => {
    const loaded = compileSpecs(carrier);
    expect(loaded.map((spec) => spec.openapi)).toEqual(versions);
    for (const spec of loaded) expect(spec.operationIds.length).toBeGreaterThan(0);
  });

  it("SPEC_CARRIERS lists every registered carrier; an unknown one is refused by name", () => {
    const registered = CARRIERS.map((carrier) => carrier.id);
    expect(SPEC_CARRIERS).toEqual(registered);
    expect(SPEC_CARRIERS.slice(0, 5)).toEqual(["twilio", "bandwidth", "telnyx", "vonage", "plivo"]);
    expect(() => specViolations("no-such-carrier" as SpecCarrier, [request("GET", "/")])).toThrow(`No official spec is known for carrier 'no-such-carrier' (known: ${registered.join(", ")})`);
  });

  // Every operation each <carrier>.md summary names, as the emulator records it, and the operation the router finds.
  const SUMMARY_OPERATIONS: Readonly<Record<"telnyx" | "vonage" | "plivo", readonly (readonly [string, string, string])[]>> = {
    telnyx: [
      ["GET", "/v2/available_phone_numbers", "ListAvailablePhoneNumbers"],
      ["POST", "/v2/number_reservations", "CreateNumberReservation"],
      ["GET", "/v2/number_reservations", "ListNumberReservations"],
      ["GET", "/v2/number_reservations/12ade33a-21c0-473b-b055-b3c836e1c292", "RetrieveNumberReservation"],
      ["POST", "/v2/number_reservations/12ade33a-21c0-473b-b055-b3c836e1c292/actions/extend", "ExtendNumberReservationExpiryTime"],
      ["POST", "/v2/number_orders", "CreateNumberOrder"],
      ["GET", "/v2/number_orders", "ListNumberOrders"],
      ["GET", "/v2/number_orders/12ade33a-21c0-473b-b055-b3c836e1c292", "RetrieveNumberOrder"],
      ["GET", "/v2/sub_number_orders/12ade33a-21c0-473b-b055-b3c836e1c292", "GetSubNumberOrder"],
      ["GET", "/v2/phone_numbers", "ListPhoneNumbers"],
      ["GET", "/v2/phone_numbers/1293384261075731499", "RetrievePhoneNumber"],
      ["DELETE", "/v2/phone_numbers/1293384261075731499", "DeletePhoneNumber"],
      ["POST", "/v2/portability_checks", "PostPortabilityCheck"],
      ["POST", "/v2/porting_orders", "CreatePortingOrder"],
      ["GET", "/v2/porting_orders", "ListPortingOrders"],
      ["GET", "/v2/porting_orders/5f7e2b4a-0000-4000-8000-000000000001", "GetPortingOrder"],
      ["PATCH", "/v2/porting_orders/5f7e2b4a-0000-4000-8000-000000000001", "UpdatePortingOrder"],
      ["DELETE", "/v2/porting_orders/5f7e2b4a-0000-4000-8000-000000000001", "DeletePortingOrder"],
      ["POST", "/v2/porting_orders/5f7e2b4a-0000-4000-8000-000000000001/actions/confirm", "ConfirmPortingOrder"],
      ["POST", "/v2/porting_orders/5f7e2b4a-0000-4000-8000-000000000001/actions/cancel", "CancelPortingOrder"],
      ["GET", "/v2/porting_orders/5f7e2b4a-0000-4000-8000-000000000001/requirements", "ListPortingOrderRequirements"],
      ["GET", "/v2/porting_orders/exception_types", "ListExceptionTypes"],
    ],
    vonage: [
      ["GET", "/number/search", "getAvailableNumbers"],
      ["POST", "/number/buy", "buyANumber"],
      ["GET", "/account/numbers", "getOwnedNumbers"],
      ["POST", "/number/cancel", "cancelANumber"],
    ],
    plivo: [
      ["GET", `${PLIVO_ACCOUNT}/PhoneNumber/`, "searchPhoneNumbers"],
      ["POST", `${PLIVO_ACCOUNT}/PhoneNumber/14154009186/`, "buyPhoneNumber"],
      ["GET", `${PLIVO_ACCOUNT}/Number/`, "listRentedNumbers"],
      ["GET", `${PLIVO_ACCOUNT}/Number/14154009186/`, "getRentedNumber"],
      ["DELETE", `${PLIVO_ACCOUNT}/Number/14154009186/`, "unrentNumber"],
    ],
  };

  it.each(Object.entries(SUMMARY_OPERATIONS).map(([carrier, operations]) => ({ carrier: carrier as SpecCarrier, operations })))(
    "$carrier: the router finds every operation the summary names, and the trimmed spec has no others",
    ({ carrier, operations }) => {
      expect(operations.map(([method, path]) => [method, path, specOperationId(carrier, method, path)])).toEqual(operations);
      expect(new Set(compileSpecs(carrier).flatMap((spec) => spec.operationIds))).toEqual(new Set(operations.map(([, , operationId]) => operationId)));
    },
  );
});

describe("preparing a document for openapi-backend", () => {
  const document = (openapi: string, schema: unknown, components: Record<string, unknown> = {}): string =>
    JSON.stringify({ openapi, info: { title: "t", version: "1" }, paths: { "/things/": { post: { operationId: "make", requestBody: { content: { "application/json": { schema } } } } } }, components });
  const bodySchema = (prepared: ReturnType<typeof prepareDocument>): unknown => {
    const paths = prepared.document.paths;
    const item = isSchema(paths) ? paths["/things"] : undefined;
    const body = isSchema(item) && isSchema(item.post) && isSchema(item.post.requestBody) && isSchema(item.post.requestBody.content) ? item.post.requestBody.content["application/json"] : undefined;
    return isSchema(body) ? body.schema : undefined;
  };

  it("3.1: [T, null] becomes nullable T, $ref siblings that validate apply, annotations alone do not; the trailing slash is noted", () => {
    const schema = { type: "object", properties: { a: { type: ["string", "null"] }, b: { $ref: "#/components/schemas/Id", maxLength: 3 }, c: { $ref: "#/components/schemas/Id", description: "an id" } } };
    const prepared = prepareDocument(document("3.1.0", schema, { schemas: { Id: { type: "string" } } }), "t.json");
    expect(bodySchema(prepared)).toEqual({
      type: "object",
      additionalProperties: false,
      properties: { a: { type: "string", nullable: true }, b: { allOf: [{ type: "string" }], maxLength: 3 }, c: { type: "string" } },
    });
    expect([...prepared.trailingSlashPaths]).toEqual(["/things"]);
  });

  it("3.0: $ref siblings are ignored, as that version says", () => {
    const schema = { type: "object", properties: { b: { $ref: "#/components/schemas/Id", maxLength: 3 } } };
    expect(bodySchema(prepareDocument(document("3.0.3", schema, { schemas: { Id: { type: "string" } } }), "t.json"))).toEqual({ type: "object", additionalProperties: false, properties: { b: { type: "string" } } });
  });

  it("refuses 2020-12 keywords the draft-07 validator would skip, other dialects, other OpenAPI versions", () => {
    expect(() => prepareDocument(document("3.1.0", { type: "array", prefixItems: [{ type: "string" }] }), "t.json")).toThrow(/t\.json uses JSON Schema 2020-12 keywords .*: prefixItems at #\/paths\/~?.*schema/);
    expect(() => prepareDocument(document("3.1.0", { type: "object", properties: { prefixItems: { type: "string" } } }), "t.json")).not.toThrow();
    expect(() => prepareDocument(JSON.stringify({ ...JSON.parse(document("3.1.0", {})), jsonSchemaDialect: "https://json-schema.org/draft/2019-09/schema" }), "t.json")).toThrow(/jsonSchemaDialect/);
    expect(() => prepareDocument(JSON.stringify({ swagger: "2.0", paths: {} }), "t.json")).toThrow("t.json is not an OpenAPI document");
    expect(() => prepareDocument(document("4.0.0", {}), "t.json")).toThrow("t.json is OpenAPI 4.0.0; only 3.0 and 3.1 are supported");
  });

  it("YAML with the core schema: dates stay strings, duplicate keys are an error", () => {
    const yaml = (extra: string): string => `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things:
    get:
      operationId: list
      parameters:
        - {name: since, in: query, schema: {type: string, format: date, example: 2024-01-01}}
${extra}`;
    const prepared = prepareDocument(yaml(""), "t.yaml");
    expect(JSON.stringify(prepared.document)).toContain('"example":"2024-01-01"');
    expect(() => prepareDocument(yaml("paths: {}\n"), "t.yaml")).toThrow(/duplicated mapping key/);
  });
});
