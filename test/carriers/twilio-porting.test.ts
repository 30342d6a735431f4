import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { inspect } from "node:util";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/secret.js";
import { twilioCarrier } from "../../src/carriers/twilio/twilio-carrier.js";
import { TwilioAdapter } from "../../src/carriers/twilio/twilio-adapter.js";
import { TwilioEmulator, type TwilioEmulatorOptions } from "../../src/carriers/twilio/twilio-emulator.js";
import { featureMethods, type FeatureMethods } from "../../src/domain/carrier-adapter.js";
import type { CarrierError } from "../../src/domain/carrier-error.js";
import type { CarrierNotification, CarrierPortInLookup, CarrierPortInRequest, CarrierPortInStatus } from "../../src/domain/carrier-lifecycle.js";
import { specViolations } from "../support/official-spec.js";
import { carrierError, phone } from "./carrier-test-kit.js";

/**
 * Twilio port-ins (Numbers v1 Porting) through the adapter against the emulator, on an injected clock: each number
 * walks In Review -> Waiting for Signature -> Submitted -> Pending (port date) -> Completed, one STEP per step, caught
 * up whenever a request reaches the emulator; a PIN of "0000" is Rejected at the losing carrier.
 */

const STEP = 60_000;
const START = Date.parse("2026-03-02T15:00:00Z");
// Area code 720 is outside the emulator's stock: numbers held at another carrier. An exchange starting with 9 is mobile.
const LOCAL = "+17203141592";
const MOBILE = "+17209261234";
const TOLL_FREE = "+18005550199";
const BILL = `RD${"ab".repeat(16)}`;
const PIN = "857311";
const ACCOUNT_NUMBER = "ACCT-4409-7781";

let time = START;
let options: TwilioEmulatorOptions;
let emulator: TwilioEmulator;
let dispatcher: Agent;
let adapter: TwilioAdapter;
let porting: FeatureMethods<"porting">;
/** Every CarrierError the suite saw, checked for secrets after each test. */
let errors: CarrierError[];
/** Every status the suite was answered, checked for secrets after each test. */
let answers: unknown[];

beforeEach(async () => {
  time = START;
  errors = [];
  answers = [];
  const hex = (): string => randomBytes(16).toString("hex");
  options = { accountSid: `AC${hex()}`, authToken: hex(), apiKeySid: `SK${hex()}`, apiKeySecret: hex(), now: () => time, portingStepMs: STEP };
  emulator = new TwilioEmulator(options);
  await emulator.start();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const origin = new URL(emulator.origin);
  adapter = new TwilioAdapter({ accountSid: options.accountSid, username: options.accountSid, password: options.authToken, apiBaseUrl: origin, numbersBaseUrl: origin, dispatcher, now: () => time });
  const methods = featureMethods(adapter, "porting");
  if (!methods) throw new Error("twilio does not offer porting");
  porting = methods;
});
afterEach(async () => {
  // Every request of every test is one Twilio's official spec accepts.
  expect(specViolations("twilio", emulator.requests)).toEqual([]);
  for (const seen of [...errors, ...answers]) {
    const text = `${inspect(seen, { depth: 8 })} ${JSON.stringify(seen)} ${seen instanceof Error ? `${seen.message} ${seen.stack ?? ""}` : ""}`;
    expect(text).not.toContain(PIN);
    expect(text).not.toContain(ACCOUNT_NUMBER);
  }
  await adapter.close();
  await emulator.stop();
  await dispatcher.destroy();
});

function portIn(overrides: Partial<CarrierPortInRequest> = {}): CarrierPortInRequest {
  return {
    numbers: [phone(LOCAL)],
    orderReference: `ng-${randomBytes(6).toString("hex")}`,
    losingCarrierName: "Old Telco",
    authorizedName: "Jane Smith",
    authorizedEmail: "jane@example.com",
    accountNumber: new Secret(ACCOUNT_NUMBER),
    pin: new Secret(PIN),
    serviceAddress: { addressLines: ["1 Main St", "Suite 200"], locality: "Denver", administrativeArea: "CO", postalCode: "80202", regionCode: "US" },
    requestedPortDate: undefined,
    carrierDocuments: [{ kind: "bill_copy", carrierDocumentId: BILL }],
    notificationUrl: undefined,
    ...overrides,
  };
}

