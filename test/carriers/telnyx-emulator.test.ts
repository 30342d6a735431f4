import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TelnyxEmulator } from "../../src/carriers/telnyx/telnyx-emulator.js";
import { specViolations } from "../support/official-spec.js";
import { sendRaw, type RawAnswer } from "./carrier-test-kit.js";

/** The Telnyx emulator answers like Telnyx's API v2, and no more leniently: auth, parameters, bodies, paging, errors. */

const API_KEY = "KEYEMULATORTEST_0123456789";
let clock: number;
let emulator: TelnyxEmulator;
let dispatcher: Agent;

beforeEach(async () => {
  clock = Date.parse("2026-11-26T12:00:00Z");
  emulator = new TelnyxEmulator({ apiKey: API_KEY, now: () => clock });
  await emulator.start();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
});
afterEach(async () => {
  await emulator.stop();
  await dispatcher.close();
});

/** `authorization: null` sends none. */
function get(pathAndQuery: string, authorization: string | null = `Bearer ${API_KEY}`): Promise<RawAnswer> {
  return sendRaw(dispatcher, `${emulator.baseUrl}${pathAndQuery}`, { headers: authorization === null ? {} : { authorization } });
}

function send(method: "POST" | "DELETE", path: string, body?: unknown, contentType = "application/json"): Promise<RawAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` };
  if (body !== undefined) headers["content-type"] = contentType;
  return sendRaw(dispatcher, `${emulator.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
}

function bodyOf(answer: RawAnswer): Record<string, unknown> {
  return JSON.parse(answer.body) as Record<string, unknown>;
}

function firstError(answer: RawAnswer): Record<string, unknown> | undefined {
  const errors = bodyOf(answer)["errors"];
  return Array.isArray(errors) ? (errors[0] as Record<string, unknown>) : undefined;
}

async function forSale(query: string): Promise<string[]> {
  const answer = await get(`/available_phone_numbers?${query}`);
  expect(answer.status).toBe(200);
  return (bodyOf(answer)["data"] as { phone_number: string }[]).map((number) => number.phone_number);
}

describe("Telnyx emulator: auth", () => {
  it.each([
    ["no Authorization header", null],
    ["another key", "Bearer KEYOTHER"],
    ["Basic credentials", `Basic ${Buffer.from(`x:${API_KEY}`).toString("base64")}`],
  ])("answers 401 with error 10009 to %s", async (_case, authorization) => {
    const answer = await get("/phone_numbers", authorization);
    expect(answer.status).toBe(401);
    expect(firstError(answer)).toMatchObject({ code: "10009", title: "Authentication failed" });
  });
});

