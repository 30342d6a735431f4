import { json, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { TWILIO_INVALID_PARAMETER, twilioErrorResponse } from "./twilio-emulator-common.js";
import type { PortInRequestRecord } from "./twilio-emulator-porting-model.js";
import { portInListEntry } from "./twilio-emulator-porting-views.js";

/** "Number of items per page": default 20, from 1 to 100 (ListPortInRequests `Size`). */
const DEFAULT_SIZE = 20;
const MAX_SIZE = 100;
const DAY_MS = 86_400_000;

function dayStart(raw: string | null, name: string): number | undefined | EmulatorResponse {
  if (raw === null) return undefined;
  const time = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Number.NaN;
  return Number.isNaN(time) ? twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `Invalid parameter ${name}: expected a date such as 2025-05-05`) : time;
}

/**
 * GET /v1/Porting/PortIn/PortInRequests, oldest first. Filters: PortInRequestSid (one or more SIDs, comma-separated),
 * PortInRequestStatus (a status exactly as the requests carry it), CreatedBefore (created before that day began, UTC)
 * and CreatedAfter (created after that day ended). Pages of `Size`; `Token` is where a page starts: meta.next_token is
 * the SID of the first request of the next page and meta.previous_token that of the previous page, null at either end.
 */
export function listPortInRequests(query: URLSearchParams, requests: readonly PortInRequestRecord[]): EmulatorResponse {
  const rawSize = query.get("Size");
  const size = rawSize === null ? DEFAULT_SIZE : /^[0-9]{1,3}$/.test(rawSize) ? Number(rawSize) : Number.NaN;
  if (!(size >= 1 && size <= MAX_SIZE)) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `Invalid parameter Size: must be an integer from 1 to ${MAX_SIZE}`);
  const before = dayStart(query.get("CreatedBefore"), "CreatedBefore");
  if (typeof before === "object") return before;
  const after = dayStart(query.get("CreatedAfter"), "CreatedAfter");
  if (typeof after === "object") return after;
  const sids = query.get("PortInRequestSid")?.split(",").map((sid) => sid.trim()).filter((sid) => sid.length > 0);
  const status = query.get("PortInRequestStatus");

  const matching = requests.filter(
    (request) =>
      (sids === undefined || sids.includes(request.sid)) &&
      (status === null || request.status === status) &&
      (before === undefined || request.dateCreated < before) &&
      (after === undefined || request.dateCreated >= after + DAY_MS),
  );
  const token = query.get("Token");
  const start = token === null ? 0 : matching.findIndex((request) => request.sid === token);
  if (start < 0) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Invalid parameter Token");
  const page = matching.slice(start, start + size);
  const next = matching[start + size];
  const previous = start > 0 ? matching[Math.max(0, start - size)] : undefined;
  return json(200, {
    port_in_requests: page.map(portInListEntry),
    meta: { next_token: next?.sid ?? null, previous_token: previous?.sid ?? null },
  });
}
