import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { TwilioAdapter } from "../../src/carriers/twilio/twilio-adapter.js";
import type { CarrierOwnedNumbersPage } from "../../src/domain/carrier-lifecycle.js";
import { specViolations } from "../support/official-spec.js";

/** Twilio's IncomingPhoneNumbers list as the adapter pages through it for inventory reconciliation. */

let sandbox: SandboxCarriers;
let dispatcher: Agent;
let twilio: TwilioAdapter;

beforeEach(async () => {
  sandbox = await startSandboxCarriers();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const { accountSid, authToken } = sandbox.twilio.credentials;
  twilio = new TwilioAdapter({ accountSid, username: accountSid, password: authToken, apiBaseUrl: new URL(sandbox.twilio.origin), numbersBaseUrl: new URL(sandbox.twilio.origin), dispatcher });
});
afterEach(async () => {
  await twilio.close();
  await sandbox.stop();
  await dispatcher.close();
});

const listRequests = () => sandbox.twilio.requests.filter((request) => request.method === "GET" && request.path.endsWith("/IncomingPhoneNumbers.json"));

/** Every page, following each answer's token, as the reconciler does. */
async function allPages(pageSize: number): Promise<CarrierOwnedNumbersPage[]> {
  const pages: CarrierOwnedNumbersPage[] = [];
  let pageToken: string | undefined;
  do {
    const page = await twilio.doListOwnedNumbers({ pageSize, ...(pageToken === undefined ? {} : { pageToken }) }, {});
    pages.push(page);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return pages;
}

async function forSale(areaCode: string, limit: number): Promise<string[]> {
  const { numbers } = await twilio.doSearch({ countryCode: "US", numberType: "local", features: [], limit, areaCode }, {});
  return numbers.map((offer) => offer.phoneNumber);
}

describe("Twilio doListOwnedNumbers", () => {
  it("pages through every number on the account with its sid, type and capabilities, each request valid against the spec", async () => {
    const local = await forSale("212", 4);
    const { numbers: tollFree } = await twilio.doSearch({ countryCode: "US", numberType: "toll_free", features: [], limit: 1 }, {});
    const owned = [...local, ...tollFree.map((offer) => offer.phoneNumber)];
    expect(owned).toHaveLength(5);
    const sids = new Map(owned.map((e164) => [e164, sandbox.twilio.addOwned(e164)]));
    sandbox.twilio.requests.length = 0;

    const pages = await allPages(2);
    expect(pages.map((page) => page.numbers.length)).toEqual([2, 2, 1]);
    const listed = pages.flatMap((page) => page.numbers);
    expect(listed.map((number) => number.e164).sort()).toEqual([...owned].sort());
    for (const number of listed) expect(number.carrierNumberId).toBe(sids.get(number.e164));
    const tollFreeNumber = listed.find((number) => number.e164 === tollFree[0]?.phoneNumber);
    expect(tollFreeNumber).toMatchObject({ numberType: "toll_free" });
    expect(listed.find((number) => number.e164 === local[0])).toMatchObject({ numberType: "local", capabilities: expect.arrayContaining(["voice"]) as unknown });

    const requests = listRequests();
    expect(requests).toHaveLength(3);
    expect(Object.fromEntries(requests[0]?.query ?? [])).toEqual({ PageSize: "2" });
    expect(requests[1]?.query.get("PageToken")).toMatch(/^PAPN/);
    expect(specViolations("twilio", requests)).toEqual([]);
  });

  it("answers an account without numbers with one empty page", async () => {
    await expect(twilio.doListOwnedNumbers({ pageSize: 50 }, {})).resolves.toEqual({ numbers: [], nextPageToken: undefined });
  });

  it("caps the page size at Twilio's maximum of 1000", async () => {
    await twilio.doListOwnedNumbers({ pageSize: 5000 }, {});
    expect(listRequests()[0]?.query.get("PageSize")).toBe("1000");
  });

  it("refuses a page token that is not a page of the list, without calling Twilio", async () => {
    await expect(twilio.doListOwnedNumbers({ pageSize: 2, pageToken: "https://elsewhere.example/steal" }, {})).rejects.toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    await expect(twilio.doListOwnedNumbers({ pageSize: 2, pageToken: "/2010-04-01/Accounts/ACother/IncomingPhoneNumbers.json" }, {})).rejects.toMatchObject({ kind: "invalid_request" });
    expect(listRequests()).toHaveLength(0);
  });

  it("fails the page, rather than ending the list early, when Twilio fails", async () => {
    const [number = ""] = await forSale("312", 1);
    sandbox.twilio.addOwned(number);
    sandbox.twilio.faults.inject({ kind: "status", status: 503, pathIncludes: "IncomingPhoneNumbers", times: 1 });
    await expect(twilio.doListOwnedNumbers({ pageSize: 2 }, {})).rejects.toMatchObject({ kind: "carrier_server" });
    sandbox.twilio.faults.inject({ kind: "malformed", pathIncludes: "IncomingPhoneNumbers", times: 1 });
    await expect(twilio.doListOwnedNumbers({ pageSize: 2 }, {})).rejects.toMatchObject({ kind: "carrier_server" });
    await expect(twilio.doListOwnedNumbers({ pageSize: 2 }, {})).resolves.toMatchObject({ numbers: [{ e164: number }] });
  });
});
