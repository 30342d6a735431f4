import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import type { BreakerStateName, CarrierCallObserver } from "../domain/carrier-calls.js";
import { CarrierError, countsAgainstCarrier } from "../domain/carrier-error.js";
import { RollingWindow } from "./rolling-window.js";
import type { SlowStart } from "./slow-start.js";

export type HealthStatus = "healthy" | "degraded" | "unhealthy" | "disabled";

export interface CarrierHealthSnapshot {
  readonly carrierId: CarrierId;
  readonly status: HealthStatus;
  readonly healthy: boolean;
  /** Percent of successful probes and calls over the health window; 100 with no signal yet. */
  readonly uptime: number;
  readonly breakerState: BreakerStateName;
  readonly lastError: string | undefined;
  readonly lastCheckAt: number | undefined;
  readonly lastSuccessAt: number | undefined;
  /**
   * The share of its normal (first-choice) traffic the carrier gets now, 0-1: 0 while it takes none
   * (disabled, drained, breaker open) or is tried only after every other carrier (unhealthy), the slow-start
   * share while it ramps up after recovery, 1 otherwise. Routing uses this same number.
   */
  readonly trafficWeight: number;
  readonly statusChangedAt: number;
}

export type HealthChangeListener = (snapshot: CarrierHealthSnapshot) => void;

/**
 * Consecutive failed active probes after which a carrier counts as unhealthy. Failed calls are judged by the
 * circuit breaker instead (an open breaker is unhealthy), so that a carrier is never starved of the trial
 * calls that would let its breaker close.
 */
export const UNHEALTHY_AFTER_PROBE_FAILURES = 2;

interface CarrierHealthState {
  configEnabled: boolean;
  disabledReason: string;
  drained: boolean;
  breakerState: BreakerStateName;
  consecutiveProbeFailures: number;
  lastCallFailed: boolean;
  /** The carrier refused numbergate's credentials (401/403) and has not accepted a call since. */
  credentialsRejected: boolean;
  lastError: string | undefined;
  lastCheckAt: number | undefined;
  lastSuccessAt: number | undefined;
  status: HealthStatus;
  statusChangedAt: number;
  readonly window: RollingWindow;
}

export interface HealthMonitorOptions {
  readonly carriers: readonly { readonly carrierId: CarrierId; readonly enabled: boolean; readonly disabledReason?: string }[];
  readonly windowMs: number;
  readonly slowStart: SlowStart;
  readonly now: () => number;
}

/**
 * Health of every carrier from passive signals (real calls), active probes (fed by the prober) and breaker
 * events. Calls its "change" listeners with a snapshot when a carrier's status or breaker state really
 * changes, and only then: reading health never changes it. The one change that comes with time alone (a
 * ramp-up ending) is driven by a timer. Listeners are kept in a set rather than an EventEmitter, so any
 * number of WatchProviderHealth streams can listen without tripping the EventEmitter's leak warning.
 */
export class HealthMonitor implements CarrierCallObserver {
  readonly #states = new Map<CarrierId, CarrierHealthState>();
  readonly #slowStart: SlowStart;
  readonly #now: () => number;
  readonly #rampTimers = new Map<CarrierId, NodeJS.Timeout>();
  readonly #listeners = new Set<HealthChangeListener>();

  constructor(options: HealthMonitorOptions) {
    this.#slowStart = options.slowStart;
    this.#now = options.now;
    for (const carrier of options.carriers) {
      const state: CarrierHealthState = {
        configEnabled: carrier.enabled,
        disabledReason: carrier.disabledReason ?? "disabled",
        drained: false,
        breakerState: "closed",
        consecutiveProbeFailures: 0,
        credentialsRejected: false,
        lastCallFailed: false,
        lastError: undefined,
        lastCheckAt: undefined,
        lastSuccessAt: undefined,
        status: "healthy",
        statusChangedAt: options.now(),
        window: new RollingWindow(options.windowMs, options.now, 60),
      };
      state.status = this.#derive(carrier.carrierId, state);
      this.#states.set(carrier.carrierId, state);
    }
  }