describe("Telnyx emulator: parameters", () => {
  it.each([
    ["an unknown filter", "filter[contry_code]=US", "filter[contry_code]"],
    ["a parameter outside filter[]", "country_code=US", "country_code"],
    ["page[] on the unpaged search", "filter[country_code]=US&page[number]=1", "page[number]"],
    ["a boolean that is not true/false", "filter[best_effort]=no", "filter[best_effort]"],
    ["a feature Telnyx does not know", "filter[features]=sms,telepathy", "filter[features]"],
    ["a non-integer limit", "filter[limit]=five", "filter[limit]"],
    ["a repeated parameter", "filter[limit]=1&filter[limit]=2", "filter[limit]"],
    ["a pattern that is not digits", "filter[phone_number][contains]=JOHN", "filter[phone_number][contains]"],
  ])("refuses %s with 400 and error 10015 naming it", async (_case, query, parameter) => {
    const answer = await get(`/available_phone_numbers?${query}`);
    expect(answer.status).toBe(400);
    expect(firstError(answer)).toMatchObject({ code: "10015", source: { parameter } });
  });

  it("refuses query parameters on operations that take none", async () => {
    const answer = await send("POST", "/number_orders?customer_reference=x", { phone_numbers: [{ phone_number: "+12125550123" }] });
    expect(answer.status).toBe(400);
    expect(firstError(answer)).toMatchObject({ code: "10015", source: { parameter: "customer_reference" } });
    expect(emulator.account.orders.size).toBe(0);
  });

  it("adds near matches (best_effort) unless told not to, in the same state, after the exact ones", async () => {
    const answer = await get("/available_phone_numbers?filter[country_code]=US&filter[national_destination_code]=212&filter[limit]=100");
    const data = bodyOf(answer)["data"] as { phone_number: string; best_effort: boolean }[];
    const near = data.filter((number) => number.best_effort);
    expect(near.length).toBeGreaterThan(0);
    expect(near.every((number) => number.phone_number.startsWith("+1646"))).toBe(true);
    expect(data.filter((number) => !number.best_effort).every((number) => number.phone_number.startsWith("+1212"))).toBe(true);
    expect(bodyOf(answer)["meta"]).toEqual({ total_results: data.length, best_effort_results: near.length });
    const exactOnly = await forSale("filter[country_code]=US&filter[national_destination_code]=212&filter[limit]=100&filter[best_effort]=false");
    expect(exactOnly.every((number) => number.startsWith("+1212"))).toBe(true);
  });

  it("matches patterns after the national destination code when one is given", async () => {
    const [sample = ""] = await forSale("filter[country_code]=US&filter[national_destination_code]=303&filter[limit]=1");
    const exchange = sample.slice(5, 8);
    expect(await forSale(`filter[country_code]=US&filter[national_destination_code]=303&filter[phone_number][starts_with]=${exchange}&filter[best_effort]=false`)).toContain(sample);
    expect(await forSale(`filter[country_code]=US&filter[phone_number][starts_with]=303${exchange}`)).toContain(sample);
    expect(await forSale(`filter[country_code]=US&filter[national_destination_code]=303&filter[phone_number][starts_with]=303${exchange}&filter[best_effort]=false`)).not.toContain(sample);
  });
});

describe("Telnyx emulator: bodies", () => {
  it("reads only application/json (415 otherwise) and a JSON object", async () => {
    const form = await send("POST", "/number_orders", "phone_numbers[0][phone_number]=%2B12125550123", "application/x-www-form-urlencoded");
    expect(form.status).toBe(415);
    expect(firstError(form)).toMatchObject({ code: "10015" });
    expect((await send("POST", "/number_orders", "[1, 2]")).status).toBe(400);
    expect(emulator.account.orders.size).toBe(0);
  });

  it("requires phone_numbers (10004), +E.164 numbers (10016), at most 1000 of them, and no field it does not take", async () => {
    const missing = await send("POST", "/number_orders", { customer_reference: "ng-x" });
    expect(missing.status).toBe(400);
    expect(firstError(missing)).toMatchObject({ code: "10004", source: { pointer: "/phone_numbers" } });
    const national = await send("POST", "/number_orders", { phone_numbers: [{ phone_number: "2125550123" }] });
    expect(national.status).toBe(422);
    expect(firstError(national)).toMatchObject({ code: "10016", source: { pointer: "/phone_numbers/0/phone_number" } });
    const tooMany = await send("POST", "/number_orders", { phone_numbers: Array.from({ length: 1001 }, (_unused, index) => ({ phone_number: `+1212555${String(index).padStart(4, "0")}` })) });
    expect(tooMany.status).toBe(400);
    expect(firstError(tooMany)).toMatchObject({ code: "10015", detail: "1000 numbers is the maximum allowed.", source: { pointer: "/phone_numbers" } });
    const readOnly = await send("POST", "/number_reservations", { phone_numbers: [{ phone_number: "+12125550123" }], status: "success" });
    expect(readOnly.status).toBe(422);
    expect(firstError(readOnly)).toMatchObject({ source: { pointer: "/status" } });
    expect(emulator.account.orders.size + emulator.account.reservations.size).toBe(0);
  });
});

