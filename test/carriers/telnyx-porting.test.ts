import { generateKeyPairSync, sign } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { telnyxCarrier } from "../../src/carriers/telnyx/telnyx-carrier.js";
import { TelnyxAdapter } from "../../src/carriers/telnyx/telnyx-adapter.js";
import { TelnyxEmulator } from "../../src/carriers/telnyx/telnyx-emulator.js";
import { Secret } from "../../src/config/secret.js";
import { featureMethods } from "../../src/domain/carrier-adapter.js";
import type { CarrierNotification, CarrierPortInRequest, CarrierPortInStatus } from "../../src/domain/carrier-lifecycle.js";
import { specViolations } from "../support/official-spec.js";
import { failure, phone } from "./carrier-test-kit.js";

/**
 * Telnyx port-ins through the adapter against the emulator (telnyx-emulator-porting*.ts): a draft filled with one PATCH,
 * confirmed once it has its documents, walked by polls (portingPollsPerStep 0: every GET takes a step) on an injected
 * clock, and its signed webhooks read back. The emulator's losing carrier refuses PIN "0000" (PASSCODE_PIN_INVALID).
 */

const API_KEY = "KEYPORTINGTEST_0123456789";
const START = Date.parse("2026-11-26T12:00:00Z");
const FOC = "2026-12-03T15:00:00.000Z";
const LOA = "3a5b98a0-5049-47c3-96e1-aa6c8d119117";
const INVOICE = "ce74b771-d23d-4960-81ec-8741b3862146";
/** Distinctive so that finding them anywhere is a leak, not a coincidence. */
const PIN = "739517";
const ACCOUNT = "ACCT-SECRET-97531";

let clock: number;
let emulator: TelnyxEmulator;
let dispatcher: Agent;
let telnyx: TelnyxAdapter;

beforeEach(async () => {
  clock = START;
  emulator = new TelnyxEmulator({ apiKey: API_KEY, now: () => clock, portingPollsPerStep: 0 });
  await emulator.start();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  telnyx = new TelnyxAdapter({ apiKey: API_KEY, apiBaseUrl: new URL(emulator.baseUrl), dispatcher, webhookPublicKey: emulator.webhookPublicKey });
});
afterEach(async () => {
  expect(specViolations("telnyx", emulator.requests)).toEqual([]);
  await telnyx.close();
  await emulator.stop();
  await dispatcher.close();
});

function portRequest(overrides: Partial<CarrierPortInRequest> = {}): CarrierPortInRequest {
  return {
    numbers: [phone("+17205550100")],
    orderReference: "ng-port-1",
    losingCarrierName: "Unreal Communications",
    authorizedName: "Porter McPortersen",
    authorizedEmail: "porter@example.com",
    accountNumber: new Secret(ACCOUNT),
    pin: new Secret(PIN),
    serviceAddress: { addressLines: ["600 Congress Avenue", "14th Floor"], locality: "Austin", administrativeArea: "TX", postalCode: "78701", regionCode: "US" },
    requestedPortDate: new Date(FOC),
    carrierDocuments: [],
    notificationUrl: undefined,
    ...overrides,
  };
}

const WITH_DOCUMENTS: Partial<CarrierPortInRequest> = {
  carrierDocuments: [
    { kind: "letter_of_authorization", carrierDocumentId: LOA },
    { kind: "bill_copy", carrierDocumentId: INVOICE },
  ],
};

function sent(method: string, pathEnd: string) {
  return emulator.requests.filter((request) => request.method === method && request.path.endsWith(pathEnd));
}

/** Polls doGetPortIn until the state shows (each GET is one step of the walk), at most `polls` times. */
async function pollUntil(orderId: string, state: CarrierPortInStatus["state"], polls = 5): Promise<CarrierPortInStatus> {
  let status = await telnyx.doGetPortIn(orderId, {});
  for (let poll = 1; poll < polls && status.state !== state; poll += 1) status = await telnyx.doGetPortIn(orderId, {});
  return status;
}

function expectNoSecrets(text: string): void {
  expect(text).not.toContain(PIN);
  expect(text).not.toContain(ACCOUNT);
}

