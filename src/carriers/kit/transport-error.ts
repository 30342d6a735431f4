import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierId } from "../../domain/numbers.js";

/**
 * Turns what undici or Node threw into the carrier error taxonomy. Matches on `error.code` (undici's
 * documented advice: bundled and imported undici classes differ, codes do not), walking `cause`.
 */
export function classifyTransportError(error: unknown, carrierId: CarrierId, operation: string): CarrierError | undefined {
  const code = findErrorCode(error);
  const base = { carrierId, operation, cause: error } as const;
  switch (code) {
    // Nothing was sent: the only transport failures after which a purchase may be retried blindly.
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new CarrierError({
        ...base,
        kind: "network",
        message: `could not connect to ${carrierId} (${code})`,
        requestMayHaveReachedCarrier: false,
      });
    case "UND_ERR_CONNECT_TIMEOUT":
      return new CarrierError({
        ...base,
        kind: "timeout",
        message: `connecting to ${carrierId} timed out`,
        requestMayHaveReachedCarrier: false,
      });
    // The request was (or may have been) written; the carrier may have acted on it.
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return new CarrierError({
        ...base,
        kind: "timeout",
        message: `${carrierId} did not answer in time`,
        requestMayHaveReachedCarrier: true,
      });
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      return new CarrierError({
        ...base,
        kind: "network",
        message: `the connection to ${carrierId} broke (${code})`,
        requestMayHaveReachedCarrier: true,
      });
    default:
      return undefined;
  }
}

function findErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether an error is the abort of a signal (the caller gave up or a timeout fired). */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    ((error as { name?: unknown }).name === "AbortError" || (error as { name?: unknown }).name === "TimeoutError")
  );
}
