import type { CarrierError } from "./carrier-error.js";
import type { ErrorReasonName } from "./error-reason.js";
import type { OrderFailure } from "./order-failure.js";

export type { OrderFailure } from "./order-failure.js";

/** One bad request field, named as in the proto (snake_case path). */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/** The request is invalid; each violation names its field. Maps to INVALID_ARGUMENT + BadRequest. */
export class InvalidRequestError extends Error {
  readonly violations: readonly FieldViolation[];
  /**
   * INVALID_FIELD; UNKNOWN_PROVIDER when a provider id names no configured carrier; RESERVATION_INVALID when a
   * reservation id names no reservation; MALFORMED_REQUEST when the request could not be decoded at all.
   */
  readonly reason: ErrorReasonName;

  constructor(violations: readonly FieldViolation[], reason: ErrorReasonName = "INVALID_FIELD", message?: string) {
    super(message ?? violations.map((violation) => `${violation.field}: ${violation.description}`).join("; "));
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

/**
 * A call refused at the door: no credential numbergate accepts (`unauthenticated`), or a known caller without
 * the role the RPC takes (`permission_denied`). The message never repeats the credential.
 */
export class AccessDeniedError extends Error {
  constructor(
    readonly kind: "unauthenticated" | "permission_denied",
    message: string,
    readonly metadata: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "AccessDeniedError";
  }
}

export type LifecycleErrorKind = "already_exists" | "failed_precondition" | "not_found" | "unavailable";

/** A lifecycle rule the request breaks (request_id reused, number held, unknown order, ...). */
export class LifecycleError extends Error {
  readonly kind: LifecycleErrorKind;
  readonly reason: ErrorReasonName;
  readonly metadata: Readonly<Record<string, string>>;
  /** The request fields the error is about (an id that names nothing, a reservation that cannot be used). */
  readonly violations: readonly FieldViolation[];

  constructor(
    kind: LifecycleErrorKind,
    reason: ErrorReasonName,
    message: string,
    metadata: Record<string, string> = {},
    violations: readonly FieldViolation[] = [],
  ) {
    super(message);
    this.name = "LifecycleError";
    this.kind = kind;
    this.reason = reason;
    this.metadata = metadata;
    this.violations = violations;
  }
}

/**
 * Why a purchase order failed as a whole, as far as numbergate can tell: the carrier error that refused it,
 * numbergate not calling the carrier at all, the carrier refusing it in its own words (an order status), or
 * a request whose answer was lost and that the carrier turned out never to have acted on.
 */
/**
 * A purchase order ended FAILED: nothing was bought. Like a declined payment, that is an error for the caller,
 * and the same error every time the same request_id asks again; the order itself stays readable by its id.
 */
export class OrderFailedError extends Error {
  readonly orderId: string;
  readonly carrierId: string;
  readonly failure: OrderFailure;

  /** `detail` is numbergate's own account of the failure; a carrier's own words stay in the order's items. */
  constructor(orderId: string, carrierId: string, failure: OrderFailure, detail: string) {
    const why = failure.kind === "carrier_refused" ? `${carrierId} refused it (GetNumberOrder shows why, number by number)` : detail;
    super(`order ${orderId} failed, nothing was bought: ${why}`);
    this.name = "OrderFailedError";
    this.orderId = orderId;
    this.carrierId = carrierId;
    this.failure = failure;
  }
}