describe("Telnyx porting orders", () => {
  it("is declared and offered as the porting feature", () => {
    expect(telnyx.descriptor.supportsPorting).toBe(true);
    expect(featureMethods(telnyx, "porting")).toBeDefined();
  });

  it("without documents: a filled draft, awaiting_documents; the LOA and invoice ids submit it; polls walk it to completed", async () => {
    const created = await telnyx.doCreatePortIn(portRequest(), {});
    expect(created).toMatchObject({ state: "awaiting_documents", carrierStatus: "draft", focDate: undefined });
    expect(created.detail).toContain("documents.loa");
    expect(created.detail).toContain("documents.invoice");
    expect(JSON.parse(sent("POST", "/v2/porting_orders")[0]?.body ?? "{}")).toEqual({ phone_numbers: ["+17205550100"], customer_reference: "ng-port-1" });
    expect(JSON.parse(sent("PATCH", created.carrierOrderId)[0]?.body ?? "{}")).toEqual({
      end_user: {
        admin: { entity_name: "Porter McPortersen", auth_person_name: "Porter McPortersen", account_number: ACCOUNT, pin_passcode: PIN, billing_phone_number: "+17205550100" },
        location: { street_address: "600 Congress Avenue", extended_address: "14th Floor", locality: "Austin", administrative_area: "TX", postal_code: "78701", country_code: "US" },
      },
      activation_settings: { foc_datetime_requested: FOC },
      misc: { type: "full" },
    });
    expect(sent("POST", "/actions/confirm")).toHaveLength(0);
    expectNoSecrets(JSON.stringify(created));

    const halfway = await telnyx.doAttachPortInDocument(created.carrierOrderId, { source: "carrier", kind: "letter_of_authorization", carrierDocumentId: LOA }, {});
    expect(halfway).toMatchObject({ state: "awaiting_documents", carrierStatus: "draft" });
    expect(halfway.detail).not.toContain("documents.loa");
    expect(halfway.detail).toContain("documents.invoice");
    const submitted = await telnyx.doAttachPortInDocument(created.carrierOrderId, { source: "carrier", kind: "bill_copy", carrierDocumentId: INVOICE }, {});
    expect(submitted).toMatchObject({ carrierOrderId: created.carrierOrderId, state: "submitted", carrierStatus: "in-process", detail: "" });
    expect(sent("PATCH", created.carrierOrderId).map((request) => JSON.parse(request.body))).toEqual(expect.arrayContaining([{ documents: { loa: LOA } }, { documents: { invoice: INVOICE } }]));

    expect(await telnyx.doGetPortIn(created.carrierOrderId, {})).toMatchObject({ state: "submitted", carrierStatus: "submitted" });
    const scheduled = await telnyx.doGetPortIn(created.carrierOrderId, {});
    expect(scheduled).toMatchObject({ state: "foc_scheduled", carrierStatus: "foc-date-confirmed", focDate: new Date(FOC) });
    expect(scheduled.statusTime).toEqual(new Date(START));
    expect(await telnyx.doGetPortIn(created.carrierOrderId, {})).toMatchObject({ state: "foc_scheduled" });
    clock = Date.parse(FOC) + 60_000;
    expect(await telnyx.doGetPortIn(created.carrierOrderId, {})).toMatchObject({ state: "completed", carrierStatus: "ported", focDate: new Date(FOC), statusTime: new Date(clock) });
  });

  it("with both documents: confirmed at once, and the order's webhook URL set", async () => {
    const status = await telnyx.doCreatePortIn(portRequest({ ...WITH_DOCUMENTS, notificationUrl: "https://numbergate.example.com/notifications/telnyx" }), {});
    expect(status).toMatchObject({ state: "submitted", carrierStatus: "in-process" });
    const body = JSON.parse(sent("PATCH", status.carrierOrderId)[0]?.body ?? "{}") as Record<string, unknown>;
    expect(body).toMatchObject({ documents: { loa: LOA, invoice: INVOICE }, webhook_url: "https://numbergate.example.com/notifications/telnyx" });
    expect(sent("POST", `${status.carrierOrderId}/actions/confirm`)).toHaveLength(1);
  });

  it("a wrong PIN: action_required naming the exception; resubmitted with the right PIN, it is submitted again and ported", async () => {
    const created = await telnyx.doCreatePortIn(portRequest({ ...WITH_DOCUMENTS, pin: new Secret("0000") }), {});
    const failed = await pollUntil(created.carrierOrderId, "action_required");
    expect(failed).toMatchObject({ state: "action_required", carrierStatus: "exception" });
    expect(failed.detail).toContain("PASSCODE_PIN_INVALID");
    expect(failed.detail).not.toContain("0000");

    const resubmitted = await telnyx.doResubmitPortIn(created.carrierOrderId, portRequest({ ...WITH_DOCUMENTS }), {});
    expect(resubmitted).toMatchObject({ carrierOrderId: created.carrierOrderId, state: "submitted", carrierStatus: "in-process", detail: "" });
    const corrections = sent("PATCH", created.carrierOrderId).map((request) => JSON.parse(request.body) as { end_user?: { admin?: Record<string, string> } });
    expect(corrections.at(-1)?.end_user?.admin).toEqual({ entity_name: "Porter McPortersen", auth_person_name: "Porter McPortersen", account_number: ACCOUNT, pin_passcode: PIN });
    expect((await pollUntil(created.carrierOrderId, "foc_scheduled")).state).toBe("foc_scheduled");
    clock = Date.parse(FOC);
    expect((await pollUntil(created.carrierOrderId, "completed")).state).toBe("completed");
  });

  it("an all-zero account number: action_required with ACCOUNT_NUMBER_MISMATCH", async () => {
    const created = await telnyx.doCreatePortIn(portRequest({ ...WITH_DOCUMENTS, accountNumber: new Secret("000000") }), {});
    const failed = await pollUntil(created.carrierOrderId, "action_required");
    expect(failed.detail).toContain("ACCOUNT_NUMBER_MISMATCH");
  });

  it("cancels an order on its way (submitted until Telnyx says cancelled) and deletes a draft; refuses after the FOC date as invalid_request", async () => {
    const early = await telnyx.doCreatePortIn(portRequest(WITH_DOCUMENTS), {});
    await telnyx.doCancelPortIn(early.carrierOrderId, {});
    expect(sent("POST", `${early.carrierOrderId}/actions/cancel`)).toHaveLength(1);
    expect(await telnyx.doGetPortIn(early.carrierOrderId, {})).toMatchObject({ state: "cancelled", carrierStatus: "cancelled" });
    await expect(telnyx.doCancelPortIn(early.carrierOrderId, {})).resolves.toBeUndefined();

    const draft = await telnyx.doCreatePortIn(portRequest({ orderReference: "ng-port-draft", numbers: [phone("+17195550100")] }), {});
    await telnyx.doCancelPortIn(draft.carrierOrderId, {});
    expect(sent("DELETE", draft.carrierOrderId)).toHaveLength(1);
    await expect(telnyx.doFindPortIn({ orderReference: "ng-port-draft", numbers: [], sentAt: new Date() }, {})).resolves.toBeUndefined();

    const late = await telnyx.doCreatePortIn(portRequest({ ...WITH_DOCUMENTS, orderReference: "ng-port-late", numbers: [phone("+19705550100")] }), {});
    expect((await pollUntil(late.carrierOrderId, "foc_scheduled")).state).toBe("foc_scheduled");
    const refused = await failure(telnyx.doCancelPortIn(late.carrierOrderId, {}));
    expect(refused).toMatchObject({ kind: "invalid_request", carrierId: "telnyx", operation: "port_in", httpStatus: 422, carrierCode: "10015" });
    expect(refused.carrierMessage).toContain("FOC date is confirmed");
    expect(refused.message).toContain("foc-date-confirmed");
    expect(await telnyx.doGetPortIn(late.carrierOrderId, {})).toMatchObject({ state: "foc_scheduled" });
  });

  it("finds a port-in by its reference, and answers undefined for a reference Telnyx does not have", async () => {
    const created = await telnyx.doCreatePortIn(portRequest({ orderReference: "ng-find-me" }), {});
    await telnyx.doCreatePortIn(portRequest({ orderReference: "ng-find-me-not", numbers: [phone("+17195550100")] }), {});
    await expect(telnyx.doFindPortIn({ orderReference: "ng-find-me", numbers: [], sentAt: new Date() }, {})).resolves.toMatchObject({ carrierOrderId: created.carrierOrderId, state: "awaiting_documents" });
    await expect(telnyx.doFindPortIn({ orderReference: "ng-unknown", numbers: [], sentAt: new Date() }, {})).resolves.toBeUndefined();
    expect(sent("GET", "/v2/porting_orders").map((request) => request.query.get("filter[customer_reference]"))).toEqual(["ng-find-me", "ng-unknown"]);
  });

  it("refuses what Telnyx cannot take before sending anything: no requested date, an 'other' document, a file's bytes", async () => {
    await expect(failure(telnyx.doCreatePortIn(portRequest({ requestedPortDate: undefined }), {}))).resolves.toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    await expect(failure(telnyx.doCreatePortIn(portRequest({ carrierDocuments: [{ kind: "other", carrierDocumentId: LOA }] }), {}))).resolves.toMatchObject({ kind: "invalid_request" });
    const content = await failure(telnyx.doAttachPortInDocument("b0ea6d6f-de31-4079-a536-992e0c98b037", { source: "content", kind: "letter_of_authorization", fileName: "loa.pdf", contentType: "application/pdf", content: new Uint8Array([37, 80, 68, 70]) }, {}));
    expect(content).toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    expect(content.message).toContain("document id");
    expect(emulator.requests).toHaveLength(0);
  });

  it("numbers Telnyx splits into several orders: every draft deleted, invalid_request naming the groups", async () => {
    const error = await failure(telnyx.doCreatePortIn(portRequest({ numbers: [phone("+17205550100"), phone("+19705550100")] }), {}));
    expect(error).toMatchObject({ kind: "invalid_request", carrierId: "telnyx" });
    expect(error.message).toContain("[+17205550100], [+19705550100]");
    expect(emulator.porting.orders.size).toBe(0);
    await expect(telnyx.doFindPortIn({ orderReference: "ng-port-1", numbers: [], sentAt: new Date() }, {})).resolves.toBeUndefined();
  });

  it("a refused PATCH deletes the draft; neither the PIN nor the account number appears in any error", async () => {
    const past = await failure(telnyx.doCreatePortIn(portRequest({ requestedPortDate: new Date(START - 86_400_000) }), {}));
    expect(past).toMatchObject({ kind: "invalid_request", carrierCode: "10015" });
    expect(emulator.porting.orders.size).toBe(0);
    const submitted = await telnyx.doCreatePortIn(portRequest(WITH_DOCUMENTS), {});
    // Telnyx edits no end user once an order is submitted.
    const notEditable = await failure(telnyx.doResubmitPortIn(submitted.carrierOrderId, portRequest(), {}));
    expect(notEditable).toMatchObject({ kind: "invalid_request", operation: "port_in" });
    for (const error of [past, notEditable]) expectNoSecrets(`${error.message} ${error.carrierMessage ?? ""} ${String(error)} ${JSON.stringify(error)}`);
    await expect(failure(telnyx.doGetPortIn("0c6f1b0e-6e0d-4a4e-9d0c-8a4b6f3c2d1e", {}))).resolves.toMatchObject({ kind: "not_found" });
  });
});

