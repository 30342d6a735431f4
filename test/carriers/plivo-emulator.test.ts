import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, type Dispatcher } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { plivoCarrier } from "../../src/carriers/plivo/plivo-carrier.js";
import type { PlivoEmulator } from "../../src/carriers/plivo/plivo-emulator.js";
import { specViolations } from "../support/official-spec.js";
import { basic, sendRaw, type RawAnswer } from "./carrier-test-kit.js";

/** The Plivo emulator answers like the derived spec and plivo.md say, and is never more lenient. */

interface Page {
  readonly meta: { readonly limit: number; readonly offset: number; readonly total_count: number; readonly next: string | null; readonly previous: string | null };
  readonly objects: readonly Record<string, unknown>[];
}

let emulator: PlivoEmulator;
let dispatcher: Agent;
let authorization: string;
let account: string;

beforeEach(async () => {
  emulator = (await plivoCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false })).emulator;
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  authorization = basic(emulator.credentials.authId, emulator.credentials.authToken);
  account = `/v1/Account/${emulator.credentials.authId}`;
});
afterEach(async () => {
  await emulator.stop();
  await dispatcher.close();
});

function call(method: Dispatcher.HttpMethod, pathAndQuery: string, init: { body?: string; contentType?: string; credentials?: string } = {}): Promise<RawAnswer> {
  const headers: Record<string, string> = { authorization: init.credentials ?? authorization };
  if (init.contentType) headers["content-type"] = init.contentType;
  return sendRaw(dispatcher, `${emulator.origin}${pathAndQuery}`, { method, headers, body: init.body });
}

async function page(pathAndQuery: string): Promise<Page> {
  const answer = await call("GET", pathAndQuery);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as Page;
}

/** Status and Plivo's error body of a refused request. */
async function refusal(answer: Promise<RawAnswer>): Promise<{ status: number; error: unknown }> {
  const { status, body } = await answer;
  const parsed = JSON.parse(body) as { api_id?: unknown; error?: unknown };
  expect(parsed.api_id).toEqual(expect.any(String));
  return { status, error: parsed.error };
}

async function digitsForSale(query: string, count = 1): Promise<string[]> {
  return (await page(`${account}/PhoneNumber/?${query}&limit=${count}`)).objects.map((entry) => String(entry["number"]));
}

describe("Plivo emulator: search", () => {
  it("requires country_iso, refuses unknown parameters, malformed values and a limit above 20", async () => {
    expect(await refusal(call("GET", `${account}/PhoneNumber/?type=local`))).toEqual({ status: 400, error: "country_iso is required" });
    expect(await refusal(call("GET", `${account}/PhoneNumber/?country_iso=US&area_code=212`))).toEqual({ status: 400, error: "unknown parameter area_code" });
    expect((await call("GET", `${account}/PhoneNumber/?country_iso=US&type=landline`)).status).toBe(400);
    expect((await call("GET", `${account}/PhoneNumber/?country_iso=US&services=voice,fax`)).status).toBe(400);
    expect((await call("GET", `${account}/PhoneNumber/?country_iso=US&limit=50`)).status).toBe(400);
    expect((await call("GET", `${account}/PhoneNumber/?country_iso=US&limit=0`)).status).toBe(400);
    expect((await call("GET", `${account}/PhoneNumber/?country_iso=US&offset=-1`)).status).toBe(400);
  });

  it("answers like Plivo's example: digits without '+', USD rates as strings, type and sub_type", async () => {
    const [first] = (await page(`${account}/PhoneNumber/?country_iso=US&type=local&pattern=415&limit=1`)).objects;
    expect(first).toMatchObject({
      country: "UNITED STATES",
      lata: 722,
      monthly_rental_rate: "0.80000",
      number: expect.stringMatching(/^1415\d{7}$/) as unknown,
      prefix: "415",
      rate_center: "SNFC CNTRL",
      region: "California",
      restriction: null,
      setup_rate: "0.00000",
      sub_type: "local",
      type: "fixed",
    });
    expect(first?.["resource_uri"]).toBe(`${account}/PhoneNumber/${String(first?.["number"])}/`);
  });

  it("pages with limit and offset; meta.next repeats the filters and is null on the last page", async () => {
    const stocked = emulator.stock.filter((number) => number.countryIso === "US" && number.nationalNumber.startsWith("212")).length;
    expect(stocked).toBeGreaterThan(40);
    const first = await page(`${account}/PhoneNumber/?country_iso=US&pattern=212&limit=20`);
    expect(first.meta).toMatchObject({ limit: 20, offset: 0, previous: null, total_count: stocked });
    expect(first.meta.next).toBe(`${account}/PhoneNumber/?country_iso=US&pattern=212&limit=20&offset=20`);
    let next = first.meta.next;
    const seen = [...first.objects];
    while (next !== null) {
      const following = await page(next);
      seen.push(...following.objects);
      next = following.meta.next;
    }
    expect(seen).toHaveLength(stocked);
    expect(new Set(seen.map((entry) => entry["number"])).size).toBe(stocked);
  });
});

