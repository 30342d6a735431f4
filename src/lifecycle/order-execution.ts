import { featureMethods } from "../domain/carrier-adapter.js";
import { CarrierError } from "../domain/carrier-error.js";
import { parseStoredNumber } from "../domain/phone-number.js";
import { CarrierUnavailableError } from "../domain/service-errors.js";
import type { AuditEntry } from "../store/audit-store.js";
import type { OrderRecord } from "../store/records.js";
import { checkDelay, describeError, failureOf, isDefiniteRefusal } from "./carrier-answers.js";
import type { LifecycleContext } from "./lifecycle-context.js";
import { decideOrder, factsFromStatus, refusedFacts, type CarrierFacts } from "./order-decision.js";
import { whileLeased } from "./lease-keeper.js";


/**
 * Works an order this replica holds the lease on, renewing the lease meanwhile: looks up numbers that were
 * sent without a known outcome, then sends the numbers never sent. Never sends a number twice.
 */
export async function workOrder(context: LifecycleContext, order: OrderRecord, signal?: AbortSignal): Promise<OrderRecord | undefined> {
  const { store, replicaId, now, settings, logger } = context;
  return whileLeased(
    { leaseMs: settings.leaseMs, now, logger, what: order.id },
    (until, at) => store.orders.renewLease(order.id, replicaId, until, at),
    async () => {
      const current = await lookUpSent(context, order, signal);
      return current && !signal?.aborted ? placeUnsent(context, current, signal) : current;
    },
  );
}

/**
 * Sends the numbers never sent, as many per request as the carrier takes; each request has its own budget.
 * Answers with the order as last recorded (undefined when a write failed or the lease was lost).
 */
async function placeUnsent(context: LifecycleContext, order: OrderRecord, signal?: AbortSignal): Promise<OrderRecord | undefined> {
  const { store, manager, now, replicaId } = context;
  const unsent = order.items.filter((item) => item.state === "pending" && item.sentAt === undefined);
  if (unsent.length === 0) return order;
  const registration = manager.registrations.find((candidate) => candidate.adapter.descriptor.id === order.carrierId);
  const perRequest = Math.max(1, registration?.adapter.descriptor.maxNumbersPerPurchase ?? 1);
  let current: OrderRecord | undefined = order;
  for (let start = 0; start < unsent.length && current; start += perRequest) {
    if (signal?.aborted) return current;
    const chunk = unsent.slice(start, start + perRequest);
    const numbers = chunk.map((item) => item.phoneNumber);
    const sentAt = now();
    if (!(await store.orders.markItemsSent(order.id, numbers, replicaId, sentAt))) {
      // Our lease lapsed and another replica owns the order now: it sends (or looks up), not us.
      context.logger.warn({ orderId: order.id }, "lost the lease on an order before calling the carrier; leaving it to its new owner");
      return undefined;
    }
    const sentOrder: OrderRecord = current;
    current = { ...sentOrder, items: sentOrder.items.map((item) => (numbers.includes(item.phoneNumber) ? { ...item, sentAt } : item)) };
    const carrierReservationIds = await reservationIdsAtCarrier(context, chunk.map((item) => item.reservationId));
    const started = now();
    let facts: CarrierFacts;
    let outcome: string;
    try {
      const status = await manager.callCarrier(
        order.carrierId,
        "purchase",
        (adapter, callSignal) => {
          const buyer = featureMethods(adapter, "purchases");
          if (!buyer) throw new CarrierUnavailableError(order.carrierId, `numbergate cannot buy numbers from ${order.carrierId} yet`);
          return buyer.doPurchase({ numbers: numbers.map(parseStoredNumber), orderReference: order.orderReference, carrierReservationIds }, { signal: callSignal });
        },
        signal,
      );
      facts = factsFromStatus(numbers, status);
      outcome = status.state;
    } catch (error) {
      const definite = isDefiniteRefusal(error);
      facts = definite ? refusedFacts(numbers, { detail: describeError(error), failure: failureOf(error) }) : factsFromStatus(numbers, undefined);
      outcome = `${definite ? "refused" : "outcome unknown"}: ${describeError(error)}`;
    }
    current = await record(context, current, facts, callAudit(current, "purchase", outcome, now() - started));
  }
  return current;
}

/** The carrier's own reservation ids (Bandwidth tnreservation) for the numbers bought with a reservation. */
async function reservationIdsAtCarrier(context: LifecycleContext, reservationIds: readonly (string | undefined)[]): Promise<string[]> {
  const ids: string[] = [];
  for (const reservationId of reservationIds) {
    if (!reservationId) continue;
    const reservation = await context.store.reservations.get(reservationId);
    if (reservation?.carrierReservationId) ids.push(reservation.carrierReservationId);
  }
  return ids;
}

/**
 * Asks the carrier about numbers that were sent and have no known outcome. Returns the order as it is now,
 * or undefined when the lookup failed (the order is checked again later, with backoff).
 */
