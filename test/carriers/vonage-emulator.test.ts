import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { vonageCarrier } from "../../src/carriers/vonage/vonage-carrier.js";
import type { VonageEmulator } from "../../src/carriers/vonage/vonage-emulator.js";
import { basic, sendRaw, type RawAnswer } from "./carrier-test-kit.js";

/** The Vonage emulator answers like the official Numbers API, and is no more lenient than its spec. */

interface NumbersPage {
  readonly count: number;
  readonly numbers?: readonly { readonly msisdn: string; readonly country: string; readonly type: string; readonly cost?: string; readonly features: readonly string[] }[];
}

const FORM = "application/x-www-form-urlencoded";

let started: StartedEmulator<VonageEmulator>;
let emulator: VonageEmulator;
let dispatcher: Agent;
let authorization: string;

beforeEach(async () => {
  started = await vonageCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
  emulator = started.emulator;
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  authorization = basic(emulator.credentials.apiKey, emulator.credentials.apiSecret);
});
afterEach(async () => {
  await emulator.stop();
  await dispatcher.close();
});

function get(pathAndQuery: string, headers: Record<string, string> = { authorization }): Promise<RawAnswer> {
  return sendRaw(dispatcher, `${emulator.baseUrl}${pathAndQuery}`, { headers });
}

function post(path: string, body: string, contentType = FORM, headers: Record<string, string> = { authorization }): Promise<RawAnswer> {
  return sendRaw(dispatcher, `${emulator.baseUrl}${path}`, { method: "POST", headers: { ...headers, "content-type": contentType }, body });
}

async function page(pathAndQuery: string): Promise<NumbersPage> {
  const answer = await get(pathAndQuery);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as NumbersPage;
}

async function forSale(areaCode: string, size: number): Promise<string[]> {
  return ((await page(`/number/search?country=US&type=landline&pattern=1${areaCode}&size=${size}`)).numbers ?? []).map((number) => number.msisdn);
}

function statusOf(answer: RawAnswer): { status: number; code: string } {
  return { status: answer.status, code: String((JSON.parse(answer.body) as Record<string, unknown>)["error-code"]) };
}

describe("Vonage emulator: authentication", () => {
  it("takes Basic api_key:api_secret or both legacy query parameters, and answers 401 with the legacy body otherwise", async () => {
    const { apiKey, apiSecret } = emulator.credentials;
    expect((await get("/account/numbers")).status).toBe(200);
    expect((await get(`/account/numbers?api_key=${apiKey}&api_secret=${apiSecret}`, {})).status).toBe(200);
    for (const refused of [await get("/account/numbers", {}), await get(`/account/numbers?api_key=${apiKey}`, {}), await get("/account/numbers", { authorization: basic(apiKey, "wrong") })]) {
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body)).toEqual({ "error-code": "401", "error-code-label": "authentication failed" });
    }
  });

  it("does not read credentials from a form body", async () => {
    const [msisdn = ""] = await forSale("212", 1);
    const { apiKey, apiSecret } = emulator.credentials;
    const answer = await post("/number/buy", `country=US&msisdn=${msisdn}&api_key=${apiKey}&api_secret=${apiSecret}`, FORM, {});
    expect(answer.status).toBe(401);
    expect(emulator.purchases).toEqual([]);
  });
});

