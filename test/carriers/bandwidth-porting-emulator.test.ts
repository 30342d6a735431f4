import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BandwidthEmulator } from "../../src/carriers/bandwidth/bandwidth-emulator.js";
import { asArray, childObject, childText, parseXml } from "../../src/carriers/kit/xml.js";
import { specViolations } from "../support/official-spec.js";
import { basic, sendRaw, xmlOf, type RawAnswer } from "./carrier-test-kit.js";

/**
 * Bandwidth's port-ins on its emulator, over raw HTTP: lnpchecker, portins and their LOAs, supps, cancels, history,
 * list and notifications, as strict as the official spec. The emulator's clock is injected; its back office moves a
 * port-in one step per GET after one unchanged GET (pollsBeforeFinal 1).
 */

const CREDENTIALS = { username: "porting-user", password: "porting-password", accountId: "9900123", siteId: "1001", peerId: "500001" };
const MONDAY = Date.parse("2026-03-02T14:00:00.000Z");
const XML = "application/xml; charset=utf-8";
const authorization = basic(CREDENTIALS.username, CREDENTIALS.password);
// 555 exchanges are never in the emulator's inventory; the last digit picks the losing carrier (0-3, 4-6, 7-9 wireless).
const WIRELINE = ["9195550104", "9195550105"];
const WIRELESS = "9195550107";
const FOC_DATE = "2026-03-04T15:30:00.000Z";

let clock: number;
let emulator: BandwidthEmulator;
let dispatcher: Agent;
let accountUrl: string;

beforeEach(async () => {
  clock = MONDAY;
  emulator = new BandwidthEmulator({ ...CREDENTIALS, pollsBeforeFinal: 1, now: () => clock });
  await emulator.start();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  accountUrl = `${emulator.baseUrl}/accounts/${CREDENTIALS.accountId}`;
});
afterEach(async () => {
  await emulator.stop();
  await dispatcher.close();
});

function call(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: string, contentType = XML, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const withBody: Record<string, string> = body === undefined ? {} : { "content-type": contentType };
  return sendRaw(dispatcher, `${accountUrl}${path}`, { method, headers: { authorization, ...withBody, ...headers }, body });
}

interface OrderOptions {
  readonly tns?: readonly string[];
  readonly btn?: string;
  readonly pin?: string;
  readonly siteId?: string;
  readonly omit?: readonly string[];
  readonly reference?: string;
}

function lnpOrder(options: OrderOptions = {}): string {
  const tns = options.tns ?? WIRELINE;
  const parts: Record<string, string> = {
    CustomerOrderId: `<CustomerOrderId>${options.reference ?? "ng-port-1"}</CustomerOrderId>`,
    SiteId: `<SiteId>${options.siteId ?? CREDENTIALS.siteId}</SiteId>`,
    PeerId: `<PeerId>${CREDENTIALS.peerId}</PeerId>`,
    BillingTelephoneNumber: `<BillingTelephoneNumber>${options.btn ?? tns[0] ?? ""}</BillingTelephoneNumber>`,
    Subscriber:
      "<Subscriber><SubscriberType>BUSINESS</SubscriberType><BusinessName>Acme Corporation</BusinessName>" +
      (options.omit?.includes("ServiceAddress") ? "" : "<ServiceAddress><HouseNumber>1623</HouseNumber><StreetName>Brockton Ave</StreetName><City>Raleigh</City><StateCode>NC</StateCode><Zip>27601</Zip></ServiceAddress>") +
      "</Subscriber>",
    LoaAuthorizingPerson: "<LoaAuthorizingPerson>John Doe</LoaAuthorizingPerson>",
    ListOfPhoneNumbers: `<ListOfPhoneNumbers>${tns.map((tn) => `<PhoneNumber>${tn}</PhoneNumber>`).join("")}</ListOfPhoneNumbers>`,
    RequestedFocDate: `<RequestedFocDate>${FOC_DATE}</RequestedFocDate>`,
    ...(options.pin === undefined ? {} : { WirelessInfo: `<WirelessInfo><AccountNumber>771297665</AccountNumber><PinNumber>${options.pin}</PinNumber></WirelessInfo>` }),
  };
  return `<LnpOrder>${Object.entries(parts).filter(([name]) => !options.omit?.includes(name)).map(([, element]) => element).join("")}</LnpOrder>`;
}

async function createPortIn(options: OrderOptions = {}): Promise<string> {
  const answer = await call("POST", "/portins", lnpOrder(options));
  expect(answer.status, answer.body).toBe(201);
  const orderId = childText(xmlOf(answer, "LnpOrderResponse"), "OrderId") ?? "";
  expect(answer.headers.location).toBe(`${accountUrl}/portins/${orderId}`);
  return orderId;
}

