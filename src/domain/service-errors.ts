import type { CarrierError } from "./carrier-error.js";
import type { ErrorReasonName } from "./error-reason.js";

/** One bad request field, named as in the proto (snake_case path). */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/** The request is invalid; each violation names its field. Maps to INVALID_ARGUMENT + BadRequest. */
export class InvalidRequestError extends Error {
  readonly violations: readonly FieldViolation[];
  /** INVALID_FIELD, or UNKNOWN_PROVIDER when a provider id names no configured carrier. */
  readonly reason: ErrorReasonName;

  constructor(violations: readonly FieldViolation[], reason: ErrorReasonName = "INVALID_FIELD") {
    super(violations.map((violation) => `${violation.field}: ${violation.description}`).join("; "));
    this.name = "InvalidRequestError";
    this.violations = violations;
    this.reason = reason;
  }
}

/** No configured carrier can serve the request; `skipped` says why, per carrier. Maps to FAILED_PRECONDITION. */
export class NoEligibleCarrierError extends Error {
  readonly skipped: ReadonlyMap<string, string>;

  constructor(message: string, skipped: ReadonlyMap<string, string>) {
    super(message);
    this.name = "NoEligibleCarrierError";
    this.skipped = skipped;
  }
}

/** Several carriers were asked and every one failed. */
export class AllCarriersFailedError extends Error {
  readonly failures: readonly CarrierError[];

  constructor(failures: readonly CarrierError[]) {
    super(`every eligible carrier failed: ${failures.map((failure) => `${failure.carrierId}: ${failure.message}`).join("; ")}`);
    this.name = "AllCarriersFailedError";
    this.failures = failures;
  }
}

/** An RPC of the contract that this server does not implement yet. */
export class NotImplementedError extends Error {
  constructor(rpc: string, plannedIn: string) {
    super(`${rpc} is not implemented yet (${plannedIn}); numbergate answers UNIMPLEMENTED rather than inventing data`);
    this.name = "NotImplementedError";
  }
}

/**
 * numbergate will not call the carrier now: its circuit breaker is open, it is drained, or numbergate's own
 * concurrency limit for it is full. Not a carrier failure, so it never counts against the carrier.
 */
export class CarrierUnavailableError extends Error {
  readonly carrierId: string;
  /** When a call may be admitted again, if known. */
  readonly retryAfterMs: number | undefined;

  constructor(carrierId: string, message: string, retryAfterMs?: number) {
    super(message);
    this.name = "CarrierUnavailableError";
    this.carrierId = carrierId;
    this.retryAfterMs = retryAfterMs;
  }
}

export type LifecycleErrorKind = "already_exists" | "failed_precondition" | "not_found" | "unavailable";

/** A lifecycle rule the request breaks (request_id reused, number held, unknown order, ...). */
export class LifecycleError extends Error {
  readonly kind: LifecycleErrorKind;
  readonly reason: ErrorReasonName;
  readonly metadata: Readonly<Record<string, string>>;

  constructor(kind: LifecycleErrorKind, reason: ErrorReasonName, message: string, metadata: Record<string, string> = {}) {
    super(message);
    this.name = "LifecycleError";
    this.kind = kind;
    this.reason = reason;
    this.metadata = metadata;
  }
}