  get carrierIds(): readonly CarrierId[] {
    return [...this.#states.keys()];
  }

  /** Listens to real changes of status or breaker state; each listener is called once per change. */
  on(_event: "change", listener: HealthChangeListener): this {
    this.#listeners.add(listener);
    return this;
  }

  off(_event: "change", listener: HealthChangeListener): this {
    this.#listeners.delete(listener);
    return this;
  }

  /** How many listeners are registered (a stream that ended must have removed its own). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  attemptFinished(carrierId: CarrierId, _operation: CarrierOperation, outcome: "success" | "failure", _durationMs: number, error?: unknown): void {
    this.#signal(carrierId, outcome === "success", error, false);
  }

  /** The result of an active probe. */
  probeFinished(carrierId: CarrierId, error: unknown): void {
    this.#signal(carrierId, error === undefined || !countsAgainstCarrier(error), error, true);
  }

  breakerChanged(carrierId: CarrierId, state: BreakerStateName): void {
    const health = this.#states.get(carrierId);
    if (!health || health.breakerState === state) return;
    health.breakerState = state;
    if (state === "closed") this.#beginRamp(carrierId);
    this.#update(carrierId, health, true);
  }

  /** Drain (no new calls) or re-enable; a re-enabled carrier ramps up gradually. */
  setDrained(carrierId: CarrierId, drained: boolean): void {
    const health = this.#states.get(carrierId);
    if (!health || health.drained === drained) return;
    health.drained = drained;
    if (!drained) this.#beginRamp(carrierId);
    this.#update(carrierId, health, false);
  }

  /**
   * The carrier's credentials were replaced (a reload after rotation): it is given a chance again, ramping up,
   * instead of staying unhealthy until a probe happens to succeed.
   */
  credentialsReplaced(carrierId: CarrierId): void {
    const health = this.#states.get(carrierId);
    if (!health || !health.credentialsRejected) return;
    health.credentialsRejected = false;
    health.lastError = undefined;
    this.#beginRamp(carrierId);
    this.#update(carrierId, health, false);
  }

  isDrained(carrierId: CarrierId): boolean {
    return this.#states.get(carrierId)?.drained ?? false;
  }

  /** A carrier's health now. A read: it never changes state and never notifies listeners. */
  snapshot(carrierId: CarrierId): CarrierHealthSnapshot | undefined {
    const health = this.#states.get(carrierId);
    return health ? this.#describe(carrierId, health) : undefined;
  }

  /** What routing needs, without reading the uptime window: cheap enough for every search. */
  routingState(carrierId: CarrierId): Pick<CarrierHealthSnapshot, "status" | "breakerState" | "trafficWeight"> | undefined {
    const health = this.#states.get(carrierId);
    if (!health) return undefined;
    return { status: health.status, breakerState: health.breakerState, trafficWeight: this.#trafficWeight(carrierId, health) };
  }

  snapshots(): CarrierHealthSnapshot[] {
    return this.carrierIds.flatMap((carrierId) => this.snapshot(carrierId) ?? []);
  }

  /** Whether any carrier can take traffic (for grpc.health.v1). */
  get anyCarrierCanServe(): boolean {
    return [...this.#states.values()].some((health) => health.status === "healthy" || health.status === "degraded");
  }

  dispose(): void {
    for (const timer of this.#rampTimers.values()) clearTimeout(timer);
    this.#rampTimers.clear();
    this.#listeners.clear();
  }

  #signal(carrierId: CarrierId, success: boolean, error: unknown, fromProbe: boolean): void {
    const health = this.#states.get(carrierId);
    if (!health) return;
    const now = this.#now();
    health.window.record(success);
    if (fromProbe) health.lastCheckAt = now;
    if (fromProbe) health.consecutiveProbeFailures = success ? 0 : health.consecutiveProbeFailures + 1;
    else health.lastCallFailed = !success;
    if (success) health.lastSuccessAt = now;
    else health.lastError = error instanceof Error ? error.message : "carrier call failed";
    // Wrong credentials do not heal by retrying: the carrier is unhealthy (tried last, never retried) until it
    // accepts a call again or the credentials are replaced, and says what to do.
    if (success) health.credentialsRejected = false;
    else if (CarrierError.is(error) && error.kind === "auth") {
      health.credentialsRejected = true;
      health.lastError = `${carrierId} rejected numbergate's credentials${error.httpStatus === undefined ? "" : ` (HTTP ${error.httpStatus})`}: fix them in the configuration, then send numbergate SIGHUP to reload them`;
    }
    this.#update(carrierId, health, false);
  }

  #beginRamp(carrierId: CarrierId): void {
    this.#slowStart.begin(carrierId);
    const remaining = this.#slowStart.remainingMs(carrierId);
    if (remaining === undefined) return;
    clearTimeout(this.#rampTimers.get(carrierId));
    // Re-derive when the ramp ends, so watchers see degraded -> healthy without waiting for traffic.
    const timer = setTimeout(() => {
      this.#rampTimers.delete(carrierId);
      const health = this.#states.get(carrierId);
      if (health) this.#update(carrierId, health, false);
    }, remaining + 1);
    timer.unref();
    this.#rampTimers.set(carrierId, timer);
  }

  #derive(carrierId: CarrierId, health: CarrierHealthState): HealthStatus {
    if (!health.configEnabled || health.drained) return "disabled";
    if (health.breakerState === "open" || health.credentialsRejected) return "unhealthy";
    if (health.breakerState === "half_open") return "degraded";
    if (health.consecutiveProbeFailures >= UNHEALTHY_AFTER_PROBE_FAILURES) return "unhealthy";
    if (health.consecutiveProbeFailures > 0 || health.lastCallFailed || this.#slowStart.weight(carrierId) < 1) return "degraded";
    return "healthy";
  }

  /** Re-derives the status after an input changed; notifies listeners when status or breaker state changed. */
  #update(carrierId: CarrierId, health: CarrierHealthState, breakerChanged: boolean): void {
    const status = this.#derive(carrierId, health);
    if (status === health.status && !breakerChanged) return;
    if (status !== health.status) {
      health.status = status;
      health.statusChangedAt = this.#now();
    }
    const snapshot = this.#describe(carrierId, health);
    for (const listener of [...this.#listeners]) listener(snapshot);
  }

  #trafficWeight(carrierId: CarrierId, health: CarrierHealthState): number {
    if (health.status === "disabled" || health.status === "unhealthy" || health.breakerState === "open") return 0;
    return this.#slowStart.weight(carrierId);
  }

  #describe(carrierId: CarrierId, health: CarrierHealthState): CarrierHealthSnapshot {
    const counts = health.window.read();
    return {
      carrierId,
      status: health.status,
      healthy: health.status === "healthy" || health.status === "degraded",
      uptime: counts.total === 0 ? 100 : (counts.successful / counts.total) * 100,
      breakerState: health.breakerState,
      lastError: health.lastError,
      lastCheckAt: health.lastCheckAt,
      lastSuccessAt: health.lastSuccessAt,
      trafficWeight: this.#trafficWeight(carrierId, health),
      statusChangedAt: health.statusChangedAt,
    };
  }
}
