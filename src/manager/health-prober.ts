import { CarrierError } from "../domain/carrier-error.js";
import type { CarrierId } from "../domain/numbers.js";
import type { HealthMonitor } from "./carrier-health.js";
import type { CarrierRegistration } from "./carrier-registry.js";

export interface HealthProberOptions {
  readonly registrations: readonly CarrierRegistration[];
  readonly monitor: HealthMonitor;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** A probe result younger than this is reused by on-demand checks (GetProviderHealth). */
  readonly cacheTtlMs: number;
  readonly now: () => number;
}

/**
 * Active health checks: a cheap authenticated read (adapter.doProbeHealth) on every enabled carrier every
 * interval, and on demand when the last result is older than the cache TTL. Probes do not go through the
 * resilience pipeline: they must reach a carrier whose breaker is open to notice it is back.
 */
export class HealthProber {
  readonly #options: HealthProberOptions;
  readonly #inFlight = new Map<CarrierId, Promise<void>>();
  readonly #lastProbedAt = new Map<CarrierId, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: HealthProberOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => void this.probeAll(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async probeAll(): Promise<void> {
    await Promise.all(this.#options.registrations.filter((registration) => registration.enabled).map((registration) => this.probe(registration.adapter.descriptor.id)));
  }

  /** Probes now unless a probe of the carrier is younger than the cache TTL. */
  async refreshIfStale(carrierId: CarrierId): Promise<void> {
    const last = this.#lastProbedAt.get(carrierId);
    if (last !== undefined && this.#options.now() - last < this.#options.cacheTtlMs) return;
    await this.probe(carrierId);
  }

  /** One probe per carrier at a time; concurrent callers share it. */
  probe(carrierId: CarrierId): Promise<void> {
    const running = this.#inFlight.get(carrierId);
    if (running) return running;
    const registration = this.#options.registrations.find((candidate) => candidate.adapter.descriptor.id === carrierId);
    if (!registration?.enabled) return Promise.resolve();
    const probe = this.#run(registration).finally(() => this.#inFlight.delete(carrierId));
    this.#inFlight.set(carrierId, probe);
    return probe;
  }

  async #run(registration: CarrierRegistration): Promise<void> {
    const carrierId = registration.adapter.descriptor.id;
    const controller = new AbortController();
    // A probe that does not answer in time is a carrier failure (a plain Error would read as a client error).
    const timedOut = new CarrierError({ kind: "timeout", carrierId, operation: "probe", message: `health probe of ${carrierId} timed out after ${this.#options.timeoutMs} ms`, requestMayHaveReachedCarrier: true });
    const timer = setTimeout(() => controller.abort(timedOut), this.#options.timeoutMs);
    let failure: unknown;
    try {
      await registration.adapter.doProbeHealth({ signal: controller.signal });
    } catch (error) {
      failure = controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      clearTimeout(timer);
    }
    this.#lastProbedAt.set(carrierId, this.#options.now());
    this.#options.monitor.probeFinished(carrierId, failure);
  }
}
