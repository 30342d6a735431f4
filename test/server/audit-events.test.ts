import { Status, type CallOptions } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../generated/numbergate/v1/audit.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";

let harness: Harness;
let orderId = "";
beforeAll(async () => {
  harness = await startHarness({});
  const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 2 });
  for (const [index, number] of numbers.entries()) {
    const bought = await harness.client.purchaseNumber({ requestId: `audit-buy-${index}`, phoneNumber: number.phoneNumber, providerId: "twilio" });
    orderId = bought.order?.orderId ?? "";
  }
  await harness.client.setProviderEnabled({ providerId: "vonage", enabled: false });
});
afterAll(async () => harness.close());

type Listing = { pageSize?: number; pageToken?: string; resourceId?: string; afterEventId?: number; newestFirst?: boolean };
const list = (request: Listing, options?: CallOptions) =>
  harness.client.listAuditEvents({ pageSize: 0, pageToken: "", resourceId: "", afterEventId: 0, newestFirst: false, ...request }, options);

async function everyPage(request: Parameters<typeof list>[0]): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let pageToken = "";
  for (let pages = 0; pages < 100; pages++) {
    const page = await list({ ...request, pageToken });
    events.push(...page.events);
    if (page.nextPageToken === "") return events;
    pageToken = page.nextPageToken;
  }
  throw new Error("no last page after 100 pages");
}

describe("ListAuditEvents", () => {
  it("pages the whole log oldest first, each entry once, as the store holds it", async () => {
    const paged = await everyPage({ pageSize: 2 });
    const all = await harness.app.store.audit.list(0, 10_000);
    expect(paged.map((event) => event.eventId)).toEqual(all.map((record) => record.id));
    expect(paged.length).toBeGreaterThan(4);
    const created = paged.find((event) => event.operation === "order.created" && event.resourceId === orderId);
    expect(created).toMatchObject({ resourceType: "order", providerId: "twilio", requestId: "audit-buy-1", outcome: "pending" });
    expect(created?.time).toBeInstanceOf(Date);
  });

  it("newest first, the operator's drain on top", async () => {
    const { events } = await list({ pageSize: 3, newestFirst: true });
    expect(events).toHaveLength(3);
    expect(events[0]?.eventId).toBeGreaterThan(events[1]?.eventId ?? Infinity);
    expect(events.find((event) => event.providerId === "vonage")).toMatchObject({ resourceType: "provider" });
    const newestFirst = await everyPage({ pageSize: 4, newestFirst: true });
    expect(newestFirst.map((event) => event.eventId)).toEqual((await everyPage({ pageSize: 50 })).map((event) => event.eventId).reverse());
  });

  it("follows the log after an event id, and filters by resource", async () => {
    const before = await everyPage({});
    const lastId = before.at(-1)?.eventId ?? 0;
    expect((await list({ afterEventId: lastId })).events).toEqual([]);
    await harness.client.setProviderEnabled({ providerId: "vonage", enabled: true });
    const followed = await list({ afterEventId: lastId });
    expect(followed.events.length).toBeGreaterThan(0);
    expect(followed.events.every((event) => event.eventId > lastId)).toBe(true);
    const about = await everyPage({ resourceId: orderId });
    expect(about.length).toBeGreaterThan(0);
    expect(about.every((event) => event.resourceId === orderId)).toBe(true);
  });

  it("refuses a negative page size or event id, and a token from another listing, naming the field", async () => {
    const first = await list({ pageSize: 1 });
    expect(first.nextPageToken).not.toBe("");
    for (const [request, field] of [
      [{ pageSize: -1 }, "page_size"],
      [{ afterEventId: -5 }, "after_event_id"],
      [{ pageSize: 1, pageToken: first.nextPageToken, newestFirst: true }, "page_token"],
      [{ pageToken: "not-a-token" }, "page_token"],
    ] as const) {
      const error = await captureRpcError((options) => list(request, options));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual([field]);
    }
  });
});
