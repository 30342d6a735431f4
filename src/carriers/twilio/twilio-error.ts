import { CarrierError, kindFromHttpStatus, type CarrierErrorKind } from "../../domain/carrier-error.js";
import { describeCarrierFailure } from "../kit/describe-failure.js";
import type { CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { parseRetryAfter } from "../kit/carrier-http-client.js";
import { twilioErrorBodySchema } from "./twilio-wire.js";

const TWILIO_CREDENTIAL_VARIABLES = "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN or TWILIO_API_KEY";

/** Twilio error codes whose meaning is more precise than their HTTP status (twilio.md, Errors). */
function kindFromTwilioCode(code: number): CarrierErrorKind | undefined {
  switch (code) {
    case 20003: // Authenticate
      return "auth";
    case 20404: // resource not found
      return "not_found";
    case 20429: // too many requests (concurrency)
      return "rate_limited";
    case 20500: // internal error
      return "carrier_server";
    case 21421: // PhoneNumber is invalid
    case 21451: // invalid AreaCode
      return "invalid_request";
    case 21422: // PhoneNumber is not available
    case 21452: // no numbers found in AreaCode
      return "not_found";
    default:
      return undefined;
  }
}

/** Turns a non-2xx Twilio answer into a CarrierError. */
export function twilioErrorFromResponse(response: CarrierHttpResponse, operation: string): CarrierError {
  let code: number | undefined;
  let carrierMessage: string | undefined;
  try {
    const parsed = twilioErrorBodySchema.safeParse(JSON.parse(response.bodyText));
    if (parsed.success) {
      code = parsed.data.code;
      carrierMessage = parsed.data.message;
    }
  } catch {
    // A non-JSON error body (a proxy's HTML page) still has a meaningful HTTP status.
  }
  const kind = (code === undefined ? undefined : kindFromTwilioCode(code)) ?? kindFromHttpStatus(response.status);
  const codeText = code === undefined ? "" : ` (Twilio error ${code})`;
  return new CarrierError({
    kind,
    carrierId: "twilio",
    operation,
    message: `${describeCarrierFailure("twilio", kind, TWILIO_CREDENTIAL_VARIABLES)}${codeText}`,
    httpStatus: response.status,
    carrierCode: code === undefined ? undefined : String(code),
    carrierMessage,
    retryAfterMs: kind === "rate_limited" ? parseRetryAfter(response.headers["retry-after"]) : undefined,
    // An error answer means the carrier processed and refused the request.
    requestMayHaveReachedCarrier: true,
  });
}
