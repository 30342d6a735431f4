import { Status } from "nice-grpc";
import { CarrierError, type CarrierErrorKind } from "../../domain/carrier-error.js";
import { reasonForCarrierErrorKind, type ErrorReasonName } from "../../domain/error-reason.js";
import {
  AccessDeniedError,
  AllCarriersFailedError,
  CarrierUnavailableError,
  LifecycleError,
  InvalidRequestError,
  NoEligibleCarrierError,
  OrderFailedError,
  type FieldViolation,
  type OrderFailure,
} from "../../domain/service-errors.js";

/** How an error leaves numbergate: status code, our message, and the google.rpc details. */
export interface RpcErrorDescription {
  readonly code: Status;
  readonly message: string;
  readonly reason: ErrorReasonName;
  readonly metadata: Readonly<Record<string, string>>;
  readonly fieldViolations?: readonly FieldViolation[];
  readonly retryAfterMs?: number;
}

/** The one mapping from the carrier error taxonomy to gRPC status codes. */
export function statusForCarrierErrorKind(kind: CarrierErrorKind): Status {
  switch (kind) {
    // Transient: another attempt (later, or at another carrier) can succeed.
    case "network":
    case "timeout":
    case "carrier_server":
      return Status.UNAVAILABLE;
    // The carrier refused numbergate's credentials: the caller did nothing wrong, an operator must act.
    case "auth":
      return Status.INTERNAL;
    case "rate_limited":
      return Status.RESOURCE_EXHAUSTED;
    case "invalid_request":
      return Status.INVALID_ARGUMENT;
    case "not_found":
      return Status.NOT_FOUND;
    // The request may have been acted on; the caller must not assume either outcome.
    case "unknown_outcome":
      return Status.UNKNOWN;
  }
}

function carrierMetadata(error: CarrierError): Record<string, string> {
  const metadata: Record<string, string> = { carrier: error.carrierId, operation: error.operation };
  if (error.carrierCode !== undefined) metadata["carrier_error_code"] = error.carrierCode;
  if (error.httpStatus !== undefined) metadata["http_status"] = String(error.httpStatus);
  return metadata;
}

/** Describes a known error; undefined for anything else (a bug), which the caller logs and hides. */
export function describeError(error: unknown): RpcErrorDescription | undefined {
  if (error instanceof InvalidRequestError) {
    return {
      code: Status.INVALID_ARGUMENT,
      message: error.message,
      reason: error.reason,
      metadata: {},
      fieldViolations: error.violations,
    };
  }
  if (CarrierError.is(error)) {
    return {
      code: statusForCarrierErrorKind(error.kind),
      message: error.message,
      reason: reasonForCarrierErrorKind(error.kind),
      metadata: carrierMetadata(error),
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (error instanceof AllCarriersFailedError) {
    const kinds = new Set(error.failures.map((failure) => failure.kind));
    const [onlyKind] = kinds;
    const retryDelays = error.failures.map((failure) => failure.retryAfterMs).filter((delay): delay is number => delay !== undefined);
    return {
      code: kinds.size === 1 && onlyKind ? statusForCarrierErrorKind(onlyKind) : Status.UNAVAILABLE,
      message: error.message,
      reason: "ALL_CARRIERS_FAILED",
      metadata: Object.fromEntries(error.failures.map((failure) => [failure.carrierId, reasonForCarrierErrorKind(failure.kind)])),
      retryAfterMs: retryDelays.length === error.failures.length ? Math.min(...retryDelays) : undefined,
    };
  }
  if (error instanceof NoEligibleCarrierError) {
    return { code: Status.FAILED_PRECONDITION, message: error.message, reason: "NO_ELIGIBLE_PROVIDER", metadata: Object.fromEntries(error.skipped) };
  }
  if (error instanceof CarrierUnavailableError) {
    return {
      code: Status.UNAVAILABLE,
      message: error.message,
      reason: "CARRIER_UNAVAILABLE",
      metadata: error.carrierId ? { carrier: error.carrierId } : {},
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (error instanceof AccessDeniedError) {
    return error.kind === "unauthenticated"
      ? { code: Status.UNAUTHENTICATED, message: error.message, reason: "UNAUTHENTICATED", metadata: error.metadata }
      : { code: Status.PERMISSION_DENIED, message: error.message, reason: "PERMISSION_DENIED", metadata: error.metadata };
  }
  if (error instanceof LifecycleError) {
    const code = { already_exists: Status.ALREADY_EXISTS, failed_precondition: Status.FAILED_PRECONDITION, not_found: Status.NOT_FOUND, unavailable: Status.UNAVAILABLE }[error.kind];
    return { code, message: error.message, reason: error.reason, metadata: error.metadata, fieldViolations: error.violations };
  }
  if (error instanceof OrderFailedError) {
    // No RetryInfo, even for a refusal that would pass: the same request_id replays this exact error forever,
    // and buying again takes a new request_id.
    return { ...describeOrderFailure(error.failure), message: error.message, metadata: { order_id: error.orderId, carrier: error.carrierId } };
  }
  return undefined;
}

/** The status and reason of a failed purchase order: its cause's, so a refused order reads like the refusal. */
function describeOrderFailure(failure: OrderFailure): { code: Status; reason: ErrorReasonName } {
  switch (failure.kind) {
    case "carrier_error":
      return { code: statusForCarrierErrorKind(failure.carrierErrorKind), reason: reasonForCarrierErrorKind(failure.carrierErrorKind) };
    // numbergate never called the carrier (breaker open, drained, concurrency limit): transient.
    case "carrier_unavailable":
      return { code: Status.UNAVAILABLE, reason: "CARRIER_UNAVAILABLE" };
    // The carrier declined the order in an order status: the same order will not pass as things stand.
    case "carrier_refused":
      return { code: Status.FAILED_PRECONDITION, reason: "ORDER_FAILED" };
    // The request never took effect: trying again (with a new request_id) can succeed.
    case "carrier_did_not_act":
      return { code: Status.UNAVAILABLE, reason: "CARRIER_DID_NOT_ACT" };
  }
}
