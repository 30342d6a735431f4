import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { basic, sendRaw, type RawAnswer } from "./carrier-test-kit.js";

/** The Twilio emulator answers like the official 2010 API: form-encoded writes, paged lists, either credential. */

interface IncomingPage {
  readonly incoming_phone_numbers: readonly { readonly sid: string; readonly phone_number: string; readonly friendly_name: string }[];
  readonly page: number;
  readonly page_size: number;
  readonly start: number;
  readonly end: number;
  readonly uri: string;
  readonly first_page_uri: string;
  readonly next_page_uri: string | null;
  readonly previous_page_uri: string | null;
}

let sandbox: SandboxCarriers;
let dispatcher: Agent;
let authorization: string;
let numbersPath: string;

beforeEach(async () => {
  sandbox = await startSandboxCarriers();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const { accountSid, authToken } = sandbox.twilio.credentials;
  authorization = basic(accountSid, authToken);
  numbersPath = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`;
});
afterEach(async () => {
  await sandbox.stop();
  await dispatcher.close();
});

function get(pathAndQuery: string, credentials = authorization): Promise<RawAnswer> {
  return sendRaw(dispatcher, `${sandbox.twilio.origin}${pathAndQuery}`, { headers: { authorization: credentials } });
}

function buy(body: string, contentType: string): Promise<RawAnswer> {
  return sendRaw(dispatcher, `${sandbox.twilio.origin}${numbersPath}`, { method: "POST", headers: { authorization, "content-type": contentType }, body });
}

async function forSale(areaCode: string, count: number): Promise<string[]> {
  const answer = await get(`/2010-04-01/Accounts/${sandbox.twilio.credentials.accountSid}/AvailablePhoneNumbers/US/Local.json?AreaCode=${areaCode}&PageSize=${count}`);
  return (JSON.parse(answer.body) as { available_phone_numbers: { phone_number: string }[] }).available_phone_numbers.map((number) => number.phone_number);
}

async function page(pathAndQuery: string): Promise<IncomingPage> {
  const answer = await get(pathAndQuery);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as IncomingPage;
}

describe("Twilio emulator: purchases", () => {
  it("reads only form-encoded bodies: a JSON body lacks PhoneNumber and buys nothing", async () => {
    const [number = ""] = await forSale("212", 1);
    const answer = await buy(JSON.stringify({ PhoneNumber: number }), "application/json");
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 21421, status: 400, more_info: "https://www.twilio.com/docs/errors/21421" });
    expect(sandbox.twilio.purchases).toEqual([]);
  });

  it("requires PhoneNumber or AreaCode, and buys by either", async () => {
    expect(JSON.parse((await buy("FriendlyName=ng-x", "application/x-www-form-urlencoded")).body)).toMatchObject({ code: 21421 });
    expect(JSON.parse((await buy("AreaCode=12", "application/x-www-form-urlencoded")).body)).toMatchObject({ code: 21451 });
    const byArea = await buy("AreaCode=206", "application/x-www-form-urlencoded");
    expect(byArea.status).toBe(201);
    expect(JSON.parse(byArea.body)).toMatchObject({ phone_number: expect.stringMatching(/^\+1206/) as unknown, friendly_name: expect.stringMatching(/^\(206\) /) as unknown });
  });

  it("stores and returns the FriendlyName given at purchase", async () => {
    const [number = ""] = await forSale("312", 1);
    const bought = await buy(new URLSearchParams({ PhoneNumber: number, FriendlyName: "ng-order-1" }).toString(), "application/x-www-form-urlencoded; charset=utf-8");
    expect(JSON.parse(bought.body)).toMatchObject({ phone_number: number, friendly_name: "ng-order-1" });
    const listed = await page(`${numbersPath}?FriendlyName=ng-order-1`);
    expect(listed.incoming_phone_numbers.map((entry) => [entry.phone_number, entry.friendly_name])).toEqual([[number, "ng-order-1"]]);
  });

  it("accepts an API key (SK...) and its secret as well as the auth token, and nothing else", async () => {
    const { accountSid, apiKeySid, apiKeySecret } = sandbox.twilio.credentials;
    expect((await get(`/2010-04-01/Accounts/${accountSid}.json`, basic(apiKeySid, apiKeySecret))).status).toBe(200);
    const refused = await get(`/2010-04-01/Accounts/${accountSid}.json`, basic(apiKeySid, "wrong-secret"));
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 20003 });
  });
});

describe("Twilio emulator: IncomingPhoneNumbers list", () => {
  it("pages with PageSize, next_page_uri (PageToken), first_page_uri and previous_page_uri", async () => {
    const numbers = await forSale("404", 7);
    for (const number of numbers) sandbox.twilio.addOwned(number);
    const first = await page(`${numbersPath}?PageSize=3`);
    expect(first).toMatchObject({ page: 0, page_size: 3, start: 0, end: 2, previous_page_uri: null });
    expect(first.first_page_uri).toBe(`${numbersPath}?PageSize=3&Page=0`);
    expect(first.next_page_uri).toMatch(new RegExp(`^${numbersPath.replace(/\./g, "\\.")}\\?PageSize=3&Page=1&PageToken=PAPN[0-9a-f]{32}$`));
    const second = await page(first.next_page_uri ?? "");
    expect(second).toMatchObject({ page: 1, page_size: 3, start: 3, end: 5 });
    const third = await page(second.next_page_uri ?? "");
    expect(third).toMatchObject({ page: 2, start: 6, end: 6, next_page_uri: null });
    const seen = [first, second, third].flatMap((listed) => listed.incoming_phone_numbers.map((entry) => entry.phone_number));
    expect(seen).toEqual(numbers);
    const back = await page(third.previous_page_uri ?? "");
    expect(back.incoming_phone_numbers.map((entry) => entry.phone_number)).toEqual(numbers.slice(3, 6));
  });

  it("defaults PageSize to 50 and refuses one above 1000", async () => {
    const numbers = await forSale("415", 52);
    for (const number of numbers) sandbox.twilio.addOwned(number);
    const first = await page(numbersPath);
    expect(first.page_size).toBe(50);
    expect(first.incoming_phone_numbers).toHaveLength(50);
    expect(first.next_page_uri).not.toBeNull();
    expect((await get(`${numbersPath}?PageSize=1001`)).status).toBe(400);
    expect((await get(`${numbersPath}?PageToken=nonsense`)).status).toBe(400);
  });

  it("filters by full or partial PhoneNumber, with * for any digit", async () => {
    const [one = "", two = ""] = await forSale("617", 2);
    sandbox.twilio.addOwned(one);
    sandbox.twilio.addOwned(two);
    const listed = async (filter: string) => (await page(`${numbersPath}?PhoneNumber=${encodeURIComponent(filter)}`)).incoming_phone_numbers.map((entry) => entry.phone_number);
    expect(await listed(one)).toEqual([one]);
    expect(await listed("+1617")).toEqual([one, two]);
    expect(await listed(`${one.slice(0, -1)}*`)).toEqual([one]);
    expect(await listed("+1999")).toEqual([]);
  });
});
