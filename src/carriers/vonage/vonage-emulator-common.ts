import { json, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";

/** Vonage's legacy status body, `{"error-code","error-code-label"}` with string codes (spec schema `response`). */
export function vonageStatusResponse(httpStatus: number, code: string, label: string): EmulatorResponse {
  return json(httpStatus, { "error-code": code, "error-code-label": label });
}

export const VONAGE_SUCCESS = (): EmulatorResponse => vonageStatusResponse(200, "200", "success");

/**
 * The spec declares no answer for a malformed request (only 200, 401 and, for buys, 420). The emulator refuses one
 * with HTTP 400 and the legacy body carrying "400", the code shape Vonage's other answers use.
 */
export function vonageBadRequest(label: string): EmulatorResponse {
  return vonageStatusResponse(400, "400", label);
}

/** The legacy api_key/api_secret query credentials (v1.0.20 schemes): credentials, not operation parameters. */
const CREDENTIAL_PARAMETERS: ReadonlySet<string> = new Set(["api_key", "api_secret"]);

/**
 * The first problem with the query's parameter names: one the operation does not have, or one given twice. Vonage's
 * strictness towards unknown parameters is undocumented; the emulator refuses them so that a client finds out here.
 */
export function queryNameProblem(query: URLSearchParams, allowed: readonly string[]): EmulatorResponse | undefined {
  for (const name of new Set(query.keys())) {
    if (CREDENTIAL_PARAMETERS.has(name)) continue;
    if (!allowed.includes(name)) return vonageBadRequest(`unknown parameter: ${name}`);
    if (query.getAll(name).length > 1) return vonageBadRequest(`parameter given more than once: ${name}`);
  }
  return undefined;
}

/** A whole-number parameter within bounds, the default when absent, undefined when invalid. */
export function integerParameter(raw: string | null, fallback: number, min: number, max: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^[0-9]{1,9}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

export interface PageParameters {
  readonly size: number;
  readonly index: number;
}

/** `size` (1 to 100, default 10) and `index` (1-based, default 1) of both lists (spec parameters). */
export function pageParameters(query: URLSearchParams): PageParameters | EmulatorResponse {
  const size = integerParameter(query.get("size"), 10, 1, 100);
  if (size === undefined) return vonageBadRequest("size must be a whole number from 1 to 100");
  const index = integerParameter(query.get("index"), 1, 1, 1_000_000);
  if (index === undefined) return vonageBadRequest("index must be a whole number from 1");
  return { size, index };
}

/** Vonage's page of a list: `count` is the total; a page with nothing on it carries no `numbers` (vonage.md [V6]). */
export function pageOf<Item>(matching: readonly Item[], page: PageParameters, describe: (item: Item) => Record<string, unknown>): EmulatorResponse {
  const onPage = matching.slice((page.index - 1) * page.size, page.index * page.size);
  return json(200, onPage.length === 0 ? { count: matching.length } : { count: matching.length, numbers: onPage.map(describe) });
}

/** `pattern` + `search_pattern` (0 starts with, 1 contains, 2 ends with; default 0) as a test on msisdns. */
export function patternParameters(query: URLSearchParams): ((msisdn: string) => boolean) | EmulatorResponse {
  const pattern = query.get("pattern");
  const searchPattern = integerParameter(query.get("search_pattern"), 0, 0, 2);
  if (searchPattern === undefined) return vonageBadRequest("search_pattern must be 0, 1 or 2");
  if (pattern === null) return () => true;
  if (!/^[0-9]{1,15}$/.test(pattern)) return vonageBadRequest("pattern must be digits");
  if (searchPattern === 0) return (msisdn) => msisdn.startsWith(pattern);
  return searchPattern === 1 ? (msisdn) => msisdn.includes(pattern) : (msisdn) => msisdn.endsWith(pattern);
}

export const COUNTRY = /^[A-Z]{2}$/;

/**
 * The request's form fields. Vonage's writes take application/x-www-form-urlencoded (vonage.md, Basics): a body of
 * any other type is not read, and the request then simply lacks its fields.
 */
export function formFields(headers: Readonly<Record<string, string | string[] | undefined>>, body: string): URLSearchParams {
  const contentType = headers["content-type"];
  const mediaType = (Array.isArray(contentType) ? contentType[0] : contentType)?.split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/x-www-form-urlencoded" ? new URLSearchParams(body) : new URLSearchParams();
}
