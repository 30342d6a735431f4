import type { z } from "zod";
import { CarrierError, kindFromHttpStatus, type CarrierErrorKind } from "../../domain/carrier-error.js";
import { parseRetryAfter, type CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { describeCarrierFailure } from "../kit/describe-failure.js";
import { parseJsonBody } from "../kit/response-body.js";
import { vonageProblemBodySchema, vonageStatusBodySchema } from "./vonage-wire.js";

const VONAGE_CREDENTIAL_VARIABLES = "VONAGE_API_KEY and VONAGE_API_SECRET";

/** What a Vonage error answer says, in either of its shapes (vonage.md, Errors). */
interface VonageErrorDetail {
  /** The legacy `error-code` ("401", "420"), or the fragment of an RFC 7807 `type` ("rate-limit"). */
  readonly code: string | undefined;
  /** `error-code-label` or the problem's `detail`/`title`: for logs only. */
  readonly label: string | undefined;
  readonly rateLimited: boolean;
}

function readErrorDetail(bodyText: string): VonageErrorDetail {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    // A non-JSON error body (a proxy's page) still has a meaningful HTTP status.
    return { code: undefined, label: undefined, rateLimited: false };
  }
  const legacy = vonageStatusBodySchema.safeParse(json);
  if (legacy.success) return { code: legacy.data["error-code"], label: legacy.data["error-code-label"], rateLimited: legacy.data["error-code"] === "429" };
  const problem = vonageProblemBodySchema.safeParse(json);
  if (problem.success) {
    const fragment = problem.data.type.split("#")[1];
    return { code: fragment || undefined, label: problem.data.detail ?? problem.data.title, rateLimited: fragment === "rate-limit" };
  }
  return { code: undefined, label: undefined, rateLimited: false };
}

/**
 * 420 is Vonage's "Action failed" / "method failed" (vonage.md [V1][V6]): the number is not for sale, the account
 * already owns it, does not own it, or the country "can be requested from the Dashboard ... as they require a valid
 * local address". The label is the only thing telling these apart: the Dashboard/address case is a request the
 * account has to complete elsewhere (invalid_request); the others mean the number is not available (not_found).
 */
function kindOf420(label: string | undefined): CarrierErrorKind {
  return label !== undefined && /dashboard|address/i.test(label) ? "invalid_request" : "not_found";
}

function kindOf(status: number, detail: VonageErrorDetail): CarrierErrorKind {
  if (status === 429 || detail.rateLimited) return "rate_limited";
  if (status === 401 || status === 403 || detail.code === "401") return "auth";
  if (status === 420 || detail.code === "420") return kindOf420(detail.label);
  // An HTTP 200 carrying a failing error-code: the legacy codes mirror HTTP statuses ("200", "401", "420").
  if (status >= 200 && status < 300) {
    const code = Number(detail.code);
    return Number.isInteger(code) && code >= 400 ? kindFromHttpStatus(code) : "invalid_request";
  }
  return kindFromHttpStatus(status);
}

/** Turns a Vonage error answer (any non-2xx, or a 2xx whose body carries a failing `error-code`) into a CarrierError. */
export function vonageErrorFromResponse(response: CarrierHttpResponse, operation: string): CarrierError {
  const detail = readErrorDetail(response.bodyText);
  const kind = kindOf(response.status, detail);
  return new CarrierError({
    kind,
    carrierId: "vonage",
    operation,
    message: `${describeCarrierFailure("vonage", kind, VONAGE_CREDENTIAL_VARIABLES)}${detail.code === undefined ? "" : ` (Vonage error ${detail.code})`}`,
    httpStatus: response.status,
    carrierCode: detail.code,
    carrierMessage: detail.label,
    // Vonage documents no Retry-After (vonage.md, Rate limits); when one comes anyway, it is the carrier saying when.
    retryAfterMs: kind === "rate_limited" ? parseRetryAfter(response.headers["retry-after"]) : undefined,
    // Any answer means the carrier processed (and refused) the request.
    requestMayHaveReachedCarrier: true,
  });
}

/** The failing `error-code` a 2xx body carries, if any: Vonage may answer HTTP 200 with an error (vonage.md, Errors). */
function embeddedErrorCode(bodyText: string): string | undefined {
  try {
    const json: unknown = JSON.parse(bodyText);
    if (typeof json !== "object" || json === null || !("error-code" in json)) return undefined;
    const code = String((json as Record<string, unknown>)["error-code"]);
    return code === "200" ? undefined : code;
  } catch {
    return undefined;
  }
}

/**
 * Reads a Vonage answer: anything but 2xx, and a 2xx whose body carries a failing `error-code` ("always check the
 * body, not only the HTTP status", as the python SDK does, vonage.md [V6]), are errors; otherwise the body must fit
 * the schema, or the answer is a carrier_server MALFORMED_RESPONSE.
 */
export function readVonageBody<Schema extends z.ZodType>(response: CarrierHttpResponse, schema: Schema, operation: string): z.infer<Schema> {
  if (response.status < 200 || response.status >= 300 || embeddedErrorCode(response.bodyText) !== undefined) {
    throw vonageErrorFromResponse(response, operation);
  }
  return parseJsonBody(response, schema, "vonage", operation);
}
