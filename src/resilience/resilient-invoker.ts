import type { CarrierLimits, ResilienceSettings } from "../config/load-config.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import type { CarrierInvocationOptions, CarrierInvoker } from "../domain/carrier-calls.js";
import type { Logger } from "../telemetry/logger.js";
import type { SpanStarter } from "../telemetry/tracing-noop.js";
import { CarrierPipeline, type BreakerStateName, type CarrierCallObserver } from "./carrier-pipeline.js";

export interface ResilientInvokerOptions {
  readonly carriers: readonly { readonly carrierId: CarrierId; readonly limits: CarrierLimits }[];
  readonly settings: ResilienceSettings;
  /** Everyone who wants to hear about attempts and breaker changes (metrics, health). */
  readonly observers: readonly CarrierCallObserver[];
  /** Where each attempt's CLIENT span and log line go (see attempt-spans.ts); the no-op tracer and no log by default. */
  readonly tracer?: SpanStarter;
  readonly logger?: Logger;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** Calls every carrier through its own resilience pipeline. */
export class ResilientInvoker implements CarrierInvoker {
  readonly #pipelines = new Map<CarrierId, CarrierPipeline>();

  constructor(options: ResilientInvokerOptions) {
    const observer: CarrierCallObserver = {
      attemptFinished: (...event) => options.observers.forEach((each) => each.attemptFinished(...event)),
      breakerChanged: (...event) => options.observers.forEach((each) => each.breakerChanged(...event)),
      retryScheduled: (...event) => options.observers.forEach((each) => each.retryScheduled?.(...event)),
    };
    for (const carrier of options.carriers) {
      this.#pipelines.set(
        carrier.carrierId,
        new CarrierPipeline({ carrierId: carrier.carrierId, settings: options.settings, limits: carrier.limits, observer, tracer: options.tracer, logger: options.logger, random: options.random, now: options.now }),
      );
    }
  }

  invoke<Result>(
    carrierId: CarrierId,
    operation: CarrierOperation,
    call: (signal: AbortSignal | undefined) => Promise<Result>,
    options: CarrierInvocationOptions,
  ): Promise<Result> {
    const pipeline = this.#pipelines.get(carrierId);
    if (!pipeline) return Promise.reject(new Error(`no resilience pipeline for carrier ${carrierId}`));
    return pipeline.run(operation, call, options.signal);
  }

  attemptTimeoutMs(carrierId: CarrierId, operation: CarrierOperation): number | undefined {
    return this.#pipelines.get(carrierId)?.attemptTimeoutMs(operation);
  }

  breakerState(carrierId: CarrierId): BreakerStateName | undefined {
    return this.#pipelines.get(carrierId)?.breakerState;
  }

  breakerRetryAfterMs(carrierId: CarrierId): number | undefined {
    return this.#pipelines.get(carrierId)?.breakerRetryAfterMs;
  }

  dispose(): void {
    for (const pipeline of this.#pipelines.values()) pipeline.dispose();
  }
}
