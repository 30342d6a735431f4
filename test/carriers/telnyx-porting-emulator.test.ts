import { createPublicKey, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, type Dispatcher } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TelnyxEmulator } from "../../src/carriers/telnyx/telnyx-emulator.js";
import { specViolations } from "../support/official-spec.js";
import { sendRaw, type RawAnswer } from "./carrier-test-kit.js";

/** Telnyx's port-in API on the emulator: portability, porting orders, requirements, the status walk, webhooks. */

const API_KEY = "KEYEMULATORTEST_0123456789";
const START = Date.parse("2026-11-26T12:00:00Z");
const FOC = "2026-12-03T15:00:00.000Z";
let clock: number;
let emulator: TelnyxEmulator;
let dispatcher: Agent;

interface PortingOrderBody {
  id: string;
  status: { value: string; details: { code: string }[] };
  phone_numbers?: { phone_number: string }[];
  support_key: string | null;
  requirements_met: boolean;
  old_service_provider_ocn: string;
  phone_number_type: string;
}

beforeEach(async () => {
  clock = START;
  emulator = new TelnyxEmulator({ apiKey: API_KEY, now: () => clock });
  await emulator.start();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
});
afterEach(async () => {
  await emulator.stop();
  await dispatcher.close();
});

function call(method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<RawAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return sendRaw(dispatcher, `${emulator.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

function bodyOf<T = Record<string, unknown>>(answer: RawAnswer): T {
  return JSON.parse(answer.body) as T;
}

function errorsOf(answer: RawAnswer): { code: string; source?: { pointer?: string; parameter?: string } }[] {
  return bodyOf<{ errors: { code: string; source?: { pointer?: string } }[] }>(answer).errors;
}

async function create(phoneNumbers: string[], customerReference = "ng-port"): Promise<PortingOrderBody[]> {
  const answer = await call("POST", "/porting_orders", { phone_numbers: phoneNumbers, customer_reference: customerReference });
  expect(answer.status).toBe(201);
  return bodyOf<{ data: PortingOrderBody[] }>(answer).data;
}

/** Everything a US port needs, as an UpdatePortingOrder body. */
function completeDetails(pin = "1234"): Record<string, unknown> {
  return {
    end_user: {
      admin: { entity_name: "Porter McPortersen", auth_person_name: "Porter McPortersen II", account_number: "123abc", billing_phone_number: "+17205550199", pin_passcode: pin },
      location: { street_address: "600 Congress Avenue", locality: "Austin", administrative_area: "TX", postal_code: "78701", country_code: "US" },
    },
    documents: { loa: "3a5b98a0-5049-47c3-96e1-aa6c8d119117", invoice: "ce74b771-d23d-4960-81ec-8741b3862146" },
    activation_settings: { foc_datetime_requested: FOC },
    misc: { type: "full" },
  };
}

async function patch(id: string, body: Record<string, unknown>): Promise<RawAnswer> {
  return call("PATCH", `/porting_orders/${id}`, body);
}

async function confirmed(id: string): Promise<PortingOrderBody> {
  const answer = await call("POST", `/porting_orders/${id}/actions/confirm`);
  expect(answer.status).toBe(200);
  return bodyOf<{ data: PortingOrderBody }>(answer).data;
}

/** GETs the order until it shows the status, at most `polls` times; returns it as last seen. */
async function pollUntil(id: string, status: string, polls = 6): Promise<PortingOrderBody> {
  let order: PortingOrderBody | undefined;
  for (let poll = 0; poll < polls && order?.status.value !== status; poll += 1) order = bodyOf<{ data: PortingOrderBody }>(await call("GET", `/porting_orders/${id}`)).data;
  if (!order) throw new Error("no poll made");
  return order;
}

/** A loopback receiver that records every webhook and answers 200 (or the status given for its path). */
async function webhookReceiver(statusFor: (path: string) => number = () => 200): Promise<{ server: Server; url: string; received: { path: string; headers: IncomingHttpHeaders; body: string }[] }> {
  const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(statusFor(request.url ?? "")).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return { server, url: `http://127.0.0.1:${address.port}`, received };
}

async function closeReceiver(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe("Telnyx emulator: portability checks", () => {
  it("answers 201 per number: +1 numbers portable from their area code's carrier, Telnyx's own and foreign ones not", async () => {
    const search = bodyOf<{ data: { phone_number: string }[] }>(await call("GET", "/available_phone_numbers?filter[country_code]=US&filter[national_destination_code]=303&filter[limit]=1"));
    const own = search.data[0]?.phone_number ?? "";
    const answer = await call("POST", "/portability_checks", { phone_numbers: ["+17205550100", "+19705550100", own, "+442071234567"] });
    expect(answer.status).toBe(201);
    expect(bodyOf(answer)["data"]).toEqual([
      { record_type: "portability_check_result", phone_number: "+17205550100", portable: true, not_portable_reason: "", fast_portable: true },
      { record_type: "portability_check_result", phone_number: "+19705550100", portable: true, not_portable_reason: "", fast_portable: false },
      { record_type: "portability_check_result", phone_number: own, portable: false, not_portable_reason: "Phone number is already with Telnyx", fast_portable: false },
      { record_type: "portability_check_result", phone_number: "+442071234567", portable: false, not_portable_reason: "No coverage", fast_portable: false },
    ]);
    expect(specViolations("telnyx", emulator.requests)).toEqual([]);
    const anonymous = await sendRaw(dispatcher, `${emulator.baseUrl}/portability_checks`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"phone_numbers":["+17205550100"]}' });
    expect(anonymous.status).toBe(401);
    expect(errorsOf(anonymous)[0]).toMatchObject({ code: "10009" });
    const invalid = await call("POST", "/portability_checks", { phone_numbers: ["7205550100"] });
    expect(invalid.status).toBe(422);
    expect(errorsOf(invalid)[0]).toMatchObject({ code: "10016", source: { pointer: "/phone_numbers/0" } });
  });
});

describe("Telnyx emulator: porting orders", () => {
  it("splits one request into drafts by losing carrier and number type, and refuses numbers it cannot port", async () => {
    const orders = await create(["+17205550100", "+19705550100", "+17205550101", "+18885550100"]);
    expect(orders.map((order) => [order.old_service_provider_ocn, order.phone_number_type, order.phone_numbers?.map((entry) => entry.phone_number)])).toEqual([
      ["Unreal Communications", "local", ["+17205550100", "+17205550101"]],
      ["Imaginary Telecom", "local", ["+19705550100"]],
      ["Unreal Communications", "toll_free", ["+18885550100"]],
    ]);
    expect(orders.every((order) => order.status.value === "draft" && order.support_key === null && !order.requirements_met)).toBe(true);
    expect(specViolations("telnyx", emulator.requests)).toEqual([]);

    const again = await call("POST", "/porting_orders", { phone_numbers: ["+19705550100"] });
    expect(again.status).toBe(422);
    expect(errorsOf(again)[0]).toMatchObject({ code: "10015", source: { pointer: "/phone_numbers/0" } });
    expect((await call("POST", "/porting_orders", { phone_numbers: ["+442071234567"] })).status).toBe(422);
    expect((await call("POST", "/porting_orders", { customer_reference: "x" })).status).toBe(400);
    expect(emulator.porting.orders.size).toBe(3);
  });

  it("lists what is missing, refuses to submit until it is all there, and submits once it is", async () => {
    const [order] = await create(["+17205550100"]);
    const id = order?.id ?? "";
    const requirements = async () => bodyOf<{ data: { requirement_status: string; requirement_type: { id: string; name: string } }[] }>(await call("GET", `/porting_orders/${id}/requirements`)).data;
    expect((await requirements()).every((requirement) => requirement.requirement_status === "requirement-info-pending")).toBe(true);
    const refused = await call("POST", `/porting_orders/${id}/actions/confirm`);
    expect(refused.status).toBe(422);
    expect(errorsOf(refused).map((error) => error.source?.pointer)).toContain("/end_user/admin/account_number");

    const details = completeDetails();
    const { documents, ...withoutDocuments } = details;
    expect((await patch(id, withoutDocuments)).status).toBe(200);
    const missing = (await requirements()).filter((requirement) => requirement.requirement_status !== "approved").map((requirement) => requirement.requirement_type.name);
    expect(missing).toEqual(["Letter of Authorization", "Latest Invoice"]);
    expect(errorsOf(await call("POST", `/porting_orders/${id}/actions/confirm`)).map((error) => error.source?.pointer)).toEqual(["/documents/loa", "/documents/invoice"]);

    // A requirement can also be met through `requirements[]`, by its requirement type id.
    const loa = (await requirements()).find((requirement) => requirement.requirement_type.name === "Letter of Authorization")?.requirement_type.id ?? "";
    expect((await patch(id, { requirements: [{ requirement_type_id: loa, field_value: "3a5b98a0-5049-47c3-96e1-aa6c8d119117" }], documents: { invoice: (documents as { invoice: string }).invoice } })).status).toBe(200);
    const submitted = await confirmed(id);
    expect(submitted).toMatchObject({ status: { value: "in-process" }, requirements_met: true });
    expect(submitted.support_key).toMatch(/^sr_[0-9a-f]{6}$/);
    expect(specViolations("telnyx", emulator.requests)).toEqual([]);
  });

  it("validates edits against UpdatePortingOrder and the order's status", async () => {
    const [order] = await create(["+17205550100"]);
    const id = order?.id ?? "";
    // A missing required value is a 400 (10004), as everywhere on the emulator; a value Telnyx cannot take is a 422.
    const refusals: [Record<string, unknown>, string, string][] = [
      [{ status: "ported" }, "10015", "/status"],
      [{ end_user: { admin: { pin: "1234" } } }, "10015", "/end_user/admin/pin"],
      [{ documents: { loa: "not-a-uuid" } }, "10015", "/documents/loa"],
      [{ activation_settings: { foc_datetime_requested: "2026-11-01T10:00:00Z" } }, "10015", "/activation_settings/foc_datetime_requested"],
      [{ misc: { type: "full", remaining_numbers_action: "keep" } }, "10015", "/misc/type"],
      [{ misc: { type: "partial", remaining_numbers_action: "keep" } }, "10004", "/misc/new_billing_phone_number"],
      [{ phone_number_configuration: { connection_id: "1752379429071357070" } }, "10005", "/phone_number_configuration/connection_id"],
      [{ requirements: [{ requirement_type_id: "59b0762a-b274-4f76-ac32-4d5cf0272e66", field_value: "x" }] }, "10005", "/requirements/0/requirement_type_id"],
      [{ user_feedback: { user_rating: 5 } }, "10015", "/user_feedback"],
    ];
    for (const [body, code, pointer] of refusals) {
      const answer = await patch(id, body);
      expect(answer.status, JSON.stringify(body)).toBe(code === "10004" ? 400 : 422);
      expect(errorsOf(answer)[0], JSON.stringify(body)).toMatchObject({ code, source: { pointer } });
    }
    expect((await patch(id, completeDetails())).status).toBe(200);
    // The spec declares no body for the actions.
    expect((await call("POST", `/porting_orders/${id}/actions/confirm`, {})).status).toBe(400);
    await confirmed(id);
    expect(errorsOf(await patch(id, { end_user: { admin: { pin_passcode: "9999" } } }))[0]).toMatchObject({ source: { pointer: "/end_user" } });
    expect(bodyOf<{ data: { customer_reference: string } }>(await patch(id, { customer_reference: "renamed" })).data.customer_reference).toBe("renamed");
  });
});

describe("Telnyx emulator: the porting walk", () => {
  it("walks a confirmed order to ported at its FOC date, puts the numbers on the account, and signs every webhook", async () => {
    const receiver = await webhookReceiver();
    try {
      emulator.porting.notifyTo(`${receiver.url}/account`);
      const [order] = await create(["+17205550100", "+17205550101"]);
      const id = order?.id ?? "";
      expect((await patch(id, { ...completeDetails(), webhook_url: `${receiver.url}/order` })).status).toBe(200);
      await confirmed(id);
      expect((await pollUntil(id, "foc-date-confirmed")).status.value).toBe("foc-date-confirmed");
      expect((await pollUntil(id, "ported", 4)).status.value).toBe("foc-date-confirmed");
      clock = Date.parse(FOC) + 60_000;
      expect((await pollUntil(id, "ported")).status.value).toBe("ported");
      const owned = bodyOf<{ data: { phone_number: string; status: string }[] }>(await call("GET", "/phone_numbers?filter[phone_number]=720555010"));
      expect(owned.data.map((entry) => [entry.phone_number, entry.status]).sort()).toEqual([["+17205550100", "active"], ["+17205550101", "active"]]);
      expect(specViolations("telnyx", emulator.requests)).toEqual([]);

      await emulator.porting.webhooksSettled();
      const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(emulator.webhookPublicKey, "base64").toString("base64url") }, format: "jwk" });
      const events = receiver.received.filter((delivery) => delivery.path === "/account");
      for (const delivery of receiver.received) {
        const signed = Buffer.from(`${String(delivery.headers["telnyx-timestamp"])}|${delivery.body}`);
        expect(verify(null, signed, publicKey, Buffer.from(String(delivery.headers["telnyx-signature-ed25519"]), "base64"))).toBe(true);
        expect(verify(null, Buffer.from(`${String(delivery.headers["telnyx-timestamp"])}|${delivery.body} `), publicKey, Buffer.from(String(delivery.headers["telnyx-signature-ed25519"]), "base64"))).toBe(false);
      }
      const parsed = events.map((delivery) => JSON.parse(delivery.body) as { data: { event_type: string; record_type: string; payload: { id: string; status: { value: string } } }; meta: { delivered_to: string } });
      expect(parsed.map((event) => event.data.payload.status.value)).toEqual(["in-process", "submitted", "foc-date-confirmed", "ported"]);
      expect(parsed.every((event) => event.data.event_type === "porting_order.status_changed" && event.data.record_type === "event" && event.data.payload.id === id)).toBe(true);
      expect(parsed[0]?.meta.delivered_to).toBe(`${receiver.url}/account`);
      expect(receiver.received.filter((delivery) => delivery.path === "/order")).toHaveLength(4);
      // Unix seconds of the sending, on the emulator's clock.
      expect(events.every((delivery) => /^[0-9]+$/.test(String(delivery.headers["telnyx-timestamp"])) && Number(delivery.headers["telnyx-timestamp"]) >= START / 1000)).toBe(true);
    } finally {
      await closeReceiver(receiver.server);
    }
  });

  it("turns a wrong PIN into an exception, and a fixed PIN confirmed again into a port", async () => {
    const types = bodyOf<{ data: { code: string }[] }>(await call("GET", "/porting_orders/exception_types")).data.map((type) => type.code);
    expect(types).toContain("PASSCODE_PIN_INVALID");
    const [order] = await create(["+19705550100"]);
    const id = order?.id ?? "";
    await patch(id, completeDetails("0000"));
    await confirmed(id);
    const failed = await pollUntil(id, "exception");
    expect(failed.status).toEqual({ value: "exception", details: [{ code: "PASSCODE_PIN_INVALID", description: "PIN/passcode is invalid" }] });
    expect((await patch(id, { end_user: { admin: { pin_passcode: "1234" } } })).status).toBe(200);
    expect((await confirmed(id)).status).toEqual({ value: "in-process", details: [] });
    expect((await pollUntil(id, "foc-date-confirmed")).status.value).toBe("foc-date-confirmed");
    clock = Date.parse(FOC);
    expect((await pollUntil(id, "ported")).status.value).toBe("ported");
    expect(emulator.describeState().owned).toContain("+19705550100");
    expect(specViolations("telnyx", emulator.requests)).toEqual([]);
  });

  it("cancels an order on its way, refuses to cancel after the FOC date is confirmed, and deletes only drafts", async () => {
    const [early, late, draft] = await Promise.all([create(["+17205550100"]), create(["+19705550100"]), create(["+17195550100"])]).then((lists) => lists.map((list) => list[0]?.id ?? ""));
    for (const id of [early, late]) {
      await patch(id ?? "", completeDetails());
      await confirmed(id ?? "");
    }
    const cancelling = await call("POST", `/porting_orders/${early}/actions/cancel`);
    expect(bodyOf<{ data: PortingOrderBody }>(cancelling).data.status.value).toBe("cancel-pending");
    expect((await pollUntil(early ?? "", "cancelled")).status.value).toBe("cancelled");
    expect(await create(["+17205550100"])).toHaveLength(1);

    expect((await pollUntil(late ?? "", "foc-date-confirmed")).status.value).toBe("foc-date-confirmed");
    const tooLate = await call("POST", `/porting_orders/${late}/actions/cancel`);
    expect(tooLate.status).toBe(422);
    expect(errorsOf(tooLate)[0]).toMatchObject({ code: "10015" });
    expect((await call("POST", `/porting_orders/${draft}/actions/cancel`)).status).toBe(422);
    expect((await call("DELETE", `/porting_orders/${late}`)).status).toBe(422);
    expect((await call("DELETE", `/porting_orders/${draft}`)).status).toBe(204);
    expect((await call("GET", `/porting_orders/${draft}`)).status).toBe(404);
    expect(specViolations("telnyx", emulator.requests)).toEqual([]);
  });
});