describe("Plivo emulator: as strict as the derived spec", () => {
  it("refuses with 400 every malformed request the spec refuses, and accepts the ones it accepts", async () => {
    const [digits = ""] = await digitsForSale("country_iso=US&pattern=206");
    emulator.requests.length = 0;
    const malformed: [Dispatcher.HttpMethod, string, { body?: string; contentType?: string }][] = [
      ["GET", `${account}/PhoneNumber/?pattern=206`, {}],
      ["GET", `${account}/PhoneNumber/?country_iso=US&areacode=206`, {}],
      ["GET", `${account}/PhoneNumber/?country_iso=US&limit=21`, {}],
      ["GET", `${account}/PhoneNumber/?country_iso=US&offset=first`, {}],
      ["GET", `${account}/PhoneNumber/?country_iso=US&local_calling_area=yes`, {}],
      ["GET", `${account}/Number/?limit=100`, {}],
      ["GET", `${account}/Number/${digits}/?fields=all`, {}],
      ["POST", `${account}/PhoneNumber/${digits}/`, { body: "app_id=1", contentType: "application/x-www-form-urlencoded" }],
      ["POST", `${account}/PhoneNumber/${digits}/`, { body: JSON.stringify({ ha_enable: "true" }), contentType: "application/json" }],
      ["POST", `${account}/PhoneNumber/${digits}/`, { body: JSON.stringify({ alias: "ng-order-1" }), contentType: "application/json" }],
    ];
    for (const [method, path, init] of malformed) {
      expect((await call(method, path, init)).status, `${method} ${path}`).toBe(400);
      expect(specViolations("plivo", emulator.requests.slice(-1)), `${method} ${path}`).not.toEqual([]);
    }
    emulator.requests.length = 0;
    expect((await call("GET", `${account}/PhoneNumber/?country_iso=US&type=local&pattern=206&services=voice,sms&limit=20&offset=0`)).status).toBe(200);
    expect((await call("GET", `${account}/Number/?type=local&number_startswith=1206&limit=20&offset=0`)).status).toBe(200);
    expect((await call("POST", `${account}/PhoneNumber/${digits}/`, { body: JSON.stringify({ cnam_lookup: "disabled" }), contentType: "application/json" })).status).toBe(201);
    expect((await call("GET", `${account}/Number/${digits}/`)).status).toBe(200);
    expect((await call("DELETE", `${account}/Number/${digits}/`)).status).toBe(204);
    expect(specViolations("plivo", emulator.requests)).toEqual([]);
  });
});

describe("Plivo emulator: auth, paths and methods", () => {
  it("answers 401 with Plivo's error body to wrong credentials, and to another account's path", async () => {
    expect(await refusal(call("GET", `${account}/Number/`, { credentials: basic(emulator.credentials.authId, "wrong") }))).toEqual({ status: 401, error: "authentication failed" });
    expect((await call("GET", `${account}/Number/`, { credentials: `Bearer ${emulator.credentials.authToken}` })).status).toBe(401);
    expect((await call("GET", "/v1/Account/MAOTHERACCOUNT0000001/Number/")).status).toBe(401);
  });

  it("knows its paths only with their trailing '/', and answers 405 to a method a resource does not have", async () => {
    expect((await call("GET", `${account}/Number`)).status).toBe(404);
    expect((await call("GET", `${account}/PhoneNumber?country_iso=US`)).status).toBe(404);
    const [digits = ""] = await digitsForSale("country_iso=US&pattern=212");
    expect(await refusal(call("GET", `${account}/PhoneNumber/${digits}/`))).toEqual({ status: 405, error: "method not allowed" });
    expect((await call("POST", `${account}/Number/`, { body: "{}", contentType: "application/json" })).status).toBe(405);
  });
});

