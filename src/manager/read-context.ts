import type { CarrierReadObserver } from "../domain/carrier-calls.js";
import type { PriceTable } from "../config/price-table.js";
import { CarrierError } from "../domain/carrier-error.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";
import type { CarrierId } from "../domain/numbers.js";
import { isTimeLimit, type CarrierInvoker } from "./carrier-invoker.js";
import type { CarrierRegistration } from "./carrier-registry.js";
import type { HedgeDelay } from "./hedging.js";
import { ReadDeadline } from "./read-deadline.js";

/** What a read across carriers (search, availability) needs from the manager. */
export interface ReadContext {
  readonly invoker: CarrierInvoker;
  /** Told of each cache lookup and single-flight join. */
  readonly reads: CarrierReadObserver;
  readonly priceTable: PriceTable;
  /**
   * Every number someone holds or owns (the shared store's snapshot, one object while it is current): hidden
   * from answers.
   */
  readonly heldSnapshot: () => Promise<ReadonlySet<string>>;
  readonly hedgeDelay: HedgeDelay;
  /** Wall-clock epoch milliseconds, the unit of deadlines. */
  readonly now: () => number;
}

/**
 * The deadline a read works to: the caller's when it is known; otherwise one inferred from the per-attempt
 * timeouts, one PROVIDER_TIMEOUT_* per tier of carriers to try (the longest of the tier: its carriers are
 * asked together), so that without a deadline a hanging carrier still costs one attempt timeout and leaves
 * the next tiers theirs. Infinity when the invoker enforces no timeout.
 */
export function readDeadline(
  context: ReadContext,
  operation: CarrierOperation,
  tiers: readonly (readonly CarrierRegistration[])[],
  callerDeadline: number | undefined,
  signal: AbortSignal | undefined,
): ReadDeadline {
  if (callerDeadline !== undefined) return new ReadDeadline(callerDeadline, context.now, signal);
  let budgetMs = 0;
  for (const tier of tiers) {
    let tierMs = 0;
    for (const registration of tier) {
      const timeoutMs = context.invoker.attemptTimeoutMs?.(registration.adapter.descriptor.id, operation);
      if (timeoutMs === undefined) return new ReadDeadline(Number.POSITIVE_INFINITY, context.now, signal);
      tierMs = Math.max(tierMs, timeoutMs);
    }
    budgetMs += tierMs;
  }
  return new ReadDeadline(context.now() + budgetMs, context.now, signal);
}

/**
 * A carrier read's failure as the rest of the manager reports it: a caller whose allowance ran out while it
 * waited for the carrier saw the carrier time out.
 */
export function readFailure(error: unknown, carrierId: CarrierId, operation: CarrierOperation): unknown {
  if (!isTimeLimit(error)) return error;
  return new CarrierError({
    kind: "timeout",
    carrierId,
    operation,
    message: `${carrierId} did not answer within the ${Math.round(error.limitMs)} ms it was given`,
    requestMayHaveReachedCarrier: true,
    cause: error,
  });
}
