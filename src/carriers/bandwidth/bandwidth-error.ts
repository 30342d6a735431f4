import { CarrierError, kindFromHttpStatus, type CarrierErrorKind } from "../../domain/carrier-error.js";
import { describeCarrierFailure } from "../kit/describe-failure.js";
import type { CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { parseXml } from "../kit/xml.js";
import { readBandwidthError, type BandwidthErrorDetail } from "./bandwidth-wire.js";

const BANDWIDTH_CREDENTIAL_VARIABLES = "BANDWIDTH_USERNAME, BANDWIDTH_PASSWORD and BANDWIDTH_ACCOUNT_ID";

/** Bandwidth codes (bandwidth/errors.numbers-extract.md) whose meaning beats the HTTP status. */
export function kindFromBandwidthCode(code: string): CarrierErrorKind | undefined {
  switch (code) {
    case "4009": // search system error, "please retry"
      return "carrier_server";
    case "4014": // access denied for this search
    case "5051": // not authorized on the account
      return "auth";
    case "4017": // the telephone number does not exist
    case "4023": // no new numbers in this area
    case "4024": // restricted tier
    case "5005": // telephone number unavailable
    case "5018": // quantity unavailable
    case "5040": // not found
    case "5041": // reservation failed: number not available
    case "5042": // reservation not found
    case "5043": // reservation not found
    case "5076": // TN not on account
      return "not_found";
    default:
      return undefined;
  }
}

/** Turns a Bandwidth error answer (any status, or a 200 carrying an error element) into a CarrierError. */
export function bandwidthErrorFromResponse(
  response: CarrierHttpResponse,
  operation: string,
  detail: BandwidthErrorDetail | undefined = readErrorDetail(response),
  now: number = Date.now(),
): CarrierError {
  const byCode = detail ? kindFromBandwidthCode(detail.code) : undefined;
  // A 429 has an empty body; otherwise the error code is more precise than the status.
  const kind: CarrierErrorKind = response.status === 429 ? "rate_limited" : (byCode ?? kindFromHttpStatus(response.status));
  return new CarrierError({
    kind,
    carrierId: "bandwidth",
    operation,
    message: `${describeCarrierFailure("bandwidth", kind, BANDWIDTH_CREDENTIAL_VARIABLES)}${detail ? ` (Bandwidth error ${detail.code})` : ""}`,
    httpStatus: response.status,
    carrierCode: detail?.code,
    carrierMessage: detail?.description,
    retryAfterMs: response.status === 429 ? retryAfterFromReset(response.headers["x-ratelimit-reset"], now) : undefined,
    requestMayHaveReachedCarrier: true,
  });
}

function readErrorDetail(response: CarrierHttpResponse): BandwidthErrorDetail | undefined {
  if (response.bodyText.trim() === "") return undefined;
  try {
    const document = parseXml(response.bodyText);
    for (const root of Object.values(document)) {
      if (typeof root === "object" && root !== null) {
        const detail = readBandwidthError(root as Record<string, unknown>);
        if (detail) return detail;
      }
    }
  } catch {
    // A non-XML error body still has a meaningful HTTP status.
  }
  return undefined;
}

/** Bandwidth's 429 carries X-RateLimit-Reset (epoch seconds), not Retry-After. */
function retryAfterFromReset(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const epochSeconds = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isFinite(epochSeconds)) return undefined;
  return Math.max(0, Math.round(epochSeconds * 1000 - now));
}
