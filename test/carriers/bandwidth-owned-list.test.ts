import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { BandwidthAdapter } from "../../src/carriers/bandwidth/bandwidth-adapter.js";
import type { CarrierOwnedNumbersPage } from "../../src/domain/carrier-lifecycle.js";
import { specViolations } from "../support/official-spec.js";
import { basic, sendRaw, xmlOf } from "./carrier-test-kit.js";

/** Bandwidth's GET inserviceNumbers: the emulator's paging, and the adapter reading it for reconciliation. */

let sandbox: SandboxCarriers;
let dispatcher: Agent;
let bandwidth: BandwidthAdapter;

beforeEach(async () => {
  sandbox = await startSandboxCarriers();
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  bandwidth = new BandwidthAdapter({ ...sandbox.bandwidth.credentials, apiBaseUrl: new URL(sandbox.bandwidth.baseUrl), dispatcher });
});
afterEach(async () => {
  await bandwidth.close();
  await sandbox.stop();
  await dispatcher.close();
});

const listRequests = () => sandbox.bandwidth.requests.filter((request) => request.method === "GET" && request.path.endsWith("/inserviceNumbers"));

/** TNs in service on the emulated account, put there as if ordered elsewhere. */
function inService(...tns: string[]): void {
  for (const tn of tns) sandbox.bandwidth.numbers.owned.add(tn);
}

async function allPages(pageSize: number): Promise<CarrierOwnedNumbersPage[]> {
  const pages: CarrierOwnedNumbersPage[] = [];
  let pageToken: string | undefined;
  do {
    const page = await bandwidth.doListOwnedNumbers({ pageSize, ...(pageToken === undefined ? {} : { pageToken }) }, {});
    pages.push(page);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return pages;
}

/** GET inserviceNumbers straight at the emulator, with this query. */
function rawList(query: string) {
  const { accountId, username, password } = sandbox.bandwidth.credentials;
  return sendRaw(dispatcher, `${sandbox.bandwidth.baseUrl}/accounts/${accountId}/inserviceNumbers${query}`, { headers: { authorization: basic(username, password) } });
}

describe("Bandwidth doListOwnedNumbers", () => {
  it("pages by the TN that starts each page, with page and size as the spec types them", async () => {
    inService("3035550104", "2125550101", "8885550199", "2125550102", "3035550103");
    const pages = await allPages(2);
    expect(pages.map((page) => page.numbers.map((number) => number.carrierNumberId))).toEqual([["2125550101", "2125550102"], ["3035550103", "3035550104"], ["8885550199"]]);
    expect(pages.flatMap((page) => page.numbers)[0]).toEqual({ e164: "+12125550101", carrierNumberId: "2125550101", numberType: "local", capabilities: ["voice", "sms", "mms"] });
    expect(pages.flatMap((page) => page.numbers).at(-1)).toMatchObject({ e164: "+18885550199", numberType: "toll_free", capabilities: ["voice", "sms"] });

    const requests = listRequests();
    expect(requests.map((request) => Object.fromEntries(request.query))).toEqual([
      { page: "1", size: "2" },
      { page: "3035550103", size: "2" },
      { page: "8885550199", size: "2" },
    ]);
    expect(specViolations("bandwidth", requests)).toEqual([]);
  });

  it("reads an account with nothing in service (204) as one empty page", async () => {
    await expect(bandwidth.doListOwnedNumbers({ pageSize: 300 }, {})).resolves.toEqual({ numbers: [], nextPageToken: undefined });
  });

  it("fails the page when Bandwidth refuses or fails, and refuses a token that is not a page id without calling", async () => {
    inService("2125550101");
    sandbox.bandwidth.faults.inject({ kind: "status", status: 500, pathIncludes: "/inserviceNumbers", times: 1 });
    await expect(bandwidth.doListOwnedNumbers({ pageSize: 2 }, {})).rejects.toMatchObject({ kind: "carrier_server" });
    // A page that names no TN in service: 404, never read as "nothing in service".
    await expect(bandwidth.doListOwnedNumbers({ pageSize: 2, pageToken: "2125550199" }, {})).rejects.toMatchObject({ kind: "not_found" });
    const before = listRequests().length;
    await expect(bandwidth.doListOwnedNumbers({ pageSize: 2, pageToken: "../orders" }, {})).rejects.toMatchObject({ kind: "invalid_request", requestMayHaveReachedCarrier: false });
    expect(listRequests()).toHaveLength(before);
  });
});

describe("the Bandwidth emulator's inserviceNumbers list", () => {
  it("answers <TNs> with TotalCount, Links (first, next) and the page's TelephoneNumbers", async () => {
    inService("2125550101", "2125550102", "3035550103");
    const answer = await rawList("?page=1&size=2");
    expect(answer.status).toBe(200);
    const tns = xmlOf(answer, "TNs");
    expect(tns["TotalCount"]).toBe("3");
    expect(tns["TelephoneNumbers"]).toEqual({ Count: "2", TelephoneNumber: ["2125550101", "2125550102"] });
    const links = tns["Links"] as Record<string, string>;
    expect(links["first"]).toMatch(/^Link=<http:\/\/127\.0\.0\.1:\d+\/api\/accounts\/[^/]+\/inserviceNumbers\?page=1&size=2>;rel="first";$/);
    expect(links["next"]).toMatch(/page=3035550103&size=2>;rel="next";$/);
    const last = xmlOf(await rawList("?page=3035550103&size=2"), "TNs");
    expect(last["Links"]).not.toHaveProperty("next");
  });

  it("defaults to page 1 and size 300, and filters by areacode and npanxx", async () => {
    inService("2125550101", "2125560102", "3035550103");
    expect(xmlOf(await rawList(""), "TNs")["TotalCount"]).toBe("3");
    expect(xmlOf(await rawList("?areacode=212"), "TNs")["TelephoneNumbers"]).toEqual({ Count: "2", TelephoneNumber: ["2125550101", "2125560102"] });
    expect(xmlOf(await rawList("?npanxx=212556"), "TNs")["TelephoneNumbers"]).toEqual({ Count: "1", TelephoneNumber: "2125560102" });
    expect((await rawList("?areacode=415")).status).toBe(204);
  });

  it("answers 404 to parameters that are not integers, name no page, or cannot be evaluated", async () => {
    inService("2125550101");
    for (const query of ["?page=abc", "?size=0", "?size=two", "?page=2125550199", "?areacode=21", "?ratecenter=PLANO", "?pageSize=2"]) {
      const answer = await rawList(query);
      expect({ query, status: answer.status, body: answer.body }).toEqual({ query, status: 404, body: "" });
    }
  });
});
