import { activeTraceParent } from "../telemetry/trace-links.js";
import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import type { CarrierId } from "../domain/numbers.js";
import { InvalidRequestError, LifecycleError, OrderFailedError, type FieldViolation } from "../domain/service-errors.js";
import type { CustomerInfoRecord, OfferSnapshot, OrderRecord, OwnedNumberRecord } from "../store/records.js";
import type { OrderListFilter, OrderPage } from "../store/order-listing.js";
import { fingerprint, newId, orderReference, type LifecycleContext } from "./lifecycle-context.js";
import { workOrder } from "./order-execution.js";
import { buySubstitute, neverReachedCarrier } from "./purchase-substitution.js";
import { waitUntilFinal } from "./wait-until-final.js";

export interface PurchaseRequest {
  readonly requestId: string;
  readonly carrierId: CarrierId;
  readonly items: readonly PurchaseItem[];
  readonly customerInfo: CustomerInfoRecord | undefined;
  readonly actor: string;
  /**
   * allow_substitute (one-number purchases): when the carrier cannot take the purchase and provably nothing
   * reached it, buy an equivalent number at another carrier instead, at a known price within
   * maxMonthlyRateCents when set. Absent: the number is bought at its carrier or not at all.
   */
  readonly substitute?: { readonly maxMonthlyRateCents?: number };
}

export interface PurchaseItem {
  readonly number: ParsedPhoneNumber;
  readonly reservationId?: string;
  /** The request field that carries reservationId, for errors about it ("items[3].reservation_id"). */
  readonly reservationIdField?: string;
}

export interface PurchaseResult {
  readonly order: OrderRecord;
  readonly ownedNumbers: readonly OwnedNumberRecord[];
  /** Set when the order bought an equivalent number instead of the requested one (allow_substitute). */
  readonly substitution?: { readonly requestedPhoneNumber: string; readonly requestedCarrierId: string; readonly reason: string };
}

const FINAL_STATES = new Set(["completed", "failed", "partial"]);

/**
 * Exactly-once purchases. The order (and the holds on its numbers) is written before the carrier call; the
 * request_id's uniqueness makes every retry, concurrent or after a crash, find that same order and answer
 * with its outcome instead of buying again.
 */
export class PurchaseService {
  constructor(private readonly context: LifecycleContext) {}

