import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { PortingOrderState } from "../../generated/numbergate/v1/porting.js";
import { portRequest, startPortingHarness, TWILIO_DOCUMENTS, type PortingHarness } from "./porting-harness.js";

const S = PortingOrderState;

let subject: PortingHarness | undefined;
afterEach(async () => {
  await subject?.close();
  subject = undefined;
});

/** The poller only acts when the test sweeps; the grace for lost answers is immediate. */
const MANUAL = { NUMBERGATE_SWEEP_INTERVAL: "3600000", NUMBERGATE_PORTING_POLL_INTERVAL: "3600000" };

function portInCreates(ports: PortingHarness): number {
  return ports.sandbox.bandwidth.requests.filter((entry) => entry.method === "POST" && /\/portins$/.test(entry.path)).length;
}

describe("porting under carrier faults", { timeout: 120_000 }, () => {
  it("keeps a port PENDING when the carrier turns the submission away unread (429), and submits it once the carrier takes it", async () => {
    subject = await startPortingHarness(MANUAL);
    const ports = subject;
    ports.sandbox.bandwidth.faults.inject({ kind: "rate_limit", retryAfterSeconds: 1, method: "POST", pathIncludes: "/portins", times: 1 });
    const created = (await ports.harness.client.createPortingOrder(portRequest({ requestId: "fault-429", providerId: "bandwidth" }))).portingOrder;
    expect(created?.state).toBe(S.PORTING_ORDER_STATE_PENDING);
    const order = await ports.sweepUntil(created?.portingOrderId ?? "", S.PORTING_ORDER_STATE_AWAITING_DOCUMENTS);
    expect(order.carrierOrderId).not.toBe("");
    expect(ports.sandbox.bandwidth.portins.records.size).toBe(1);
  });

  it("finds a port-in whose create answer was lost by its reference, and never submits it twice", async () => {
    subject = await startPortingHarness(MANUAL);
    const ports = subject;
    ports.sandbox.bandwidth.faults.inject({ kind: "reset", afterHandling: true, method: "POST", pathIncludes: "/portins", times: 1 });
    const created = (await ports.harness.client.createPortingOrder(portRequest({ requestId: "fault-lost", providerId: "bandwidth" }))).portingOrder;
    expect(created?.state).toBe(S.PORTING_ORDER_STATE_PENDING);
    const order = await ports.sweepUntil(created?.portingOrderId ?? "", S.PORTING_ORDER_STATE_AWAITING_DOCUMENTS);
    expect(order.carrierOrderId).toBe([...ports.sandbox.bandwidth.portins.records.keys()][0]);
    expect(ports.sandbox.bandwidth.portins.records.size).toBe(1);
    expect(portInCreates(ports)).toBe(1);
  });

  it("a Twilio resubmission is not undone by Twilio's notice that the rejected request it replaces was cancelled", async () => {
    subject = await startPortingHarness(MANUAL);
    const ports = subject;
    const { client } = ports.harness;
    const request = portRequest({ requestId: "fault-resubmit", phoneNumber: "+12125550177", providerId: "twilio", currentProvider: "Verizon", pin: "0000", carrierDocuments: TWILIO_DOCUMENTS });
    const id = (await client.createPortingOrder(request)).portingOrder?.portingOrderId ?? "";
    const rejected = await ports.sweepUntil(id, S.PORTING_ORDER_STATE_ACTION_REQUIRED);
    const resubmitted = (await client.resubmitPortingOrder({ portingOrderId: id, pin: "1234", accountNumber: "", authorizedName: "", serviceAddress: undefined })).portingOrder;
    await ports.sandbox.twilio.porting.webhooks.settled();
    const after = (await client.getPortingOrder({ portingOrderId: id })).portingOrder;
    expect(resubmitted?.carrierOrderId).not.toBe(rejected.carrierOrderId);
    expect(after?.state).not.toBe(S.PORTING_ORDER_STATE_CANCELLED);
    expect(after?.carrierOrderId).toBe(resubmitted?.carrierOrderId);
    await ports.sweepUntil(id, S.PORTING_ORDER_STATE_COMPLETED);
  });

  it("does not apply a verified notification that carries no time: it has the port read at the carrier instead", async () => {
    subject = await startPortingHarness(MANUAL);
    const ports = subject;
    const created = (await ports.harness.client.createPortingOrder(portRequest({ requestId: "fault-untimed", providerId: "bandwidth" }))).portingOrder;
    const { callbackUsername, callbackPassword } = ports.sandbox.bandwidth.callbackCredentials;
    const body = `<?xml version="1.0"?><Notification><SubscriptionId>s-1</SubscriptionId><OrderType>portin</OrderType><OrderId>${created?.carrierOrderId ?? ""}</OrderId><Status>COMPLETE</Status></Notification>`;
    const answer = await request(`${ports.harness.app.http.publicUrl}/callbacks/bandwidth/porting`, {
      method: "POST",
      body,
      headers: { "content-type": "application/xml", authorization: `Basic ${Buffer.from(`${callbackUsername}:${callbackPassword}`).toString("base64")}` },
    });
    await answer.body.dump();
    expect(answer.statusCode).toBe(204);
    const order = (await ports.harness.client.getPortingOrder({ portingOrderId: created?.portingOrderId ?? "" })).portingOrder;
    expect(order?.state).toBe(S.PORTING_ORDER_STATE_AWAITING_DOCUMENTS);
    expect((await ports.harness.app.store.portingOrders.get(created?.portingOrderId ?? ""))?.nextCheckAt).toBeLessThanOrEqual(Date.now());
  });
});
