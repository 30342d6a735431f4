import type { CarrierHttpResponse } from "../kit/carrier-http-client.js";

/** Bandwidth ids in Location headers are GUIDs; anything outside this set is not an id numbergate may put in a path. */
const URL_SAFE_ID = /^[A-Za-z0-9_-]+$/;

export type BandwidthLocationId = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly problem: string };

/**
 * The id a 201's Location header names, checked rather than cut blindly: the header must be an absolute http(s)
 * URL on the API's host whose path ends in `/accounts/{accountId}/{resource}/{id}` (bandwidth.md: reservation and
 * disconnect ids come back this way). Only the path's tail is compared, because the spec's servers entry
 * (`/api/v1`) and the SDK's base (`/api`) disagree on the prefix. The resource segment is compared without case:
 * the spec's own example spells it `TnReservation`.
 */
export function readBandwidthLocationId(
  response: CarrierHttpResponse,
  expected: { readonly apiBaseUrl: URL; readonly accountId: string; readonly resource: "tnreservation" | "disconnects" },
): BandwidthLocationId {
  const header = response.headers["location"];
  const raw = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!raw) return { ok: false, problem: "no Location header" };
  let location: URL;
  try {
    // No base: a relative Location is refused, as the spec documents absolute ones.
    location = new URL(raw);
  } catch {
    return { ok: false, problem: "the Location header is not an absolute URL" };
  }
  if (location.protocol !== "https:" && location.protocol !== "http:") return { ok: false, problem: "the Location header is not an http(s) URL" };
  if (location.hostname !== expected.apiBaseUrl.hostname) return { ok: false, problem: "the Location header points at another host" };
  const segments = location.pathname.split("/");
  const [accounts, accountId, resource, id] = segments.slice(-4).map(safeDecode);
  if (segments.length < 5 || accounts !== "accounts" || accountId !== expected.accountId || resource?.toLowerCase() !== expected.resource.toLowerCase()) {
    return { ok: false, problem: `the Location header does not name a ${expected.resource} of this account` };
  }
  if (!id || !URL_SAFE_ID.test(id)) return { ok: false, problem: `the Location header carries no usable ${expected.resource} id` };
  return { ok: true, id };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
