import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";

export interface CarrierInvocationOptions {
  /** The caller's signal (gRPC deadline or cancellation). */
  readonly signal?: AbortSignal;
}

/**
 * How the manager calls a carrier. The manager decides which carrier; the invoker decides how (timeout,
 * retry, circuit breaker, concurrency, metrics). Keeping it one interface lets the resilience pipeline
 * replace the direct invoker without touching selection logic.
 */
export interface CarrierInvoker {
  invoke<Result>(
    carrierId: CarrierId,
    operation: CarrierOperation,
    call: (signal: AbortSignal | undefined) => Promise<Result>,
    options: CarrierInvocationOptions,
  ): Promise<Result>;
}

/** Calls the carrier once, with the caller's signal only. */
export const directInvoker: CarrierInvoker = {
  invoke: (_carrierId, _operation, call, options) => call(options.signal),
};