function uploadLoa(orderId: string): Promise<RawAnswer> {
  return call("POST", `/portins/${orderId}/loas?documentType=LOA`, "%PDF-1.4 signed letter of authorization", "application/pdf");
}

async function status(orderId: string): Promise<Record<string, unknown>> {
  const answer = await call("GET", `/portins/${orderId}`);
  expect(answer.status).toBe(200);
  return xmlOf(answer, "LnpOrderResponse");
}

/** GETs the port-in until it reaches a status (at most `polls` GETs); the statuses seen, in order, without repeats. */
async function pollUntil(orderId: string, wanted: string, polls = 6): Promise<string[]> {
  const seen: string[] = [];
  for (let poll = 0; poll < polls && seen.at(-1) !== wanted; poll += 1) {
    const current = childText(await status(orderId), "ProcessingStatus") ?? "";
    if (seen.at(-1) !== current) seen.push(current);
  }
  return seen;
}

function errorCodes(answer: RawAnswer, root: string): string[] {
  return asArray(xmlOf(answer, root)["Errors"]).map((error) => childText(error, "Code") ?? "");
}

async function historyOf(orderId: string): Promise<string[]> {
  const answer = await call("GET", `/portins/${orderId}/history`);
  expect(answer.status).toBe(200);
  return asArray(xmlOf(answer, "OrderHistoryWrapper")["OrderHistory"]).map((entry) => childText(entry, "Status") ?? "");
}

describe("Bandwidth emulator: lnpchecker", () => {
  it("says which TNs are portable, by rate center and losing carrier; Bandwidth's own numbers and Alaska are not", async () => {
    const owned = "9195550100";
    emulator.numbers.owned.add(owned);
    const tns = [...WIRELINE, WIRELESS, owned, "9075550101"];
    const answer = await call("POST", "/lnpchecker?fullCheck=true", `<NumberPortabilityRequest><TnList>${tns.map((tn) => `<Tn>${tn}</Tn>`).join("")}</TnList></NumberPortabilityRequest>`);
    expect(answer.status, answer.body).toBe(200);
    const root = xmlOf(answer, "NumberPortabilityResponse");
    expect(asArray(childObject(root, "PortableNumbers")?.["Tn"])).toEqual([...WIRELINE, WIRELESS]);
    expect(childText(childObject(childObject(root, "SupportedRateCenters"), "RateCenterGroup"), "RateCenter")).toBe("RALEIGH");
    expect(childText(childObject(childObject(root, "UnsupportedRateCenters"), "RateCenterGroup"), "State")).toBe("AK");
    const carriers = asArray(childObject(root, "SupportedLosingCarriers")?.["LosingCarrierTnList"]);
    expect(carriers.map((carrier) => [childText(carrier, "LosingCarrierName"), childText(carrier, "LosingCarrierIsWireless"), asArray(childObject(carrier, "TnList")?.["Tn"])])).toEqual([
      ["IntegraTelecom", "false", WIRELINE],
      ["Emulated Wireless", "true", [WIRELESS]],
    ]);
    expect(childText(childObject(childObject(root, "UnsupportedLosingCarriers"), "LosingCarrierTnList"), "LosingCarrierName")).toBe("Bandwidth");

    const withoutCarriers = await call("POST", "/lnpchecker", `<NumberPortabilityRequest><TnList><Tn>${WIRELESS}</Tn></TnList></NumberPortabilityRequest>`);
    expect(xmlOf(withoutCarriers, "NumberPortabilityResponse")["SupportedLosingCarriers"]).toBeUndefined();
    expect(specViolations("bandwidth", emulator.requests)).toEqual([]);
  });

  it("refuses an invalid TN with Bandwidth's 7201, an unknown fullCheck with 7472, and a body not declared XML with 415", async () => {
    const invalid = await call("POST", "/lnpchecker?fullCheck=true", "<NumberPortabilityRequest><TnList><Tn>61746052083</Tn><Tn>9195550104</Tn></TnList></NumberPortabilityRequest>");
    expect(invalid.status).toBe(400);
    expect(errorCodes(invalid, "NumberPortabilityResponse")).toEqual(["7201"]);
    expect(invalid.body).toContain("61746052083 is not a valid NANP telephone number.");
    const mode = await call("POST", "/lnpchecker?fullCheck=sometimes", `<NumberPortabilityRequest><TnList><Tn>${WIRELESS}</Tn></TnList></NumberPortabilityRequest>`);
    expect(errorCodes(mode, "NumberPortabilityResponse")).toEqual(["7472"]);
    expect((await call("POST", "/lnpchecker", "tn=9195550104", "application/x-www-form-urlencoded")).status).toBe(415);
  });
});

