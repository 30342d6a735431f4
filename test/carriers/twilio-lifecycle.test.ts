import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { TwilioAdapter } from "../../src/carriers/twilio/twilio-adapter.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { basic, phone } from "./carrier-test-kit.js";

/** Twilio purchase lookups, release follow-ups and the health probe, through the adapter against the emulator. */

let sandbox: SandboxCarriers;
let dispatcher: Agent;
let twilio: TwilioAdapter;

function adapter(username: string, password: string): TwilioAdapter {
  return new TwilioAdapter({
    accountSid: sandbox.twilio.credentials.accountSid,
    username,
    password,
    apiBaseUrl: new URL(sandbox.twilio.origin),
    numbersBaseUrl: new URL(sandbox.twilio.origin),
    dispatcher,
  });
}

beforeEach(async () => {
  sandbox = await startSandboxCarriers();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  twilio = adapter(sandbox.twilio.credentials.accountSid, sandbox.twilio.credentials.authToken);
});
afterEach(async () => {
  await twilio.close();
  await sandbox.stop();
  await dispatcher.close();
});

const local: NumberSearchCriteria = { countryCode: "US", numberType: "local", features: [], limit: 5 };

async function forSale(areaCode: string, limit: number): Promise<string[]> {
  return (await twilio.doSearch({ ...local, areaCode, limit }, {})).numbers.map((offer) => offer.phoneNumber);
}

const listRequests = () => sandbox.twilio.requests.filter((request) => request.method === "GET" && request.path.endsWith("/IncomingPhoneNumbers.json"));

describe("Twilio purchase lookup", () => {
  it("counts a number as bought only under the order's FriendlyName; one held under another name failed", async () => {
    const [bought = "", heldElsewhere = "", neverBought = ""] = await forSale("212", 3);
    const purchase = await twilio.doPurchase({ numbers: [phone(bought)], orderReference: "ng-order-7", carrierReservationIds: [] }, {});
    sandbox.twilio.addOwned(heldElsewhere, "bought by hand");

    const status = await twilio.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-order-7", numbers: [phone(bought), phone(heldElsewhere), phone(neverBought)] }, {});
    expect(status?.state).toBe("partial");
    expect(status?.purchased).toEqual([{ e164: bought, carrierNumberId: purchase.carrierOrderId }]);
    expect(status?.failed).toEqual([{ e164: heldElsewhere, carrierCode: undefined, kind: "not_found", detail: expect.stringContaining("already held") as unknown }]);
    // Not on the account at all: in neither list (no trace).
    expect([...(status?.purchased ?? []), ...(status?.failed ?? [])].map((entry) => entry.e164)).not.toContain(neverBought);
  });

  it("reports failed, not bought, when the only asked number was already on the account", async () => {
    const [number = ""] = await forSale("312", 1);
    sandbox.twilio.addOwned(number);
    const status = await twilio.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-order-8", numbers: [phone(number)] }, {});
    expect(status).toMatchObject({ state: "failed", purchased: [], failed: [{ e164: number }] });
  });

  it("has no trace of a purchase whose number is not on the account", async () => {
    const [number = ""] = await forSale("404", 1);
    await expect(twilio.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-order-9", numbers: [phone(number)] }, {})).resolves.toBeUndefined();
  });

  it("follows next_page_uri across pages for an order of more than 50 numbers", async () => {
    const numbers = [...(await forSale("415", 30)), ...(await forSale("617", 30))].slice(0, 55);
    expect(numbers).toHaveLength(55);
    for (const number of numbers) await twilio.doPurchase({ numbers: [phone(number)], orderReference: "ng-big-order", carrierReservationIds: [] }, {});
    sandbox.twilio.requests.length = 0;

    const status = await twilio.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-big-order", numbers: numbers.map(phone) }, {});
    expect(status?.state).toBe("completed");
    expect(status?.purchased.map((entry) => entry.e164).sort()).toEqual([...numbers].sort());
    const lists = listRequests();
    expect(lists).toHaveLength(2);
    expect(lists[1]?.query.get("PageToken")).toMatch(/^PAPN/);
    expect(lists.every((request) => request.query.get("FriendlyName") === "ng-big-order")).toBe(true);
  });
});

describe("Twilio release", () => {
  it("releases synchronously (204: completed) and finds the sid by number when numbergate lacks it", async () => {
    const [number = ""] = await forSale("206", 1);
    await twilio.doPurchase({ numbers: [phone(number)], orderReference: "ng-order-1", carrierReservationIds: [] }, {});
    await expect(twilio.doRelease({ number: phone(number), carrierNumberId: undefined, orderReference: "relx" }, {})).resolves.toEqual({ state: "completed", carrierOrderId: undefined });
    expect(sandbox.twilio.owned.has(number)).toBe(false);
    await expect(twilio.doRelease({ number: phone(number), carrierNumberId: undefined, orderReference: "relx" }, {})).resolves.toMatchObject({ state: "not_owned" });
  });

  it("follows a release whose answer was lost: still_owned with the same sid, completed once gone or held under another sid", async () => {
    const [number = ""] = await forSale("303", 1);
    const purchase = await twilio.doPurchase({ numbers: [phone(number)], orderReference: "ng-order-2", carrierReservationIds: [] }, {});
    const lookup = { number: phone(number), carrierNumberId: purchase.carrierOrderId, carrierOrderId: undefined, orderReference: "rel-2" };
    await expect(twilio.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "still_owned" });

    sandbox.twilio.faults.inject({ kind: "reset", method: "DELETE", afterHandling: true, times: 1 });
    await expect(twilio.doRelease({ number: phone(number), carrierNumberId: purchase.carrierOrderId, orderReference: "rel-2" }, {})).rejects.toThrow();
    await expect(twilio.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "completed" });

    sandbox.twilio.addOwned(number, "bought again");
    await expect(twilio.doGetReleaseStatus(lookup, {})).resolves.toEqual({ state: "completed" });
  });
});

describe("Twilio credentials and account", () => {
  it("works through the adapter with an API key (SK...) and its secret", async () => {
    const { apiKeySid, apiKeySecret } = sandbox.twilio.credentials;
    const keyed = adapter(apiKeySid, apiKeySecret);
    try {
      await keyed.doProbeHealth({});
      const [number = ""] = (await keyed.doSearch({ ...local, areaCode: "512", limit: 1 }, {})).numbers.map((offer) => offer.phoneNumber);
      await keyed.doPurchase({ numbers: [phone(number)], orderReference: "ng-key-order", carrierReservationIds: [] }, {});
      await expect(keyed.doGetOrderStatus({ carrierOrderId: undefined, orderReference: "ng-key-order", numbers: [phone(number)] }, {})).resolves.toMatchObject({ state: "completed" });
      expect(sandbox.twilio.purchases).toEqual([number]);
      for (const request of sandbox.twilio.requests) expect(request.headers.authorization).toBe(basic(apiKeySid, apiKeySecret));
    } finally {
      await keyed.close();
    }
  });

  it.each(["suspended", "closed"] as const)("fails the health probe when the account is %s", async (status) => {
    sandbox.twilio.accountStatus = status;
    await expect(twilio.doProbeHealth({})).rejects.toMatchObject({ kind: "auth", carrierId: "twilio", message: expect.stringContaining(status) as unknown });
    sandbox.twilio.accountStatus = "active";
    await expect(twilio.doProbeHealth({})).resolves.toBeUndefined();
  });
});
