import { whileLeased } from "../lifecycle/lease-keeper.js";
import type { PortingOrderRecord } from "../store/porting-records.js";
import { inLinkedTrace } from "../telemetry/trace-links.js";
import { NOOP_TRACER } from "../telemetry/tracing-noop.js";
import { recordPortStatus, type PortingContext } from "./porting-context.js";
import { callPorting, resolveResubmission, resolveSubmission, submitPort } from "./porting-submission.js";

const BATCH = 20;

/** Between checks of a port: the interval after a change, doubling while nothing changes, capped. */
export function nextCheckDelay(settings: PortingContext["settings"], unchangedChecks: number): number {
  return Math.min(settings.pollIntervalMs * 2 ** Math.min(unchangedChecks, 20), Math.max(settings.pollIntervalMs, settings.maxPollIntervalMs));
}

/**
 * Follows open ports on their carriers: every replica sweeps, a lease keeps two replicas off one port, and a
 * dead replica's ports are taken over once its lease lapses. Callbacks move ports sooner; polling is what makes
 * sure they move at all. Each check reschedules the port with backoff while nothing changes.
 */
export class PortingPoller {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly context: PortingContext,
    private readonly sweepIntervalMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.sweep(), this.sweepIntervalMs);
    this.#timer.unref();
    void this.sweep();
  }

  /**
   * One pass over the ports due for a check; overlapping calls share the pass in progress. `horizonMs` also takes
   * ports due within that long (an operator's "check now", and tests that do not wait for the schedule).
   */
  async sweep(horizonMs = 0): Promise<void> {
    if (this.#stopped) return;
    while (this.#running) await this.#running;
    this.#running = this.#sweep(horizonMs).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  async #sweep(horizonMs: number): Promise<void> {
    const { store, now, replicaId, settings, logger } = this.context;
    try {
      for (const id of await store.portingOrders.claimDue(replicaId, now(), settings.leaseMs, BATCH, horizonMs)) {
        if (this.#stopped) break;
        await this.#check(id);
      }
    } catch (error) {
      logger.error({ err: error }, "porting sweep failed; it runs again at the next interval");
    }
  }

  async #check(id: string): Promise<void> {
    const { store, now, replicaId, settings, logger } = this.context;
    let changed = false;
    let order: PortingOrderRecord | undefined;
    try {
      order = await store.portingOrders.get(id);
      if (!order) return;
      const current = order;
      const span = { name: "numbergate.porting.check", traceParent: current.traceParent, attributes: { "numbergate.porting_order.id": id, "numbergate.porting_order.state": current.state, "numbergate.carrier": current.carrierId } };
      changed = await inLinkedTrace(this.context.tracer ?? NOOP_TRACER, span, () =>
        whileLeased(
          { leaseMs: settings.leaseMs, now, logger, what: id },
          (until, at) => store.portingOrders.renewLease(id, replicaId, until, at),
          () => this.#advance(current),
        ),
      );
    } catch (error) {
      logger.warn({ err: error, portingOrderId: id }, "could not check a port at its carrier; checking again later");
    } finally {
      const attempts = changed ? 0 : (order?.pollAttempt ?? 0) + 1;
      await store.portingOrders
        .scheduleNextCheck(id, replicaId, now() + nextCheckDelay(settings, attempts), attempts)
        .catch((error: unknown) => logger.error({ err: error, portingOrderId: id }, "could not schedule a port's next check; its lease lapses by itself"));
    }
  }

  /** Moves one port forward as far as the carrier says; whether anything changed. */
  async #advance(order: PortingOrderRecord): Promise<boolean> {
    const before = order.updatedAt;
    if (order.resubmissionStartedAt !== undefined) {
      await resolveResubmission(this.context, order, this.signal);
    } else if (order.state === "pending" && order.carrierOrderId === undefined) {
      if (order.submissionStartedAt === undefined) await submitPort(this.context, order, "numbergate", this.signal);
      else await resolveSubmission(this.context, order, this.signal);
    } else if (order.carrierOrderId !== undefined) {
      const carrierOrderId = order.carrierOrderId;
      const status = await callPorting(this.context, order.carrierId, "port_in_status", (porting, callSignal) => porting.doGetPortIn(carrierOrderId, { signal: callSignal }), this.signal);
      const result = await recordPortStatus(this.context, order.id, status, "carrier poll", "numbergate");
      return result.kind === "transition";
    }
    const after = await this.context.store.portingOrders.get(order.id);
    return after !== undefined && (after.updatedAt !== before || after.state !== order.state);
  }
}
