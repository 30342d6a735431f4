import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BandwidthAdapter } from "../../src/carriers/bandwidth/bandwidth-adapter.js";
import { bandwidthCarrier } from "../../src/carriers/bandwidth/bandwidth-carrier.js";
import type { BandwidthEmulator } from "../../src/carriers/bandwidth/bandwidth-emulator.js";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { Secret } from "../../src/config/secret.js";
import { featureMethods, type FeatureMethods } from "../../src/domain/carrier-adapter.js";
import type { CarrierNotification, CarrierPortInRequest, CarrierPortInState, CarrierPortInStatus } from "../../src/domain/carrier-lifecycle.js";
import { specViolations } from "../support/official-spec.js";
import { carrierError, phone } from "./carrier-test-kit.js";

/**
 * Bandwidth port-ins through the adapter, against the emulator (bandwidth-emulator-portins.ts): created
 * PENDING_DOCUMENTS, submitted by an LOA upload, then one step per GET after one unchanged GET (pollsBeforeFinal 1):
 * FOC, or EXCEPTION 7213 for a wrong PIN at the wireless losing carrier (TNs ending 7-9, PIN "2468"), and COMPLETE once
 * the emulator's porting clock (injected through startEmulator's portingClock) reaches the FOC date. 555 exchanges are never in the emulator's inventory.
 */

const MONDAY = Date.parse("2026-03-02T14:00:00.000Z");
const FOC_DATE = new Date("2026-03-04T15:30:00.000Z");
const WIRELINE = "+19195550105";
const WIRELESS = "+19195550107";
const RIGHT_PIN = "2468";
const WRONG_PIN = "1357";
const ACCOUNT_NUMBER = "771297665";

let clock: number;
let started: StartedEmulator<BandwidthEmulator>;
let emulator: BandwidthEmulator;
let dispatcher: Agent;
let porting: FeatureMethods<"porting">;

function portInRequest(overrides: Partial<CarrierPortInRequest> = {}): CarrierPortInRequest {
  return {
    numbers: [phone(WIRELINE)],
    orderReference: "ng-port-1",
    losingCarrierName: "IntegraTelecom",
    authorizedName: "John Doe",
    authorizedEmail: "john@example.com",
    accountNumber: undefined,
    pin: undefined,
    serviceAddress: { addressLines: ["1623 Brockton Ave", "Suite 4"], locality: "Raleigh", administrativeArea: "NC", postalCode: "27601", regionCode: "US" },
    requestedPortDate: FOC_DATE,
    carrierDocuments: [],
    notificationUrl: undefined,
    ...overrides,
  };
}

function wirelessRequest(pin: string): CarrierPortInRequest {
  return portInRequest({ numbers: [phone(WIRELESS)], orderReference: "ng-port-wireless", losingCarrierName: "Emulated Wireless", pin: new Secret(pin), accountNumber: new Secret(ACCOUNT_NUMBER) });
}

const LOA = { source: "content", kind: "letter_of_authorization", fileName: "loa.pdf", contentType: "application/pdf", content: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0xe2, 0x9c, 0x93, 0x0a]) } as const;

/** GETs the port-in until it reaches a state (at most `polls` GETs); the carrier statuses seen, in order, without repeats. */
async function pollUntil(carrierOrderId: string, wanted: CarrierPortInState, polls = 6): Promise<{ seen: string[]; last: CarrierPortInStatus | undefined }> {
  const seen: string[] = [];
  let last: CarrierPortInStatus | undefined;
  for (let poll = 0; poll < polls && last?.state !== wanted; poll += 1) {
    last = await porting.doGetPortIn(carrierOrderId, {});
    if (seen.at(-1) !== last.carrierStatus) seen.push(last.carrierStatus);
  }
  return { seen, last };
}

async function submitted(request: CarrierPortInRequest): Promise<string> {
  const created = await porting.doCreatePortIn(request, {});
  expect(created.state).toBe("awaiting_documents");
  expect((await porting.doAttachPortInDocument(created.carrierOrderId, LOA, {})).state).toBe("submitted");
  return created.carrierOrderId;
}

