import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OpenAPIRouter, OpenAPIValidator, type Request as SpecRequest } from "openapi-backend";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import { isSchema, xmlBodyProblems, type Schema } from "./official-spec-xml.js";

export type SpecCarrier = "twilio" | "bandwidth";

export interface SpecViolation {
  /** `METHOD /recorded/path?query` of the offending request. */
  readonly request: string;
  readonly problem: string;
}

export interface SpecViolationOptions {
  /** Prefix of the recorded paths in front of the spec's paths. Defaults to "/api" for Bandwidth, "" for Twilio. */
  readonly basePath?: string;
}

const SPECS_DIRECTORY = new URL("../../../shared/provider-specs/", import.meta.url);

type Definition = ConstructorParameters<typeof OpenAPIRouter>[0]["definition"];
type ValidationError = NonNullable<ReturnType<OpenAPIValidator["validateRequest"]>["errors"]>[number];

interface LoadedSpec {
  readonly document: Schema;
  readonly router: OpenAPIRouter;
  /** Coerces body values too: a form body carries only strings, and repeated keys make arrays. */
  readonly formValidator: OpenAPIValidator;
  readonly jsonValidator: OpenAPIValidator;
}

const loadedSpecs = new Map<string, LoadedSpec>();

// ajv knows no formats by itself. The standard ones are checked, and Twilio's `iso-country-code` (ISO 3166 alpha-2);
// Twilio's `phone-number` is not: the spec defines it nowhere and says `PhoneNumber` filters take partial numbers.
const FORMATS: readonly [string, RegExp | ((value: string) => boolean)][] = [
  ["iso-country-code", /^[A-Z]{2}$/],
  ["date", /^\d{4}-\d{2}-\d{2}$/],
  ["date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i],
  ["uri", (value) => URL.canParse(value)],
  ["uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i],
  ["email", /^[^\s@]+@[^\s@]+$/],
];

/** Replaces every local `$ref` with its target (shared, so cycles stay cycles). */
function dereference(document: Schema): Schema {
  const resolved = new Map<string, Record<string, unknown>>();
  const target = (pointer: string): unknown =>
    pointer
      .slice(2)
      .split("/")
      .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>((node, key) => (isSchema(node) ? node[key] : undefined), document);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isSchema(node)) return node;
    const pointer = node.$ref;
    if (typeof pointer !== "string") return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value)]));
    const known = resolved.get(pointer);
    if (known) return known;
    const referenced = pointer.startsWith("#/") ? target(pointer) : undefined;
    if (!isSchema(referenced)) throw new Error(`Cannot resolve $ref ${pointer} in the official spec`);
    const placeholder: Record<string, unknown> = {};
    resolved.set(pointer, placeholder);
    return Object.assign(placeholder, walk(referenced));
  };
  const result = walk(document);
  if (!isSchema(result)) throw new Error("The official spec is not an object");
  return result;
}

/**
 * The specs leave form and JSON bodies open (no `additionalProperties`), so a misspelt field would pass: close the
 * top level of each body schema that lists its properties. Twilio's webhook configuration body lists none (its
 * fields are only in the docs), so it stays open.
 */
function closeBodySchemas(document: Schema): void {
  for (const pathItem of Object.values(isSchema(document.paths) ? document.paths : {})) {
    for (const operation of Object.values(isSchema(pathItem) ? pathItem : {})) {
      const content = isSchema(operation) && isSchema(operation.requestBody) ? operation.requestBody.content : undefined;
      if (!isSchema(content)) continue;
      for (const [mediaType, media] of Object.entries(content)) {
        if (!isSchema(media) || mediaType.includes("xml")) continue;
        const schema = media.schema;
        if (!isSchema(schema) || !isSchema(schema.properties) || Object.keys(schema.properties).length === 0) continue;
        if (schema.additionalProperties !== undefined || schema.allOf || schema.oneOf || schema.anyOf) continue;
        // A copy: the schema may be a shared component.
        Object.assign(media, { schema: { ...schema, additionalProperties: false } });
      }
    }
  }
}

