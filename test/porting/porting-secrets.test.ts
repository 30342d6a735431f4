import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { PortingOrderState } from "../../generated/numbergate/v1/porting.js";
import { capturedLogger } from "../support/captured-logger.js";
import { sqliteFileBytes } from "../support/raw-store.js";
import { portRequest, startPortingHarness, TELNYX_DOCUMENTS, type PortingHarness } from "./porting-harness.js";

const PIN = "Q7Z4K9X2";
const ACCOUNT_NUMBER = "ACCT-PLANTED-98765";
const EMAIL = "planted-port-7f3a@example.test";

let subject: PortingHarness | undefined;
afterEach(async () => {
  await subject?.close();
  subject = undefined;
});

describe("the customer's PIN, account number and e-mail, and the carriers' credentials", { timeout: 120_000 }, () => {
  it("are in no log line, span, metric, RPC response, audit entry or database file after a full port and a purchase", async () => {
    const log = capturedLogger();
    const spans = new InMemorySpanExporter();
    subject = await startPortingHarness({}, { logger: log.logger, spanExporter: spans });
    const ports = subject;
    const { client } = ports.harness;
    const responses: unknown[] = [];
    const answered = <T>(response: T): T => {
      responses.push(response);
      return response;
    };

    const created = answered(
      await client.createPortingOrder(
        portRequest({ requestId: "planted-port", phoneNumber: "+13125550123", providerId: "telnyx", currentProvider: "Planted Telecom", accountNumber: ACCOUNT_NUMBER, pin: PIN, authorizedEmail: EMAIL, carrierDocuments: TELNYX_DOCUMENTS, requestedPortTime: new Date(Date.now() + 10 * 86_400_000) }),
      ),
    ).portingOrder;
    const id = created?.portingOrderId ?? "";
    expect(created?.accountNumberLast4).toBe("8765");
    const watched: unknown[] = [];
    const watch = (async () => {
      for await (const message of client.watchPortingOrder({ portingOrderId: id })) watched.push(message);
    })();
    answered(await ports.sweepUntil(id, PortingOrderState.PORTING_ORDER_STATE_COMPLETED));
    await watch;
    responses.push(...watched);
    answered(await client.getPortingOrder({ portingOrderId: id }));
    answered(await client.listPortingOrders({ pageSize: 0, pageToken: "", providerId: "", state: PortingOrderState.PORTING_ORDER_STATE_UNSPECIFIED }));

    const { numbers } = answered(await client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 1 }));
    const customerInfo = { customerId: "cust-planted", name: "Planted Customer", email: EMAIL, company: "", address: undefined };
    const purchase = answered(await client.purchaseNumber({ requestId: "planted-buy", phoneNumber: numbers[0]?.phoneNumber ?? "", providerId: "twilio", reservationId: "", customerInfo, allowSubstitute: false, maxMonthlyRateCents: undefined }));
    expect(purchase.order?.customerInfo?.customerId).toBe("cust-planted");
    answered(await client.getNumberOrder({ orderId: purchase.order?.orderId ?? "" }));
    answered(await client.listNumbers({}));

    const planted = [PIN, ACCOUNT_NUMBER, EMAIL];
    const responseText = JSON.stringify(responses);
    // Every span with what it records: names, attributes, events, status, links; the RPCs, the poller's checks,
    // each carrier attempt and HTTP request were traced.
    const finished = spans.getFinishedSpans();
    const spanNames = new Set(finished.map((span) => span.name));
    for (const name of ["numbergate.v1.TelecomService/CreatePortingOrder", "numbergate.porting.check", "telnyx port_in", "numbergate.v1.TelecomService/PurchaseNumber", "twilio purchase", "POST"]) expect(spanNames).toContain(name);
    const spanText = JSON.stringify(finished.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status, links: span.links.map((link) => link.attributes) })));
    const metrics = await (await request(`${ports.harness.app.http.publicUrl}/metrics`)).body.text();
    expect(metrics).toContain("numbergate_porting_orders");
    // The sandbox carriers' credentials: what numbergate signs its carrier calls with.
    const credentials = Object.entries(ports.sandbox.environment)
      .filter(([name]) => /TOKEN|PASSWORD|SECRET|API_KEY/.test(name))
      .map(([, value]) => value);
    expect(credentials.length).toBeGreaterThanOrEqual(5);
    for (const credential of credentials) {
      expect(log.text(), "a carrier credential in the logs").not.toContain(credential);
      expect(spanText, "a carrier credential in a span").not.toContain(credential);
      expect(metrics, "a carrier credential in the metrics").not.toContain(credential);
      expect(responseText, "a carrier credential in an RPC response").not.toContain(credential);
    }
    const auditText = JSON.stringify(await ports.harness.app.store.audit.list(0, 10_000));
    const files = sqliteFileBytes(ports.dataDir);
    expect(files.bytes.includes("+13125550123"), "the files read are the database numbergate writes").toBe(true);
    expect(log.text()).toContain(id);
    for (const secret of planted) {
      expect(responseText, `${secret} in an RPC response`).not.toContain(secret);
      expect(auditText, `${secret} in the audit log`).not.toContain(secret);
      expect(log.text(), `${secret} in the logs`).not.toContain(secret);
      expect(spanText, `${secret} in a span`).not.toContain(secret);
      expect(metrics, `${secret} in the metrics`).not.toContain(secret);
      expect(files.bytes.includes(secret), `${secret} in the database files`).toBe(false);
    }
  });
});
