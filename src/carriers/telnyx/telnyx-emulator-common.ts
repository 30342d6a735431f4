import { json, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";

/** Telnyx's error body (`numbers_Errors`, telnyx.md Errors): a list of errors with a string code and a docs link. */
export function telnyxErrorResponse(
  status: number,
  code: string,
  title: string,
  detail: string,
  source?: { readonly pointer?: string; readonly parameter?: string },
  headers: Record<string, string> = {},
): EmulatorResponse {
  const error = { code, title, detail, ...(source ? { source } : {}), meta: { url: `https://developers.telnyx.com/docs/overview/errors/${code}` } };
  return json(status, { errors: [error] }, headers);
}

export function badRequest(detail: string, source?: { readonly pointer?: string; readonly parameter?: string }): EmulatorResponse {
  return telnyxErrorResponse(400, "10015", "Bad Request", detail, source);
}

/** A body field Telnyx cannot act on: 422, "Unprocessable entity. Check the 'detail' field" (spec). */
export function unprocessable(code: string, title: string, detail: string, pointer: string): EmulatorResponse {
  return telnyxErrorResponse(422, code, title, detail, { pointer });
}

export function missingParameter(pointer: string): EmulatorResponse {
  return telnyxErrorResponse(400, "10004", "Missing required parameter", `The '${pointer.split("/").at(-1) ?? pointer}' parameter is required.`, { pointer });
}

export function notFound(): EmulatorResponse {
  return telnyxErrorResponse(404, "10005", "Resource not found", "The requested resource or URL could not be found.");
}

export type TelnyxParameter =
  | { readonly kind: "text" }
  | { readonly kind: "boolean" }
  | { readonly kind: "integer"; readonly min: number; readonly max: number }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  /** An array inside a deepObject, comma-joined as the official SDK sends it (telnyx.md, Basics). */
  | { readonly kind: "list"; readonly values: readonly string[] };

/** A query the emulator has checked against its operation's parameters: typed reads of what was sent. */
export interface TelnyxQuery {
  text(name: string): string | undefined;
  flag(name: string): boolean | undefined;
  integer(name: string): number | undefined;
  list(name: string): readonly string[] | undefined;
}

/**
 * Checks a query against the operation's parameters, as written on the wire (`filter[phone_number][starts_with]`):
 * an unknown, repeated or ill-typed parameter is answered 400 with code 10015 naming it in `source.parameter`.
 */
export function readTelnyxQuery(query: URLSearchParams, parameters: Readonly<Record<string, TelnyxParameter>>): { ok: true; query: TelnyxQuery } | { ok: false; response: EmulatorResponse } {
  const values = new Map<string, string | boolean | number | readonly string[]>();
  for (const name of new Set(query.keys())) {
    const parameter = parameters[name];
    const all = query.getAll(name);
    if (!parameter) return { ok: false, response: badRequest(`Unknown parameter '${name}'.`, { parameter: name }) };
    const raw = all[0] ?? "";
    if (all.length > 1) return { ok: false, response: badRequest(`The parameter '${name}' may be given once.`, { parameter: name }) };
    const value = parse(parameter, raw);
    if (value === undefined) return { ok: false, response: badRequest(`The parameter '${name}' ${expectation(parameter)}.`, { parameter: name }) };
    values.set(name, value);
  }
  const read = <T>(name: string, guard: (value: unknown) => value is T): T | undefined => {
    const value = values.get(name);
    return guard(value) ? value : undefined;
  };
  return {
    ok: true,
    query: {
      text: (name) => read(name, (value): value is string => typeof value === "string"),
      flag: (name) => read(name, (value): value is boolean => typeof value === "boolean"),
      integer: (name) => read(name, (value): value is number => typeof value === "number"),
      list: (name) => read(name, (value): value is readonly string[] => Array.isArray(value)),
    },
  };
}

function parse(parameter: TelnyxParameter, raw: string): string | boolean | number | readonly string[] | undefined {
  switch (parameter.kind) {
    case "text":
      return raw;
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : undefined;
    case "integer": {
      const value = Number(raw);
      return /^-?[0-9]+$/.test(raw) && value >= parameter.min && value <= parameter.max ? value : undefined;
    }
    case "enum":
      return parameter.values.includes(raw) ? raw : undefined;
    case "list": {
      const items = raw.split(",");
      return items.every((item) => parameter.values.includes(item)) ? items : undefined;
    }
  }
}

function expectation(parameter: TelnyxParameter): string {
  switch (parameter.kind) {
    case "text":
      return "must be text";
    case "boolean":
      return "must be true or false";
    case "integer":
      return `must be an integer from ${parameter.min} to ${parameter.max}`;
    case "enum":
      return `must be one of ${parameter.values.join(", ")}`;
    case "list":
      return `must be a comma-separated list of ${parameter.values.join(", ")}`;
  }
}

/** page[number] and page[size] of the paged lists (`numbers_PageConsolidated`: size 1 to 250, default 20). */
export const PAGE_PARAMETERS: Readonly<Record<string, TelnyxParameter>> = {
  "page[number]": { kind: "integer", min: 1, max: Number.MAX_SAFE_INTEGER },
  "page[size]": { kind: "integer", min: 1, max: 250 },
};

/** One page of a list, with Telnyx's `meta` (PaginationMeta). */
export function pageOf<T>(items: readonly T[], query: TelnyxQuery): { data: T[]; meta: { page_number: number; page_size: number; total_pages: number; total_results: number } } {
  const pageNumber = query.integer("page[number]") ?? 1;
  const pageSize = query.integer("page[size]") ?? 20;
  const start = (pageNumber - 1) * pageSize;
  return {
    data: items.slice(start, start + pageSize),
    meta: { page_number: pageNumber, page_size: pageSize, total_pages: Math.ceil(items.length / pageSize), total_results: items.length },
  };
}

/**
 * A write's JSON body. The spec declares application/json only; another Content-Type is not read (415, with Telnyx's
 * error body), and a body that is not a JSON object is a bad request.
 */
export function readJsonObject(request: EmulatorRequest): { ok: true; body: Record<string, unknown> } | { ok: false; response: EmulatorResponse } {
  const contentType = request.headers["content-type"];
  const mediaType = (Array.isArray(contentType) ? contentType[0] : contentType)?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    return { ok: false, response: telnyxErrorResponse(415, "10015", "Bad Request", "The request body must be sent as application/json.") };
  }
  try {
    const body: unknown = JSON.parse(request.body);
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return { ok: true, body: body as Record<string, unknown> };
  } catch {
    // Answered below.
  }
  return { ok: false, response: badRequest("The request body is not a JSON object.") };
}

/** Refuses a body field the operation does not take (the spec's request schema lists them). */
export function unknownField(body: Record<string, unknown>, allowed: readonly string[], at = ""): EmulatorResponse | undefined {
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  return unknown === undefined ? undefined : unprocessable("10015", "Bad Request", `The field '${unknown}' is not accepted here.`, `${at}/${unknown}`);
}

/** "+E.164" as Telnyx wants it (error 10016). */
export const E164 = /^\+[1-9][0-9]{6,14}$/;

export function isoTimestamp(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}
