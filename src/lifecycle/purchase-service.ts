import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import type { CarrierId } from "../domain/numbers.js";
import { InvalidRequestError, LifecycleError, OrderFailedError, type FieldViolation } from "../domain/service-errors.js";
import type { CustomerInfoRecord, OfferSnapshot, OrderRecord, OwnedNumberRecord } from "../store/records.js";
import { fingerprint, newId, orderReference, type LifecycleContext } from "./lifecycle-context.js";
import { workOrder } from "./order-execution.js";
import { waitUntilFinal } from "./wait-until-final.js";

export interface PurchaseRequest {
  readonly requestId: string;
  readonly carrierId: CarrierId;
  readonly items: readonly PurchaseItem[];
  readonly customerInfo: CustomerInfoRecord | undefined;
  readonly actor: string;
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
    });
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
      audit: { actor: request.actor, requestId: request.requestId, carrierId: request.carrierId, operation: "order.created", outcome: "pending", resourceType: "order", resourceId: orderId },
    });
    switch (created.kind) {
      case "request_id_reused":
        throw new LifecycleError("already_exists", "IDEMPOTENCY_KEY_REUSED", `request_id ${request.requestId} was used for a different purchase (order ${created.order.id})`, { order_id: created.order.id });
      case "unavailable":
        await this.#refuseInactiveReservations(request);
        throw new LifecycleError("failed_precondition", "NUMBER_HELD", `${created.phoneNumber} cannot be bought: ${created.reason}`, { phone_number: created.phoneNumber });
      case "existing":
        return this.#answer(await this.#waitForFinal(created.order.id, signal));
      case "created": {
        this.context.holdsChanged();
        // Detached from the caller's signal on purpose: a purchase that was started finishes (or is left in
        // doubt for the reconciler) even if this caller goes away; only shutdown cuts it.
        const { detached } = this.context;
        void detached.run(orderId, () =>
          workOrder(this.context, created.order, detached.signal)
            .catch((error: unknown) => {
              // The order stays pending or in doubt in the database; the reconciler (here or on another replica) finishes it.
              this.context.logger.error({ err: error, orderId }, "purchase did not finish; the reconciler will resolve the order");
            })
            .finally(() => store.orders.releaseLease(orderId, replicaId).catch(() => undefined)),
        );
        return this.#answer(await this.#waitForFinal(orderId, signal));
      }
    }
  }

  async getOrder(orderId: string): Promise<PurchaseResult> {
    const order = await this.context.store.orders.get(orderId);
    if (!order) throw new LifecycleError("not_found", "RESOURCE_NOT_FOUND", `no order ${orderId}`, {}, [{ field: "order_id", description: `names no order (${orderId})` }]);
    return this.#withOwnedNumbers(order);
  }

  #waitForFinal(orderId: string, signal?: AbortSignal): Promise<OrderRecord> {
    return waitUntilFinal(this.context, {
      read: async () => {
        const order = await this.context.store.orders.get(orderId);
        if (!order) throw new Error(`order ${orderId} vanished`);
        return order;
      },
      isFinal: (order) => FINAL_STATES.has(order.state),
      running: () => this.context.detached.get(orderId),
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
      const detail = order.detail || (failedItem?.detail ?? "");
      throw new OrderFailedError(order.id, order.carrierId, failedItem?.failure ?? { kind: "carrier_refused" }, detail);
    }
    return this.#withOwnedNumbers(order);
  }

  async #withOwnedNumbers(order: OrderRecord): Promise<PurchaseResult> {
    const owned = await Promise.all(
      order.items.filter((item) => item.state === "purchased").map((item) => this.context.store.ownedNumbers.findByPhoneNumber(item.phoneNumber)),
    );
    return { order, ownedNumbers: owned.filter((number): number is OwnedNumberRecord => number !== undefined && number.orderId === order.id) };
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
