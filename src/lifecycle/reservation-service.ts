import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import type { CarrierId } from "../domain/numbers.js";
import { featureMethods } from "../domain/carrier-adapter.js";
import { CarrierError } from "../domain/carrier-error.js";
import { LifecycleError } from "../domain/service-errors.js";
import type { CustomerInfoRecord, ReservationRecord } from "../store/records.js";
import { fingerprint, newId, type LifecycleContext } from "./lifecycle-context.js";

export interface ReserveRequest {
  readonly requestId: string | undefined;
  readonly number: ParsedPhoneNumber;
  readonly carrierId: CarrierId;
  /** Undefined: the default hold. */
  readonly durationMs: number | undefined;
  readonly customerInfo: CustomerInfoRecord | undefined;
  readonly actor: string;
}

/**
 * Reservations: an exclusive hold in numbergate's database (the number_holds primary key), plus the carrier's
 * own reservation where it has one (Bandwidth tnreservation). Elsewhere numbergate checks the carrier still
 * sells the number and holds it locally.
 */
export class ReservationService {
  constructor(private readonly context: LifecycleContext) {}

  async reserve(request: ReserveRequest, signal?: AbortSignal): Promise<ReservationRecord> {
    const { store, now, settings, manager } = this.context;
    const durationMs = Math.min(request.durationMs ?? settings.defaultReservationMs, settings.maxReservationMs);
    const id = newId("res");
    const created = await store.reservations.create({
      id,
      requestId: request.requestId,
      fingerprint: fingerprint({ number: request.number.e164, carrier: request.carrierId, durationMs: request.durationMs ?? null, customer: request.customerInfo ?? null }),
      phoneNumber: request.number.e164,
      carrierId: request.carrierId,
      customerInfo: request.customerInfo,
      now: now(),
      expiresAt: now() + durationMs,
    });
    if (created.kind === "request_id_reused") {
      throw new LifecycleError("already_exists", "IDEMPOTENCY_KEY_REUSED", `request_id ${request.requestId ?? ""} was used for a different reservation`);
    }
    if (created.kind === "held") {
      const by = created.holderKind === "owned" ? "numbergate already owns it" : `another client holds it (${created.holderKind})`;
      throw new LifecycleError("failed_precondition", "NUMBER_HELD", `${request.number.e164} cannot be reserved: ${by}`, { phone_number: request.number.e164 });
    }
    if (created.kind === "existing") return this.#current(created.reservation);
    this.context.holdsChanged();

    try {
      const carrierReservation = await manager.callCarrier(
        request.carrierId,
        "reserve",
        async (adapter, callSignal) => {
          const reserver = featureMethods(adapter, "reservations");
          if (reserver) return reserver.doReserve({ number: request.number, holdMs: durationMs }, { signal: callSignal });
          const offer = await adapter.doCheckAvailability(request.number, { signal: callSignal });
          if (!offer) {
            throw new CarrierError({ kind: "not_found", carrierId: request.carrierId, operation: "reserve", message: `${request.carrierId} does not offer ${request.number.e164}`, requestMayHaveReachedCarrier: true });
          }
          return undefined;
        },
        signal,
      );
      if (carrierReservation) {
        await store.reservations.setCarrierReservation(id, carrierReservation.carrierReservationId, carrierReservation.expiresAt?.getTime(), now());
      }
    } catch (error) {
      await store.reservations.end(id, "cancelled", now());
      this.context.holdsChanged();
      await store.audit.record({ actor: request.actor, requestId: request.requestId, carrierId: request.carrierId, operation: "reservation.create", outcome: "failed", resourceType: "reservation", resourceId: id, detail: error instanceof Error ? error.message : "" });
      throw error;
    }
    await store.audit.record({ actor: request.actor, requestId: request.requestId, carrierId: request.carrierId, operation: "reservation.create", outcome: "active", resourceType: "reservation", resourceId: id });
    const reservation = await store.reservations.get(id);
    if (!reservation) throw new Error(`reservation ${id} vanished`);
    return reservation;
  }

  async get(id: string): Promise<ReservationRecord> {
    const reservation = await this.context.store.reservations.get(id);
    if (!reservation) throw new LifecycleError("not_found", "RESOURCE_NOT_FOUND", `no reservation ${id}`, {}, [{ field: "reservation_id", description: `names no reservation (${id})` }]);
    return this.#current(reservation);
  }

  async cancel(id: string, actor: string): Promise<ReservationRecord> {
    const reservation = await this.get(id);
    if (reservation.state === "active" && (await this.context.store.reservations.end(id, "cancelled", this.context.now()))) {
      this.context.holdsChanged();
      await this.#releaseAtCarrier(reservation, actor, "reservation.cancel");
    }
    return this.get(id);
  }

  /** Ends reservations whose time is up (also those that expired while numbergate was down). */
  async expireDue(limit = 100): Promise<number> {
    const { store, now } = this.context;
    let expired = 0;
    for (const reservation of await store.reservations.dueForExpiry(now(), limit)) {
      if (!(await store.reservations.end(reservation.id, "expired", now()))) continue;
      expired += 1;
      this.context.holdsChanged();
      await this.#releaseAtCarrier(reservation, "numbergate", "reservation.expire");
    }
    return expired;
  }

  /** Past its expiry, an active reservation reads as expired even before the sweeper gets to it. */
  #current(reservation: ReservationRecord): ReservationRecord {
    return reservation.state === "active" && reservation.expiresAt <= this.context.now() ? { ...reservation, state: "expired" } : reservation;
  }

  async #releaseAtCarrier(reservation: ReservationRecord, actor: string, operation: string): Promise<void> {
    const { store, manager } = this.context;
    let outcome = "released";
    if (reservation.carrierReservationId) {
      const carrierReservationId = reservation.carrierReservationId;
      try {
        await manager.callCarrier(reservation.carrierId, "cancel_reservation", (adapter, signal) => featureMethods(adapter, "reservations")?.doCancelReservation(carrierReservationId, { signal }) ?? Promise.resolve());
      } catch (error) {
        // The carrier's own hold lapses by itself (Bandwidth: 4 hours); the local hold is already gone.
        outcome = `carrier cancel failed: ${error instanceof Error ? error.message : "error"}`;
      }
    }
    await store.audit.record({ actor, requestId: reservation.requestId, carrierId: reservation.carrierId, operation, outcome, resourceType: "reservation", resourceId: reservation.id });
  }
}
