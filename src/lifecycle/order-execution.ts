import { CarrierError } from "../domain/carrier-error.js";
import type { CarrierOrderStatus } from "../domain/carrier-lifecycle.js";
import { parsePhoneNumber, type ParsedPhoneNumber } from "../domain/phone-number.js";
import { CarrierUnavailableError } from "../domain/service-errors.js";
import type { AuditEntry } from "../store/audit-store.js";
import type { OrderRecord } from "../store/records.js";
import type { LifecycleContext } from "./lifecycle-context.js";

function parsed(e164: string): ParsedPhoneNumber {
  const result = parsePhoneNumber(e164);
  if (!result.ok) throw new Error(`stored number ${e164} no longer parses: ${result.problem}`);
  return result.number;
}

/**
 * Places an order's purchase at the carrier, once. Called by the replica that created the order (holding
 * its lease), or by the reconciler for an order whose call provably never started.
 */
export async function placePurchase(context: LifecycleContext, order: OrderRecord, signal?: AbortSignal): Promise<void> {
  const { store, manager, now } = context;
  const numbers = order.items.map((item) => parsed(item.phoneNumber));
  const reservations = order.reservationId ? await store.reservations.get(order.reservationId) : undefined;
  if (!(await store.orders.markCallStarted(order.id, context.replicaId, now()))) {
    // Our lease lapsed and another replica owns the order now: it sends the purchase (or looks it up), not us.
    context.logger.warn({ orderId: order.id }, "lost the lease on an order before calling the carrier; leaving it to its new owner");
    return;
  }
  const started = now();
  try {
    const status = await manager.callCarrier(
      order.carrierId,
      "purchase",
      async (adapter, callSignal) => {
        if (!adapter.doPurchase) throw new CarrierUnavailableError(order.carrierId, `numbergate cannot buy numbers from ${order.carrierId} yet`);
        const perOrder = adapter.descriptor.maxNumbersPerPurchase;
        const request = (batch: ParsedPhoneNumber[]) => ({
          numbers: batch,
          orderReference: order.orderReference,
          carrierReservationIds: reservations?.carrierReservationId ? [reservations.carrierReservationId] : [],
        });
        if (numbers.length <= perOrder) return adapter.doPurchase(request(numbers), { signal: callSignal });
        return purchaseOneByOne(numbers, (number) => adapter.doPurchase?.(request([number]), { signal: callSignal }));
      },
      signal,
    );
    await applyStatus(context, order, status, callAudit(order, "purchase", status.state, now() - started));
  } catch (error) {
    await recordPurchaseFailure(context, order, error, callAudit(order, "purchase", error instanceof Error ? error.message : "error", now() - started));
  }
}

/** Carriers that buy one number per request (Twilio): one call each, outcomes merged. */
async function purchaseOneByOne(
  numbers: readonly ParsedPhoneNumber[],
  buy: (number: ParsedPhoneNumber) => Promise<CarrierOrderStatus> | undefined,
): Promise<CarrierOrderStatus> {
  const purchased: CarrierOrderStatus["purchased"][number][] = [];
  const failed: CarrierOrderStatus["failed"][number][] = [];
  for (const number of numbers) {
    try {
      const status = await buy(number);
      if (status) purchased.push(...status.purchased);
    } catch (error) {
      // A definite refusal fails this number; anything uncertain must leave the whole order in doubt.
      if (CarrierError.is(error) && (error.kind === "not_found" || error.kind === "invalid_request")) {
        failed.push({ e164: number.e164, carrierCode: error.carrierCode, detail: error.message });
      } else throw error;
    }
  }
  const state = failed.length === 0 ? "completed" : purchased.length === 0 ? "failed" : "partial";
  return { carrierOrderId: purchased[0]?.carrierNumberId, state, purchased, failed };
}

/**
 * Writes what the carrier said: final outcomes end the order (with the call's audit row in the same
 * transaction), pending ones are checked again later.
 */