function loadSpec(file: string): LoadedSpec {
  const cached = loadedSpecs.get(file);
  if (cached) return cached;
  if (!existsSync(SPECS_DIRECTORY)) {
    throw new Error(`The official carrier specs are expected at ../shared/provider-specs beside the repository (${fileURLToPath(SPECS_DIRECTORY)}), but that directory does not exist.`);
  }
  const parsed: unknown = JSON.parse(readFileSync(new URL(file, SPECS_DIRECTORY), "utf8"));
  if (!isSchema(parsed) || typeof parsed.openapi !== "string" || !isSchema(parsed.paths)) throw new Error(`${file} is not an OpenAPI document`);
  const document = dereference(parsed);
  closeBodySchemas(document);
  const definition = document as unknown as Definition;
  const router = new OpenAPIRouter({ definition });
  const validator = (coerceTypes: false | "array"): OpenAPIValidator =>
    new OpenAPIValidator({
      definition,
      router,
      lazyCompileValidators: true,
      ajvOpts: { coerceTypes, allErrors: true, logger: false },
      customizeAjv: (ajv) => {
        for (const [name, check] of FORMATS) ajv.addFormat(name, check);
        return ajv;
      },
    });
  const spec = { document, router, formValidator: validator("array"), jsonValidator: validator(false) };
  loadedSpecs.set(file, spec);
  return spec;
}

function specFile(carrier: SpecCarrier, path: string): string {
  if (carrier === "bandwidth") return "bandwidth/numbers_v1.trimmed.fixed.json";
  return path.startsWith("/v1/") ? "twilio/numbers_v1.trimmed.json" : "twilio/api_v2010.trimmed.json";
}

