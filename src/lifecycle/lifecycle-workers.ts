import type { LifecycleContext } from "./lifecycle-context.js";
import { resolveOrder } from "./order-execution.js";
import type { ReservationService } from "./reservation-service.js";

/**
 * Background work every replica runs: expire reservations, and finish orders that are pending at an async
 * carrier, in doubt, or abandoned by a dead replica (its lease expired). Leases keep two replicas off one order.
 */
export class LifecycleWorkers {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly context: LifecycleContext,
    private readonly reservations: ReservationService,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.sweep(), this.context.settings.sweepIntervalMs);
    this.#timer.unref();
    void this.sweep();
  }

  /** One pass; overlapping calls share the pass in progress. */
  sweep(): Promise<void> {
    this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  async #sweep(): Promise<void> {
    const { store, now, settings, replicaId, logger } = this.context;
    try {
      await this.reservations.expireDue();
      const orders = await store.orders.claimDue(replicaId, now(), settings.leaseMs, 20);
      for (const order of orders) {
        try {
          await resolveOrder(this.context, order);
        } finally {
          await store.orders.releaseLease(order.id, replicaId);
        }
      }
    } catch (error) {
      logger.error({ err: error }, "lifecycle sweep failed; it runs again at the next interval");
    }
  }
}
