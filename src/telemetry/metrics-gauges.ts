import type { Meter } from "@opentelemetry/api";
import type { Logger } from "./logger.js";

/** What the health gauges read of each carrier (HealthMonitor.snapshots() gives exactly this). */
export interface CarrierHealthReading {
  readonly carrierId: string;
  readonly status: string;
  readonly breakerState: string;
  readonly trafficWeight: number;
}

/** What the order gauges read (Store.counts(), cached there). */
export interface OrderStateReading {
  readonly numberOrders: Readonly<Record<string, number>>;
  readonly portingOrders: Readonly<Record<string, number>>;
}

export const HEALTH_STATUSES = ["healthy", "degraded", "unhealthy", "disabled"] as const;

/** numbergate.carrier.breaker.state: one series per carrier, its value the state. */
export const BREAKER_STATE_VALUES: Readonly<Record<string, number>> = { closed: 0, half_open: 1, open: 2 };

/**
 * Carrier health, read from the HealthMonitor's snapshots at each scrape: numbergate.carrier.health.status (one
 * series per carrier and status, 1 for the current one, 0 for the others), numbergate.carrier.breaker.state
 * (0 closed, 1 half-open, 2 open) and numbergate.carrier.traffic.weight (0-1, the slow-start share routing uses).
 */
export function observeCarrierHealth(meter: Meter, snapshots: () => readonly CarrierHealthReading[]): void {
  const status = meter.createObservableGauge("numbergate.carrier.health.status", {
    description: "Carrier health status: 1 for the carrier's current status, 0 for the others",
  });
  const breaker = meter.createObservableGauge("numbergate.carrier.breaker.state", {
    description: "Carrier circuit breaker state: 0 closed, 1 half-open, 2 open",
  });
  const weight = meter.createObservableGauge("numbergate.carrier.traffic.weight", {
    description: "Share of its normal traffic the carrier gets now (0 to 1; below 1 while ramping up after recovery)",
  });
  meter.addBatchObservableCallback(
    (result) => {
      for (const snapshot of snapshots()) {
        const carrier = snapshot.carrierId;
        for (const each of HEALTH_STATUSES) result.observe(status, snapshot.status === each ? 1 : 0, { carrier, status: each });
        const breakerValue = BREAKER_STATE_VALUES[snapshot.breakerState];
        if (breakerValue !== undefined) result.observe(breaker, breakerValue, { carrier });
        result.observe(weight, snapshot.trafficWeight, { carrier });
      }
    },
    [status, breaker, weight],
  );
}

/**
 * numbergate.number_orders and numbergate.porting_orders, by state, from the store's cached counts. When the
 * database does not answer, the two series are left out of that scrape (and the failure logged), rather than
 * reported as zeros.
 */
export function observeOrderStates(meter: Meter, counts: () => Promise<OrderStateReading>, logger: Logger): void {
  const numberOrders = meter.createObservableGauge("numbergate.number_orders", {
    description: "Number orders by state (in_doubt: the carrier may or may not have acted; being resolved)",
    unit: "{order}",
  });
  const portingOrders = meter.createObservableGauge("numbergate.porting_orders", {
    description: "Porting orders by state",
    unit: "{order}",
  });
  meter.addBatchObservableCallback(async (result) => {
    const reading = await counts().catch((error: unknown) => {
      logger.warn({ err: error }, "metrics: could not count orders by state");
      return undefined;
    });
    if (!reading) return;
    for (const [state, count] of Object.entries(reading.numberOrders)) result.observe(numberOrders, count, { state });
    for (const [state, count] of Object.entries(reading.portingOrders)) result.observe(portingOrders, count, { state });
  }, [numberOrders, portingOrders]);
}

/**
 * numbergate.ready: 1 while the replica would answer /readyz with 200 (store reachable, a carrier can serve, not
 * shutting down), 0 otherwise; checked at each scrape, so an alert sees readiness failing without probing /readyz.
 */
export function observeReadiness(meter: Meter, ready: () => Promise<boolean>): void {
  const gauge = meter.createObservableGauge("numbergate.ready", {
    description: "1 while this replica is ready for traffic (as GET /readyz answers), 0 otherwise",
    unit: "1",
  });
  meter.addBatchObservableCallback(async (result) => {
    result.observe(gauge, (await ready().catch(() => false)) ? 1 : 0);
  }, [gauge]);
}