async function lookUpSent(context: LifecycleContext, order: OrderRecord, signal?: AbortSignal): Promise<OrderRecord | undefined> {
  const { manager, now } = context;
  const asked = order.items.filter((item) => item.state === "pending" && item.sentAt !== undefined).map((item) => item.phoneNumber);
  if (asked.length === 0) return order;
  const started = now();
  try {
    const status = await manager.callCarrier(
      order.carrierId,
      "order_status",
      (adapter, callSignal) => {
        const buyer = featureMethods(adapter, "purchases");
        if (!buyer) throw new CarrierUnavailableError(order.carrierId, `numbergate cannot look up ${order.carrierId} orders`);
        return buyer.doGetOrderStatus({ carrierOrderId: order.carrierOrderId, orderReference: order.orderReference, numbers: asked.map(parseStoredNumber) }, { signal: callSignal });
      },
      signal,
      { evenWhenDrained: true },
    );
    return await record(context, order, factsFromStatus(asked, status), callAudit(order, "order_status", status?.state ?? "no trace", now() - started));
  } catch (error) {
    await lookupFailed(context, order, error, now() - started);
    return undefined;
  }
}

async function lookupFailed(context: LifecycleContext, order: OrderRecord, error: unknown, latencyMs: number): Promise<void> {
  const { store, now, settings, logger } = context;
  const retryAfterMs = error instanceof CarrierUnavailableError || CarrierError.is(error) ? error.retryAfterMs : undefined;
  const nextCheckAt = now() + Math.max(checkDelay(settings.orderCheckIntervalMs, order.checkAttempts), retryAfterMs ?? 0);
  logger.warn({ orderId: order.id, err: error }, "looking up an order at the carrier failed; checking again later");
  try {
    await store.audit.record(callAudit(order, "order_status", `failed: ${describeError(error)}`, latencyMs));
    await store.orders.scheduleCheck(order.id, { detail: order.detail, nextCheckAt, now: now(), failed: true });
  } catch (storeError) {
    logger.error({ err: storeError, orderId: order.id }, "could not record a failed order lookup; the order is picked up again when its lease lapses");
  }
}

/**
 * Judges one carrier answer and writes it. A store failure here is logged and the order is looked up again
 * later with backoff: the carrier's record, found by the order reference, is the source of truth.
 */
async function record(context: LifecycleContext, order: OrderRecord, facts: CarrierFacts, call: AuditEntry): Promise<OrderRecord | undefined> {
  const { store, now, settings, logger } = context;
  const at = now();
  const decision = decideOrder(order, facts, at, settings.inDoubtGraceMs);
  const discrepancies = facts.unexpected.map((e164) => discrepancy(order, `the carrier reported ${e164}, which this order did not ask for; it is not recorded as owned`));
  for (const entry of discrepancies) logger.error({ orderId: order.id, carrierId: order.carrierId }, entry.detail ?? "carrier discrepancy");
  const transition = decision.state === order.state ? [] : [orderAudit(order, `order.${decision.state}`, decision.state, decision.detail)];
  let recorded: OrderRecord;
  try {
    const applied = await store.orders.apply(order.id, {
      ...decision,
      carrierOrderId: facts.carrierOrderId,
      nextCheckAt: at + settings.orderCheckIntervalMs,
      now: at,
      audits: [call, ...transition, ...discrepancies],
    });
    if (!applied.applied) {
      if (decision.purchased.length > 0) {
        // Cannot happen while the lease and grace hold; if it does, a human must see it.
        const lost = discrepancy(order, `the carrier says it bought ${decision.purchased.map((entry) => entry.phoneNumber).join(", ")} for an order already final`);
        logger.error({ orderId: order.id, carrierId: order.carrierId }, lost.detail ?? "carrier discrepancy");
        await store.audit.record(lost);
      }
      return undefined;
    }
    for (const e164 of applied.ownershipConflicts) {
      const conflict = discrepancy(order, `the carrier says this order bought ${e164}, which numbergate already records as owned through another order`);
      logger.error({ orderId: order.id, carrierId: order.carrierId }, conflict.detail ?? "carrier discrepancy");
      await store.audit.record(conflict);
    }
    recorded = applied.order;
  } catch (error) {
    logger.error({ err: error, orderId: order.id }, "could not record the carrier's answer for an order; it is looked up again with backoff");
    await store.orders
      .scheduleCheck(order.id, { detail: order.detail, nextCheckAt: at + checkDelay(settings.orderCheckIntervalMs, order.checkAttempts), now: at, failed: true })
      .catch((storeError: unknown) => logger.error({ err: storeError, orderId: order.id }, "could not schedule the order's next check; it is picked up again when its lease lapses"));
    return undefined;
  }
  if (decision.purchased.length > 0 || decision.failed.length > 0) context.holdsChanged();
  return recorded;
}

function orderAudit(order: OrderRecord, operation: string, outcome: string, detail = ""): AuditEntry {
  return { actor: "numbergate", requestId: order.requestId, carrierId: order.carrierId, operation, outcome, resourceType: "order", resourceId: order.id, detail };
}

function discrepancy(order: OrderRecord, detail: string): AuditEntry {
  return orderAudit(order, "carrier.discrepancy", "reported", detail);
}

/** The audit entry of one carrier call made for an order. */
function callAudit(order: OrderRecord, operation: string, outcome: string, latencyMs: number): AuditEntry {
  return { ...orderAudit(order, operation, outcome), latencyMs };
}
