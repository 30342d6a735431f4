import { Any } from "../../../generated/google/protobuf/any.js";
import { BadRequest, ErrorInfo, RetryInfo } from "../../../generated/google/rpc/error_details.js";
import { Status } from "../../../generated/google/rpc/status.js";
import type { ErrorReasonName } from "../../domain/error-reason.js";
import type { FieldViolation } from "../../domain/service-errors.js";

/** google.rpc.ErrorInfo.domain of every numbergate error. */
export const ERROR_DOMAIN = "numbergate.v1";

export interface RichStatusInput {
  readonly code: number;
  readonly message: string;
  readonly reason: ErrorReasonName;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly fieldViolations?: readonly FieldViolation[];
  readonly retryAfterMs?: number;
}

function pack(typeName: string, value: Uint8Array): Any {
  return { typeUrl: `type.googleapis.com/${typeName}`, value: Buffer.from(value) };
}

/**
 * The google.rpc.Status that goes into the grpc-status-details-bin trailer. Its code and message equal
 * the call's status, as the gRPC richer-error model (and Python's grpc_status) requires.
 */
export function encodeRichStatus(input: RichStatusInput): Uint8Array {
  const details: Any[] = [
    pack(
      "google.rpc.ErrorInfo",
      ErrorInfo.encode({ reason: input.reason, domain: ERROR_DOMAIN, metadata: { ...input.metadata } }).finish(),
    ),
  ];
  if (input.fieldViolations && input.fieldViolations.length > 0) {
    const badRequest = BadRequest.encode({
      fieldViolations: input.fieldViolations.map((violation) => ({
        field: violation.field,
        description: violation.description,
        reason: "",
        localizedMessage: undefined,
      })),
    }).finish();
    details.push(pack("google.rpc.BadRequest", badRequest));
  }
  if (input.retryAfterMs !== undefined) {
    // Whole milliseconds, rounded up: retrying a fraction early would only be refused again.
    const milliseconds = Math.max(0, Math.ceil(input.retryAfterMs));
    const retryDelay = { seconds: Math.floor(milliseconds / 1000), nanos: (milliseconds % 1000) * 1_000_000 };
    details.push(pack("google.rpc.RetryInfo", RetryInfo.encode({ retryDelay }).finish()));
  }
  return Status.encode({ code: input.code, message: input.message, details }).finish();
}