describe("Telnyx emulator: porting lists, state and failed webhooks", () => {
  it("pages and filters the list as the spec says, newest first", async () => {
    for (const [index, areaCode] of ["720", "970", "719", "720", "970"].entries()) {
      clock = START + index * 1000;
      await create([`+1${areaCode}555010${index}`], `ref-${index % 2}`);
    }
    const list = async (query: string) => bodyOf<{ data: PortingOrderBody[]; meta: Record<string, number> }>(await call("GET", `/porting_orders?${query}`));
    const second = await list("page[number]=2&page[size]=2");
    expect(second.meta).toEqual({ page_number: 2, page_size: 2, total_pages: 3, total_results: 5 });
    expect(second.data.map((order) => order.phone_numbers?.[0]?.phone_number)).toEqual(["+17195550102", "+19705550101"]);
    expect((await list("filter[customer_reference]=ref-1")).meta["total_results"]).toBe(2);
    expect((await list("filter[phone_numbers][phone_number][contains]=970555")).meta["total_results"]).toBe(2);
    expect((await list("filter[activation_settings][fast_port_eligible]=true")).data.map((order) => order.old_service_provider_ocn)).toEqual(["Unreal Communications", "Unreal Communications"]);
    expect((await list("filter[phone_numbers][carrier_name]=Fictional%20Wireless&include_phone_numbers=false")).data.map((order) => order.phone_numbers)).toEqual([undefined]);
    expect((await list("sort[value]=created_at&page[size]=1")).data[0]?.phone_numbers?.[0]?.phone_number).toBe("+17205550100");
    expect(specViolations("telnyx", emulator.requests)).toEqual([]);
    const unknown = await call("GET", "/porting_orders?filter[status]=draft");
    expect(unknown.status).toBe(400);
    expect(errorsOf(unknown)[0]).toMatchObject({ code: "10015", source: { parameter: "filter[status]" } });
    expect((await call("GET", "/porting_orders?page[size]=251")).status).toBe(400);
  });

  it("keeps porting orders and their walk across a restart", async () => {
    const directory = mkdtempSync(join(tmpdir(), "numbergate-telnyx-porting-"));
    try {
      const file = join(directory, "telnyx-emulator.json");
      emulator.persistStateIn(file);
      const [order] = await create(["+17205550100"]);
      const id = order?.id ?? "";
      await patch(id, completeDetails());
      const { support_key: supportKey } = await confirmed(id);
      await emulator.stop();
      emulator = new TelnyxEmulator({ apiKey: API_KEY, now: () => clock, portingPollsPerStep: 0 });
      emulator.persistStateIn(file);
      await emulator.start();
      expect(emulator.describeState().portingOrders).toBe(1);
      expect(await pollUntil(id, "submitted", 1)).toMatchObject({ status: { value: "submitted" }, support_key: supportKey });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("records webhook deliveries that fail instead of throwing, and goes on", async () => {
    const receiver = await webhookReceiver(() => 500);
    try {
      emulator.porting.notifyTo(`${receiver.url}/failing`);
      emulator.porting.notifyTo("http://127.0.0.1:9/refused");
      const [order] = await create(["+17205550100"]);
      await patch(order?.id ?? "", completeDetails());
      await confirmed(order?.id ?? "");
      await emulator.porting.webhooksSettled();
      const deliveries = emulator.porting.webhookDeliveries;
      expect(deliveries.map((delivery) => [delivery.url, delivery.status, delivery.delivered])).toEqual([
        [`${receiver.url}/failing`, 500, false],
        ["http://127.0.0.1:9/refused", undefined, false],
      ]);
      expect(deliveries[1]?.error).toBeTruthy();
    } finally {
      await closeReceiver(receiver.server);
    }
  });
});