describe("Bandwidth emulator: creating port-ins", () => {
  it("answers 201 PENDING_DOCUMENTS with the order id in the body and an absolute Location", async () => {
    const orderId = await createPortIn();
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(childText(await status(orderId), "ProcessingStatus")).toBe("PENDING_DOCUMENTS");
    expect(specViolations("bandwidth", emulator.requests)).toEqual([]);
  });

  it("refuses missing or wrong elements with Bandwidth's codes, all errors at once", async () => {
    const cases: [OrderOptions, string[]][] = [
      [{ omit: ["SiteId", "LoaAuthorizingPerson"] }, ["7309", "7115"]],
      [{ siteId: "2002" }, ["7309"]],
      [{ omit: ["ServiceAddress"] }, ["7107"]],
      [{ omit: ["BillingTelephoneNumber"] }, ["7103"]],
      [{ omit: ["ListOfPhoneNumbers"] }, ["7101"]],
      [{ tns: [...WIRELINE, WIRELESS] }, ["7204"]],
      [{ tns: [WIRELESS] }, ["7113"]],
      [{ tns: ["9195550103"], btn: "9195550103", omit: ["RequestedFocDate"], reference: "bad/ref" }, ["7318"]],
    ];
    for (const [options, codes] of cases) {
      const answer = await call("POST", "/portins", lnpOrder(options));
      expect(answer.status, JSON.stringify(options)).toBe(400);
      expect(errorCodes(answer, "LnpOrderResponse"), JSON.stringify(options)).toEqual(codes);
      expect(childText(xmlOf(answer, "LnpOrderResponse"), "ProcessingStatus")).toBe("EXCEPTION");
    }
    // The official spec agrees that the requests missing required elements are invalid.
    const problems = specViolations("bandwidth", emulator.requests).map((violation) => violation.problem);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining("<SiteId>"), expect.stringContaining("<ServiceAddress>"), expect.stringContaining("<ListOfPhoneNumbers>")]));
    expect(emulator.portins.records.size).toBe(0);
  });

  it("refuses TNs that are already Bandwidth's, in service, or on another open port-in", async () => {
    const [forSale = ""] = asArray(childObject(xmlOf(await call("GET", "/availableNumbers?areaCode=919&quantity=1"), "SearchResult"), "TelephoneNumberList")?.["TelephoneNumber"]).map(String);
    expect(errorCodes(await call("POST", "/portins", lnpOrder({ tns: [forSale], btn: WIRELINE[0] ?? "" })), "LnpOrderResponse")).toEqual(["7320"]);
    await createPortIn();
    expect(errorCodes(await call("POST", "/portins", lnpOrder()), "LnpOrderResponse")).toEqual(["7205", "7205"]);
  });
});

