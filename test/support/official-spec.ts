import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OpenAPIRouter, OpenAPIValidator, type Operation, type Request as SpecRequest } from "openapi-backend";
import type { EmulatorRequest } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import type { CarrierApiSpec } from "../../src/carriers/kit/carrier-definition.js";
import { CARRIERS as REGISTERED_CARRIERS, type RegisteredCarrier } from "../../src/carriers/registry.js";
import { prepareDocument } from "./official-spec-document.js";
import { isSchema, xmlBodyProblems, type Schema } from "./official-spec-xml.js";

/** The carriers whose API specs the recorded requests are checked against: every registered one (its `apiSpec`). */
const SPECS: ReadonlyMap<string, CarrierApiSpec> = new Map(REGISTERED_CARRIERS.map((carrier) => [carrier.id, carrier.apiSpec]));

export type SpecCarrier = RegisteredCarrier["id"];

export const SPEC_CARRIERS: readonly SpecCarrier[] = REGISTERED_CARRIERS.map((carrier) => carrier.id);

export interface SpecViolation {
  /** `METHOD /recorded/path?query` of the offending request. */
  readonly request: string;
  readonly problem: string;
}

export interface SpecViolationOptions {
  /**
   * Prefix of the recorded paths in front of the spec's paths; a `{name}` segment matches any one segment. Defaults
   * to the carrier's: "/api" for Bandwidth, "/v2" for Telnyx, "/v1/Account/{auth_id}" for Plivo, "" for the others.
   */
  readonly basePath?: string;
}

const SPECS_DIRECTORY = new URL("../../../shared/provider-specs/", import.meta.url);

type Definition = ConstructorParameters<typeof OpenAPIRouter>[0]["definition"];
type ValidationError = NonNullable<ReturnType<OpenAPIValidator["validateRequest"]>["errors"]>[number];

