import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import { PortingOrderState } from "../../generated/numbergate/v1/porting.js";
import { portRequest, startPortingHarness, type PortingHarness } from "../porting/porting-harness.js";
import { startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";

// A numbergate's shutdown shuts its exporter down too: each test has its own.
let exporter = new InMemorySpanExporter();
let harness: Harness | undefined;
let ports: PortingHarness | undefined;
afterEach(async () => {
  await harness?.close();
  await ports?.close();
  harness = undefined;
  ports = undefined;
  exporter = new InMemorySpanExporter();
});

function spansNamed(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.name === name);
}

function traceOf(span: ReadableSpan): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((other) => other.spanContext().traceId === span.spanContext().traceId);
}

/** The background span whose link names a span of the trace `rpc` opened; it must be the root of a trace of its own. */
function linkedTo(rpc: ReadableSpan, name: string): ReadableSpan[] {
  return spansNamed(name).filter((span) => span.links.some((link) => link.context.traceId === rpc.spanContext().traceId && link.context.spanId === rpc.spanContext().spanId));
}

describe("background work in traces of its own, linked to the RPC that started it", { timeout: 60_000 }, () => {
  it("a purchase left in doubt: the reconciler's trace links the purchase's, with its carrier lookups beneath", async () => {
    harness = await startHarness(
      { ...onlyCarriers("twilio"), NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50", PROVIDER_TIMEOUT_PURCHASE: "300", NUMBERGATE_PURCHASE_WAIT: "0", NUMBERGATE_IN_DOUBT_GRACE: "400" },
      { spanExporter: exporter },
    );
    const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 1 });
    const phoneNumber = numbers[0]?.phoneNumber ?? "";
    // The carrier buys the number, but its answer never arrives: only a later lookup can tell.
    harness.sandbox.twilio.faults.inject({ kind: "hang", afterHandling: true, method: "POST", pathIncludes: "IncomingPhoneNumbers", times: 1 });
    const first = await harness.client.purchaseNumber({ requestId: "traced-doubt", phoneNumber, providerId: "twilio" });
    const orderId = first.order?.orderId ?? "";
    const client = harness.client;
    await vi.waitFor(async () => expect((await client.getNumberOrder({ orderId })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED), { timeout: 10_000 });

    const purchase = spansNamed("numbergate.v1.TelecomService/PurchaseNumber");
    expect(purchase).toHaveLength(1);
    const rpc = purchase[0]!;
    const reconciliations = await vi.waitFor(() => {
      const found = linkedTo(rpc, "numbergate.order.reconcile");
      expect(found.length).toBeGreaterThan(0);
      return found;
    });
    for (const reconciliation of reconciliations) {
      expect(reconciliation.parentSpanContext).toBeUndefined();
      expect(reconciliation.spanContext().traceId).not.toBe(rpc.spanContext().traceId);
      expect(reconciliation.attributes).toMatchObject({ "numbergate.order.id": orderId, "numbergate.carrier": "twilio" });
    }
    // The check that settled it asked the carrier: a CLIENT span in the reconciliation's own trace, under it.
    const lookups = reconciliations.flatMap((reconciliation) => traceOf(reconciliation).filter((span) => span.kind === SpanKind.CLIENT && span.attributes["numbergate.operation"] !== undefined));
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((span) => span.attributes["numbergate.carrier"] === "twilio" && span.attributes["numbergate.operation"] !== "purchase")).toBe(true);
    // The purchase attempt that lost its answer is in the purchase's trace, not the reconciler's.
    const attempts = traceOf(rpc).filter((span) => span.kind === SpanKind.CLIENT && span.attributes["numbergate.operation"] === "purchase");
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.attributes["error.type"]).toBe("timeout");
  });

  it("a port: each check of the poller is its own trace linking the CreatePortingOrder call", async () => {
    ports = await startPortingHarness({ NUMBERGATE_SWEEP_INTERVAL: "3600000", NUMBERGATE_PORTING_POLL_INTERVAL: "3600000" }, { spanExporter: exporter });
    const created = (await ports.harness.client.createPortingOrder(portRequest({ requestId: "traced-port", providerId: "bandwidth" }))).portingOrder;
    const id = created?.portingOrderId ?? "";
    await ports.sweepUntil(id, PortingOrderState.PORTING_ORDER_STATE_AWAITING_DOCUMENTS);
    // Submitted within the RPC; the poller's check asks the carrier how it stands.
    await ports.sweep();

    const rpc = spansNamed("numbergate.v1.TelecomService/CreatePortingOrder")[0];
    expect(rpc).toBeDefined();
    const checks = linkedTo(rpc!, "numbergate.porting.check");
    expect(checks.length).toBeGreaterThan(0);
    for (const check of checks) {
      expect(check.parentSpanContext).toBeUndefined();
      expect(check.attributes).toMatchObject({ "numbergate.porting_order.id": id, "numbergate.carrier": "bandwidth" });
      expect(traceOf(check).some((span) => span.kind === SpanKind.CLIENT && span.attributes["numbergate.carrier"] === "bandwidth")).toBe(true);
    }
  });
});