function header(request: EmulatorRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function securityProblems(spec: LoadedSpec, operation: Schema, request: EmulatorRequest): string[] {
  const requirements = Array.isArray(operation.security) ? operation.security.filter(isSchema) : [];
  if (requirements.length === 0 || requirements.some((requirement) => Object.keys(requirement).length === 0)) return [];
  const schemes = isSchema(spec.document.components) && isSchema(spec.document.components.securitySchemes) ? spec.document.components.securitySchemes : {};
  const unmet = requirements.map((requirement) => Object.keys(requirement).flatMap((name) => schemeProblems(name, schemes[name], request)));
  return unmet.some((problems) => problems.length === 0) ? [] : (unmet[0] ?? []);
}

function schemeProblems(name: string, scheme: unknown, request: EmulatorRequest): string[] {
  if (!isSchema(scheme)) return [`security scheme '${name}' is not defined in the spec`];
  const authorization = header(request, "authorization") ?? "";
  if (scheme.type === "http" && String(scheme.scheme).toLowerCase() === "basic") {
    const credentials = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(authorization)?.[1];
    if (credentials && Buffer.from(credentials, "base64").toString("utf8").includes(":")) return [];
    return [`security scheme '${name}' needs HTTP Basic credentials (Authorization: Basic base64(user:password)), found ${authorization ? "another Authorization header" : "none"}`];
  }
  if (scheme.type === "http" && String(scheme.scheme).toLowerCase() === "bearer") {
    return /^Bearer \S+$/i.test(authorization) ? [] : [`security scheme '${name}' needs an Authorization: Bearer header`];
  }
  if (scheme.type === "apiKey" && typeof scheme.name === "string") {
    const present = scheme.in === "query" ? request.query.has(scheme.name) : header(request, scheme.name.toLowerCase()) !== undefined;
    return present ? [] : [`security scheme '${name}' needs the API key ${scheme.in} '${scheme.name}'`];
  }
  return [`security scheme '${name}' (${String(scheme.type)}) is not supported by this checker`];
}

function mediaTypeMatches(declared: string, actual: string): boolean {
  const [type, subtype] = declared.toLowerCase().split("/");
  const [actualType, actualSubtype] = actual.split("/");
  return (type === "*" || type === actualType) && (subtype === "*" || subtype === actualSubtype);
}

interface BodyCheck {
  readonly problems: string[];
  /** What the library validates against the JSON/form schema, if anything. */
  readonly libraryBody?: { readonly value: unknown; readonly form: boolean };
}

function checkBody(operation: Schema, request: EmulatorRequest): BodyCheck {
  const requestBody = isSchema(operation.requestBody) ? operation.requestBody : undefined;
  const content = requestBody && isSchema(requestBody.content) ? requestBody.content : {};
  if (!requestBody) return { problems: request.body.length > 0 ? ["the operation takes no request body, but one was sent"] : [] };
  if (request.body.length === 0) return { problems: requestBody.required === true ? ["the request body is required, none was sent"] : [] };
  const accepted = Object.keys(content);
  const mediaType = (header(request, "content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const declared = accepted.find((candidate) => mediaTypeMatches(candidate, mediaType));
  if (!mediaType || !declared) return { problems: [`Content-Type ${mediaType ? `'${mediaType}'` : "header is missing; it"} must be one of the spec's: ${accepted.join(", ")}`] };
  const media = content[declared];
  const schema = isSchema(media) && isSchema(media.schema) ? media.schema : undefined;
  if (!schema) return { problems: [] };
  if (declared === "application/x-www-form-urlencoded") {
    const fields: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(request.body)) {
      const previous = fields[name];
      fields[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    return { problems: [], libraryBody: { value: fields, form: true } };
  }
  if (declared === "application/json" || declared.endsWith("+json")) {
    try {
      const value: unknown = JSON.parse(request.body);
      return { problems: [], libraryBody: { value, form: false } };
    } catch (error) {
      return { problems: [`body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`] };
    }
  }
  if (declared.endsWith("/xml") || declared.endsWith("+xml")) return { problems: xmlBodyProblems(request.body, schema) };
  return { problems: [] };
}

const LOCATIONS: Readonly<Record<string, string>> = { query: "query parameter", path: "path parameter", header: "header", requestBody: "body field" };

function describeError(error: ValidationError): string {
  const [, location = "", ...names] = error.instancePath.split("/").map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
  const noun = LOCATIONS[location] ?? "request";
  const params: Readonly<Record<string, unknown>> = error.params;
  const field = (name: unknown): string => [...names, String(name)].join(".");
  const subject = names.length > 0 ? `${noun} '${names.join(".")}'` : location === "requestBody" ? "body" : noun;
  if (error.keyword === "required") return `required ${noun} '${field(params.missingProperty)}' is missing`;
  if (error.keyword === "additionalProperties") return `unknown ${noun} '${field(params.additionalProperty)}' (not in the spec)`;
  if (error.keyword === "enum" && Array.isArray(params.allowedValues)) return `${subject} must be one of: ${params.allowedValues.join(", ")}`;
  return `${subject} ${error.message ?? error.keyword}`;
}

/** Decodes each path segment so parameters are checked as the carrier reads them (`%2B1212…` is `+1212…`). */
function decodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => {
      try {
        const decoded = decodeURIComponent(segment);
        return decoded.includes("/") ? segment : decoded;
      } catch {
        return segment;
      }
    })
    .join("/");
}

function requestProblems(carrier: SpecCarrier, request: EmulatorRequest, basePath: string): string[] {
  if (basePath && request.path !== basePath && !request.path.startsWith(`${basePath}/`)) return [`path is not below the base path ${basePath}`];
  const path = decodePath(request.path.slice(basePath.length) || "/");
  const spec = loadSpec(specFile(carrier, path));
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(request.query.keys())) {
    const values = request.query.getAll(name);
    query[name] = values.length === 1 ? (values[0] ?? "") : values;
  }
  const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined));
  const specRequest: SpecRequest = { method: request.method, path, headers, query };
  const operation = spec.router.matchOperation(specRequest);
  if (!operation) {
    const methods = ["get", "put", "post", "delete", "patch"].filter((method) => spec.router.matchOperation({ ...specRequest, method }));
    const others = methods.length > 0 ? ` (the spec has ${methods.join(", ").toUpperCase()} there)` : "";
    return [`no operation of the official ${carrier} spec matches ${request.method} ${path}${others}`];
  }
  const operationSchema: Schema = { ...operation };
  const body = checkBody(operationSchema, request);
  const validator = body.libraryBody?.form ? spec.formValidator : spec.jsonValidator;
  const result = validator.validateRequest({ ...specRequest, body: body.libraryBody?.value }, operation);
  // A missing or unreadable body is reported by checkBody, in words that name the Content-Type.
  const errors = (result.errors ?? []).filter((error) => !(error.instancePath === "" && error.keyword === "required" && String(error.params.missingProperty) === "requestBody"));
  return [...securityProblems(spec, operationSchema, request), ...body.problems, ...errors.map(describeError)];
}

/**
 * Every violation of the carrier's official OpenAPI spec in these recorded requests (empty = all valid): operation
 * (method + path template), path and query parameters (required, unknown, type/pattern/enum/range after string
 * coercion), the security scheme, the Content-Type against the operation's request body, and the body itself (form
 * and JSON through the schema, XML structurally; see official-spec-xml.ts).
 *
 * @example expect(specViolations("bandwidth", emulator.requests)).toEqual([]);
 */
export function specViolations(carrier: SpecCarrier, requests: readonly EmulatorRequest[], options: SpecViolationOptions = {}): SpecViolation[] {
  const basePath = (options.basePath ?? (carrier === "bandwidth" ? "/api" : "")).replace(/\/$/, "");
  return requests.flatMap((request) => {
    const query = request.query.toString();
    const label = `${request.method} ${request.path}${query ? `?${query}` : ""}`;
    return requestProblems(carrier, request, basePath).map((problem) => ({ request: label, problem }));
  });
}