async function seen<T extends CarrierPortInStatus | undefined>(answer: Promise<T>): Promise<T> {
  const status = await answer;
  answers.push(status);
  return status;
}

async function refusal(call: () => Promise<unknown>): Promise<CarrierError> {
  const error = await carrierError(call);
  errors.push(error);
  return error;
}

const portInRequests = () => emulator.requests.filter((request) => request.path.startsWith("/v1/Porting/PortIn"));

/** Moves the clock `steps` steps and reads the port-in, which is when the emulator catches up. */
async function after(steps: number, carrierOrderId: string): Promise<CarrierPortInStatus> {
  time += steps * STEP;
  return seen(porting.doGetPortIn(carrierOrderId, {}));
}

/** What numbergate knows of a create when it looks for it: the reference, the numbers and when it left. */
function lookupOf(request: CarrierPortInRequest, sentAt: number): CarrierPortInLookup {
  return { orderReference: request.orderReference, numbers: request.numbers, sentAt: new Date(sentAt) };
}

describe("Twilio port-in", () => {
  it("is declared in the descriptor and offered as a feature", () => {
    expect(adapter.descriptor.supportsPorting).toBe(true);
    expect(featureMethods(adapter, "porting")).toBeDefined();
  });

  it("refuses, before any call, a port-in without a utility bill's Document SID or without the representative's e-mail", async () => {
    const noDocument = await refusal(() => porting.doCreatePortIn(portIn({ carrierDocuments: [] }), {}));
    expect(noDocument).toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    expect(noDocument.message).toMatch(/utility bill's Document SID/);
    const noEmail = await refusal(() => porting.doCreatePortIn(portIn({ authorizedEmail: undefined }), {}));
    expect(noEmail).toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    expect(noEmail.message).toMatch(/e-mail/);
    const tooSoon = await refusal(() => porting.doCreatePortIn(portIn({ requestedPortDate: new Date(START + 2 * 86_400_000) }), {}));
    expect(tooSoon.message).toMatch(/7 days/);
    expect(portInRequests()).toEqual([]);
  });

  it("sends the spec's PortIn body and walks awaiting_documents -> submitted -> foc_scheduled -> completed as the clock moves", async () => {
    const request = portIn({ requestedPortDate: new Date("2026-03-12T00:00:00Z") });
    const created = await seen(porting.doCreatePortIn(request, {}));
    expect(created).toMatchObject({ state: "awaiting_documents", carrierStatus: "In review (In Review)", focDate: undefined });
    expect(created.carrierOrderId).toMatch(/^KW[0-9a-f]{32}$/);
    expect(created.statusTime).toEqual(new Date(START));
    const [sent] = portInRequests();
    expect(sent?.method).toBe("POST");
    expect(JSON.parse(sent?.body ?? "")).toEqual({
      account_sid: options.accountSid,
      documents: [BILL],
      phone_numbers: [{ phone_number: LOCAL, pin: PIN }],
      losing_carrier_information: {
        customer_name: "Jane Smith",
        authorized_representative: "Jane Smith",
        authorized_representative_email: "jane@example.com",
        account_number: ACCOUNT_NUMBER,
        address: { street: "1 Main St", street_2: "Suite 200", city: "Denver", state: "CO", zip: "80202", country: "US" },
      },
      target_port_in_date: "2026-03-12",
    });

    expect(await after(1, created.carrierOrderId)).toMatchObject({ state: "awaiting_documents", carrierStatus: "Waiting for Signature (Waiting for Signature)", statusTime: new Date(START + STEP) });
    expect(await after(1, created.carrierOrderId)).toMatchObject({ state: "submitted", carrierStatus: "In progress (Submitted)" });
    // The losing carrier confirms the date asked for: the number stays Pending until then.
    expect(await after(1, created.carrierOrderId)).toMatchObject({ state: "foc_scheduled", carrierStatus: "In progress (Pending)", focDate: new Date("2026-03-12T00:00:00Z") });
    expect(await after(5, created.carrierOrderId)).toMatchObject({ state: "foc_scheduled" });
    time = Date.parse("2026-03-12T00:00:00Z");
    expect(await seen(porting.doGetPortIn(created.carrierOrderId, {}))).toMatchObject({ state: "completed", carrierStatus: "Completed", detail: "" });
    expect(emulator.owned.has(LOCAL)).toBe(true);
  });

  it("answers action_required with the losing carrier's reason for a wrong PIN, and a resubmission is a new request that completes", async () => {
    const request = portIn({ numbers: [phone(MOBILE)], pin: new Secret("0000") });
    const created = await seen(porting.doCreatePortIn(request, {}));
    const rejected = await after(3, created.carrierOrderId);
    expect(rejected).toMatchObject({ state: "action_required", carrierStatus: "Action Required (Rejected)" });
    expect(rejected.detail).toBe(`${MOBILE}: PIN/Passcode does not match the losing carrier's records`);

    const resubmitted = await seen(porting.doResubmitPortIn(created.carrierOrderId, { ...request, pin: new Secret(PIN) }, {}));
    expect(resubmitted.carrierOrderId).not.toBe(created.carrierOrderId);
    expect(resubmitted.state).toBe("awaiting_documents");
    // The rejected request was canceled first, so the number is in one request only.
    expect(await seen(porting.doGetPortIn(created.carrierOrderId, {}))).toMatchObject({ state: "cancelled", carrierStatus: "Canceled" });
    expect(await after(4, resubmitted.carrierOrderId)).toMatchObject({ state: "completed" });
    expect(emulator.owned.has(MOBILE)).toBe(true);
    const sent = portInRequests().filter((call) => call.method === "POST").map((call) => (JSON.parse(call.body) as { phone_numbers: unknown }).phone_numbers);
    expect(sent).toEqual([[{ phone_number: MOBILE, pin: "0000" }], [{ phone_number: MOBILE, pin: PIN }]]);
    // The lookup finds the resubmission, not the request it canceled.
    expect((await seen(porting.doFindPortIn(lookupOf(request, time), {})))?.carrierOrderId).toBe(resubmitted.carrierOrderId);
  });

  it("refuses to resubmit a request whose numbers already have a port date", async () => {
    const request = portIn();
    const created = await seen(porting.doCreatePortIn(request, {}));
    await after(3, created.carrierOrderId);
    const error = await refusal(() => porting.doResubmitPortIn(created.carrierOrderId, request, {}));
    expect(error).toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    expect(error.message).toMatch(/port date/);
    expect(portInRequests().filter((call) => call.method !== "GET")).toHaveLength(1);
  });

  it("cancels before the port date, and turns Twilio's refusal after it into invalid_request with its code and words", async () => {
    const early = await seen(porting.doCreatePortIn(portIn(), {}));
    await porting.doCancelPortIn(early.carrierOrderId, {});
    expect(portInRequests().at(-1)).toMatchObject({ method: "DELETE", path: `/v1/Porting/PortIn/${early.carrierOrderId}` });
    expect(await seen(porting.doGetPortIn(early.carrierOrderId, {}))).toMatchObject({ state: "cancelled", carrierStatus: "Canceled", detail: "Canceled by the customer" });

    const late = await seen(porting.doCreatePortIn(portIn(), {}));
    expect(await after(3, late.carrierOrderId)).toMatchObject({ state: "foc_scheduled" });
    const error = await refusal(() => porting.doCancelPortIn(late.carrierOrderId, {}));
    expect(error).toMatchObject({ kind: "invalid_request", carrierCode: "20001", httpStatus: 400 });
    expect(error.message).toMatch(/scheduled port date and can no longer be canceled \(Twilio error 20001\)$/);
  });

  it("refuses to attach a document: Twilio takes Document SIDs at creation and the LOA signature by e-mail", async () => {
    const created = await seen(porting.doCreatePortIn(portIn(), {}));
    const error = await refusal(() => porting.doAttachPortInDocument(created.carrierOrderId, { source: "carrier", kind: "bill_copy", carrierDocumentId: BILL }, {}));
    expect(error).toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    expect(error.message).toMatch(/when the port-in is created.*e-mail/);
  });

  it("finds a created request by its numbers and when it was sent, also when the create's answer was lost, and answers undefined when none was created", async () => {
    const answered = portIn();
    const created = await seen(porting.doCreatePortIn(answered, {}));
    expect((await seen(porting.doFindPortIn(lookupOf(answered, time), {})))?.carrierOrderId).toBe(created.carrierOrderId);

    const lost = portIn({ numbers: [phone(MOBILE)] });
    emulator.faults.inject({ kind: "reset", afterHandling: true, method: "POST", pathIncludes: "/v1/Porting/PortIn", times: 1 });
    const sentAt = time;
    const inDoubt = await refusal(() => porting.doCreatePortIn(lost, {}));
    expect(inDoubt.requestMayHaveReachedCarrier).toBe(true);
    time += 30_000;
    const found = await seen(porting.doFindPortIn(lookupOf(lost, sentAt), {}));
    expect(found).toMatchObject({ state: "awaiting_documents" });
    expect(found?.carrierOrderId).toMatch(/^KW/);
    expect(found?.carrierOrderId).not.toBe(created.carrierOrderId);
    const listing = portInRequests().find((call) => call.path === "/v1/Porting/PortIn/PortInRequests");
    expect(listing?.query.get("CreatedAfter")).toBe("2026-03-01");

    // Not portable (toll-free is manual at Twilio): refused, so nothing was created under this reference.
    const refused = portIn({ numbers: [phone(TOLL_FREE)] });
    expect(await refusal(() => porting.doCreatePortIn(refused, {}))).toMatchObject({ kind: "invalid_request", carrierCode: "22133" });
    expect(await seen(porting.doFindPortIn(lookupOf(refused, time), {}))).toBeUndefined();
  });

  it("blanks the PIN and account number out of Twilio's words in an error", async () => {
    const echo = createServer((_request, response) => {
      response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ code: 20001, message: `PIN ${PIN} does not match account ${ACCOUNT_NUMBER}`, status: 400 }));
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const address = echo.address();
    const url = new URL(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    const echoing = new TwilioAdapter({ accountSid: options.accountSid, username: options.accountSid, password: options.authToken, apiBaseUrl: url, numbersBaseUrl: url, dispatcher, now: () => time });
    try {
      const error = await refusal(() => echoing.doCreatePortIn(portIn(), {}));
      expect(error).toMatchObject({ kind: "invalid_request", carrierCode: "20001", carrierMessage: "PIN [redacted] does not match account [redacted]" });
    } finally {
      await echoing.close();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });
});

describe("Twilio porting notifications", () => {
  let receiver: Server;
  let received: CarrierNotification[];
  let receiverUrl: string;

  beforeEach(async () => {
    received = [];
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(",") : value]));
        received.push({ method: request.method ?? "", url: `${receiverUrl.replace(/\/twilio$/, "")}${request.url ?? ""}`, headers, body: Buffer.concat(chunks), receivedAt: time });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/twilio`;
    emulator.deliverPortingNotificationsTo(receiverUrl);
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("verifies the emulator's signed events and reads the port-in they report", async () => {
    const created = await seen(porting.doCreatePortIn(portIn({ numbers: [phone(MOBILE)], pin: new Secret("0000") }), {}));
    await after(3, created.carrierOrderId);
    await emulator.porting.webhooks.settled();
    const readings = received.map((notification) => porting.readPortInNotification(notification));
    answers.push(...readings);
    expect(readings.map((reading) => (reading.verified ? [reading.eventType, reading.status?.state] : reading.reason))).toEqual([
      ["PortInPhoneNumberWaitingForSignature", undefined],
      ["PortInWaitingForSignature", "awaiting_documents"],
      ["PortInPhoneNumberSubmitted", undefined],
      ["PortInInProgress", "submitted"],
      ["PortInPhoneNumberRejected", "action_required"],
      ["PortInActionRequired", undefined],
    ]);
    expect(readings[4]).toMatchObject({
      verified: true,
      status: { carrierOrderId: created.carrierOrderId, carrierStatus: "Rejected", detail: `${MOBILE}: PIN/Passcode does not match the losing carrier's records`, statusTime: new Date(START + 3 * STEP) },
    });
    expect(readings[1]).toMatchObject({ status: { carrierOrderId: created.carrierOrderId, statusTime: new Date(START + STEP) } });
  });

  it("rejects a tampered body, a wrong signature, a missing header, and the right signature over another URL", async () => {
    const created = await seen(porting.doCreatePortIn(portIn(), {}));
    await porting.doCancelPortIn(created.carrierOrderId, {});
    await emulator.porting.webhooks.settled();
    const [event, other] = received;
    if (!event || !other) throw new Error("expected two events");
    const reasonOf = (notification: CarrierNotification): string | undefined => {
      const reading = porting.readPortInNotification(notification);
      return reading.verified ? undefined : reading.reason;
    };
    expect(porting.readPortInNotification(event)).toMatchObject({ verified: true, eventType: "PortInPhoneNumberCanceled" });
    expect(porting.readPortInNotification(other)).toMatchObject({ verified: true, eventType: "PortInCanceled", status: { state: "cancelled", detail: "Canceled by the customer" } });

    const tampered = Buffer.from(event.body.toString("utf8").replace("Canceled", "Completed"));
    expect(reasonOf({ ...event, body: tampered })).toMatch(/bodySHA256/);
    const wrong = createHmac("sha1", "not-the-auth-token").update(event.url).digest("base64");
    expect(reasonOf({ ...event, headers: { ...event.headers, "x-twilio-signature": wrong } })).toMatch(/X-Twilio-Signature does not match/);
    expect(reasonOf({ ...event, headers: { ...event.headers, "x-twilio-signature": undefined } })).toMatch(/no X-Twilio-Signature/);
    // The other event's URL and body with this event's signature: each is right somewhere, not together.
    expect(reasonOf({ ...other, headers: { ...other.headers, "x-twilio-signature": event.headers["x-twilio-signature"] } })).toMatch(/X-Twilio-Signature does not match/);
    const elsewhere = event.url.replace("/twilio?", "/elsewhere?");
    expect(reasonOf({ ...event, url: elsewhere })).toMatch(/X-Twilio-Signature does not match/);
    // A correctly signed URL without bodySHA256 proves nothing about the body.
    const bare = `${receiverUrl}?event=1`;
    expect(reasonOf({ ...event, url: bare, headers: { ...event.headers, "x-twilio-signature": createHmac("sha1", options.authToken).update(bare).digest("base64") } })).toMatch(/no bodySHA256/);
    // Signed, but not JSON.
    const garbage = Buffer.from("not json");
    const garbageUrl = new URL(receiverUrl);
    garbageUrl.searchParams.set("bodySHA256", createHash("sha256").update(garbage).digest("hex"));
    const garbageSignature = createHmac("sha1", options.authToken).update(garbageUrl.toString()).digest("base64");
    expect(reasonOf({ ...event, url: garbageUrl.toString(), body: garbage, headers: { ...event.headers, "x-twilio-signature": garbageSignature } })).toMatch(/not JSON/);
  });

  it("is verified by the sandbox connection's adapter with the emulator's auth token", async () => {
    const started = await twilioCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
    const sandboxAdapter = started.connection.createAdapter({ dispatcher });
    try {
      started.emulator.deliverPortingNotificationsTo(receiverUrl);
      const sandboxPorting = featureMethods(sandboxAdapter, "porting");
      if (!sandboxPorting) throw new Error("twilio does not offer porting");
      const created = await sandboxPorting.doCreatePortIn({ ...portIn(), requestedPortDate: undefined }, {});
      await sandboxPorting.doCancelPortIn(created.carrierOrderId, {});
      await started.emulator.porting.webhooks.settled();
      expect(received.length).toBeGreaterThan(0);
      for (const notification of received) expect(sandboxPorting.readPortInNotification(notification)).toMatchObject({ verified: true });
      // The suite's own emulator signs with another token.
      expect(porting.readPortInNotification(received[0] as CarrierNotification)).toMatchObject({ verified: false });
      expect(specViolations("twilio", started.emulator.requests)).toEqual([]);
      started.emulator.deliverPortingNotificationsTo(undefined);
      expect(started.emulator.porting.webhooks.configuration).toBeNull();
    } finally {
      await sandboxAdapter.close();
      await started.emulator.stop();
    }
  });
});