describe("Plivo emulator: buying", () => {
  it("reads a JSON body only: another Content-Type, a body that is not an object, or an unknown field is refused", async () => {
    const [digits = ""] = await digitsForSale("country_iso=US&pattern=312");
    const buy = (body: string, contentType?: string) => call("POST", `${account}/PhoneNumber/${digits}/`, { body, contentType });
    expect(await refusal(buy("app_id=1", "application/x-www-form-urlencoded"))).toEqual({ status: 400, error: "Content-Type must be application/json" });
    expect(await refusal(buy("{}"))).toEqual({ status: 400, error: "Content-Type must be application/json" });
    expect((await buy("[]", "application/json")).status).toBe(400);
    expect(await refusal(buy(JSON.stringify({ appid: "1" }), "application/json"))).toEqual({ status: 400, error: "unknown parameter appid" });
    expect((await buy(JSON.stringify({ cnam_lookup: "yes" }), "application/json")).status).toBe(400);
    expect(emulator.describeState().purchases).toEqual([]);
    const bought = await buy("", undefined);
    expect(bought.status).toBe(201);
    expect(JSON.parse(bought.body)).toMatchObject({ message: "created", status: "fulfilled", numbers: [{ number: digits, status: "Success" }] });
  });

  it("refuses an invalid number (400) and one not for sale (404), and sells a number once until it is unrented", async () => {
    expect(await refusal(call("POST", `${account}/PhoneNumber/12ab/`))).toEqual({ status: 400, error: "The number 12ab is not a valid number" });
    expect((await call("POST", `${account}/PhoneNumber/12125550123/`)).status).toBe(404);
    const [digits = ""] = await digitsForSale("country_iso=US&pattern=404");
    expect((await call("POST", `${account}/PhoneNumber/${digits}/`)).status).toBe(201);
    expect((await call("POST", `${account}/PhoneNumber/${digits}/`)).status).toBe(404);
    expect(await digitsForSale(`country_iso=US&pattern=${digits.slice(1)}`)).toEqual([]);
    expect((await call("DELETE", `${account}/Number/${digits}/`)).status).toBe(204);
    expect((await call("DELETE", `${account}/Number/${digits}/`)).status).toBe(404);
    expect(await digitsForSale(`country_iso=US&pattern=${digits.slice(1)}`)).toEqual([digits]);
    expect(emulator.describeState()).toEqual({ purchases: [`+${digits}`], owned: [], pending: [] });
  });

  it("buys a number with a restriction pending, and activates it after polls of GET Number/{number}/", async () => {
    const [digits = ""] = await digitsForSale("country_iso=DE&type=local");
    const bought = await call("POST", `${account}/PhoneNumber/${digits}/`, { body: "{}", contentType: "application/json" });
    expect(JSON.parse(bought.body)).toMatchObject({ status: "fulfilled", numbers: [{ number: digits, status: "pending" }] });
    const poll = async () => JSON.parse((await call("GET", `${account}/Number/${digits}/`)).body) as Record<string, unknown>;
    expect(await poll()).toMatchObject({ number: digits, active: false, compliance_status: "pending", country: "Germany" });
    expect(await poll()).toMatchObject({ active: false });
    expect(await poll()).toMatchObject({ active: true, compliance_status: "approved" });
  });
});

describe("Plivo emulator: the account's numbers", () => {
  it("lists them in rental order with Plivo's fields, filtered and paged", async () => {
    const numbers = await digitsForSale("country_iso=US&pattern=919", 3);
    for (const digits of numbers) expect((await call("POST", `${account}/PhoneNumber/${digits}/`)).status).toBe(201);
    const first = await page(`${account}/Number/?limit=2`);
    expect(first.objects.map((entry) => entry["number"])).toEqual(numbers.slice(0, 2));
    expect(first.objects[0]).toMatchObject({ number_type: "local", carrier: "Plivo", active: true, alias: null, region: "North Carolina, UNITED STATES", country: "United States" });
    expect(first.meta.next).toBe(`${account}/Number/?limit=2&offset=2`);
    expect((await page(first.meta.next ?? "")).objects.map((entry) => entry["number"])).toEqual(numbers.slice(2));
    expect((await page(`${account}/Number/?number_startswith=${numbers[0] ?? ""}`)).objects).toHaveLength(1);
    expect((await page(`${account}/Number/?type=tollfree`)).objects).toEqual([]);
    expect((await call("GET", `${account}/Number/?phone_number=1`)).status).toBe(400);
    expect((await call("GET", `${account}/Number/?renewal_date__gt=tomorrow`)).status).toBe(400);
  });

  it("keeps what it rented and sold in its state file across a restart", async () => {
    const directory = await mkdtemp(join(tmpdir(), "numbergate-plivo-state-"));
    try {
      const stateFile = join(directory, "plivo-emulator.json");
      const before = await plivoCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile, fixedCredentials: true });
      const beforeAccount = `/v1/Account/${before.emulator.credentials.authId}`;
      const fixed = basic(before.emulator.credentials.authId, before.emulator.credentials.authToken);
      const answer = await sendRaw(dispatcher, `${before.emulator.origin}${beforeAccount}/PhoneNumber/?country_iso=DE&limit=1`, { headers: { authorization: fixed } });
      const [entry] = (JSON.parse(answer.body) as Page).objects;
      const digits = String(entry?.["number"]);
      expect((await sendRaw(dispatcher, `${before.emulator.origin}${beforeAccount}/PhoneNumber/${digits}/`, { method: "POST", headers: { authorization: fixed } })).status).toBe(201);
      await before.emulator.stop();

      const after = await plivoCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile, fixedCredentials: true });
      try {
        expect(after.emulator.describeState()).toEqual({ purchases: [`+${digits}`], owned: [`+${digits}`], pending: [`+${digits}`] });
        expect(after.environment).toEqual({ PLIVO_API_URL: after.emulator.baseUrl, PLIVO_AUTH_ID: "MASANDBOX00000000001", PLIVO_AUTH_TOKEN: "sandbox-plivo-auth-token" });
      } finally {
        await after.emulator.stop();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