describe("bandwidth port-ins through the adapter", () => {
  beforeEach(async () => {
    // startEmulator judges a RequestedFocDate on real time (Date.now), the walk on `clock`: both start on MONDAY.
    vi.useFakeTimers({ toFake: ["Date"], now: MONDAY });
    clock = MONDAY;
    started = await bandwidthCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false, portingClock: () => clock });
    emulator = started.emulator;
    emulator.numbers.pollsBeforeFinal = 1;
    dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    const offered = featureMethods(started.connection.createAdapter({ dispatcher }), "porting");
    if (!offered) throw new Error("bandwidth does not offer porting");
    porting = offered;
  });
  afterEach(async () => {
    expect(specViolations("bandwidth", emulator.requests)).toEqual([]);
    await porting.close();
    await emulator.stop();
    await dispatcher.destroy();
    vi.useRealTimers();
  });

  it("declares porting", () => {
    expect(porting.descriptor.supportsPorting).toBe(true);
  });

  it("creates a port-in awaiting documents, submits it with the LOA, and walks it to FOC and completion", async () => {
    const created = await porting.doCreatePortIn(portInRequest(), {});
    expect(created).toMatchObject({ state: "awaiting_documents", carrierStatus: "PENDING_DOCUMENTS", detail: "", focDate: undefined });
    const sent = emulator.requests.find((request) => request.method === "POST" && request.path.endsWith("/portins"));
    for (const element of ["<CustomerOrderId>ng-port-1</CustomerOrderId>", `<SiteId>${emulator.credentials.siteId}</SiteId>`, `<PeerId>${emulator.credentials.peerId}</PeerId>`, "<BillingTelephoneNumber>9195550105</BillingTelephoneNumber>", "<LoaAuthorizingPerson>John Doe</LoaAuthorizingPerson>", "<HouseNumber>1623</HouseNumber>", "<StreetName>Brockton Ave</StreetName>", "<AddressLine2>Suite 4</AddressLine2>", "<PhoneNumber>9195550105</PhoneNumber>", "<RequestedFocDate>2026-03-04T15:30:00.000Z</RequestedFocDate>"]) {
      expect(sent?.body).toContain(element);
    }
    expect(sent?.body).not.toContain("WirelessInfo");

    const attached = await porting.doAttachPortInDocument(created.carrierOrderId, LOA, {});
    expect(attached).toMatchObject({ carrierOrderId: created.carrierOrderId, state: "submitted", carrierStatus: "SUBMITTED" });
    expect(attached.statusTime).toEqual(new Date(MONDAY));
    const upload = emulator.requests.find((request) => request.path.endsWith("/loas"));
    expect(upload?.query.get("documentType")).toBe("LOA");
    expect(upload?.headers["content-type"]).toBe("application/pdf");

    const toFoc = await pollUntil(created.carrierOrderId, "foc_scheduled");
    // The GET after the upload was the first unchanged one: the next moves it.
    expect(toFoc.seen).toEqual(["FOC"]);
    expect(toFoc.last).toMatchObject({ state: "foc_scheduled", focDate: FOC_DATE });
    // Before the FOC date the port stays scheduled however often it is asked about.
    expect((await pollUntil(created.carrierOrderId, "completed", 3)).last?.state).toBe("foc_scheduled");
    clock = FOC_DATE.getTime();
    const done = await pollUntil(created.carrierOrderId, "completed");
    expect(done.last).toMatchObject({ state: "completed", carrierStatus: "COMPLETE", focDate: FOC_DATE, statusTime: FOC_DATE });
  });

  it("reports a wrong PIN as action_required with 7213, and a supp with the right PIN resubmits it to completion", async () => {
    const carrierOrderId = await submitted(wirelessRequest(WRONG_PIN));
    const refused = await pollUntil(carrierOrderId, "action_required");
    expect(refused.last).toMatchObject({ state: "action_required", carrierStatus: "EXCEPTION" });
    expect(refused.last?.detail).toBe("7213: PIN number is invalid");

    const resubmitted = await porting.doResubmitPortIn(carrierOrderId, wirelessRequest(RIGHT_PIN), {});
    expect(resubmitted).toMatchObject({ carrierOrderId, state: "submitted", carrierStatus: "REQUESTED_SUPP", detail: "" });
    const supp = emulator.requests.find((request) => request.method === "PUT");
    expect(supp?.body).toContain(`<WirelessInfo><AccountNumber>${ACCOUNT_NUMBER}</AccountNumber><PinNumber>${RIGHT_PIN}</PinNumber></WirelessInfo>`);
    expect(supp?.body).toContain("<CustomerOrderId>ng-port-wireless</CustomerOrderId>");

    const walk = await pollUntil(carrierOrderId, "foc_scheduled");
    expect(walk.seen).toEqual(["REQUESTED_SUPP", "SUBMITTED", "FOC"]);
    clock = FOC_DATE.getTime();
    expect((await pollUntil(carrierOrderId, "completed")).last?.state).toBe("completed");
    expect(emulator.numbers.owned.has("9195550107")).toBe(true);
  });

  it("cancels before FOC; after FOC Bandwidth's refusal is an invalid_request carrying 7301", async () => {
    const early = await submitted(portInRequest({ orderReference: "ng-port-early" }));
    await porting.doCancelPortIn(early, {});
    expect((await pollUntil(early, "cancelled")).seen).toEqual(["REQUESTED_CANCEL", "CANCELLED"]);
    // Repeating the cancel (its answer lost) is no error: the port-in is already cancelled.
    await porting.doCancelPortIn(early, {});

    const late = await submitted(portInRequest({ numbers: [phone("+19195550104")], orderReference: "ng-port-late" }));
    await pollUntil(late, "foc_scheduled");
    const error = await carrierError(() => porting.doCancelPortIn(late, {}));
    expect(error).toMatchObject({ kind: "invalid_request", carrierCode: "7301", httpStatus: 400 });
    expect(error.carrierMessage).toContain("pending FOC date is too soon");
    expect(error.message).toContain("7301");
  });

  it("finds a port-in by numbergate's reference, and answers undefined for a reference Bandwidth does not have", async () => {
    const created = await porting.doCreatePortIn(portInRequest({ orderReference: "ng-find-me" }), {});
    await porting.doCreatePortIn(portInRequest({ numbers: [phone("+19195550106")], orderReference: "ng-someone-else" }), {});
    expect(await porting.doFindPortIn({ orderReference: "ng-find-me", numbers: [], sentAt: new Date() }, {})).toMatchObject({ carrierOrderId: created.carrierOrderId, state: "awaiting_documents" });
    expect(await porting.doFindPortIn({ orderReference: "ng-never-sent", numbers: [], sentAt: new Date() }, {})).toBeUndefined();
    const list = emulator.requests.find((request) => request.method === "GET" && request.path.endsWith("/portins"));
    expect(Object.fromEntries(list?.query ?? [])).toEqual({ customerOrderId: "ng-find-me", page: "1", size: "10" });
  });

  it("refuses a document held at the carrier: Bandwidth takes the file itself", async () => {
    const created = await porting.doCreatePortIn(portInRequest(), {});
    const error = await carrierError(() => porting.doAttachPortInDocument(created.carrierOrderId, { source: "carrier", kind: "letter_of_authorization", carrierDocumentId: "doc-1" }, {}));
    expect(error).toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    expect(error.message).toContain("file itself");
  });

  it("puts the PIN and account number on the wire only, never in an error", async () => {
    const withoutAccountNumber = portInRequest({ numbers: [phone("+19195550108")], orderReference: "ng-no-account", pin: new Secret(RIGHT_PIN) });
    const error = await carrierError(() => porting.doCreatePortIn(withoutAccountNumber, {}));
    expect(error).toMatchObject({ kind: "invalid_request", carrierCode: "7114", httpStatus: 400 });
    expect(emulator.requests.at(-1)?.body).toContain(`<PinNumber>${RIGHT_PIN}</PinNumber>`);

    const carrierOrderId = await submitted(wirelessRequest(WRONG_PIN));
    const refused = await pollUntil(carrierOrderId, "action_required");
    const supp = await carrierError(() => porting.doResubmitPortIn(carrierOrderId, portInRequest({ ...wirelessRequest(RIGHT_PIN), numbers: [phone(WIRELINE)] }), {}));
    expect(supp.carrierCode).toBe("7495");
    for (const shown of [error, supp].flatMap((failure) => [failure.message, String(failure.carrierMessage), JSON.stringify(failure), inspect(failure, { depth: 5 })]).concat(JSON.stringify(refused.last))) {
      for (const secret of [RIGHT_PIN, WRONG_PIN, ACCOUNT_NUMBER]) expect(shown).not.toContain(secret);
    }
  });
});

