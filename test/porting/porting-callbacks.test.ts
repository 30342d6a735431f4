import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { PortingOrderState } from "../../generated/numbergate/v1/porting.js";
import { portRequest, startPortingHarness, TWILIO_DOCUMENTS, type PortingHarness } from "./porting-harness.js";

const S = PortingOrderState;
const STEP_MS = 2_000;

let subject: PortingHarness | undefined;
afterEach(async () => {
  await subject?.close();
  subject = undefined;
});

/** No background polling beyond the first pass at start: what moves a port here is a callback. */
const CALLBACKS_ONLY = { NUMBERGATE_SWEEP_INTERVAL: "3600000", NUMBERGATE_PORTING_POLL_INTERVAL: "3600000" };

async function post(ports: PortingHarness, carrierId: string, body: string, headers: Record<string, string>): Promise<number> {
  const answer = await request(`${ports.harness.app.http.publicUrl}/callbacks/${carrierId}/porting`, { method: "POST", body, headers });
  await answer.body.dump();
  return answer.statusCode;
}

describe("carrier porting callbacks on numbergate's HTTP port", { timeout: 120_000 }, () => {
  it("applies Twilio's signed webhooks through the state machine, without a poll", async () => {
    subject = await startPortingHarness(CALLBACKS_ONLY);
    const ports = subject;
    const { client } = ports.harness;
    const created = (await client.createPortingOrder(portRequest({ requestId: "cb-twilio", phoneNumber: "+12125550177", providerId: "twilio", currentProvider: "Verizon", carrierDocuments: TWILIO_DOCUMENTS }))).portingOrder;
    const id = created?.portingOrderId ?? "";
    const polls = () => ports.sandbox.twilio.requests.filter((entry) => entry.method === "GET" && entry.path.includes("/Porting/PortIn/")).length;
    const pollsBefore = polls();
    // Twilio's walk moves on its clock and shows itself on the next request Twilio serves; its webhooks follow.
    ports.advance(3 * STEP_MS);
    await client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 1 });
    await ports.sandbox.twilio.porting.webhooks.settled();
    const order = (await client.getPortingOrder({ portingOrderId: id })).portingOrder;
    expect(order?.state).not.toBe(created?.state);
    expect(order?.transitions.at(-1)?.source).toBe("carrier callback");
    expect(polls()).toBe(pollsBefore);
  });

  it("rejects and audits notifications it cannot verify, from every carrier, and applies none of them", async () => {
    subject = await startPortingHarness(CALLBACKS_ONLY);
    const ports = subject;
    const created = (await ports.harness.client.createPortingOrder(portRequest({ requestId: "cb-forged", providerId: "bandwidth" }))).portingOrder;
    const forgedBandwidth = `<?xml version="1.0"?><LNPNotification><OrderId>${created?.carrierOrderId ?? ""}</OrderId><Status>COMPLETE</Status></LNPNotification>`;
    expect(await post(ports, "bandwidth", forgedBandwidth, { "content-type": "application/xml", authorization: `Basic ${Buffer.from("bandwidth-callback:guess").toString("base64")}` })).toBe(401);
    expect(await post(ports, "bandwidth", forgedBandwidth, { "content-type": "application/xml" })).toBe(401);
    expect(await post(ports, "twilio", JSON.stringify({ port_in_request_sid: "KW00", status: "Completed" }), { "content-type": "application/json", "x-twilio-signature": "bm90LWEtc2lnbmF0dXJl" })).toBe(401);
    const timestamp = String(Math.floor(Date.now() / 1000));
    expect(await post(ports, "telnyx", JSON.stringify({ data: { event_type: "porting_order.status_changed" } }), { "content-type": "application/json", "telnyx-timestamp": timestamp, "telnyx-signature-ed25519": Buffer.alloc(64).toString("base64") })).toBe(401);
    expect(await post(ports, "vonage", "{}", { "content-type": "application/json" })).toBe(404);

    const rejected = (await ports.harness.app.store.audit.list(0, 1000)).filter((entry) => entry.operation === "porting.callback");
    expect(rejected.map((entry) => [entry.carrierId, entry.outcome])).toEqual([
      ["bandwidth", "rejected"],
      ["bandwidth", "rejected"],
      ["twilio", "rejected"],
      ["telnyx", "rejected"],
    ]);
    expect((await ports.harness.client.getPortingOrder({ portingOrderId: created?.portingOrderId ?? "" })).portingOrder?.state).toBe(S.PORTING_ORDER_STATE_AWAITING_DOCUMENTS);
  });
});
