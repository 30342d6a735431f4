import type { ParsedPhoneNumber } from "../domain/phone-number.js";
import type { AvailableNumberOffer, NumberSearchCriteria } from "../domain/numbers.js";
import type { ProviderOutcome } from "./provider-outcome.js";

export interface SearchNumbersQuery {
  readonly criteria: Omit<NumberSearchCriteria, "limit">;
  /** Total numbers wanted across carriers. */
  readonly limit: number;
  readonly maxMonthlyRateCents?: number;
  readonly carrierIds: readonly string[];
  /**
   * The caller's deadline, epoch milliseconds (the gRPC deadline). Each carrier gets a share of the time left
   * so the next one can still answer; when absent, one is inferred from the per-attempt timeouts.
   */
  readonly deadline?: number;
}

export interface SearchNumbersResult {
  readonly numbers: readonly AvailableNumberOffer[];
  readonly outcomes: readonly ProviderOutcome[];
  readonly warnings: readonly string[];
}

export interface AvailabilityQuery {
  readonly number: ParsedPhoneNumber;
  readonly carrierId?: string;
  /** The caller's deadline, epoch milliseconds; see SearchNumbersQuery.deadline. */
  readonly deadline?: number;
}

export interface AvailabilityResult {
  readonly offer: AvailableNumberOffer | undefined;
  readonly outcomes: readonly ProviderOutcome[];
}

export interface CacheSettings {
  readonly searchTtlMs: number;
  readonly searchStaleTtlMs: number;
  readonly availabilityTtlMs: number;
}
