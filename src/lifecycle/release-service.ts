import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import { LifecycleError } from "../domain/service-errors.js";
import type { OwnedNumberPage } from "../store/owned-number-store.js";
import type { OwnedNumberRecord, OwnedNumberState } from "../store/records.js";
import { fingerprint, orderReference, type LifecycleContext } from "./lifecycle-context.js";

export interface ReleaseResult {
  readonly number: OwnedNumberRecord;
  readonly alreadyReleased: boolean;
}

/** Releases (idempotently) and lists owned numbers. */
export class ReleaseService {
  constructor(private readonly context: LifecycleContext) {}

  async release(requestId: string, number: ParsedPhoneNumber, actor: string, signal?: AbortSignal): Promise<ReleaseResult> {
    const { store, manager, now } = this.context;
    const owned = await store.ownedNumbers.findByPhoneNumber(number.e164);
    if (!owned) throw new LifecycleError("not_found", "RESOURCE_NOT_FOUND", `numbergate does not own ${number.e164}`, { phone_number: number.e164 });
    if (owned.state === "released") return { number: owned, alreadyReleased: true };
    const claim = await store.ownedNumbers.claimRelease(owned, requestId, fingerprint({ number: number.e164 }), now());
    if (claim === "request_id_reused") throw new LifecycleError("already_exists", "IDEMPOTENCY_KEY_REUSED", `request_id ${requestId} was used to release another number`);
    if (claim === "already_released") return { number: (await store.ownedNumbers.get(owned.id)) ?? owned, alreadyReleased: true };
    if (claim === "in_progress") throw new LifecycleError("unavailable", "NUMBER_HELD", `a release of ${number.e164} is already in progress`);

    const started = now();
    try {
      const result = await manager.callCarrier(
        owned.carrierId,
        "release",
        async (adapter, callSignal) => {
          if (!adapter.doRelease) throw new LifecycleError("failed_precondition", "FAILED_PRECONDITION", `numbergate cannot release ${owned.carrierId} numbers yet`);
          return adapter.doRelease({ number, carrierNumberId: owned.carrierNumberId, orderReference: orderReference(`rel${owned.id}`) }, { signal: callSignal });
        },
        signal,
      );
      await store.ownedNumbers.markReleased(owned.id, now());
      await store.audit.record({ actor, requestId, carrierId: owned.carrierId, operation: "release", outcome: result.state, latencyMs: now() - started, resourceType: "number", resourceId: owned.id });
    } catch (error) {
      await store.ownedNumbers.abandonRelease(owned.id);
      await store.audit.record({ actor, requestId, carrierId: owned.carrierId, operation: "release", outcome: "failed", latencyMs: now() - started, resourceType: "number", resourceId: owned.id, detail: error instanceof Error ? error.message : "" });
      throw error;
    }
    const released = await store.ownedNumbers.get(owned.id);
    return { number: released ?? owned, alreadyReleased: false };
  }

  list(filter: { carrierId?: string; state?: OwnedNumberState; pageSize: number; after?: { purchasedAt: number; id: string } }): Promise<OwnedNumberPage> {
    return this.context.store.ownedNumbers.list(filter);
  }
}
