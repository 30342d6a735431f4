import type { Logger } from "../telemetry/logger.js";
import type { InventoryReconciler } from "./inventory-reconciler.js";

/** What the job needs of the reconciler. */
export type PeriodicReconciler = Pick<InventoryReconciler, "reconcileIfIdle" | "targets">;

export interface InventoryJobOptions {
  /** NUMBERGATE_RECONCILE_INTERVAL: between runs, ms; 0 runs only on demand. */
  readonly intervalMs: number;
  /** Who the audit log names for what periodic runs find. */
  readonly actor: string;
  readonly logger: Logger;
  readonly random?: () => number;
}

/** Each delay is the interval ±20%, so replicas started together drift apart instead of listing carriers in step. */
const JITTER = 0.2;

/**
 * Reconciles every enabled carrier every interval (jittered), on each replica; a carrier whose run is still in
 * progress is skipped. The first run comes one interval after start, not at start: a fleet restarting does
 * not list every carrier at once.
 */
export class InventoryJob {
  readonly #reconciler: PeriodicReconciler;
  readonly #options: InventoryJobOptions;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #stopped = false;

  constructor(reconciler: PeriodicReconciler, options: InventoryJobOptions) {
    this.#reconciler = reconciler;
    this.#options = options;
  }

  start(): void {
    if (this.#options.intervalMs > 0) this.#schedule();
  }

  /** No more runs; resolves once the one in progress has ended (InventoryReconciler.stop cuts it short). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const random = this.#options.random ?? Math.random;
    const delay = Math.max(1, Math.round(this.#options.intervalMs * (1 - JITTER + 2 * JITTER * random())));
    this.#timer = setTimeout(() => {
      this.#tick = this.#run().finally(() => {
        this.#tick = undefined;
        this.#schedule();
      });
    }, delay);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    const { logger, actor } = this.#options;
    try {
      const results = await this.#reconciler.reconcileIfIdle(this.#reconciler.targets(), actor);
      for (const result of results) {
        logger.info(
          { carrier: result.carrierId, carrierNumbers: result.carrierNumbers, numbergateNumbers: result.numbergateNumbers, newDrifts: result.recorded.length, goneDrifts: result.gone.length, error: result.error },
          "periodic inventory reconciliation",
        );
      }
    } catch (error) {
      logger.error({ err: error }, "periodic inventory reconciliation failed; it runs again at the next interval");
    }
  }
}
