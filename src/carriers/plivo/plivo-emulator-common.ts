import { randomUUID } from "node:crypto";
import { json, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";

/** Plivo's error body, every status alike: `{"api_id": "...", "error": "..."}` (plivo.md, Errors). */
export function plivoErrorResponse(status: number, error: string): EmulatorResponse {
  return json(status, { api_id: randomUUID(), error });
}

/** How a query parameter's value must look; every parameter not listed is refused as unknown. */
export type ParameterRule = "text" | "integer" | "boolean" | RegExp | readonly string[];

/**
 * The first problem with a request's query string, in Plivo's words for a 400, or undefined when every parameter
 * is one the operation has and its value has the right form. Plivo documents 400 for "missing/invalid parameter";
 * the derived spec closes the parameter lists, so the emulator refuses anything else rather than ignore it.
 */
export function queryProblem(query: URLSearchParams, rules: Readonly<Record<string, ParameterRule>>, required: readonly string[] = []): string | undefined {
  for (const name of required) if (!query.has(name)) return `${name} is required`;
  for (const name of new Set(query.keys())) {
    const rule = rules[name];
    if (rule === undefined) return `unknown parameter ${name}`;
    const values = query.getAll(name);
    if (values.length > 1) return `${name} is given more than once`;
    const value = values[0] ?? "";
    if (!valueFits(value, rule)) return `invalid value for ${name}`;
  }
  return undefined;
}

function valueFits(value: string, rule: ParameterRule): boolean {
  if (rule === "text") return value !== "";
  if (rule === "integer") return /^[0-9]+$/.test(value);
  if (rule === "boolean") return value === "true" || value === "false";
  if (rule instanceof RegExp) return rule.test(value);
  return rule.includes(value);
}

/** `limit` and `offset` on every list: "limit (1–20, default 20), offset (default 0)" (plivo.md, Pagination). */
export const PAGING_RULES: Readonly<Record<string, ParameterRule>> = { limit: "integer", offset: "integer" };
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 20;

/** A comma-separated subset of voice, sms and mms (`services`). */
export const SERVICES_RULE = /^(voice|sms|mms)(,(voice|sms|mms)){0,2}$/;

export type PageAnswer = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly response: EmulatorResponse };

/**
 * One page of a list, with Plivo's `meta`: limit, offset, total_count, and `next`/`previous` as relative URIs that
 * repeat the request's filters (`/v1/Account/MA.../Number/?limit=3&offset=3`), or null at either end.
 */
export function pageOf(request: EmulatorRequest, items: readonly Record<string, unknown>[]): PageAnswer {
  const limit = Number(request.query.get("limit") ?? DEFAULT_LIMIT);
  const offset = Number(request.query.get("offset") ?? 0);
  if (limit < 1 || limit > MAX_LIMIT) return { ok: false, response: plivoErrorResponse(400, `limit must be between 1 and ${MAX_LIMIT}`) };
  const uriAt = (at: number): string => {
    const parameters = new URLSearchParams(request.query);
    parameters.set("limit", String(limit));
    parameters.set("offset", String(at));
    return `${request.path}?${parameters.toString()}`;
  };
  return {
    ok: true,
    body: {
      api_id: randomUUID(),
      meta: {
        limit,
        next: offset + limit < items.length ? uriAt(offset + limit) : null,
        offset,
        previous: offset > 0 ? uriAt(Math.max(offset - limit, 0)) : null,
        total_count: items.length,
      },
      objects: items.slice(offset, offset + limit),
    },
  };
}

/**
 * A POST body as Plivo reads it: JSON (plivo.md, Basics), declared so. An empty body is allowed (every buy field is
 * optional); anything else must be a JSON object sent as application/json. Returns the object or the 400 answer.
 */
export function jsonBody(request: EmulatorRequest): { ok: true; fields: Record<string, unknown> } | { ok: false; response: EmulatorResponse } {
  if (request.body.trim() === "") return { ok: true, fields: {} };
  const contentType = request.headers["content-type"];
  const mediaType = (Array.isArray(contentType) ? contentType[0] : contentType)?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") return { ok: false, response: plivoErrorResponse(400, "Content-Type must be application/json") };
  try {
    const parsed: unknown = JSON.parse(request.body);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return { ok: true, fields: parsed as Record<string, unknown> };
  } catch {
    // answered below
  }
  return { ok: false, response: plivoErrorResponse(400, "the request body is not a JSON object") };
}