  async purchase(request: PurchaseRequest, signal?: AbortSignal): Promise<PurchaseResult> {
    const { store, now, settings, replicaId } = this.context;
    const requestFingerprint = fingerprint({
      carrier: request.carrierId,
      items: request.items.map((item) => [item.number.e164, item.reservationId ?? ""]),
      customer: request.customerInfo ?? null,
      // Only when asked for, so the fingerprints of plain purchases stay what they always were.
      ...(request.substitute ? { substitute: { maxMonthlyRateCents: request.substitute.maxMonthlyRateCents ?? null } } : {}),
    });
    // One wait budget for the whole call, a substitute's order included.
    const waitUntil = now() + settings.purchaseWaitMs;
    await this.#checkReservations(request);
    const orderId = newId("ord");
    const created = await store.orders.create({
      id: orderId,
      requestId: request.requestId,
      fingerprint: requestFingerprint,
      carrierId: request.carrierId,
      orderReference: orderReference(orderId),
      customerInfo: request.customerInfo,
      items: request.items.map((item) => ({ phoneNumber: item.number.e164, offer: this.#offer(request.carrierId, item.number), reservationId: item.reservationId })),
      now: now(),
      leaseOwner: replicaId,
      leaseUntil: now() + settings.leaseMs,
      traceParent: activeTraceParent(),
      audit: { actor: request.actor, requestId: request.requestId, carrierId: request.carrierId, operation: "order.created", outcome: "pending", resourceType: "order", resourceId: orderId },
    });
    switch (created.kind) {
      case "request_id_reused":
        throw new LifecycleError("already_exists", "IDEMPOTENCY_KEY_REUSED", `request_id ${request.requestId} was used for a different purchase (order ${created.order.id})`, { order_id: created.order.id });
      case "unavailable":
        await this.#refuseInactiveReservations(request);
        throw new LifecycleError("failed_precondition", "NUMBER_HELD", `${created.phoneNumber} cannot be bought: ${created.reason}`, { phone_number: created.phoneNumber });
      case "existing":
        return this.#conclude(request, await this.#waitForFinal(created.order.id, waitUntil, signal), waitUntil, signal);
      case "created": {
        this.context.holdsChanged();
        const work = this.#startWork(created.order);
        return this.#conclude(request, await this.#waitForFinal(orderId, waitUntil, signal, { initial: created.order, work }), waitUntil, signal);
      }
    }
  }

  /**
   * Works a newly created order. Detached from the caller's signal on purpose: a purchase that was started
   * finishes (or is left in doubt for the reconciler) even if this caller goes away; only shutdown cuts it.
   * Resolves with the order as the work recorded it, before its lease is given up: an order that ended final
   * gave its lease up in the same write, so only an unfinished one has one to release.
   */
  #startWork(order: OrderRecord): Promise<OrderRecord | undefined> {
    const { detached, store, replicaId } = this.context;
    const work = workOrder(this.context, order, detached.signal).catch((error: unknown) => {
      // The order stays pending or in doubt in the database; the reconciler (here or on another replica) finishes it.
      this.context.logger.error({ err: error, orderId: order.id }, "purchase did not finish; the reconciler will resolve the order");
      return undefined;
    });
    void detached.run(order.id, async () => {
      const recorded = await work;
      if (!recorded || !FINAL_STATES.has(recorded.state)) await store.orders.releaseLease(order.id, replicaId).catch(() => undefined);
    });
    return work;
  }

  /**
   * The answer to a request from the order it made, following a substitution: an order replaced by a
   * substitute answers with the substitute; a failed order that never reached its carrier gets one when the
   * request allows it (see buySubstitute); anything else answers as itself.
   */
  async #conclude(request: PurchaseRequest, order: OrderRecord, waitUntil: number, signal: AbortSignal | undefined): Promise<PurchaseResult> {
    const substitution = order.substitution;
    if (substitution?.kind === "replaced") return this.#answer(await this.#waitForFinal(substitution.substituteOrderId, waitUntil, signal));
    if (!request.substitute || substitution !== undefined || !neverReachedCarrier(order)) return this.#answer(order);
    const options = { original: order, maxMonthlyRateCents: request.substitute.maxMonthlyRateCents, actor: request.actor, startWork: (created: OrderRecord) => this.#startWork(created) };
    const decided = await buySubstitute(this.context, options, signal);
    // The original, decided: by this call (none found) or by a racing one (replaced, or none found).
    if (decided.id === order.id) return decided.substitution ? this.#conclude(request, decided, waitUntil, signal) : this.#answer(decided);
    return this.#answer(await this.#waitForFinal(decided.id, waitUntil, signal));
  }

  async getOrder(orderId: string): Promise<PurchaseResult> {
    const order = await this.context.store.orders.get(orderId);
    if (!order) throw new LifecycleError("not_found", "RESOURCE_NOT_FOUND", `no order ${orderId}`, {}, [{ field: "order_id", description: `names no order (${orderId})` }]);
    return this.#withOwnedNumbers(order);
  }

  /** Orders newest first, filtered and paged, as they are recorded (ListNumberOrders); never asks a carrier. */
  listOrders(filter: OrderListFilter): Promise<OrderPage> {
    return this.context.store.orders.list(filter);
  }

  /** `started`: an order this call created and the work it started, so the wait reads nothing it already knows. */
  #waitForFinal(orderId: string, waitUntil: number, signal?: AbortSignal, started?: { initial: OrderRecord; work: Promise<OrderRecord | undefined> }): Promise<OrderRecord> {
    const budget = { now: this.context.now, settings: { ...this.context.settings, purchaseWaitMs: Math.max(0, waitUntil - this.context.now()) } };
    let work = started?.work;
    return waitUntilFinal(budget, {
      read: async () => {
        const order = await this.context.store.orders.get(orderId);
        if (!order) throw new Error(`order ${orderId} vanished`);
        return order;
      },
      initial: started?.initial,
      isFinal: (order) => FINAL_STATES.has(order.state),
      running: () => {
        // The work's own answer once; after that, whatever this replica runs for the order (a reconcile) is waited on.
        const own = work;
        work = undefined;
        return own ?? this.context.detached.get(orderId)?.then(() => undefined);
      },
      signal,
    });
  }

  /**
   * What PurchaseNumber answers once it stops waiting: the order unless it FAILED, and for a failed order the
   * error that caused it, rebuilt from the stored order so every retry of the request_id hears the same.
   */
  async #answer(order: OrderRecord): Promise<PurchaseResult> {
    if (order.state === "failed") {
      const failedItem = order.items.find((item) => item.state === "failed");
      const failedBecause = order.detail || (failedItem?.detail ?? "");
      // A substitute was looked for and not bought: the caller hears why, with the original failure.
      const detail = order.substitution?.kind === "none_found" ? `${failedBecause}; no substitute was bought: ${order.substitution.detail}` : failedBecause;
      throw new OrderFailedError(order.id, order.carrierId, failedItem?.failure ?? { kind: "carrier_refused" }, detail);
    }
    return this.#withOwnedNumbers(order);
  }