interface LoadedSpec {
  readonly document: Schema;
  readonly openapi: string;
  /** Path templates the spec writes with a trailing '/' (as keys of `document.paths`, without it). */
  readonly trailingSlashPaths: ReadonlySet<string>;
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

function loadSpec(file: string): LoadedSpec {
  const cached = loadedSpecs.get(file);
  if (cached) return cached;
  if (!existsSync(SPECS_DIRECTORY)) {
    throw new Error(`The official carrier specs are expected at ../shared/provider-specs beside the repository (${fileURLToPath(SPECS_DIRECTORY)}), but that directory does not exist.`);
  }
  const { document, openapi, trailingSlashPaths } = prepareDocument(readFileSync(new URL(file, SPECS_DIRECTORY), "utf8"), file);
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
  const spec = { document, openapi, trailingSlashPaths, router, formValidator: validator("array"), jsonValidator: validator(false) };
  loadedSpecs.set(file, spec);
  return spec;
}

function carrierSpec(carrier: SpecCarrier): CarrierApiSpec {
  const spec = SPECS.get(carrier);
  if (spec === undefined) throw new Error(`No official spec is known for carrier '${String(carrier)}' (known: ${SPEC_CARRIERS.join(", ")})`);
  return spec;
}

function specFiles(carrier: SpecCarrier): string[] {
  const spec = carrierSpec(carrier).documents;
  return typeof spec === "string" ? [spec] : Object.values(spec);
}

function specFile(carrier: SpecCarrier, path: string): string {
  const spec = carrierSpec(carrier).documents;
  if (typeof spec === "string") return spec;
  const prefix = Object.keys(spec)
    .filter((candidate) => path.startsWith(candidate))
    .sort((left, right) => right.length - left.length)[0];
  const file = prefix === undefined ? undefined : spec[prefix as keyof typeof spec];
  if (file === undefined) throw new Error(`No official ${carrier} spec covers ${path}`);
  return file;
}

/** The path below the base path (`{name}` segments of the base path match any one segment), or undefined. */
function belowBasePath(path: string, basePath: string): string | undefined {
  const prefix = basePath.split("/").slice(1);
  const segments = path.split("/").slice(1);
  if (prefix.length === 0) return path || "/";
  if (segments.length < prefix.length) return undefined;
  const matches = prefix.every((expected, index) => {
    const actual = segments[index] ?? "";
    return /^\{[^/{}]+\}$/.test(expected) ? actual !== "" : actual === expected;
  });
  return matches ? `/${segments.slice(prefix.length).join("/")}` : undefined;
}

function header(request: EmulatorRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parameters(operation: Schema): Schema[] {
  return Array.isArray(operation.parameters) ? operation.parameters.filter(isSchema) : [];
}

function securitySchemes(spec: LoadedSpec): Schema {
  const components = spec.document.components;
  return isSchema(components) && isSchema(components.securitySchemes) ? components.securitySchemes : {};
}

/** The operation's security requirements (the router has already put the document's default in where it has none). */
function securityRequirements(operation: Schema): Schema[] {
  return Array.isArray(operation.security) ? operation.security.filter(isSchema) : [];
}

/** Query parameters that are credentials of an `apiKey` scheme (Vonage's api_key, api_secret), not operation parameters. */
function queryCredentials(spec: LoadedSpec, operation: Schema): Set<string> {
  const schemes = securitySchemes(spec);
  return new Set(
    securityRequirements(operation)
      .flatMap((requirement) => Object.keys(requirement))
      .map((name) => schemes[name])
      .flatMap((scheme) => (isSchema(scheme) && scheme.type === "apiKey" && scheme.in === "query" && typeof scheme.name === "string" ? [scheme.name] : [])),
  );
}

function securityProblems(spec: LoadedSpec, operation: Schema, request: EmulatorRequest): string[] {
  const requirements = securityRequirements(operation);
  if (requirements.length === 0 || requirements.some((requirement) => Object.keys(requirement).length === 0)) return [];
  const schemes = securitySchemes(spec);
  const unmet = requirements.map((requirement) => Object.keys(requirement).flatMap((name) => schemeProblems(name, schemes[name], request)));
  if (unmet.some((problems) => problems.length === 0)) return [];
  if (unmet.length === 1) return unmet[0] ?? [];
  return [`none of the spec's security alternatives is met: ${unmet.map((problems) => problems.join(" and ")).join("; or ")}`];
}

function cookie(request: EmulatorRequest, name: string): string | undefined {
  for (const pair of (header(request, "cookie") ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** `apiKey` in query, header or cookie, and `http` with the basic or bearer scheme: what the carriers' specs use. */
function schemeProblems(name: string, scheme: unknown, request: EmulatorRequest): string[] {
  if (!isSchema(scheme)) return [`security scheme '${name}' is not defined in the spec`];
  const authorization = header(request, "authorization") ?? "";
  const httpScheme = String(scheme.scheme).toLowerCase();
  if (scheme.type === "http" && httpScheme === "basic") {
    const credentials = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(authorization)?.[1];
    if (credentials && Buffer.from(credentials, "base64").toString("utf8").includes(":")) return [];
    return [`security scheme '${name}' needs HTTP Basic credentials (Authorization: Basic base64(user:password)), found ${authorization ? "another Authorization header" : "none"}`];
  }
  if (scheme.type === "http" && httpScheme === "bearer") {
    if (/^Bearer [A-Za-z0-9\-._~+/]+=*$/i.test(authorization)) return [];
    return [`security scheme '${name}' needs an Authorization: Bearer <token> header, found ${authorization ? "another Authorization header" : "none"}`];
  }
  if (scheme.type === "apiKey" && typeof scheme.name === "string") {
    const value = scheme.in === "query" ? request.query.get(scheme.name) : scheme.in === "header" ? header(request, scheme.name.toLowerCase()) : scheme.in === "cookie" ? cookie(request, scheme.name) : undefined;
    if (value) return [];
    return [`security scheme '${name}' needs the API key ${scheme.in === "query" ? "query parameter" : String(scheme.in)} '${scheme.name}'`];
  }
  return [`security scheme '${name}' (${String(scheme.type)}${scheme.type === "http" ? ` ${httpScheme}` : ""}) is not supported by this checker`];
}

function mediaTypeMatches(declared: string, actual: string): boolean {
  const [type, subtype] = declared.toLowerCase().split("/");
  const [actualType, actualSubtype] = actual.split("/");
  return (type === "*" || type === actualType) && (subtype === "*" || subtype === actualSubtype);
}

interface BodyCheck {
  readonly problems: string[];
  /** What the library validates against the JSON/form schema, if anything. */
  readonly libraryBody?: { readonly value: unknown; readonly form: boolean; readonly schema: Schema };
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
    return { problems: [], libraryBody: { value: fields, form: true, schema } };
  }
  if (declared === "application/json" || declared.endsWith("+json")) {
    try {
      const value: unknown = JSON.parse(request.body);
      return { problems: [], libraryBody: { value, form: false, schema } };
    } catch (error) {
      return { problems: [`body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`] };
    }
  }
  if (declared.endsWith("/xml") || declared.endsWith("+xml")) return { problems: xmlBodyProblems(request.body, schema) };
  return { problems: [] };
}

/**
 * Fields the schema marks `readOnly` ("MAY be sent as part of a response but SHOULD NOT be sent as part of the
 * request", OpenAPI): ajv does not check this. Telnyx's reservation request schema lists `id`, `status`, `created_at`.
 */
function readOnlyProblems(value: unknown, schema: unknown, at: readonly string[] = []): string[] {
  if (!isSchema(schema)) return [];
  const inAllOf = (Array.isArray(schema.allOf) ? schema.allOf : []).flatMap((part: unknown) => readOnlyProblems(value, part, at));
  if (Array.isArray(value)) return [...inAllOf, ...value.flatMap((item: unknown, index) => readOnlyProblems(item, schema.items, [...at, String(index)]))];
  if (!isSchema(value) || !isSchema(schema.properties)) return inAllOf;
  const properties = schema.properties;
  return [
    ...inAllOf,
    ...Object.entries(value).flatMap(([key, field]) => {
      const property = properties[key];
      if (isSchema(property) && property.readOnly === true) return [`body field '${[...at, key].join(".")}' is read-only in the spec: responses carry it, requests must not`];
      return readOnlyProblems(field, property, [...at, key]);
    }),
  ];
}

const LOCATIONS: Readonly<Record<string, string>> = { query: "query parameter", path: "path parameter", header: "header", requestBody: "body field" };

function describeError(error: ValidationError): string {
  const [, location = "", ...names] = error.instancePath.split("/").map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
  const noun = LOCATIONS[location] ?? "request";
  const params: Readonly<Record<string, unknown>> = error.params;
  // A deepObject query parameter is named as it is sent: filter[phone_number][starts_with].
  const join = (parts: readonly string[]): string => (location === "query" ? `${parts[0] ?? ""}${parts.slice(1).map((part) => `[${part}]`).join("")}` : parts.join("."));
  const field = (name: unknown): string => join([...names, String(name)]);
  const subject = names.length > 0 ? `${noun} '${join(names)}'` : location === "requestBody" ? "body" : noun;
  if (error.keyword === "required") return `required ${noun} '${field(params.missingProperty)}' is missing`;
  if (error.keyword === "additionalProperties") return `unknown ${noun} '${field(params.additionalProperty)}' (not in the spec)`;
  if (error.keyword === "enum" && Array.isArray(params.allowedValues)) return `${subject} must be one of: ${params.allowedValues.join(", ")}`;
  if (error.keyword === "const") return `${subject} must be ${JSON.stringify(params.allowedValue)}`;
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

function propertySchema(schema: unknown, keys: readonly string[]): Schema | undefined {
  return keys.reduce<Schema | undefined>((node, key) => {
    const properties = node && isSchema(node.properties) ? node.properties : undefined;
    const property = properties?.[key];
    return isSchema(property) ? property : undefined;
  }, isSchema(schema) ? schema : undefined);
}

/**
 * The query as openapi-backend validates it: one entry per parameter (repeated keys make arrays), `filter[a][b]=x`
 * nested under `filter` where the operation declares `filter` as a deepObject parameter, and `apiKey` credentials
 * left out (they are checked as security, and are no operation parameter). An array inside a deepObject may be sent
 * comma-joined, as Telnyx's official SDK does (`filter[features]=sms,voice`; OpenAPI leaves this case undefined).
 */
function queryObject(request: EmulatorRequest, operation: Schema, credentials: ReadonlySet<string>): Record<string, unknown> {
  const deepObjects = new Map(parameters(operation).flatMap((parameter) => (parameter.in === "query" && parameter.style === "deepObject" && typeof parameter.name === "string" ? [[parameter.name, parameter.schema] as const] : [])));
  const query: Record<string, unknown> = {};
  for (const name of new Set(request.query.keys())) {
    if (credentials.has(name)) continue;
    const values = request.query.getAll(name);
    const value = values.length === 1 ? (values[0] ?? "") : values;
    const match = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(name);
    const root = match?.[1];
    const keys = [...(match?.[2] ?? "").matchAll(/\[([^[\]]*)\]/g)].map((key) => key[1] ?? "");
    if (root === undefined || !deepObjects.has(root) || !setNested(query, [root, ...keys], value, deepObjects.get(root))) query[name] = value;
  }
  return query;
}

/** Puts the value at the path of keys; false where something else is already there (it is then kept flat, and reported unknown). */
function setNested(query: Record<string, unknown>, [root, ...keys]: readonly string[], value: string | string[], schema: unknown): boolean {
  let node: Record<string, unknown> = query;
  for (const key of [root ?? "", ...keys.slice(0, -1)]) {
    const child = node[key] ?? (node[key] = {});
    if (!isSchema(child)) return false;
    node = child as Record<string, unknown>;
  }
  const last = keys.at(-1) ?? "";
  if (node[last] !== undefined) return false;
  const target = propertySchema(schema, keys);
  node[last] = target?.type === "array" && typeof value === "string" ? value.split(",") : value;
  return true;
}

interface Matched {
  readonly spec: LoadedSpec;
  readonly specRequest: SpecRequest;
  /** The path below the base path, decoded. */
  readonly path: string;
  readonly operation: Operation | undefined;
}

function match(carrier: SpecCarrier, method: string, recordedPath: string, basePath: string, headers: SpecRequest["headers"] = {}): Matched | string {
  const below = belowBasePath(recordedPath, basePath);
  if (below === undefined) return `path is not below the base path ${basePath}`;
  const path = decodePath(below);
  const spec = loadSpec(specFile(carrier, path));
  const specRequest: SpecRequest = { method, path, headers, query: {} };
  return { spec, specRequest, path, operation: spec.router.matchOperation(specRequest) };
}

function requestProblems(carrier: SpecCarrier, request: EmulatorRequest, basePath: string): string[] {
  const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined));
  const matched = match(carrier, request.method, request.path, basePath, headers);
  if (typeof matched === "string") return [matched];
  const { spec, path, operation } = matched;
  if (!operation) {
    const methods = ["get", "put", "post", "delete", "patch"].filter((method) => spec.router.matchOperation({ ...matched.specRequest, method }));
    const others = methods.length > 0 ? ` (the spec has ${methods.join(", ").toUpperCase()} there)` : "";
    return [`no operation of the official ${carrier} spec matches ${request.method} ${path}${others}`];
  }
  const operationSchema: Schema = { ...operation };
  // Nested values (deepObject) are outside the declared type, but openapi-backend hands the object to ajv as it is.
  const query = queryObject(request, operationSchema, queryCredentials(spec, operationSchema)) as SpecRequest["query"];
  const specRequest: SpecRequest = { ...matched.specRequest, query };
  const slash = spec.trailingSlashPaths.has(operation.path) && !path.endsWith("/") ? [`the spec's path is ${operation.path}/, with a trailing '/', and the request's has none`] : [];
  const body = checkBody(operationSchema, request);
  const validator = body.libraryBody?.form ? spec.formValidator : spec.jsonValidator;
  const result = validator.validateRequest({ ...specRequest, body: body.libraryBody?.value }, operation);
  // A missing or unreadable body is reported by checkBody, in words that name the Content-Type.
  const errors = (result.errors ?? []).filter((error) => !(error.instancePath === "" && error.keyword === "required" && String(error.params.missingProperty) === "requestBody"));
  const readOnly = body.libraryBody ? readOnlyProblems(body.libraryBody.value, body.libraryBody.schema) : [];
  return [...slash, ...securityProblems(spec, operationSchema, request), ...body.problems, ...errors.map(describeError), ...readOnly];
}

function basePathOf(carrier: SpecCarrier, options: SpecViolationOptions): string {
  return (options.basePath ?? carrierSpec(carrier).basePath).replace(/\/$/, "");
}

/**
 * Every violation of the carrier's official OpenAPI spec in these recorded requests (empty = all valid): operation
 * (method + path template, including a trailing '/' where the spec has one), path and query parameters (required,
 * unknown, type/pattern/enum/range after string coercion; deepObject `filter[...]` parameters key by key), the
 * security scheme (`http` basic/bearer, `apiKey` in query/header/cookie, alternatives), the Content-Type against the
 * operation's request body, and the body itself (form and JSON through the schema, closed at the top level, with no
 * read-only fields; XML structurally, see official-spec-xml.ts).
 *
 * @example expect(specViolations("bandwidth", emulator.requests)).toEqual([]);
 */
export function specViolations(carrier: SpecCarrier, requests: readonly EmulatorRequest[], options: SpecViolationOptions = {}): SpecViolation[] {
  const basePath = basePathOf(carrier, options);
  return requests.flatMap((request) => {
    const query = request.query.toString();
    const label = `${request.method} ${request.path}${query ? `?${query}` : ""}`;
    return requestProblems(carrier, request, basePath).map((problem) => ({ request: label, problem }));
  });
}

/** The operationId of the carrier's spec that a recorded method and path (with its base path) reach, if any. */
export function specOperationId(carrier: SpecCarrier, method: string, recordedPath: string, options: SpecViolationOptions = {}): string | undefined {
  const matched = match(carrier, method, recordedPath, basePathOf(carrier, options));
  return typeof matched === "string" ? undefined : matched.operation?.operationId;
}

export interface LoadedSpecSummary {
  readonly file: string;
  readonly openapi: string;
  readonly operationIds: readonly string[];
}

/**
 * Loads every spec file of the carrier and compiles the request validators of all its operations (otherwise compiled
 * lazily, on first use), so a spec the tooling cannot read fails here, whole; throws what goes wrong.
 */
export function compileSpecs(carrier: SpecCarrier): LoadedSpecSummary[] {
  return specFiles(carrier).map((file) => {
    const spec = loadSpec(file);
    spec.jsonValidator.preCompileRequestValidators();
    spec.formValidator.preCompileRequestValidators();
    const operationIds = spec.router.getOperations().flatMap((operation) => (operation.operationId ? [operation.operationId] : []));
    return { file, openapi: spec.openapi, operationIds };
  });
}