describe("Telnyx emulator: orders, ownership and paging", () => {
  async function order(numbers: readonly string[], reference: string): Promise<{ id: string; status: string }> {
    const answer = await send("POST", "/number_orders", { phone_numbers: numbers.map((phoneNumber) => ({ phone_number: phoneNumber })), customer_reference: reference });
    expect(answer.status).toBe(200);
    return bodyOf(answer)["data"] as { id: string; status: string };
  }

  it("creates an order pending, completes it on the second GET, and sells a number only once", async () => {
    const [number = ""] = await forSale("filter[country_code]=US&filter[national_destination_code]=512&filter[limit]=1");
    const created = await order([number], "ng-1");
    expect(created.status).toBe("pending");
    // Taken at once: no longer for sale, and on the account as purchase-pending.
    expect(await forSale("filter[country_code]=US&filter[national_destination_code]=512&filter[limit]=100")).not.toContain(number);
    expect(bodyOf(await get("/phone_numbers"))["data"]).toMatchObject([{ phone_number: number, status: "purchase-pending" }]);
    const poll = async () => bodyOf(await get(`/number_orders/${created.id}`))["data"] as { status: string; phone_numbers: { status: string }[] };
    expect(await poll()).toMatchObject({ status: "pending", phone_numbers: [{ status: "pending" }] });
    expect(await poll()).toMatchObject({ status: "success", phone_numbers: [{ status: "success" }] });
    const again = await order([number], "ng-2");
    emulator.completeOpenOrders();
    expect(bodyOf(await get(`/number_orders/${again.id}`))["data"]).toMatchObject({ status: "failure", phone_numbers: [{ status: "failure" }] });
    expect(emulator.describeState()).toMatchObject({ purchases: [number], owned: [number], orders: 2 });
  });

  it("lists orders by customer_reference as NumberOrders (no per-number status), paged with meta", async () => {
    const numbers = await forSale("filter[country_code]=US&filter[national_destination_code]=617&filter[limit]=3");
    for (const number of numbers) await order([number], "ng-paged");
    await order(await forSale("filter[country_code]=US&filter[national_destination_code]=919&filter[limit]=1"), "ng-other");
    const first = bodyOf(await get("/number_orders?filter[customer_reference]=ng-paged&page[number]=1&page[size]=2"));
    expect(first["meta"]).toEqual({ page_number: 1, page_size: 2, total_pages: 2, total_results: 3 });
    const data = first["data"] as { customer_reference: string; phone_numbers: Record<string, unknown>[] }[];
    expect(data.every((entry) => entry.customer_reference === "ng-paged")).toBe(true);
    expect(Object.keys(data[0]?.phone_numbers[0] ?? {}).sort()).toEqual(["id", "phone_number"]);
    const second = bodyOf(await get("/number_orders?filter[customer_reference]=ng-paged&page[number]=2&page[size]=2"));
    expect(second["data"]).toHaveLength(1);
    expect((await get("/number_orders?page[size]=251")).status).toBe(400);
    expect((await get("/number_orders?page[number]=0")).status).toBe(400);
  });

  it("filters the account's numbers by digits only: a '+' finds nothing, fewer than 3 digits is refused", async () => {
    const [number = ""] = await forSale("filter[country_code]=US&filter[national_destination_code]=206&filter[limit]=1");
    emulator.addOwned(number);
    expect(bodyOf(await get(`/phone_numbers?filter[phone_number]=${number.slice(1)}`))["data"]).toMatchObject([{ phone_number: number }]);
    expect(bodyOf(await get(`/phone_numbers?filter[phone_number]=${encodeURIComponent(number)}`))["data"]).toEqual([]);
    expect((await get("/phone_numbers?filter[phone_number]=12")).status).toBe(400);
  });

  it("deletes a number: it leaves the account and is for sale again; an unknown id is 404 (10005)", async () => {
    const [number = ""] = await forSale("filter[country_code]=US&filter[national_destination_code]=305&filter[limit]=1");
    const id = emulator.addOwned(number);
    const deleted = await send("DELETE", `/phone_numbers/${id}`);
    expect(deleted.status).toBe(200);
    expect(bodyOf(deleted)["data"]).toMatchObject({ id, phone_number: number, status: "deleted" });
    expect(await forSale("filter[country_code]=US&filter[national_destination_code]=305&filter[limit]=100&filter[best_effort]=false")).toContain(number);
    const again = await send("DELETE", `/phone_numbers/${id}`);
    expect(again.status).toBe(404);
    expect(firstError(again)).toMatchObject({ code: "10005" });
  });
});