describe("Bandwidth emulator: the port-in status walk", () => {
  it("waits for an LOA, then goes SUBMITTED, FOC and, on the FOC date, COMPLETE; its TNs are then in service", async () => {
    const orderId = await createPortIn();
    expect(await pollUntil(orderId, "SUBMITTED", 3)).toEqual(["PENDING_DOCUMENTS"]);
    const upload = await uploadLoa(orderId);
    expect(upload.status).toBe(201);
    expect(upload.headers.location).toMatch(new RegExp(`^${accountUrl}/portins/${orderId}/loas/${orderId}-\\d+\\.pdf$`));
    expect(await pollUntil(orderId, "FOC")).toEqual(["SUBMITTED", "FOC"]);
    expect(childText(await status(orderId), "ActualFocDate")).toBe(FOC_DATE);
    expect(await pollUntil(orderId, "COMPLETE", 4)).toEqual(["FOC"]);
    clock = Date.parse(FOC_DATE);
    // The GETs while waiting for the FOC date counted: the first one on the date completes the port.
    expect(await pollUntil(orderId, "COMPLETE")).toEqual(["COMPLETE"]);
    for (const tn of WIRELINE) expect((await call("GET", `/inserviceNumbers/${tn}`)).status).toBe(200);
    expect(await historyOf(orderId)).toEqual(["PENDING_DOCUMENTS", "SUBMITTED", "FOC", "COMPLETE"]);
    const listed = await call("GET", "/portins/" + orderId + "/loas?metadata=true");
    expect(childText(childObject(childObject(xmlOf(listed, "fileListResponse"), "fileData"), "FileMetaData"), "DocumentType")).toBe("LOA");
    expect(specViolations("bandwidth", emulator.requests)).toEqual([]);
  });

  it("puts a wireless port with the wrong PIN in EXCEPTION (7213); a supp with the right PIN completes it", async () => {
    const orderId = await createPortIn({ tns: [WIRELESS], pin: "0000" });
    await uploadLoa(orderId);
    expect(await pollUntil(orderId, "EXCEPTION")).toEqual(["SUBMITTED", "EXCEPTION"]);
    const exception = await status(orderId);
    expect(childText(childObject(exception, "Errors"), "Code")).toBe("7213");
    const supp = await call("PUT", `/portins/${orderId}`, "<LnpOrderSupp><CustomerOrderId>ng-port-1</CustomerOrderId><WirelessInfo><AccountNumber>771297665</AccountNumber><PinNumber>2468</PinNumber></WirelessInfo></LnpOrderSupp>");
    expect(supp.status, supp.body).toBe(200);
    expect(childText(xmlOf(supp, "LnpOrderResponse"), "ProcessingStatus")).toBe("REQUESTED_SUPP");
    expect(await pollUntil(orderId, "FOC")).toEqual(["REQUESTED_SUPP", "SUBMITTED", "FOC"]);
    clock = Date.parse(FOC_DATE) + 1;
    expect(await pollUntil(orderId, "COMPLETE")).toEqual(["FOC", "COMPLETE"]);
    expect(emulator.numbers.owned.has(WIRELESS)).toBe(true);
    expect(await historyOf(orderId)).toEqual(["PENDING_DOCUMENTS", "SUBMITTED", "EXCEPTION", "REQUESTED_SUPP", "SUBMITTED", "FOC", "COMPLETE"]);
    expect(specViolations("bandwidth", emulator.requests)).toEqual([]);
  });

  it("cancels before FOC (REQUESTED_CANCEL, then CANCELLED); refuses cancels from FOC on (7301) and after completion (7304)", async () => {
    const early = await createPortIn({ tns: [WIRELINE[0] ?? ""] });
    expect((await call("DELETE", `/portins/${early}`)).status).toBe(200);
    expect(await pollUntil(early, "CANCELLED")).toEqual(["REQUESTED_CANCEL", "CANCELLED"]);
    expect(await historyOf(early)).toEqual(["PENDING_DOCUMENTS", "REQUESTED_CANCEL", "CANCELLED"]);

    const late = await createPortIn({ tns: [WIRELINE[1] ?? ""], reference: "ng-port-2" });
    await uploadLoa(late);
    await pollUntil(late, "FOC");
    const refused = await call("DELETE", `/portins/${late}`);
    expect(refused.status).toBe(400);
    expect(errorCodes(refused, "LnpOrderResponse")).toEqual(["7301"]);
    clock = Date.parse(FOC_DATE);
    await pollUntil(late, "COMPLETE");
    expect(errorCodes(await call("DELETE", `/portins/${late}`), "LnpOrderResponse")).toEqual(["7304"]);
    expect(specViolations("bandwidth", emulator.requests)).toEqual([]);
  });
});

