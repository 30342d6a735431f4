import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import { TwilioEmulator, type TwilioEmulatorOptions } from "../../src/carriers/twilio/twilio-emulator.js";
import { specViolations } from "../support/official-spec.js";
import { basic, sendRaw, type RawAnswer } from "./carrier-test-kit.js";

/** The Twilio emulator's porting API (Numbers v1) over raw HTTP, on an injected clock, checked against the official spec. */

const STEP = 60_000;
const START = Date.parse("2026-03-02T15:00:00Z");
const LOCAL = "+17203141592";
const MOBILE = "+17209261234";

interface PortIn {
  readonly port_in_request_sid: string;
  readonly port_in_request_status: string;
  readonly order_cancellation_reason: string | null;
  readonly phone_numbers: readonly { phone_number: string; port_in_phone_number_sid: string; port_in_phone_number_status: string; port_date: string | null; rejection_reason: string | null }[];
}
interface Received {
  readonly url: string;
  readonly signature: string;
  readonly body: string;
}

let time = START;
let options: TwilioEmulatorOptions;
let emulator: TwilioEmulator;
let dispatcher: Agent;

function newEmulator(): TwilioEmulator {
  return new TwilioEmulator(options);
}

beforeEach(async () => {
  time = START;
  const hex = (): string => randomBytes(16).toString("hex");
  options = { accountSid: `AC${hex()}`, authToken: hex(), apiKeySid: `SK${hex()}`, apiKeySecret: hex(), now: () => time, portingStepMs: STEP };
  emulator = newEmulator();
  await emulator.start();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
});
afterEach(async () => {
  await emulator.stop();
  await dispatcher.close();
});

