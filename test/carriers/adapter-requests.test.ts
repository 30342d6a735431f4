import { readFileSync } from "node:fs";
import { Agent } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { BandwidthAdapter } from "../../src/carriers/bandwidth/bandwidth-adapter.js";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import { TwilioAdapter } from "../../src/carriers/twilio/twilio-adapter.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { parsePhoneNumber, type ParsedPhoneNumber } from "../../src/domain/phone-number.js";

interface SpecOperation {
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
}
const shapes = JSON.parse(readFileSync(new URL("../__fixtures__/carrier-request-shapes.json", import.meta.url), "utf8")) as Record<
  "twilio" | "bandwidth",
  { operations: SpecOperation[]; securitySchemes: Record<string, { type: string; scheme: string }> }
>;

/** Finds the official operation a recorded request is an instance of. */
function matchOperation(carrier: "twilio" | "bandwidth", request: EmulatorRequest, basePath: string): SpecOperation | undefined {
  const path = request.path.slice(basePath.length);
  return shapes[carrier].operations.find((operation) => {
    const template = new RegExp(`^${operation.path.replace(/\{[^}]+\}/g, "[^/]+").replace(/\./g, "\\.")}$`);
    return operation.method === request.method && template.test(path);
  });
}

function expectOfficialShape(carrier: "twilio" | "bandwidth", requests: readonly EmulatorRequest[], basePath: string, username: string, password: string): void {
  expect(requests.length).toBeGreaterThan(0);
  expect(Object.values(shapes[carrier].securitySchemes)).toContainEqual({ type: "http", scheme: "basic" });
  for (const request of requests) {
    const operation = matchOperation(carrier, request, basePath);
    expect(operation, `${request.method} ${request.path} is not an operation of the ${carrier} spec`).toBeDefined();
    for (const name of request.query.keys()) expect(operation?.query, `${name} on ${operation?.path}`).toContain(name);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`);
  }
}

const base: NumberSearchCriteria = { countryCode: "US", numberType: "local", features: [], limit: 5 };
function phone(e164: string): ParsedPhoneNumber {
  const parsed = parsePhoneNumber(e164);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.number;
}

let sandbox: SandboxCarriers;
let dispatcher: Agent;
let twilio: TwilioAdapter;
let bandwidth: BandwidthAdapter;

beforeAll(async () => {
  sandbox = await startSandboxCarriers();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const [twilioCredentials, bandwidthCredentials] = [sandbox.twilio.credentials, sandbox.bandwidth.credentials];
  twilio = new TwilioAdapter({
    accountSid: twilioCredentials.accountSid,
    username: twilioCredentials.accountSid,
    password: twilioCredentials.authToken,
    apiBaseUrl: new URL(sandbox.twilio.origin),
    numbersBaseUrl: new URL(sandbox.twilio.origin),
    dispatcher,
  });
  bandwidth = new BandwidthAdapter({ ...bandwidthCredentials, apiBaseUrl: new URL(sandbox.bandwidth.baseUrl), dispatcher });
});
afterAll(async () => {
  await sandbox.stop();
  await dispatcher.close();
});
beforeEach(() => {
  sandbox.twilio.requests.length = 0;
  sandbox.bandwidth.requests.length = 0;
});

describe("Twilio adapter", () => {
  it("speaks the official request shapes: paths, Basic auth, PascalCase parameters", async () => {
    await twilio.doSearch({ ...base, areaCode: "212", features: ["voice", "sms", "mms", "fax"] }, {});
    await twilio.doSearch({ ...base, city: "Chicago", region: "IL" }, {});
    await twilio.doSearch({ ...base, numberType: "toll_free" }, {});
    await twilio.doSearch({ ...base, numberType: "mobile" }, {});
    await twilio.doCheckAvailability(phone("+12125550123"), {});
    await twilio.doProbeHealth({});
    const { accountSid, authToken } = sandbox.twilio.credentials;
    expectOfficialShape("twilio", sandbox.twilio.requests, "", accountSid, authToken);
    const [first] = sandbox.twilio.requests;
    expect(first?.path).toBe(`/2010-04-01/Accounts/${accountSid}/AvailablePhoneNumbers/US/Local.json`);
    expect(Object.fromEntries(first?.query ?? [])).toEqual({
      AreaCode: "212",
      VoiceEnabled: "true",
      SmsEnabled: "true",
      MmsEnabled: "true",
      FaxEnabled: "true",
      PageSize: "5",
    });
    expect(sandbox.twilio.requests.map((request) => request.path.split("/").at(-1))).toEqual([
      "Local.json",
      "Local.json",
      "TollFree.json",
      "Mobile.json",
      "Local.json",
      `${accountSid}.json`,
    ]);
  });

  it.each([
    [{ position: "ends_with", digits: "1234" }, "1234$"],
    [{ position: "starts_with", digits: "212555" }, "+1212555"],
    [{ position: "contains", digits: "555" }, "555"],
  ] as const)("maps pattern %o to Contains=%s", async (pattern, contains) => {
    await twilio.doSearch({ ...base, pattern }, {});
    expect(sandbox.twilio.requests[0]?.query.get("Contains")).toBe(contains);
  });

  it("buys, looks up, releases and follows releases with official request shapes only", async () => {
    const [number = ""] = (await twilio.doSearch({ ...base, areaCode: "646", limit: 1 }, {})).numbers.map((offer) => offer.phoneNumber);
    const purchase = await twilio.doPurchase({ numbers: [phone(number)], orderReference: "ng-shape-1", carrierReservationIds: [] }, {});
    await twilio.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-shape-1", numbers: [phone(number)] }, {});
    await twilio.doRelease({ number: phone(number), carrierNumberId: purchase.carrierOrderId, orderReference: "rel-shape-1" }, {});
    await twilio.doGetReleaseStatus({ number: phone(number), carrierNumberId: purchase.carrierOrderId, carrierOrderId: undefined, orderReference: "rel-shape-1" }, {});
    const { accountSid, authToken } = sandbox.twilio.credentials;
    expectOfficialShape("twilio", sandbox.twilio.requests, "", accountSid, authToken);
    const post = sandbox.twilio.requests.find((request) => request.method === "POST");
    expect(post?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(post?.body))).toEqual({ PhoneNumber: number, FriendlyName: "ng-shape-1" });
  });

  it("checks availability of one exact number", async () => {
    const offered = await twilio.doSearch({ ...base, areaCode: "415", limit: 1 }, {});
    const number = offered.numbers[0]?.phoneNumber ?? "";
    await expect(twilio.doCheckAvailability(phone(number), {})).resolves.toMatchObject({ phoneNumber: number, carrierId: "twilio" });
    expect(sandbox.twilio.requests.at(-1)?.query.get("Contains")).toBe(number);
    sandbox.twilio.unavailable.add(number);
    await expect(twilio.doCheckAvailability(phone(number), {})).resolves.toBeUndefined();
    sandbox.twilio.unavailable.delete(number);
  });
});

describe("Bandwidth adapter", () => {
  it("speaks the official request shapes: paths, Basic auth, camelCase parameters", async () => {
    await bandwidth.doSearch({ ...base, areaCode: "212" }, {});
    await bandwidth.doSearch({ ...base, city: "Chicago", region: "IL" }, {});
    await bandwidth.doSearch({ ...base, pattern: { position: "ends_with", digits: "1234" } }, {});
    await bandwidth.doSearch({ ...base, pattern: { position: "starts_with", digits: "212555" } }, {});
    await bandwidth.doSearch({ ...base, numberType: "toll_free" }, {});
    await bandwidth.doCheckAvailability(phone("+12125550123"), {});
    await bandwidth.doProbeHealth({});
    const { username, password, accountId } = sandbox.bandwidth.credentials;
    expectOfficialShape("bandwidth", sandbox.bandwidth.requests, "/api", username, password);
    const [first, , vanity, prefix, tollFree, availability] = sandbox.bandwidth.requests;
    expect(first?.path).toBe(`/api/accounts/${accountId}/availableNumbers`);
    expect(Object.fromEntries(first?.query ?? [])).toEqual({ areaCode: "212", quantity: "5", enableTNDetail: "true" });
    expect(Object.fromEntries(vanity?.query ?? [])).toMatchObject({ localVanity: "1234", endsIn: "true" });
    expect(Object.fromEntries(prefix?.query ?? [])).toMatchObject({ npaNxx: "212555", LCA: "false" });
    expect(Object.fromEntries(tollFree?.query ?? [])).toEqual({ tollFreeWildCardPattern: "8**", quantity: "5" });
    expect(Object.fromEntries(availability?.query ?? [])).toMatchObject({ npaNxxx: "2125550", LCA: "false" });
    for (const request of sandbox.bandwidth.requests) expect(request.headers.accept).toMatch(/^application\/xml/);
  });

  it("reserves, buys, looks up, releases and follows releases with official request shapes only", async () => {
    const [reserved = "", bought = ""] = (await bandwidth.doSearch({ ...base, areaCode: "919", limit: 2 }, {})).numbers.map((offer) => offer.phoneNumber);
    const reservation = await bandwidth.doReserve({ number: phone(reserved), holdMs: 60_000 }, {});
    await bandwidth.doCancelReservation(reservation.carrierReservationId, {});
    sandbox.bandwidth.numbers.pollsBeforeFinal = 0;
    try {
      await bandwidth.doPurchase({ numbers: [phone(bought)], orderReference: "ng-shape-2", carrierReservationIds: [] }, {});
      await bandwidth.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-shape-2", numbers: [phone(bought)] }, {});
      const release = await bandwidth.doRelease({ number: phone(bought), carrierNumberId: bought.slice(2), orderReference: "rel-shape-2" }, {});
      await bandwidth.doGetReleaseStatus({ number: phone(bought), carrierNumberId: bought.slice(2), carrierOrderId: release.carrierOrderId, orderReference: "rel-shape-2" }, {});
      await bandwidth.doGetReleaseStatus({ number: phone(bought), carrierNumberId: bought.slice(2), carrierOrderId: undefined, orderReference: "rel-shape-2" }, {});
    } finally {
      sandbox.bandwidth.numbers.pollsBeforeFinal = 2;
    }
    const { username, password } = sandbox.bandwidth.credentials;
    expectOfficialShape("bandwidth", sandbox.bandwidth.requests, "/api", username, password);
    const list = sandbox.bandwidth.requests.find((request) => request.method === "GET" && request.path.endsWith("/orders"));
    expect(Object.fromEntries(list?.query ?? [])).toEqual({ customerOrderId: "ng-shape-2", page: "1", size: "10" });
    for (const request of sandbox.bandwidth.requests.filter((candidate) => candidate.method === "POST")) {
      expect(request.headers["content-type"]).toBe("application/xml; charset=utf-8");
    }
  });

  it("checks a toll-free number with tollFreeVanity (its last 7 digits), a small quantity and an exact match", async () => {
    const [tollFree = ""] = (await bandwidth.doSearch({ ...base, numberType: "toll_free", limit: 1 }, {})).numbers.map((offer) => offer.phoneNumber);
    sandbox.bandwidth.requests.length = 0;
    await expect(bandwidth.doCheckAvailability(phone(tollFree), {})).resolves.toMatchObject({ phoneNumber: tollFree, numberType: "toll_free" });
    expect(Object.fromEntries(sandbox.bandwidth.requests[0]?.query ?? [])).toEqual({ tollFreeVanity: tollFree.slice(-7), quantity: "10" });
    // Same last 7 digits under another toll-free code: not the number asked for.
    const sibling = `+1${tollFree.startsWith("+1800") ? "888" : "800"}${tollFree.slice(-7)}`;
    await expect(bandwidth.doCheckAvailability(phone(sibling), {})).resolves.toBeUndefined();
    expect(sandbox.bandwidth.requests[1]?.query.get("tollFreeVanity")).toBe(tollFree.slice(-7));
  });

  it("sends no LCA with npaNxx and state (the spec's table forbids it) and still returns only the prefix", async () => {
    const [sample = ""] = (await bandwidth.doSearch({ ...base, areaCode: "212", limit: 1 }, {})).numbers.map((offer) => offer.phoneNumber);
    const prefix = sample.slice(2, 8);
    sandbox.bandwidth.requests.length = 0;
    const result = await bandwidth.doSearch({ ...base, region: "NY", limit: 100, pattern: { position: "starts_with", digits: prefix } }, {});
    expect(Object.fromEntries(sandbox.bandwidth.requests[0]?.query ?? [])).toEqual({ npaNxx: prefix, state: "NY", quantity: "100", enableTNDetail: "true" });
    expect(result.numbers.length).toBeGreaterThan(0);
    for (const offer of result.numbers) expect(offer.phoneNumber.startsWith(`+1${prefix}`)).toBe(true);
    // Without a location, LCA=false is allowed and sent.
    await bandwidth.doSearch({ ...base, pattern: { position: "starts_with", digits: prefix } }, {});
    expect(sandbox.bandwidth.requests[1]?.query.get("LCA")).toBe("false");
  });

  it("declines searches its API cannot express instead of sending them", () => {
    expect(bandwidth.supportsSearch({ ...base, city: "Chicago" })).toEqual({ supported: false, reason: "Bandwidth needs region (state) with city" });
    expect(bandwidth.supportsSearch({ ...base, pattern: { position: "ends_with", digits: "12" } })).toMatchObject({ supported: false });
    expect(bandwidth.supportsSearch({ ...base, pattern: { position: "starts_with", digits: "2125" } })).toMatchObject({ supported: false });
    expect(bandwidth.supportsSearch({ ...base })).toMatchObject({ supported: false });
    expect(bandwidth.supportsSearch({ ...base, areaCode: "212", features: ["fax"] })).toMatchObject({ supported: false });
  });

  it("converts 10-digit TNs to E.164 and reads details", async () => {
    const result = await bandwidth.doSearch({ ...base, areaCode: "312", limit: 2 }, {});
    expect(result.numbers).toHaveLength(2);
    for (const offer of result.numbers) {
      expect(offer.phoneNumber).toMatch(/^\+1312\d{7}$/);
      expect(offer).toMatchObject({ carrierId: "bandwidth", locality: "Chicago", region: "IL", rateCenter: "CHICAGO" });
    }
  });
});