  async #withOwnedNumbers(order: OrderRecord): Promise<PurchaseResult> {
    const owned = await Promise.all(
      order.items.filter((item) => item.state === "purchased").map((item) => this.context.store.ownedNumbers.findByPhoneNumber(item.phoneNumber)),
    );
    const ownedNumbers = owned.filter((number): number is OwnedNumberRecord => number !== undefined && number.orderId === order.id);
    const substitution = order.substitution?.kind === "substitute" ? order.substitution : undefined;
    if (!substitution) return { order, ownedNumbers };
    const { requestedPhoneNumber, requestedCarrierId, reason } = substitution;
    return { order, ownedNumbers, substitution: { requestedPhoneNumber, requestedCarrierId, reason } };
  }

  /**
   * Refuses reservation ids that name no reservation (the request is wrong: INVALID_ARGUMENT) or one that holds
   * another number or carrier (FAILED_PRECONDITION). Both are facts that never change, so a retry of a request
   * that once passed passes again; whether the reservation is still active is judged by the order's creation.
   */
  async #checkReservations(request: PurchaseRequest): Promise<void> {
    const unknown: FieldViolation[] = [];
    const mismatched: FieldViolation[] = [];
    for (const item of request.items) {
      if (!item.reservationId) continue;
      const field = item.reservationIdField ?? "reservation_id";
      const reservation = await this.context.store.reservations.get(item.reservationId);
      if (!reservation) unknown.push({ field, description: `names no reservation (${item.reservationId})` });
      else if (reservation.phoneNumber !== item.number.e164 || reservation.carrierId !== request.carrierId) {
        mismatched.push({ field, description: `reservation ${item.reservationId} holds ${reservation.phoneNumber} at ${reservation.carrierId}, not ${item.number.e164} at ${request.carrierId}` });
      }
    }
    if (unknown.length > 0) throw new InvalidRequestError(unknown, "RESERVATION_INVALID");
    if (mismatched.length > 0) {
      throw new LifecycleError("failed_precondition", "RESERVATION_MISMATCH", mismatched.map((violation) => `${violation.field}: ${violation.description}`).join("; "), {}, mismatched);
    }
  }

  /** After the order could not take its holds: reservations that expired, were cancelled or were used by another order. */
  async #refuseInactiveReservations(request: PurchaseRequest): Promise<void> {
    const inactive: FieldViolation[] = [];
    for (const item of request.items) {
      if (!item.reservationId) continue;
      const reservation = await this.context.store.reservations.get(item.reservationId);
      if (!reservation) continue;
      const state = reservation.state === "active" && reservation.expiresAt <= this.context.now() ? "expired" : reservation.state;
      if (state !== "active") inactive.push({ field: item.reservationIdField ?? "reservation_id", description: `reservation ${item.reservationId} is ${state}, not active` });
    }
    if (inactive.length > 0) {
      throw new LifecycleError("failed_precondition", "RESERVATION_NOT_ACTIVE", inactive.map((violation) => `${violation.field}: ${violation.description}`).join("; "), {}, inactive);
    }
  }

  #offer(carrierId: CarrierId, number: ParsedPhoneNumber): OfferSnapshot {
    const known = this.context.manager.knownOffer(carrierId, number.e164);
    const numberType = known?.numberType ?? number.numberType ?? "local";
    const price = known?.monthlyPrice ?? this.context.manager.priceFor(carrierId, number.countryCode ?? "", numberType);
    return {
      numberType,
      locality: known?.locality,
      region: known?.region,
      capabilities: known?.capabilities ?? [],
      monthlyPriceCents: price?.amountCents,
      currencyCode: price?.currencyCode,
    };
  }
}
