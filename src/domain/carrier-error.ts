import type { CarrierId } from "./numbers.js";

/**
 * The one taxonomy of carrier failures. Every adapter turns what its carrier said (or did not say)
 * into one of these; the gRPC edge maps them to status codes in one place.
 */
export type CarrierErrorKind =
  /** Could not connect, or the connection broke. */
  | "network"
  /** No answer in time. */
  | "timeout"
  /** The carrier rejected numbergate's credentials. */
  | "auth"
  /** The carrier is throttling; retryAfterMs says for how long when the carrier said so. */
  | "rate_limited"
  /** The carrier says the request is invalid. */
  | "invalid_request"
  /** The number or resource does not exist or is not available. */
  | "not_found"
  /** The carrier failed (5xx) or sent a body numbergate could not read. */
  | "carrier_server"
  /** The request may have been acted on, but no answer says whether it was. */
  | "unknown_outcome";

const RETRYABLE_KINDS: ReadonlySet<CarrierErrorKind> = new Set(["network", "timeout", "rate_limited", "carrier_server"]);

const CARRIER_ERROR_MARKER = Symbol.for("numbergate.CarrierError");

export interface CarrierErrorInit {
  readonly kind: CarrierErrorKind;
  readonly carrierId: CarrierId;
  /** Our own words for what happened: never a carrier body, never a secret. */
  readonly message: string;
  readonly operation: string;
  readonly httpStatus?: number;
  /** The carrier's own error code (Twilio 21422, Bandwidth 5041, ...). */
  readonly carrierCode?: string;
  /** The carrier's own description, for logs only. */
  readonly carrierMessage?: string;
  readonly retryAfterMs?: number;
  /**
   * False only when the request provably never left numbergate (connection refused, connect
   * timeout): the one case where a purchase may be retried blindly.
   */
  readonly requestMayHaveReachedCarrier: boolean;
  readonly cause?: unknown;
}

export class CarrierError extends Error {
  readonly [CARRIER_ERROR_MARKER] = true;
  readonly kind: CarrierErrorKind;
  readonly carrierId: CarrierId;
  readonly operation: string;
  readonly httpStatus: number | undefined;
  readonly carrierCode: string | undefined;
  readonly carrierMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestMayHaveReachedCarrier: boolean;

  constructor(init: CarrierErrorInit) {
    super(init.message, { cause: init.cause });
    this.name = "CarrierError";
    this.kind = init.kind;
    this.carrierId = init.carrierId;
    this.operation = init.operation;
    this.httpStatus = init.httpStatus;
    this.carrierCode = init.carrierCode;
    this.carrierMessage = init.carrierMessage;
    this.retryAfterMs = init.retryAfterMs;
    this.requestMayHaveReachedCarrier = init.requestMayHaveReachedCarrier;
  }

  /** Whether trying again (here or at another carrier) can succeed. */
  get isRetryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }

  /** Identifies a CarrierError even across duplicated module copies. */
  static is(value: unknown): value is CarrierError {
    return typeof value === "object" && value !== null && CARRIER_ERROR_MARKER in value;
  }
}

/** Whether an error says the carrier is failing, as opposed to the request being wrong (bad input, unknown number). */
export function countsAgainstCarrier(error: unknown): boolean {
  return CarrierError.is(error) && error.kind !== "invalid_request" && error.kind !== "not_found";
}

/** The kind a carrier's HTTP status implies, before its error code refines it. */
export function kindFromHttpStatus(status: number): CarrierErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 408) return "timeout";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "carrier_server";
  return "invalid_request";
}
