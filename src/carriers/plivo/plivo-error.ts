import { CarrierError, kindFromHttpStatus, type CarrierErrorKind } from "../../domain/carrier-error.js";
import { describeCarrierFailure } from "../kit/describe-failure.js";
import { parseRetryAfter, type CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { plivoErrorBodySchema } from "./plivo-wire.js";

export const PLIVO_CREDENTIAL_VARIABLES = "PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN";

/**
 * Plivo's HTTP statuses (plivo.md, Errors [P3][P5][P6]). Its error bodies carry no machine-readable code for
 * number operations, so the status is all there is to go on.
 */
export function kindFromPlivoStatus(status: number): CarrierErrorKind {
  switch (status) {
    case 400: // a missing or invalid parameter
    case 405: // method not allowed
    case 406: // not acceptable (SDK-mapped)
    case 409: // conflict (SDK-mapped)
    case 422: // unprocessable (SDK-mapped)
      return "invalid_request";
    case 401: // authentication failed
    case 403: // forbidden, or the account lacks the country's (geo) permission: an operator must act either way
      return "auth";
    case 404: // the number or resource does not exist, or the number is not for sale
      return "not_found";
    case 429: // more than 300 requests in 5 seconds [P11]
      return "rate_limited";
    default:
      return kindFromHttpStatus(status);
  }
}

/** Turns a Plivo answer that is not the expected success into a CarrierError, in numbergate's own words. */
export function plivoErrorFromResponse(response: CarrierHttpResponse, operation: string): CarrierError {
  const kind = kindFromPlivoStatus(response.status);
  return new CarrierError({
    kind,
    carrierId: "plivo",
    operation,
    message: `${describeCarrierFailure("plivo", kind, PLIVO_CREDENTIAL_VARIABLES)} (HTTP ${response.status})`,
    httpStatus: response.status,
    carrierMessage: plivoErrorText(response.bodyText),
    // Plivo documents no Retry-After (plivo.md, Rate limits); one is honoured should it come.
    retryAfterMs: kind === "rate_limited" ? parseRetryAfter(response.headers["retry-after"]) : undefined,
    // Any answer means the carrier processed the request.
    requestMayHaveReachedCarrier: true,
  });
}

/**
 * Whether a 404 is Plivo saying "no such number on this account": its answers always carry an `api_id` (plivo.md,
 * Basics [P3]). A 404 without one (a proxy's page, a base URL pointing elsewhere) proves nothing about the number,
 * so it is never read as "not rented" or "not owned".
 */
export function isPlivoNotFound(response: CarrierHttpResponse): boolean {
  if (response.status !== 404) return false;
  try {
    const parsed = plivoErrorBodySchema.safeParse(JSON.parse(response.bodyText));
    return parsed.success && typeof parsed.data.api_id === "string" && parsed.data.api_id !== "";
  } catch {
    return false;
  }
}

/** The `error` of a Plivo error body, for logs; undefined for a body that is not one (a proxy's HTML page). */
function plivoErrorText(bodyText: string): string | undefined {
  try {
    const parsed = plivoErrorBodySchema.safeParse(JSON.parse(bodyText));
    if (!parsed.success || parsed.data.error === undefined) return undefined;
    return typeof parsed.data.error === "string" ? parsed.data.error : JSON.stringify(parsed.data.error);
  } catch {
    return undefined;
  }
}
