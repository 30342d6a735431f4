"""Reads the google.rpc.Status that numbergate attaches to every error, without grpcio-status.

numbergate sends it in the `grpc-status-details-bin` trailer (AIP-193): a Status whose `details` carry
google.rpc.ErrorInfo (always: domain "numbergate.v1", a reason, metadata such as the carrier), BadRequest (bad
input: one violation per field) and RetryInfo (when and whether to retry). This is what grpcio-status's
`rpc_status.from_call(error)` returns; Debian packages neither it nor googleapis-common-protos, so the
messages come from the committed stubs in generated/python (compiled from third_party/proto/google/rpc).
"""
import committed_stubs  # noqa: F401  (puts generated/python on sys.path)

from google.rpc import error_details_pb2, status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"
DETAIL_TYPES = {
    message.DESCRIPTOR.full_name: message
    for message in (
        error_details_pb2.ErrorInfo,
        error_details_pb2.BadRequest,
        error_details_pb2.RetryInfo,
        error_details_pb2.PreconditionFailure,
        error_details_pb2.QuotaFailure,
        error_details_pb2.ResourceInfo,
        error_details_pb2.DebugInfo,
        error_details_pb2.Help,
        error_details_pb2.LocalizedMessage,
    )
}


def status_from_error(error):
    """The google.rpc.Status of a failed call, or None when the server sent none."""
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY:
            return status_pb2.Status.FromString(value)
    return None


def details_of(status):
    """The Status's details, unpacked into their message types (ErrorInfo, BadRequest, RetryInfo, ...);
    none when there is no Status (status_from_error returned None)."""
    unpacked = []
    for packed in status.details if status is not None else ():
        message_type = DETAIL_TYPES.get(packed.TypeName())
        if message_type is None:
            continue
        message = message_type()
        packed.Unpack(message)
        unpacked.append(message)
    return unpacked


def describe_error(error):
    """A few lines for a person: the code and message, then each detail."""
    lines = [f"{error.code().name}: {error.details()}"]
    status = status_from_error(error)
    if status is None:
        return "\n".join(lines + ["  (no google.rpc.Status in the trailers)"])
    for detail in details_of(status):
        if isinstance(detail, error_details_pb2.ErrorInfo):
            metadata = ", ".join(f"{key}={value}" for key, value in sorted(detail.metadata.items()))
            lines.append(f"  ErrorInfo: reason={detail.reason} domain={detail.domain}" + (f" {metadata}" if metadata else ""))
        elif isinstance(detail, error_details_pb2.BadRequest):
            for violation in detail.field_violations:
                lines.append(f"  BadRequest: {violation.field}: {violation.description}")
        elif isinstance(detail, error_details_pb2.RetryInfo):
            delay = detail.retry_delay.seconds + detail.retry_delay.nanos / 1e9
            lines.append(f"  RetryInfo: retry after {delay:.3f} s")
        else:
            lines.append(f"  {type(detail).__name__}: {detail}".rstrip())
    return "\n".join(lines)