describe("Vonage emulator: search", () => {
  it("requires country and refuses unknown, malformed or out-of-range parameters", async () => {
    for (const query of ["pattern=1212", "country=USA", "country=US&area_code=212", "country=US&size=101", "country=US&size=0", "country=US&index=0", "country=US&search_pattern=3", "country=US&type=local", "country=US&features=VOICE,SMS", "country=US&pattern=%2B1212", "country=US&country=GB"]) {
      const answer = await get(`/number/search?${query}`);
      expect(statusOf(answer), query).toEqual({ status: 400, code: "400" });
    }
  });

  it("answers count and one page of numbers with prices in EUR, and no numbers past the end", async () => {
    const first = await page("/number/search?country=US&type=landline&pattern=1212&search_pattern=0&size=4&index=1");
    expect(first.numbers).toHaveLength(4);
    expect(first.count).toBeGreaterThan(4);
    for (const number of first.numbers ?? []) expect(number).toMatchObject({ country: "US", type: "landline", cost: "0.90", msisdn: expect.stringMatching(/^1212\d{7}$/) as unknown });
    const second = await page("/number/search?country=US&type=landline&pattern=1212&size=4&index=2");
    expect(second.numbers?.map((number) => number.msisdn)).not.toEqual(first.numbers?.map((number) => number.msisdn));
    const last = Math.ceil(first.count / 4);
    expect((await page(`/number/search?country=US&type=landline&pattern=1212&size=4&index=${last}`)).numbers?.length).toBe(first.count - (last - 1) * 4);
    expect(await page(`/number/search?country=US&type=landline&pattern=1212&size=4&index=${last + 1}`)).toEqual({ count: first.count });
    expect(await page("/number/search?country=US&pattern=1999")).toEqual({ count: 0 });
  });

  it("defaults to 10 numbers, matches ends-with and contains patterns, and filters features", async () => {
    expect((await page("/number/search?country=US")).numbers).toHaveLength(10);
    expect((await page("/number/search?country=GB")).numbers).toHaveLength(8);
    const [sample = ""] = await forSale("415", 1);
    expect((await page(`/number/search?country=US&pattern=${sample.slice(-5)}&search_pattern=2`)).numbers?.map((number) => number.msisdn)).toContain(sample);
    expect((await page(`/number/search?country=US&pattern=${sample.slice(4, 9)}&search_pattern=1`)).numbers?.map((number) => number.msisdn)).toContain(sample);
    for (const number of (await page("/number/search?country=US&features=SMS,MMS&size=100")).numbers ?? []) expect(number.features).toEqual(expect.arrayContaining(["SMS", "MMS"]));
  });
});

describe("Vonage emulator: buy and cancel", () => {
  it("reads only form bodies: a JSON body lacks country and msisdn and buys nothing", async () => {
    const [msisdn = ""] = await forSale("312", 1);
    expect(statusOf(await post("/number/buy", JSON.stringify({ country: "US", msisdn }), "application/json"))).toEqual({ status: 400, code: "400" });
    expect(statusOf(await post("/number/buy", `msisdn=${msisdn}`))).toEqual({ status: 400, code: "400" });
    expect(statusOf(await post("/number/buy", `country=US&msisdn=%2B${msisdn}`))).toEqual({ status: 400, code: "400" });
    expect(statusOf(await post("/number/buy", `country=US&msisdn=${msisdn}&friendly_name=x`))).toEqual({ status: 400, code: "400" });
    expect(statusOf(await post(`/number/buy?country=US&msisdn=${msisdn}`, ""))).toEqual({ status: 400, code: "400" });
    expect(emulator.purchases).toEqual([]);
  });

  it("buys once: the number leaves search, a second buy is 420, and cancelling brings it back", async () => {
    const [msisdn = ""] = await forSale("404", 1);
    const bought = await post("/number/buy", `country=US&msisdn=${msisdn}`);
    expect(bought.status).toBe(200);
    expect(JSON.parse(bought.body)).toEqual({ "error-code": "200", "error-code-label": "success" });
    expect(statusOf(await post("/number/buy", `country=US&msisdn=${msisdn}`))).toEqual({ status: 420, code: "420" });
    expect((await page(`/number/search?country=US&pattern=${msisdn}`)).count).toBe(0);
    expect((await page(`/account/numbers?pattern=${msisdn}&search_pattern=0`)).numbers?.map((number) => number.msisdn)).toEqual([msisdn]);
    expect(emulator.describeState()).toEqual({ purchases: [`+${msisdn}`], owned: [`+${msisdn}`] });

    expect(JSON.parse((await post("/number/cancel", `country=US&msisdn=${msisdn}`)).body)).toEqual({ "error-code": "200", "error-code-label": "success" });
    expect((await page(`/number/search?country=US&pattern=${msisdn}`)).count).toBe(1);
    // Cancelling a number the account does not hold: HTTP 200, the refusal in the body (the official fixture).
    const again = await post("/number/cancel", `country=US&msisdn=${msisdn}`);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ "error-code": "420", "error-code-label": "method failed" });
  });

  it("refuses a buy in the wrong country, of a number held elsewhere, or for an unknown subaccount", async () => {
    const [first = "", second = "", third = ""] = await forSale("617", 3);
    expect(statusOf(await post("/number/buy", `country=GB&msisdn=${first}`))).toEqual({ status: 420, code: "420" });
    emulator.unavailable.add(`+${second}`);
    expect(statusOf(await post("/number/buy", `country=US&msisdn=${second}`))).toEqual({ status: 420, code: "420" });
    expect(statusOf(await post("/number/buy", `country=US&msisdn=${third}&target_api_key=1a2345b7`))).toEqual({ status: 420, code: "420" });
    expect(statusOf(await post("/number/buy", `country=US&msisdn=${third}&target_api_key=${emulator.credentials.apiKey}`))).toEqual({ status: 200, code: "200" });
    expect(emulator.purchases).toEqual([`+${third}`]);
  });
});