export async function applyStatus(context: LifecycleContext, order: OrderRecord, status: CarrierOrderStatus, call: AuditEntry): Promise<void> {
  const { store, now, settings } = context;
  if (status.state === "pending") {
    await store.orders.markUnfinished(order.id, "pending", { carrierOrderId: status.carrierOrderId, detail: "the carrier is processing the order", nextCheckAt: now() + settings.orderCheckIntervalMs, now: now() });
    await store.audit.record(call);
    return;
  }
  const purchased = status.purchased.map((entry) => ({ phoneNumber: entry.e164, carrierNumberId: entry.carrierNumberId }));
  const bought = new Set(purchased.map((entry) => entry.phoneNumber));
  const failed = order.items
    .filter((item) => !bought.has(item.phoneNumber))
    .map((item) => ({ phoneNumber: item.phoneNumber, detail: status.failed.find((entry) => entry.e164 === item.phoneNumber)?.detail ?? "the carrier did not sell this number" }));
  const state = failed.length === 0 ? "completed" : purchased.length === 0 ? "failed" : "partial";
  const audits = [call, { ...orderAudit(order, "order.finished", state) }];
  const finished = await store.orders.finish(order.id, { state, carrierOrderId: status.carrierOrderId, purchased, failed, detail: failed[0]?.detail ?? "", now: now(), audits });
  if (finished) {
    context.holdsChanged();
    for (const item of order.items) context.manager.forgetNumber(item.phoneNumber);
  } else {
    // Someone else finished the order first; the carrier call still happened and is recorded.
    await store.audit.record(call);
  }
}

/**
 * A purchase call that failed. Only a definite answer (the carrier refused, or nothing was sent) fails the
 * order; anything else leaves it in doubt for the reconciler, which asks the carrier and never buys again.
 */
async function recordPurchaseFailure(context: LifecycleContext, order: OrderRecord, error: unknown, call: AuditEntry): Promise<void> {
  const { store, now, settings } = context;
  const definite =
    error instanceof CarrierUnavailableError ||
    (CarrierError.is(error) && (!error.requestMayHaveReachedCarrier || ["invalid_request", "not_found", "auth", "rate_limited"].includes(error.kind)));
  const detail = error instanceof Error ? error.message : "purchase failed";
  if (definite) {
    const failed = order.items.map((item) => ({ phoneNumber: item.phoneNumber, detail }));
    const audits = [call, { ...orderAudit(order, "order.finished", "failed"), detail }];
    if (await store.orders.finish(order.id, { state: "failed", carrierOrderId: undefined, purchased: [], failed, detail, now: now(), audits })) context.holdsChanged();
    else await store.audit.record(call);
    return;
  }
  await store.orders.markUnfinished(order.id, "in_doubt", { detail: `outcome unknown (${detail}); numbergate is asking the carrier`, nextCheckAt: now() + settings.orderCheckIntervalMs, now: now() });
  await store.audit.record(call);
  await store.audit.record({ ...orderAudit(order, "order.in_doubt", "in_doubt"), detail });
}

/** The reconciler's step for one claimed order: resume it if never sent, else ask the carrier. */
export async function resolveOrder(context: LifecycleContext, order: OrderRecord): Promise<void> {
  if (order.carrierCallStartedAt === undefined) {
    await placePurchase(context, order);
    return;
  }
  const { now, settings, store } = context;
  const started = now();
  try {
    const status = await context.manager.callCarrier(order.carrierId, "order_status", async (adapter, signal) => {
      if (!adapter.doGetOrderStatus) throw new CarrierUnavailableError(order.carrierId, `numbergate cannot look up ${order.carrierId} orders`);
      return adapter.doGetOrderStatus({ carrierOrderId: order.carrierOrderId, orderReference: order.orderReference, numbers: order.items.map((item) => parsed(item.phoneNumber)) }, { signal });
    });
    const lookup = callAudit(order, "order_status", status?.state ?? "none", now() - started);
    if (status) {
      await applyStatus(context, order, status, lookup);
      return;
    }
    if (now() - order.carrierCallStartedAt >= settings.inDoubtGraceMs) {
      // The carrier has no trace of the purchase long after it was sent: it never arrived.
      await applyStatus(context, order, { carrierOrderId: undefined, state: "failed", purchased: [], failed: [] }, lookup);
      return;
    }
    await store.audit.record(lookup);
    await store.orders.markUnfinished(order.id, order.state === "in_doubt" ? "in_doubt" : "pending", { detail: order.detail, nextCheckAt: now() + settings.orderCheckIntervalMs, now: now() });
  } catch (error) {
    await store.audit.record(callAudit(order, "order_status", error instanceof Error ? error.message : "error", now() - started));
    await store.orders.markUnfinished(order.id, order.state === "in_doubt" ? "in_doubt" : "pending", { detail: order.detail, nextCheckAt: now() + settings.orderCheckIntervalMs, now: now() });
  }
}

function orderAudit(order: OrderRecord, operation: string, outcome: string): AuditEntry {
  return { actor: "numbergate", requestId: order.requestId, carrierId: order.carrierId, operation, outcome, resourceType: "order", resourceId: order.id };
}

/** The audit entry of one carrier call made for an order. */
function callAudit(order: OrderRecord, operation: string, outcome: string, latencyMs: number): AuditEntry {
  return { ...orderAudit(order, operation, outcome), latencyMs };
}