describe("Telnyx emulator: reservations", () => {
  it("holds a number for 30 minutes, refuses a second hold, lets it lapse, and extends it", async () => {
    const [number = ""] = await forSale("filter[country_code]=US&filter[national_destination_code]=404&filter[limit]=1");
    const reserve = async () => bodyOf(await send("POST", "/number_reservations", { phone_numbers: [{ phone_number: number }] }))["data"] as { id: string; status: string; phone_numbers: { expired_at: string; errors?: string }[] };
    const first = await reserve();
    expect(first).toMatchObject({ status: "success", phone_numbers: [{ expired_at: "2026-11-26T12:30:00.000Z" }] });
    expect(await reserve()).toMatchObject({ status: "failure", phone_numbers: [{ errors: "Number is already on hold" }] });
    expect(await forSale("filter[country_code]=US&filter[national_destination_code]=404&filter[limit]=100&filter[exclude_held_numbers]=true&filter[best_effort]=false")).not.toContain(number);

    clock += 20 * 60_000;
    const extended = bodyOf(await send("POST", `/number_reservations/${first.id}/actions/extend`))["data"];
    expect(extended).toMatchObject({ phone_numbers: [{ expired_at: "2026-11-26T12:50:00.000Z" }] });
    clock += 31 * 60_000;
    expect(await reserve()).toMatchObject({ status: "success" });
    expect(specViolations("telnyx", emulator.requests)).toEqual([]);
  });
});

describe("Telnyx emulator: faults and state", () => {
  it("answers 429 the way Telnyx does: error 10011, x-ratelimit-* headers, no Retry-After", async () => {
    emulator.faults.inject({ kind: "rate_limit", retryAfterSeconds: 7, times: 1 });
    const answer = await get("/phone_numbers");
    expect(answer.status).toBe(429);
    expect(answer.headers).toMatchObject({ "x-ratelimit-reset": "7", "x-ratelimit-remaining": "0" });
    expect(answer.headers["retry-after"]).toBeUndefined();
    expect(bodyOf(answer)).toEqual({ errors: [{ code: "10011", title: "Too many requests", detail: "You have exceeded the maximum number of allowed requests." }] });
  });

  it("keeps numbers, orders (pending ones included) and purchases across a restart, and refuses a state file that is not its own", async () => {
    const directory = mkdtempSync(join(tmpdir(), "numbergate-telnyx-"));
    try {
      const file = join(directory, "telnyx-emulator.json");
      emulator.persistStateIn(file);
      const [bought = "", pending = ""] = await forSale("filter[country_code]=US&filter[national_destination_code]=808&filter[limit]=2");
      const placed = async (number: string) => (bodyOf(await send("POST", "/number_orders", { phone_numbers: [{ phone_number: number }], customer_reference: `ng-${number}` }))["data"] as { id: string }).id;
      await placed(bought);
      emulator.completeOpenOrders();
      const pendingId = await placed(pending);
      await emulator.stop();

      emulator = new TelnyxEmulator({ apiKey: API_KEY, now: () => clock, pollsBeforeFinal: 0 });
      emulator.persistStateIn(file);
      await emulator.start();
      expect(emulator.describeState()).toMatchObject({ purchases: [bought], owned: [bought, pending], orders: 2 });
      expect(bodyOf(await get(`/number_orders/${pendingId}`))["data"]).toMatchObject({ status: "success" });
      expect(emulator.purchases).toEqual([bought, pending]);

      writeFileSync(file, JSON.stringify({ version: 1, phoneNumbers: "nope" }));
      expect(() => new TelnyxEmulator({ apiKey: API_KEY }).persistStateIn(file)).toThrow(/does not hold this emulator's state \(phoneNumbers/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