function call(method: "GET" | "POST" | "DELETE", path: string, body?: unknown, contentType = "application/json"): Promise<RawAnswer> {
  const headers: Record<string, string> = { authorization: basic(options.accountSid, options.authToken) };
  if (body !== undefined) headers["content-type"] = contentType;
  return sendRaw(dispatcher, `${emulator.origin}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
}

async function ok<T>(answer: Promise<RawAnswer>, status: number): Promise<T> {
  const settled = await answer;
  expect(settled.status, settled.body).toBe(status);
  return JSON.parse(settled.body) as T;
}

function portInBody(numbers: readonly { phone_number: string; pin?: string }[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    account_sid: options.accountSid,
    documents: [`RD${"0".repeat(32)}`],
    losing_carrier_information: {
      customer_type: "Business",
      customer_name: "Acme Corp",
      account_number: "ACC-1",
      account_telephone_number: "+17203140000",
      authorized_representative: "Jane Smith",
      authorized_representative_email: "jane@example.com",
      address: { street: "1 Main St", city: "Denver", state: "CO", zip: "80202", country: "US" },
    },
    phone_numbers: numbers,
    notification_emails: ["ops@example.com"],
    ...extra,
  };
}

const create = (numbers: readonly { phone_number: string; pin?: string }[], extra?: Record<string, unknown>): Promise<PortIn> => ok<PortIn>(call("POST", "/v1/Porting/PortIn", portInBody(numbers, extra)), 202);
const fetchPortIn = (sid: string): Promise<PortIn> => ok<PortIn>(call("GET", `/v1/Porting/PortIn/${sid}`), 200);

/** Moves the clock one step and reads the request, which is when the emulator catches up. */
async function stepAndFetch(sid: string): Promise<PortIn> {
  time += STEP;
  return fetchPortIn(sid);
}

function statusesOf(portIn: PortIn): [string, string[]] {
  return [portIn.port_in_request_status, portIn.phone_numbers.map((number) => number.port_in_phone_number_status)];
}

/** Every recorded request except the given ones, which the test sent spec-invalid on purpose. */
function validRequests(except: readonly EmulatorRequest[] = []): EmulatorRequest[] {
  return emulator.requests.filter((request) => !except.includes(request));
}

describe("Twilio emulator: portability", () => {
  it("applies its documented rule: local and mobile portable, toll-free and Alaska manual, own and Twilio's numbers, other countries", async () => {
    const stocked = await ok<{ available_phone_numbers: { phone_number: string }[] }>(call("GET", `/2010-04-01/Accounts/${options.accountSid}/AvailablePhoneNumbers/US/Local.json?AreaCode=212&PageSize=2`), 200);
    const [forSale = "", owned = ""] = stocked.available_phone_numbers.map((number) => number.phone_number);
    emulator.addOwned(owned);
    const check = (e164: string, query = ""): Promise<Record<string, unknown>> => ok(call("GET", `/v1/Porting/Portability/PhoneNumber/${encodeURIComponent(e164)}${query}`), 200);
    expect(await check(LOCAL, `?TargetAccountSid=${options.accountSid}`)).toMatchObject({ phone_number: LOCAL, portable: true, pin_and_account_number_required: false, not_portable_reason: null, not_portable_reason_code: null, number_type: "LOCAL", country: "US" });
    expect(await check(MOBILE)).toMatchObject({ portable: true, pin_and_account_number_required: true, number_type: "MOBILE" });
    expect(await check("+18005550199")).toMatchObject({ portable: false, not_portable_reason: "MANUAL_PORTING_AVAILABLE", not_portable_reason_code: 22133, number_type: "TOLL-FREE" });
    expect(await check("+19072741234")).toMatchObject({ portable: false, not_portable_reason_code: 22133, number_type: "LOCAL" });
    expect(await check(forSale)).toMatchObject({ portable: false, not_portable_reason: "ALREADY_IN_TWILIO_DIFFERENT_OWNER", not_portable_reason_code: 22132, account_sid: null });
    expect(await check(owned)).toMatchObject({ portable: false, not_portable_reason: "ALREADY_IN_THE_TARGET_ACCOUNT", not_portable_reason_code: 22131, account_sid: options.accountSid });
    expect(await check("+442071838750")).toMatchObject({ portable: false, not_portable_reason_code: 22130, country: "GB" });
    expect(specViolations("twilio", emulator.requests)).toEqual([]);
  });
});

describe("Twilio emulator: port-in requests", () => {
  it("creates with 202, and the request and each number can be fetched, all as the spec describes", async () => {
    const created = await create([{ phone_number: LOCAL }, { phone_number: MOBILE, pin: "4321" }], { target_port_in_date: "2026-03-20", target_port_in_time_range_start: "10:00:00-07:00", target_port_in_time_range_end: "18:00:00-07:00" });
    expect(created.port_in_request_sid).toMatch(/^KW[0-9a-f]{32}$/);
    expect(created).toMatchObject({ port_in_request_status: "In review", signature_request_url: null, account_sid: options.accountSid, documents: [`RD${"0".repeat(32)}`], target_port_in_date: "2026-03-20", url: `https://numbers.twilio.com/v1/Porting/PortIn/${created.port_in_request_sid}` });
    expect(created.phone_numbers.map((number) => [number.phone_number, number.port_in_phone_number_status])).toEqual([[LOCAL, "In Review"], [MOBILE, "In Review"]]);
    expect(created.phone_numbers.every((number) => /^PU[0-9a-f]{32}$/.test(number.port_in_phone_number_sid))).toBe(true);
    expect(await fetchPortIn(created.port_in_request_sid)).toEqual(created);
    const mobile = created.phone_numbers[1]?.port_in_phone_number_sid ?? "";
    expect(await ok(call("GET", `/v1/Porting/PortIn/${created.port_in_request_sid}/PhoneNumber/${mobile}`), 200)).toMatchObject({ phone_number_sid: mobile, phone_number: MOBILE, phone_number_type: "MOBILE", port_out_pin: 4321, port_in_phone_number_status: "In Review" });
    expect((await call("GET", `/v1/Porting/PortIn/KW${"f".repeat(32)}`)).status).toBe(404);
    expect(specViolations("twilio", emulator.requests)).toEqual([]);
  });

  it("refuses bodies that miss what the spec and Twilio's rules require, with Twilio's error body and code", async () => {
    const refused = async (body: unknown, code: number, contentType?: string): Promise<void> => {
      const answer = await call("POST", "/v1/Porting/PortIn", body, contentType);
      expect(answer.status, answer.body).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
    };
    const without = (field: string): Record<string, unknown> => Object.fromEntries(Object.entries(portInBody([{ phone_number: LOCAL }])).filter(([key]) => key !== field));
    for (const field of ["account_sid", "documents", "losing_carrier_information"]) await refused(without(field), 20001);
    const specInvalid = [...emulator.requests];
    expect(specInvalid.map((request) => specViolations("twilio", [request]).map((violation) => violation.problem))).toEqual(
      ["account_sid", "documents", "losing_carrier_information"].map((field) => [`required body field '${field}' is missing`]),
    );
    await refused(portInBody([{ phone_number: LOCAL }], { documents: [] }), 20001);
    await refused(portInBody([]), 20001);
    const emptyNumbers = emulator.requests.at(-1);
    expect(specViolations("twilio", emptyNumbers ? [emptyNumbers] : []).map((violation) => violation.problem)).toEqual(["body field 'phone_numbers' must NOT have fewer than 1 items"]);
    if (emptyNumbers) specInvalid.push(emptyNumbers);
    await refused({ ...portInBody([{ phone_number: LOCAL }]), losing_carrier_information: { customer_name: "Acme", authorized_representative: "Jane", authorized_representative_email: "jane@example.com" } }, 20001);
    await refused(portInBody([{ phone_number: LOCAL }], { account_sid: `AC${"1".repeat(32)}` }), 20001);
    await refused(portInBody([{ phone_number: MOBILE }]), 20001);
    await refused(portInBody([{ phone_number: "+18005550199" }]), 22133);
    await refused(portInBody([{ phone_number: LOCAL }], { target_port_in_date: "2026-03-05" }), 20001);
    await create([{ phone_number: LOCAL }]);
    await refused(portInBody([{ phone_number: LOCAL }]), 22137);
    expect(emulator.porting.requests.size).toBe(1);
    expect(specViolations("twilio", validRequests(specInvalid))).toEqual([]);
  });

  it("walks In review -> Waiting for Signature -> In progress -> Completed, one step at a time, and the number joins the account", async () => {
    const created = await create([{ phone_number: LOCAL }]);
    const sid = created.port_in_request_sid;
    expect(statusesOf(await fetchPortIn(sid))).toEqual(["In review", ["In Review"]]);
    expect(statusesOf(await stepAndFetch(sid))).toEqual(["Waiting for Signature", ["Waiting for Signature"]]);
    expect(statusesOf(await stepAndFetch(sid))).toEqual(["In progress", ["Submitted"]]);
    const pending = await stepAndFetch(sid);
    expect(statusesOf(pending)).toEqual(["In progress", ["Pending"]]);
    expect(pending.phone_numbers[0]?.port_date).toBe(new Date(time + STEP).toISOString().replace(".000", ""));
    expect(emulator.owned.has(LOCAL)).toBe(false);
    expect(statusesOf(await stepAndFetch(sid))).toEqual(["Completed", ["Completed"]]);
    const incoming = await ok<{ incoming_phone_numbers: { phone_number: string }[] }>(call("GET", `/2010-04-01/Accounts/${options.accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(LOCAL)}`), 200);
    expect(incoming.incoming_phone_numbers.map((number) => number.phone_number)).toEqual([LOCAL]);
    expect(emulator.numbersSold()).toEqual([]);
    expect(specViolations("twilio", emulator.requests)).toEqual([]);
  });

  it("keeps a number Pending until the target date asked for", async () => {
    const sid = (await create([{ phone_number: LOCAL }], { target_port_in_date: "2026-03-12", target_port_in_time_range_start: "09:00:00Z" })).port_in_request_sid;
    time += 10 * STEP;
    const pending = await fetchPortIn(sid);
    expect(pending.phone_numbers[0]).toMatchObject({ port_in_phone_number_status: "Pending", port_date: "2026-03-12T09:00:00Z" });
    time = Date.parse("2026-03-12T09:00:00Z");
    expect(statusesOf(await fetchPortIn(sid))).toEqual(["Completed", ["Completed"]]);
    expect(specViolations("twilio", emulator.requests)).toEqual([]);
  });

  it("rejects a wrong PIN (0000): Action Required; a new PortIn with the right PIN completes, and canceling the rejected number settles the old one", async () => {
    const first = await create([{ phone_number: MOBILE, pin: "0000" }, { phone_number: LOCAL }]);
    time += 3 * STEP;
    const rejected = await fetchPortIn(first.port_in_request_sid);
    expect(statusesOf(rejected)).toEqual(["Action Required", ["Rejected", "Pending"]]);
    expect(rejected.phone_numbers[0]?.rejection_reason).toMatch(/PIN/);
    const retry = await create([{ phone_number: MOBILE, pin: "4321" }]);
    time += 4 * STEP;
    expect(statusesOf(await fetchPortIn(retry.port_in_request_sid))).toEqual(["Completed", ["Completed"]]);
    const rejectedSid = rejected.phone_numbers[0]?.port_in_phone_number_sid ?? "";
    expect((await call("DELETE", `/v1/Porting/PortIn/${first.port_in_request_sid}/PhoneNumber/${rejectedSid}`)).status).toBe(204);
    expect(statusesOf(await fetchPortIn(first.port_in_request_sid))).toEqual(["Completed", ["Canceled", "Completed"]]);
    expect([...emulator.owned.keys()].sort()).toEqual([LOCAL, MOBILE].sort());
    expect(specViolations("twilio", emulator.requests)).toEqual([]);
  });

  it("cancels a request or a number before the port date is scheduled, and refuses once it is", async () => {
    const early = await create([{ phone_number: LOCAL }]);
    expect((await call("DELETE", `/v1/Porting/PortIn/${early.port_in_request_sid}`)).status).toBe(204);
    const canceled = await fetchPortIn(early.port_in_request_sid);
    expect(statusesOf(canceled)).toEqual(["Canceled", ["Canceled"]]);
    expect(canceled.order_cancellation_reason).not.toBeNull();
    expect((await call("DELETE", `/v1/Porting/PortIn/${early.port_in_request_sid}`)).status).toBe(400);

    const late = await create([{ phone_number: LOCAL }, { phone_number: MOBILE, pin: "4321" }]);
    time += 2 * STEP;
    const [local, mobile] = (await fetchPortIn(late.port_in_request_sid)).phone_numbers.map((number) => number.port_in_phone_number_sid);
    expect((await call("DELETE", `/v1/Porting/PortIn/${late.port_in_request_sid}/PhoneNumber/${mobile ?? ""}`)).status).toBe(204);
    time += STEP;
    expect(statusesOf(await fetchPortIn(late.port_in_request_sid))).toEqual(["In progress", ["Pending", "Canceled"]]);
    const refusedRequest = await call("DELETE", `/v1/Porting/PortIn/${late.port_in_request_sid}`);
    expect(refusedRequest.status).toBe(400);
    expect(JSON.parse(refusedRequest.body)).toMatchObject({ code: 20001, status: 400, message: expect.stringMatching(/port date/) as unknown });
    expect((await call("DELETE", `/v1/Porting/PortIn/${late.port_in_request_sid}/PhoneNumber/${local ?? ""}`)).status).toBe(400);
    time += STEP;
    expect(statusesOf(await fetchPortIn(late.port_in_request_sid))).toEqual(["Completed", ["Completed", "Canceled"]]);
    expect(specViolations("twilio", emulator.requests)).toEqual([]);
  });

  it("lists requests in pages of Size with next and previous tokens, filtered by SID and status", async () => {
    const sids: string[] = [];
    for (const suffix of ["3", "4", "5", "6", "7"]) sids.push((await create([{ phone_number: `+1720314159${suffix}` }])).port_in_request_sid);
    expect((await call("DELETE", `/v1/Porting/PortIn/${sids[4] ?? ""}`)).status).toBe(204);
    type Page = { port_in_requests: { port_in_request_sid: string; port_in_request_status: string; phone_numbers_requested: number }[]; meta: { next_token: string | null; previous_token: string | null } };
    const list = (query: string): Promise<Page> => ok<Page>(call("GET", `/v1/Porting/PortIn/PortInRequests${query}`), 200);
    const first = await list("?Size=2");
    expect(first.port_in_requests.map((entry) => entry.port_in_request_sid)).toEqual(sids.slice(0, 2));
    expect(first.meta).toEqual({ next_token: sids[2], previous_token: null });
    const second = await list(`?Size=2&Token=${first.meta.next_token ?? ""}`);
    expect(second.port_in_requests.map((entry) => entry.port_in_request_sid)).toEqual(sids.slice(2, 4));
    expect(second.meta).toEqual({ next_token: sids[4], previous_token: sids[0] });
    const third = await list(`?Size=2&Token=${second.meta.next_token ?? ""}`);
    expect(third.port_in_requests).toHaveLength(1);
    expect(third.meta.next_token).toBeNull();
    expect((await list("")).port_in_requests).toHaveLength(5);
    expect((await list("?PortInRequestStatus=Canceled")).port_in_requests.map((entry) => entry.port_in_request_sid)).toEqual([sids[4]]);
    expect((await list(`?PortInRequestSid=${sids[1] ?? ""},${sids[3] ?? ""}`)).port_in_requests.map((entry) => entry.port_in_request_sid)).toEqual([sids[1], sids[3]]);
    expect((await list("?CreatedAfter=2026-03-02")).port_in_requests).toEqual([]);
    expect((await list("?CreatedBefore=2026-03-03")).port_in_requests).toHaveLength(5);
    expect((await call("GET", `/v1/Porting/PortIn/PortInRequests?Token=KW${"e".repeat(32)}`)).status).toBe(400);
    expect(specViolations("twilio", emulator.requests)).toEqual([]);
    const beforeInvalid = emulator.requests.length;
    expect((await call("GET", "/v1/Porting/PortIn/PortInRequests?Size=101")).status).toBe(400);
    expect(specViolations("twilio", emulator.requests.slice(beforeInvalid)).map((violation) => violation.problem)).toEqual(["query parameter 'Size' must be <= 100"]);
  });

  it("keeps port-in requests and the webhook configuration in its saved state", async () => {
    const directory = mkdtempSync(join(tmpdir(), "twilio-porting-state-"));
    try {
      const file = join(directory, "twilio-emulator.json");
      emulator.persistStateIn(file);
      await ok(call("POST", "/v1/Porting/Configuration/Webhook", { port_in_target_url: "https://hooks.example.com/port-in" }), 201);
      const sid = (await create([{ phone_number: LOCAL }])).port_in_request_sid;
      time += STEP;
      await fetchPortIn(sid);
      await emulator.stop();
      emulator = newEmulator();
      emulator.persistStateIn(file);
      await emulator.start();
      expect(statusesOf(await fetchPortIn(sid))).toEqual(["Waiting for Signature", ["Waiting for Signature"]]);
      expect(await ok(call("GET", "/v1/Porting/Configuration/Webhook"), 200)).toMatchObject({ port_in_target_url: "https://hooks.example.com/port-in" });
      time += 4 * STEP;
      expect(statusesOf(await fetchPortIn(sid))).toEqual(["Completed", ["Completed"]]);
      expect(emulator.owned.has(LOCAL)).toBe(true);
      expect(specViolations("twilio", emulator.requests)).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("Twilio emulator: porting webhooks", () => {
  let receiver: Server;
  let received: Received[];
  let receiverUrl: string;

  beforeEach(async () => {
    received = [];
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ url: `${receiverUrl.replace(/\/port-in$/, "")}${request.url ?? ""}`, signature: String(request.headers["x-twilio-signature"]), body: Buffer.concat(chunks).toString("utf8") });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/port-in`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("are configured, read and deleted; events arrive signed as Twilio signs JSON webhooks (bodySHA256 in the URL)", async () => {
    const configured = await ok(call("POST", "/v1/Porting/Configuration/Webhook", { port_in_target_url: receiverUrl, notifications_of: [] }), 201);
    expect(configured).toEqual({ url: "https://numbers.twilio.com/v1/Porting/Configuration/Webhook", port_in_target_url: receiverUrl, port_out_target_url: null, notifications_of: [] });
    expect(await ok(call("GET", "/v1/Porting/Configuration/Webhook"), 200)).toMatchObject({ port_in_target_url: receiverUrl, port_in_target_date_created: "2026-03-02T15:00:00Z" });
    expect((await call("POST", "/v1/Porting/Configuration/Webhook", { notifications_of: ["PortInSomething"] })).status).toBe(400);

    const sid = (await create([{ phone_number: LOCAL }])).port_in_request_sid;
    time += 4 * STEP;
    await fetchPortIn(sid);
    await emulator.porting.webhooks.settled();
    const events = received.map((event) => JSON.parse(event.body) as { port_in_request_sid: string; status: string; port_in_phone_number_sid?: string });
    expect(events.map((event) => [event.port_in_phone_number_sid === undefined ? "request" : "number", event.status])).toEqual([
      ["number", "Waiting for Signature"], ["request", "Waiting for Signature"],
      ["number", "Submitted"], ["request", "In progress"],
      ["number", "Pending"],
      ["number", "Completed"], ["request", "Completed"],
    ]);
    expect(events.every((event) => event.port_in_request_sid === sid)).toBe(true);
    for (const event of received) {
      const url = new URL(event.url);
      expect(url.searchParams.get("bodySHA256")).toBe(createHash("sha256").update(event.body).digest("hex"));
      expect(event.signature).toBe(createHmac("sha1", options.authToken).update(event.url).digest("base64"));
    }
    expect(emulator.porting.webhooks.deliveries.map((delivery) => delivery.status)).toEqual(received.map(() => 204));

    expect((await call("DELETE", "/v1/Porting/Configuration/Webhook/PORT_IN")).status).toBe(204);
    expect((await call("GET", "/v1/Porting/Configuration/Webhook")).status).toBe(404);
    await create([{ phone_number: MOBILE, pin: "1111" }]);
    time += STEP;
    await call("GET", "/v1/Porting/PortIn/PortInRequests");
    await emulator.porting.webhooks.settled();
    expect(received).toHaveLength(events.length);
    expect(specViolations("twilio", emulator.requests)).toEqual([]);
  });

  it("filters by notifications_of, and records a failed delivery instead of throwing", async () => {
    await ok(call("POST", "/v1/Porting/Configuration/Webhook", { port_in_target_url: receiverUrl, notifications_of: ["PortInPhoneNumberRejected", "PortInActionRequired"] }), 201);
    const sid = (await create([{ phone_number: MOBILE, pin: "0000" }])).port_in_request_sid;
    time += 3 * STEP;
    await fetchPortIn(sid);
    await emulator.porting.webhooks.settled();
    expect(received.map((event) => (JSON.parse(event.body) as { status: string }).status)).toEqual(["Rejected", "Action Required"]);

    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    expect((await call("DELETE", `/v1/Porting/PortIn/${sid}`)).status).toBe(204);
    await ok(call("POST", "/v1/Porting/Configuration/Webhook", { notifications_of: [] }), 201);
    await create([{ phone_number: LOCAL }]);
    time += STEP;
    await call("GET", "/v1/Porting/PortIn/PortInRequests");
    await emulator.porting.webhooks.settled();
    const failed = emulator.porting.webhooks.deliveries.filter((delivery) => delivery.error !== undefined);
    expect(failed.map((delivery) => delivery.event)).toEqual(["PortInPhoneNumberWaitingForSignature", "PortInWaitingForSignature"]);
    receiver = createServer();
    expect(specViolations("twilio", emulator.requests)).toEqual([]);
  });
});
