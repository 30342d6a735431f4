import { newId } from "../lifecycle/lifecycle-context.js";
import type { CarrierRegistration } from "../manager/carrier-registry.js";
import type { ProviderManager } from "../manager/provider-manager.js";
import type { InventoryDriftRecord } from "../store/inventory-drift-rows.js";
import type { Store } from "../store/store.js";
import type { Logger } from "../telemetry/logger.js";
import { CoalescedRun } from "./coalesced-run.js";
import { compareInventory } from "./inventory-comparison.js";
import { canListOwnedNumbers, listCarrierNumbers, type ListingLimits } from "./inventory-listing.js";

/** One carrier's reconciliation: what each side counted, or why the carrier's list could not be read. */
export interface CarrierReconciliation {
  readonly carrierId: string;
  /** Numbers the carrier listed (0 when it could not be read). */
  readonly carrierNumbers: number;
  /** Live (active or releasing) numbers numbergate records at the carrier. */
  readonly numbergateNumbers: number;
  /** Why nothing was concluded for this carrier; undefined when it was reconciled. */
  readonly error: string | undefined;
  /** Drifts this run recorded for the first time, and open drifts it found gone. */
  readonly recorded: readonly InventoryDriftRecord[];
  readonly gone: readonly InventoryDriftRecord[];
  readonly finishedAt: number;
}

export interface InventoryReconcilerOptions {
  readonly store: Store;
  readonly manager: ProviderManager;
  readonly logger: Logger;
  readonly now: () => number;
  readonly limits?: Partial<ListingLimits>;
}

const STOPPED = "the reconciliation was stopped (numbergate is shutting down)";

/** Bandwidth's default page size; Twilio takes up to 1000. */
const DEFAULT_PAGE_SIZE = 300;
/** 300 000 numbers at the default page size: far beyond an account numbergate serves, and still bounded. */
const DEFAULT_MAX_PAGES = 1000;

/**
 * Reconciles carriers' own lists of the account's numbers with owned_numbers. It only reads carriers and records
 * drifts: it never buys or releases anything. One run per carrier at a time in this process; several replicas may
 * run at once (the store records each open drift once).
 */
export class InventoryReconciler {
  readonly #options: InventoryReconcilerOptions;
  readonly #limits: ListingLimits;
  readonly #runs = new Map<string, CoalescedRun<CarrierReconciliation>>();
  readonly #latest = new Map<string, CarrierReconciliation>();
  readonly #stop = new AbortController();

  constructor(options: InventoryReconcilerOptions) {
    this.#options = options;
    this.#limits = { pageSize: options.limits?.pageSize ?? DEFAULT_PAGE_SIZE, maxPages: options.limits?.maxPages ?? DEFAULT_MAX_PAGES };
  }

  /**
   * The carriers a run covers: the one named (even if it is disabled or cannot list, so the answer says why), else
   * every enabled carrier.
   */
  targets(carrierId?: string): readonly string[] {
    const registrations = this.#options.manager.registrations;
    const chosen = carrierId === undefined ? registrations.filter((registration) => registration.enabled) : registrations.filter((registration) => registration.adapter.descriptor.id === carrierId);
    return chosen.map((registration) => registration.adapter.descriptor.id);
  }

  /** Fresh runs for these carriers (each starts now, or right after the one in progress): on demand. */
  reconcile(carrierIds: readonly string[], actor: string): Promise<CarrierReconciliation[]> {
    return Promise.all(carrierIds.map((carrierId) => this.#slot(carrierId).startFresh(() => this.#reconcileCarrier(carrierId, actor))));
  }

  /** Runs for these carriers, skipping each one whose run is in progress: the periodic job. */
  async reconcileIfIdle(carrierIds: readonly string[], actor: string): Promise<CarrierReconciliation[]> {
    const started = carrierIds.flatMap((carrierId) => this.#slot(carrierId).startIfIdle(() => this.#reconcileCarrier(carrierId, actor)) ?? []);
    return Promise.all(started);
  }

  /** Each carrier's latest finished run on this replica, for metrics. */
  latestRuns(): readonly CarrierReconciliation[] {
    return [...this.#latest.values()];
  }

  /** Aborts runs in progress (a listing cut short concludes nothing) and waits for them to end. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error("numbergate is shutting down"));
    await Promise.allSettled([...this.#runs.values()].flatMap((run) => run.pending));
  }

  #slot(carrierId: string): CoalescedRun<CarrierReconciliation> {
    let slot = this.#runs.get(carrierId);
    if (!slot) {
      slot = new CoalescedRun();
      this.#runs.set(carrierId, slot);
    }
    return slot;
  }

  async #reconcileCarrier(carrierId: string, actor: string): Promise<CarrierReconciliation> {
    const { store, manager, logger, now } = this.#options;
    // Once stopped, the store may be closing: nothing more is read or written.
    if (this.#stop.signal.aborted) return { carrierId, carrierNumbers: 0, numbergateNumbers: 0, error: STOPPED, recorded: [], gone: [], finishedAt: now() };
    const registration = manager.registrations.find((candidate) => candidate.adapter.descriptor.id === carrierId);
    const cannotRead = registration ? whyUnreadable(registration) : `${carrierId} is not a configured carrier`;
    const listing = cannotRead ? { ok: false as const, error: cannotRead } : await listCarrierNumbers(manager, carrierId, this.#limits, { now, logger, signal: this.#stop.signal });
    // From here on only the database is used, so a run writes its conclusions in one go.
    const numbergate = await store.inventoryDrifts.numbergateSide(carrierId);
    if (!listing.ok) {
      logger.warn({ carrier: carrierId, reason: listing.error }, "inventory reconciliation could not read the carrier's list; nothing concluded for it this run");
      return this.#finished({ carrierId, carrierNumbers: 0, numbergateNumbers: numbergate.live.length, error: listing.error, recorded: [], gone: [], finishedAt: now() });
    }
    const comparison = compareInventory(carrierId, listing.numbers, numbergate, listing.startedAt);
    const stamp = { actor, listedSince: listing.startedAt, now: now() };
    const recorded: InventoryDriftRecord[] = [];
    for (const observed of [...comparison.unknownToNumbergate, ...comparison.missingAtCarrier]) {
      const result = await store.inventoryDrifts.record(observed, () => newId("dft"), stamp);
      if (!result?.created) continue;
      recorded.push(result.drift);
      logger.warn({ carrier: carrierId, driftId: result.drift.id, phoneNumber: result.drift.phoneNumber, kind: result.drift.kind }, result.drift.detail);
    }
    const gone = await store.inventoryDrifts.markGone(carrierId, comparison.found, numbergate.inFlight, stamp);
    return this.#finished({ carrierId, carrierNumbers: listing.numbers.size, numbergateNumbers: numbergate.live.length, error: undefined, recorded, gone, finishedAt: now() });
  }

  #finished(result: CarrierReconciliation): CarrierReconciliation {
    this.#latest.set(result.carrierId, result);
    return result;
  }
}

/** Why a carrier's list cannot be asked for at all, without calling it. */
function whyUnreadable(registration: CarrierRegistration): string | undefined {
  const carrierId = registration.adapter.descriptor.id;
  if (!registration.enabled) return `${carrierId} is not enabled (${registration.disabledReason ?? "disabled"})`;
  if (!canListOwnedNumbers(registration.adapter)) return `${carrierId} cannot list its numbers: its adapter does not offer the inventory feature`;
  return undefined;
}
