import { json, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";

/** Twilio's REST error body (twilio.md, Errors): code, message, more_info, status. */
export function twilioErrorResponse(status: number, code: number, message: string, headers: Record<string, string> = {}): EmulatorResponse {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

/**
 * Twilio names no error code for a malformed list parameter (PageSize, Page, PageToken) in the trimmed spec; the
 * emulator answers HTTP 400 with Twilio's error body and code 20001, its generic invalid-parameter code.
 */
export const TWILIO_INVALID_PARAMETER = 20001;

/** The request's form parameters; Twilio reads only application/x-www-form-urlencoded bodies (twilio.md, Wire conventions). */
export function formParameters(headers: Readonly<Record<string, string | string[] | undefined>>, body: string): URLSearchParams {
  const contentType = headers["content-type"];
  const mediaType = (Array.isArray(contentType) ? contentType[0] : contentType)?.split(";")[0]?.trim().toLowerCase();
  // Any other body (JSON, say) is not read at all: the request then simply lacks its parameters.
  return mediaType === "application/x-www-form-urlencoded" ? new URLSearchParams(body) : new URLSearchParams();
}