describe("bandwidth port-in notifications", () => {
  let receiver: Server;
  const received: { headers: IncomingMessage["headers"]; url: string; method: string; body: Buffer }[] = [];

  beforeEach(async () => {
    received.length = 0;
    started = await bandwidthCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
    dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    const offered = featureMethods(started.connection.createAdapter({ dispatcher }), "porting");
    if (!offered) throw new Error("bandwidth does not offer porting");
    porting = offered;
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ headers: request.headers, url: request.url ?? "", method: request.method ?? "", body: Buffer.concat(chunks) });
        response.end();
      });
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
  });
  afterEach(async () => {
    expect(specViolations("bandwidth", started.emulator.requests)).toEqual([]);
    await porting.close();
    await started.emulator.stop();
    await dispatcher.destroy();
    receiver.close();
    await once(receiver, "close");
  });

  function asNotification(index: number, headers: Readonly<Record<string, string | undefined>> = {}, body?: Buffer): CarrierNotification {
    const captured = received[index];
    if (!captured) throw new Error(`no notification ${index} was received`);
    const port = (receiver.address() as AddressInfo).port;
    const capturedHeaders = Object.fromEntries(Object.entries(captured.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]));
    return { method: captured.method, url: `http://127.0.0.1:${port}${captured.url}`, headers: { ...capturedHeaders, ...headers }, body: body ?? captured.body, receivedAt: Date.now() };
  }

  it("verifies and reads the sandbox emulator's own notifications", async () => {
    const port = (receiver.address() as AddressInfo).port;
    started.emulator.deliverPortingNotificationsTo(`http://127.0.0.1:${port}/bandwidth/portins`);
    const created = await porting.doCreatePortIn(portInRequest({ requestedPortDate: undefined }), {});
    await porting.doAttachPortInDocument(created.carrierOrderId, LOA, {});
    await started.emulator.portins.notificationsSettled();
    expect(received.map((notification) => notification.method)).toEqual(["POST", "POST"]);

    const first = porting.readPortInNotification(asNotification(0));
    expect(first).toEqual({
      verified: true,
      eventType: "portin:PENDING_DOCUMENTS",
      status: { carrierOrderId: created.carrierOrderId, state: "awaiting_documents", carrierStatus: "PENDING_DOCUMENTS", focDate: undefined, detail: "", statusTime: expect.any(Date) as Date },
    });
    expect(porting.readPortInNotification(asNotification(1))).toMatchObject({ verified: true, eventType: "portin:SUBMITTED", status: { carrierOrderId: created.carrierOrderId, state: "submitted" } });
    expect(started.environment["BANDWIDTH_CALLBACK_USERNAME"]).toBeDefined();
  });

  it("rejects wrong or missing credentials and a body that is not a notification, without throwing", async () => {
    const port = (receiver.address() as AddressInfo).port;
    started.emulator.deliverPortingNotificationsTo(`http://127.0.0.1:${port}/bandwidth/portins`);
    await porting.doCreatePortIn(portInRequest({ requestedPortDate: undefined }), {});
    await started.emulator.portins.notificationsSettled();
    const { callbackUsername } = started.emulator.callbackCredentials;
    expect(started.environment["BANDWIDTH_CALLBACK_USERNAME"]).toBe(callbackUsername);
    const wrong = `Basic ${Buffer.from(`${callbackUsername}:not-the-password`).toString("base64")}`;

    for (const headers of [{ authorization: wrong }, { authorization: undefined }, { authorization: "Bearer abc" }]) {
      expect(porting.readPortInNotification(asNotification(0, headers))).toMatchObject({ verified: false });
    }
    const garbage = porting.readPortInNotification(asNotification(0, {}, Buffer.from("<Notification><Status>FOC")));
    expect(garbage).toMatchObject({ verified: false, reason: expect.stringContaining("body") as string });
    expect(porting.readPortInNotification(asNotification(0, {}, Buffer.from([0xff, 0xfe, 0x00])))).toMatchObject({ verified: false });

    const unconfigured = new BandwidthAdapter({ ...started.emulator.credentials, apiBaseUrl: new URL(started.emulator.baseUrl), dispatcher });
    expect(unconfigured.readPortInNotification(asNotification(0))).toMatchObject({ verified: false, reason: expect.stringContaining("BANDWIDTH_CALLBACK_USERNAME") as string });
    await unconfigured.close();
  });
});
