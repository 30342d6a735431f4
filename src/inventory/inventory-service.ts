import { LifecycleError } from "../domain/service-errors.js";
import { KIND_OF_RESOLUTION, type DriftResolution } from "../store/inventory-drift-resolution.js";
import type { InventoryDriftRecord, InventoryDriftState } from "../store/inventory-drift-rows.js";
import type { DriftPage, OpenDriftCount } from "../store/inventory-drift-store.js";
import type { Store } from "../store/store.js";
import type { CarrierReconciliation, InventoryReconciler } from "./inventory-reconciler.js";

export interface ReconcileAnswer {
  /** Per carrier reconciled: what each side counted, or why the carrier's list could not be read. */
  readonly counts: readonly CarrierReconciliation[];
  /** Open drifts of those carriers after the run, new and old, oldest first (at most MAX_OPEN_DRIFTS_ANSWERED). */
  readonly openDrifts: readonly InventoryDriftRecord[];
}

export interface DriftResolutionRequest {
  readonly driftId: string;
  readonly resolution: DriftResolution;
  readonly actor: string;
  readonly note: string;
}

/** ReconcileInventory answers this many open drifts at most; ListInventoryDrifts pages through all of them. */
export const MAX_OPEN_DRIFTS_ANSWERED = 500;

/**
 * Inventory reconciliation as the RPCs and `npm run admin` use it: reconcile now, list drifts, and resolve one
 * by adopting the carrier's number or marking numbergate's released. Nothing here calls a carrier to buy or release.
 */
export class InventoryService {
  constructor(
    readonly reconciler: InventoryReconciler,
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  /** Reconciles one carrier, or every enabled one, now. */
  async reconcile(carrierId: string | undefined, actor: string): Promise<ReconcileAnswer> {
    const targets = this.reconciler.targets(carrierId);
    const counts = await this.reconciler.reconcile(targets, actor);
    const open = await this.store.inventoryDrifts.list({ carrierIds: targets, state: "open", pageSize: MAX_OPEN_DRIFTS_ANSWERED });
    return { counts, openDrifts: open.drifts };
  }

  list(filter: { carrierIds?: readonly string[]; state?: InventoryDriftState; pageSize: number; after?: { detectedAt: number; id: string } }): Promise<DriftPage> {
    return this.store.inventoryDrifts.list(filter);
  }

  /** Open drifts per carrier and kind (what metrics read). */
  openDriftCounts(): Promise<OpenDriftCount[]> {
    return this.store.inventoryDrifts.countOpen();
  }

  /**
   * Adopts (UNKNOWN_TO_NUMBERGATE) or marks released (MISSING_AT_CARRIER), audited with who asked and the note.
   * Asking again for what was already done answers the drift as it is.
   */
  async resolve(request: DriftResolutionRequest): Promise<InventoryDriftRecord> {
    const outcome = await this.store.inventoryDrifts.resolve({ id: request.driftId, resolution: request.resolution, actor: request.actor, note: request.note, now: this.now() });
    const idField = { drift_id: request.driftId };
    switch (outcome.kind) {
      case "resolved":
      case "unchanged":
        return outcome.drift;
      case "not_found":
        throw new LifecycleError("not_found", "RESOURCE_NOT_FOUND", `there is no inventory drift ${request.driftId}`, idField, [{ field: "drift_id", description: "names no inventory drift" }]);
      case "mismatch": {
        const { drift } = outcome;
        const fits = drift.kind === KIND_OF_RESOLUTION.adopted ? "adopted" : "marked_released";
        throw new LifecycleError(
          "failed_precondition",
          "INVENTORY_DRIFT_RESOLUTION_MISMATCH",
          `drift ${drift.id} is ${shout(drift.kind)}: it can only be ${shout(fits)}, not ${shout(request.resolution)}`,
          { ...idField, kind: shout(drift.kind) },
          [{ field: "resolution", description: `must be ${shout(fits)} for a ${shout(drift.kind)} drift` }],
        );
      }
      case "not_open": {
        const { drift } = outcome;
        throw new LifecycleError(
          "failed_precondition",
          "INVENTORY_DRIFT_NOT_OPEN",
          `drift ${drift.id} is ${shout(drift.state)}, not OPEN: only open drifts can be resolved`,
          { ...idField, state: shout(drift.state) },
          [{ field: "drift_id", description: `names a drift that is already ${shout(drift.state)}` }],
        );
      }
      case "owned":
        throw new LifecycleError("failed_precondition", "NUMBER_HELD", `numbergate already owns ${outcome.drift.phoneNumber}: there is nothing to adopt`, {
          ...idField,
          phone_number: outcome.drift.phoneNumber,
        });
      case "ordering":
        throw new LifecycleError("failed_precondition", "NUMBER_HELD", `an order or a port in progress holds ${outcome.drift.phoneNumber}; it settles the number itself`, {
          ...idField,
          phone_number: outcome.drift.phoneNumber,
        });
      case "releasing":
        throw new LifecycleError("unavailable", "RELEASE_IN_PROGRESS", `a release of ${outcome.drift.phoneNumber} is in progress; it settles the number itself`, {
          ...idField,
          phone_number: outcome.drift.phoneNumber,
        });
    }
  }
}

/** The contract's spelling of a kind, state or resolution: unknown_to_numbergate -> UNKNOWN_TO_NUMBERGATE. */
function shout(name: string): string {
  return name.toUpperCase();
}
