import { CarrierError, type CarrierErrorKind } from "../domain/carrier-error.js";
import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import { CarrierUnavailableError, LifecycleError } from "../domain/service-errors.js";
import type { OwnedNumberPage } from "../store/owned-number-store.js";
import type { OwnedNumberRecord, OwnedNumberState, ReleaseRecord } from "../store/records.js";
import { fingerprint, newId, orderReference, type LifecycleContext } from "./lifecycle-context.js";
import { workRelease } from "./release-execution.js";
import { waitUntilFinal } from "./wait-until-final.js";

export interface ReleaseResult {
  readonly number: OwnedNumberRecord;
  readonly alreadyReleased: boolean;
}

const CARRIER_ERROR_KINDS: ReadonlySet<string> = new Set<CarrierErrorKind>(["network", "timeout", "auth", "rate_limited", "invalid_request", "not_found", "carrier_server", "unknown_outcome"]);

/**
 * Releases, exactly once per request_id: the release is recorded (and the number marked releasing) before
 * the carrier call, a retry with the same request_id gets the first answer, and a release whose answer was
 * lost or that the carrier completes later is followed up, never sent again.
 */
export class ReleaseService {
  constructor(private readonly context: LifecycleContext) {}

  async release(requestId: string, number: ParsedPhoneNumber, actor: string, signal?: AbortSignal): Promise<ReleaseResult> {
    const { store, now, settings, replicaId, detached } = this.context;
    const id = newId("rel");
    const begun = await store.releases.begin({
      id,
      requestId,
      fingerprint: fingerprint({ number: number.e164 }),
      phoneNumber: number.e164,
      orderReference: orderReference(id),
      actor,
      now: now(),
      leaseOwner: replicaId,
      leaseUntil: now() + settings.leaseMs,
    });
    switch (begun.kind) {
      case "not_owned":
        throw new LifecycleError("not_found", "RESOURCE_NOT_FOUND", `numbergate does not own ${number.e164}`, { phone_number: number.e164 }, [
          { field: "phone_number", description: `names no number numbergate owns (${number.e164})` },
        ]);
      case "request_id_reused":
        throw new LifecycleError("already_exists", "IDEMPOTENCY_KEY_REUSED", `request_id ${requestId} was used to release another number (release ${begun.release.id})`, { release_id: begun.release.id });
      case "in_progress":
        throw new LifecycleError("unavailable", "RELEASE_IN_PROGRESS", `a release of ${number.e164} is already in progress${begun.otherRequestId ? ` (request_id ${begun.otherRequestId})` : ""}`, { phone_number: number.e164 });
      case "existing":
        return this.#answer(await this.#waitForFinal(begun.release.id, signal));
      case "created": {
        await store.audit.record({ actor, requestId, carrierId: begun.release.carrierId, operation: "release.created", outcome: "pending", resourceType: "release", resourceId: id });
        // Detached from the caller on purpose, like purchases: a release that started is finished or followed up.
        void detached.run(`release:${id}`, () =>
          workRelease(this.context, begun.release, detached.signal)
            .catch((error: unknown) => this.context.logger.error({ err: error, releaseId: id }, "release did not finish; the reconciler will resolve it"))
            .finally(() => store.releases.releaseLease(id, replicaId).catch(() => undefined)),
        );
        return this.#answer(await this.#waitForFinal(id, signal));
      }
    }
  }

  list(filter: { carrierId?: string; state?: OwnedNumberState; pageSize: number; after?: { purchasedAt: number; id: string } }): Promise<OwnedNumberPage> {
    return this.context.store.ownedNumbers.list(filter);
  }

  #waitForFinal(id: string, signal?: AbortSignal): Promise<ReleaseRecord> {
    return waitUntilFinal(this.context, {
      read: async () => {
        const release = await this.context.store.releases.get(id);
        if (!release) throw new Error(`release ${id} vanished`);
        return release;
      },
      isFinal: (release) => release.state === "completed" || release.state === "failed",
      running: () => this.context.detached.get(`release:${id}`)?.then(() => undefined),
      signal,
    });
  }

  /** The release's answer: the owned number, or for a refused release the same error every time. */
  async #answer(release: ReleaseRecord): Promise<ReleaseResult> {
    if (release.state === "failed") throw replayedFailure(release);
    const number = await this.context.store.ownedNumbers.get(release.ownedNumberId);
    if (!number) throw new Error(`release ${release.id} names owned number ${release.ownedNumberId}, which does not exist`);
    return { number, alreadyReleased: release.alreadyReleased };
  }
}

/** The refusal a release ended with, rebuilt from its record so a retry hears exactly what the first call heard. */
function replayedFailure(release: ReleaseRecord): Error {
  const kind = release.failureKind;
  const carrierId = release.carrierId;
  if (kind !== undefined && CARRIER_ERROR_KINDS.has(kind)) {
    return new CarrierError({ kind: kind as CarrierErrorKind, carrierId, operation: "release", message: release.detail, requestMayHaveReachedCarrier: true });
  }
  return new CarrierUnavailableError(release.carrierId, release.detail);
}