describe("Bandwidth emulator: port-in list, documents and saved state", () => {
  it("requires page and size, pages by the first order's id, and filters by status", async () => {
    expect((await call("GET", "/portins")).status).toBe(400);
    // The first losing carrier's minimum interval (5 days) is past FOC_DATE: these ask no FOC date and get the next one.
    const ids: string[] = [];
    for (const tn of ["9195550110", "9195550111", "9195550112"]) ids.push(await createPortIn({ tns: [tn], omit: ["RequestedFocDate"] }));
    await uploadLoa(ids[2] ?? "");
    const first = xmlOf(await call("GET", "/portins?page=1&size=2"), "LNPResponseWrapper");
    expect(childText(first, "TotalCount")).toBe("3");
    expect(asArray(first["lnpPortInfoForGivenStatus"]).map((entry) => childText(entry, "OrderId"))).toEqual(ids.slice(0, 2));
    const next = /<(.+)>/.exec(childText(childObject(first, "Links"), "next") ?? "")?.[1] ?? "";
    expect(next).toContain(`page=${ids[2] ?? ""}`);
    const second = xmlOf(await sendRaw(dispatcher, next, { headers: { authorization } }), "LNPResponseWrapper");
    expect(asArray(second["lnpPortInfoForGivenStatus"]).map((entry) => childText(entry, "OrderId"))).toEqual([ids[2]]);
    const submitted = xmlOf(await call("GET", "/portins?page=1&size=10&status=submitted"), "LNPResponseWrapper");
    expect(childText(submitted, "TotalCount")).toBe("1");
    const withoutPaging = (request: (typeof emulator.requests)[number]) => request.method === "GET" && request.path.endsWith("/portins") && !request.query.has("page");
    expect(specViolations("bandwidth", emulator.requests.filter((request) => !withoutPaging(request)))).toEqual([]);
  });

  it("refuses LOA uploads without a document type (409, 7640), with an unknown one (400, 7639), of another file type (415) or too large (413)", async () => {
    const orderId = await createPortIn();
    const path = `/portins/${orderId}/loas`;
    expect((await call("POST", path, "%PDF", "application/pdf")).status).toBe(409);
    const unknown = await call("POST", `${path}?documentType=PASSPORT`, "%PDF", "application/pdf");
    expect([unknown.status, childText(xmlOf(unknown, "fileUploadResponse"), "resultCode")]).toEqual([400, "7639"]);
    expect((await call("POST", `${path}?documentType=LOA`, "{}", "application/json")).status).toBe(415);
    expect((await call("POST", `${path}?documentType=LOA`, "x".repeat(5 * 1024 * 1024 + 1), "application/pdf")).status).toBe(413);
    expect(childText(await status(orderId), "ProcessingStatus")).toBe("PENDING_DOCUMENTS");
  });

  it("keeps port-ins in the saved state across a restart", async () => {
    const directory = mkdtempSync(join(tmpdir(), "bandwidth-portins-"));
    try {
      emulator.persistStateIn(join(directory, "bandwidth-emulator.json"));
      const orderId = await createPortIn();
      await uploadLoa(orderId);
      const restarted = new BandwidthEmulator({ ...CREDENTIALS, now: () => clock });
      restarted.persistStateIn(join(directory, "bandwidth-emulator.json"));
      const record = restarted.portins.records.get(orderId);
      expect(record?.status).toBe("SUBMITTED");
      expect(record?.history.map((entry) => entry.status)).toEqual(["PENDING_DOCUMENTS", "SUBMITTED"]);
      await restarted.stop();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("Bandwidth emulator: port-in notifications", () => {
  it("POSTs Bandwidth's <Notification> with the configured Basic credentials on every status change, in order", async () => {
    const received: { authorization: string | undefined; body: string }[] = [];
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ authorization: request.headers.authorization, body: Buffer.concat(chunks).toString("utf8") });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      emulator.portins.notifyTo({ url: `http://127.0.0.1:${port}/bandwidth/portins`, username: "hook-user", password: "hook-secret" });
      const orderId = await createPortIn();
      await uploadLoa(orderId);
      await pollUntil(orderId, "FOC");
      clock = Date.parse(FOC_DATE);
      await pollUntil(orderId, "COMPLETE");
      await emulator.portins.notificationsSettled();
      expect(received.map((notification) => notification.authorization)).toEqual(Array(4).fill(basic("hook-user", "hook-secret")));
      const notifications = received.map((notification) => childObject(parseXml(notification.body), "Notification"));
      expect(notifications.map((notification) => childText(notification, "Status"))).toEqual(["PENDING_DOCUMENTS", "SUBMITTED", "FOC", "COMPLETE"]);
      expect(notifications.every((notification) => childText(notification, "OrderId") === orderId && childText(notification, "OrderType") === "portin")).toBe(true);
      expect(childText(notifications[0], "CustomerOrderId")).toBe("ng-port-1");
      expect(asArray(childObject(notifications[3], "CompletedTelephoneNumbers")?.["TelephoneNumber"])).toEqual(WIRELINE);
      expect(emulator.portins.notificationDeliveries.map((delivery) => delivery.httpStatus)).toEqual([200, 200, 200, 200]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("records a notification it cannot deliver, and the port-in goes on", async () => {
    const unreachable = new BandwidthEmulator(CREDENTIALS);
    const port = Number(new URL(await unreachable.start()).port);
    await unreachable.stop();
    emulator.portins.notifyTo({ url: `http://127.0.0.1:${port}/gone`, username: "hook-user", password: "hook-secret" });
    const orderId = await createPortIn();
    await emulator.portins.notificationsSettled();
    expect(emulator.portins.notificationDeliveries).toEqual([{ orderId, status: "PENDING_DOCUMENTS", error: expect.any(String) }]);
    expect(childText(await status(orderId), "ProcessingStatus")).toBe("PENDING_DOCUMENTS");
  });
});