/** A loopback receiver that records every webhook as it arrived, raw. */
async function webhookReceiver(): Promise<{ server: Server; url: string; received: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer }[] }> {
  const received: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return { server, url: `http://127.0.0.1:${address.port}/notifications/telnyx`, received };
}

function notificationOf(delivery: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer }, origin: string, receivedAt: number): CarrierNotification {
  const headers = Object.fromEntries(Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(", ") : value]));
  return { method: delivery.method, url: `${origin}${delivery.path}`, headers, body: delivery.body, receivedAt };
}

describe("Telnyx porting notifications", () => {
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  beforeEach(async () => {
    receiver = await webhookReceiver();
  });
  afterEach(async () => {
    receiver.server.closeAllConnections();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  async function capturedNotification(): Promise<CarrierNotification> {
    emulator.deliverPortingNotificationsTo(receiver.url);
    await telnyx.doCreatePortIn(portRequest(WITH_DOCUMENTS), {});
    await emulator.porting.webhooksSettled();
    const delivery = receiver.received[0];
    if (delivery === undefined) throw new Error("the emulator sent no webhook");
    return notificationOf(delivery, new URL(receiver.url).origin, clock);
  }

  it("accepts a real emulator webhook: porting_order.status_changed read as the order's status", async () => {
    const notification = await capturedNotification();
    const reading = telnyx.readPortInNotification(notification);
    expect(reading).toMatchObject({ verified: true, eventType: "porting_order.status_changed", status: { state: "submitted", carrierStatus: "in-process", detail: "", statusTime: new Date(START) } });
    const [order] = emulator.porting.orders.keys();
    expect(reading.verified && reading.status?.carrierOrderId).toBe(order);
    // Within five minutes either way.
    expect(telnyx.readPortInNotification({ ...notification, receivedAt: clock + 299_000 }).verified).toBe(true);
  });

  it("rejects a tampered body, a wrong key, a stale timestamp, a missing header, and any notification without a key", async () => {
    const notification = await capturedNotification();
    const tampered = Buffer.from(notification.body.toString("utf8").replace("in-process", "ported"));
    expect(telnyx.readPortInNotification({ ...notification, body: tampered })).toMatchObject({ verified: false, reason: expect.stringContaining("signature") });

    const otherKey = Buffer.from(generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x ?? "", "base64url").toString("base64");
    const wrongKey = new TelnyxAdapter({ apiKey: API_KEY, apiBaseUrl: new URL(emulator.baseUrl), dispatcher, webhookPublicKey: otherKey });
    const withoutKey = new TelnyxAdapter({ apiKey: API_KEY, apiBaseUrl: new URL(emulator.baseUrl), dispatcher });
    try {
      expect(wrongKey.readPortInNotification(notification)).toMatchObject({ verified: false, reason: expect.stringContaining("does not verify") });
      expect(withoutKey.readPortInNotification(notification)).toMatchObject({ verified: false, reason: expect.stringContaining("TELNYX_PUBLIC_KEY") });
    } finally {
      await wrongKey.close();
      await withoutKey.close();
    }

    expect(telnyx.readPortInNotification({ ...notification, receivedAt: clock + 6 * 60_000 })).toMatchObject({ verified: false, reason: expect.stringContaining("5 minutes") });
    expect(telnyx.readPortInNotification({ ...notification, receivedAt: clock - 6 * 60_000 })).toMatchObject({ verified: false });
    const { ["telnyx-signature-ed25519"]: _signature, ...unsigned } = notification.headers;
    expect(telnyx.readPortInNotification({ ...notification, headers: unsigned })).toMatchObject({ verified: false, reason: expect.stringContaining("missing") });
    const { ["telnyx-timestamp"]: _timestamp, ...undated } = notification.headers;
    expect(telnyx.readPortInNotification({ ...notification, headers: undated })).toMatchObject({ verified: false, reason: expect.stringContaining("missing") });
    expect(telnyx.readPortInNotification({ ...notification, body: Buffer.from("not json") })).toMatchObject({ verified: false });
  });

  it("reads a deleted draft as cancelled, and a verified non-porting event without a status", async () => {
    emulator.deliverPortingNotificationsTo(receiver.url);
    const draft = await telnyx.doCreatePortIn(portRequest(), {});
    await telnyx.doCancelPortIn(draft.carrierOrderId, {});
    await emulator.porting.webhooksSettled();
    const deleted = receiver.received.find((delivery) => delivery.body.toString("utf8").includes("porting_order.deleted"));
    if (deleted === undefined) throw new Error("no porting_order.deleted webhook");
    expect(telnyx.readPortInNotification(notificationOf(deleted, new URL(receiver.url).origin, clock))).toMatchObject({
      verified: true,
      eventType: "porting_order.deleted",
      status: { carrierOrderId: draft.carrierOrderId, state: "cancelled", carrierStatus: "deleted" },
    });

    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const ownKey = Buffer.from(publicKey.export({ format: "jwk" }).x ?? "", "base64url").toString("base64");
    const adapter = new TelnyxAdapter({ apiKey: API_KEY, apiBaseUrl: new URL(emulator.baseUrl), dispatcher, webhookPublicKey: ownKey });
    try {
      const body = JSON.stringify({ data: { event_type: "number_order.complete", id: "e1", occurred_at: new Date(clock).toISOString(), payload: { id: "o1" }, record_type: "event" } });
      const timestamp = String(Math.floor(clock / 1000));
      const signature = sign(null, Buffer.from(`${timestamp}|${body}`), privateKey).toString("base64");
      const notification: CarrierNotification = { method: "POST", url: receiver.url, headers: { "telnyx-timestamp": timestamp, "telnyx-signature-ed25519": signature }, body: Buffer.from(body), receivedAt: clock };
      expect(adapter.readPortInNotification(notification)).toEqual({ verified: true, eventType: "number_order.complete", status: undefined });
    } finally {
      await adapter.close();
    }
  });

  it("a sandbox start-up wires the emulator's public key into the connection and the printed environment", async () => {
    const started = await telnyxCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
    try {
      expect(started.connection.settings["publicKey"]).toBe(started.emulator.webhookPublicKey);
      expect(started.environment["TELNYX_PUBLIC_KEY"]).toBe(started.emulator.webhookPublicKey);
      const problems: string[] = [];
      const connection = telnyxCarrier.readConnection(started.environment, { add: (_names, line) => problems.push(line), has: () => false }, []);
      expect(problems).toEqual([]);
      expect(connection?.settings["publicKey"]).toBe(started.emulator.webhookPublicKey);
      expect(() => started.emulator.deliverPortingNotificationsTo(undefined)).not.toThrow();
    } finally {
      await started.emulator.stop();
    }
  });
});