describe("Vonage emulator: owned numbers", () => {
  it("pages the account's numbers by size and index, in the order it got them, and filters them", async () => {
    const numbers = await forSale("206", 5);
    for (const msisdn of numbers) expect((await post("/number/buy", `country=US&msisdn=${msisdn}`)).status).toBe(200);
    const pages = [await page("/account/numbers?size=2&index=1"), await page("/account/numbers?size=2&index=2"), await page("/account/numbers?size=2&index=3")];
    expect(pages.map((listed) => listed.count)).toEqual([5, 5, 5]);
    expect(pages.flatMap((listed) => listed.numbers ?? []).map((number) => number.msisdn)).toEqual(numbers);
    expect(await page("/account/numbers?size=2&index=4")).toEqual({ count: 5 });
    expect((await page("/account/numbers")).numbers).toHaveLength(5);
    expect((await page("/account/numbers?country=GB")).count).toBe(0);
    expect((await page("/account/numbers?has_application=true")).count).toBe(0);
    expect((await page("/account/numbers?has_application=false")).count).toBe(5);
    for (const query of ["size=101", "index=-1", "has_application=yes", "type=landline", "country=usa"]) expect(statusOf(await get(`/account/numbers?${query}`)), query).toEqual({ status: 400, code: "400" });
  });
});

describe("Vonage emulator: state across restarts", () => {
  it("keeps the account's numbers and the purchase history in its state file", async () => {
    const directory = await mkdtemp(join(tmpdir(), "numbergate-vonage-state-"));
    const stateFile = join(directory, "vonage-emulator.json");
    try {
      const first = await vonageCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile, fixedCredentials: true });
      const fixed = basic(first.emulator.credentials.apiKey, first.emulator.credentials.apiSecret);
      const [msisdn = ""] = ((JSON.parse((await sendRaw(dispatcher, `${first.emulator.baseUrl}/number/search?country=GB&size=1`, { headers: { authorization: fixed } })).body) as NumbersPage).numbers ?? []).map((number) => number.msisdn);
      await sendRaw(dispatcher, `${first.emulator.baseUrl}/number/buy`, { method: "POST", headers: { authorization: fixed, "content-type": FORM }, body: `country=GB&msisdn=${msisdn}` });
      await first.emulator.stop();

      const second = await vonageCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile, fixedCredentials: true });
      try {
        expect(second.environment).toEqual({ VONAGE_API_URL: second.emulator.baseUrl, VONAGE_API_KEY: "sandbox0", VONAGE_API_SECRET: "sandbox-vonage-secret" });
        expect(second.emulator.describeState()).toEqual({ purchases: [`+${msisdn}`], owned: [`+${msisdn}`] });
        const search = await sendRaw(dispatcher, `${second.emulator.baseUrl}/number/search?country=GB&pattern=${msisdn}`, { headers: { authorization: fixed } });
        expect(JSON.parse(search.body)).toEqual({ count: 0 });
      } finally {
        await second.emulator.stop();
      }

      await writeFile(stateFile, JSON.stringify({ version: 1, owned: "nope", purchases: [] }));
      await expect(vonageCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile, fixedCredentials: true })).rejects.toThrow(/does not hold this emulator's state \(owned:/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
