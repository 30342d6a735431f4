import { inLinkedTrace } from "../telemetry/trace-links.js";
import { NOOP_TRACER } from "../telemetry/tracing-noop.js";
import type { LifecycleContext } from "./lifecycle-context.js";
import { workOrder } from "./order-execution.js";
import { workRelease } from "./release-execution.js";
import type { ReservationService } from "./reservation-service.js";

const BATCH = 20;

/**
 * Background work every replica runs: expire reservations, and finish orders and releases that are pending at
 * an async carrier, in doubt, or abandoned by a dead replica (its lease expired). Leases keep two replicas off
 * one record; a record being worked here keeps its lease renewed.
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
    if (this.context.detached.stopping) return Promise.resolve();
    this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Stops starting passes and waits for the one in progress (its carrier calls are bounded by their budgets). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  async #sweep(): Promise<void> {
    const { store, now, settings, replicaId, logger, detached } = this.context;
    try {
      await this.reservations.expireDue();
      const tracer = this.context.tracer ?? NOOP_TRACER;
      for (const order of await store.orders.claimDue(replicaId, now(), settings.leaseMs, BATCH)) {
        const span = { name: "numbergate.order.reconcile", traceParent: order.traceParent, attributes: { "numbergate.order.id": order.id, "numbergate.order.state": order.state, "numbergate.carrier": order.carrierId } };
        await this.#work(order.id, () => inLinkedTrace(tracer, span, () => workOrder(this.context, order, detached.signal)), () => store.orders.releaseLease(order.id, replicaId));
      }
      for (const release of await store.releases.claimDue(replicaId, now(), settings.leaseMs, BATCH)) {
        const span = { name: "numbergate.release.reconcile", traceParent: undefined, attributes: { "numbergate.release.id": release.id, "numbergate.release.state": release.state, "numbergate.carrier": release.carrierId } };
        await this.#work(release.id, () => inLinkedTrace(tracer, span, () => workRelease(this.context, release, detached.signal)), () => store.releases.releaseLease(release.id, replicaId));
      }
    } catch (error) {
      logger.error({ err: error }, "lifecycle sweep failed; it runs again at the next interval");
    }
  }

  async #work(id: string, work: () => Promise<unknown>, releaseLease: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.context.logger.error({ err: error, id }, "could not finish working a record; it is picked up again at a later sweep");
    } finally {
      await releaseLease().catch((error: unknown) => this.context.logger.error({ err: error, id }, "could not release a lease; it lapses by itself"));
    }
  }
}
