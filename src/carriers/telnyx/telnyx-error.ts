import { CarrierError, kindFromHttpStatus, type CarrierErrorKind } from "../../domain/carrier-error.js";
import { describeCarrierFailure } from "../kit/describe-failure.js";
import { parseRetryAfter, type CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { telnyxErrorBodySchema } from "./telnyx-wire.js";

const TELNYX_CREDENTIAL_VARIABLES = "TELNYX_API_KEY";

/**
 * Telnyx's general error codes (telnyx.md, Errors [S3]) whose meaning is more precise than the HTTP status. 10006 is
 * left to the status on purpose: [S3] calls it "invalid id", while the spec's own example (NotAuthorized) uses it
 * for "You are not authorized to access the requested resource".
 */
export function kindFromTelnyxCode(code: string): CarrierErrorKind | undefined {
  switch (code) {
    case "10009": // authentication failed
    case "10010": // authorization failed
      return "auth";
    case "10011": // too many requests
      return "rate_limited";
    case "10001": // inactive number: not one Telnyx can act on
    case "10005": // resource not found
      return "not_found";
    case "10002": // invalid phone number
    case "10004": // missing required parameter
    case "10015": // bad request
    case "10016": // phone number must be +E.164
      return "invalid_request";
    case "10007": // unexpected error
    case "10008": // Telnyx timed out upstream: it answered, so this is its failure, not a timeout of numbergate's
      return "carrier_server";
    default:
      return undefined;
  }
}

/** Turns a non-2xx Telnyx answer into a CarrierError, by its first error's code, else by its HTTP status. */
export function telnyxErrorFromResponse(response: CarrierHttpResponse, operation: string, now: number = Date.now()): CarrierError {
  let code: string | undefined;
  let carrierMessage: string | undefined;
  try {
    const parsed = telnyxErrorBodySchema.safeParse(JSON.parse(response.bodyText));
    const first = parsed.success ? parsed.data.errors[0] : undefined;
    code = first?.code;
    carrierMessage = first ? [first.title, first.detail].filter(Boolean).join(": ") || undefined : undefined;
  } catch {
    // A non-JSON error body (a proxy's HTML page) still has a meaningful HTTP status.
  }
  const kind = (code === undefined ? undefined : kindFromTelnyxCode(code)) ?? kindFromHttpStatus(response.status);
  return new CarrierError({
    kind,
    carrierId: "telnyx",
    operation,
    message: `${describeCarrierFailure("telnyx", kind, TELNYX_CREDENTIAL_VARIABLES)}${code === undefined ? "" : ` (Telnyx error ${code})`}`,
    httpStatus: response.status,
    carrierCode: code,
    carrierMessage,
    retryAfterMs: kind === "rate_limited" ? telnyxRetryAfterMs(response.headers, now) : undefined,
    // An error answer means Telnyx processed and refused the request.
    requestMayHaveReachedCarrier: true,
  });
}

/** Throws Telnyx's error unless the answer has one of the expected statuses. */
export function expectTelnyxStatus(response: CarrierHttpResponse, operation: string, expected: readonly number[] = [200]): void {
  if (!expected.includes(response.status)) throw telnyxErrorFromResponse(response, operation);
}

/**
 * How long a 429 asks to wait. Telnyx documents `x-ratelimit-reset` in seconds until the reset and no Retry-After
 * (telnyx.md, Rate limits [S2]); its own SDK honours `retry-after-ms` and `Retry-After` first when present [S10], and
 * so does numbergate. A reset that reads as an epoch timestamp is taken as one.
 */
export function telnyxRetryAfterMs(headers: CarrierHttpResponse["headers"], now: number = Date.now()): number | undefined {
  const first = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const milliseconds = Number(first("retry-after-ms"));
  if (first("retry-after-ms") !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return Math.round(milliseconds);
  const retryAfter = parseRetryAfter(first("retry-after"), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(first("x-ratelimit-reset"));
  if (first("x-ratelimit-reset") === undefined || !Number.isFinite(reset) || reset < 0) return undefined;
  // Seconds until the reset; a value past 2001-09-09 in epoch seconds is a timestamp instead.
  return reset > 1_000_000_000 ? Math.max(0, Math.round(reset * 1000 - now)) : Math.round(reset * 1000);
}
