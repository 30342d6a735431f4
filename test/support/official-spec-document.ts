import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import { isSchema, type Schema } from "./official-spec-xml.js";

/**
 * Turns the text of an official OpenAPI document (JSON or YAML, OpenAPI 3.0 or 3.1) into the form that
 * openapi-backend 5.20 validates correctly: local `$ref`s replaced, 3.1 schemas brought to what its draft-07 ajv
 * understands, request bodies and deepObject query parameters closed, trailing slashes taken off the path templates.
 */
export interface PreparedDocument {
  readonly document: Schema;
  /** The `openapi` field, e.g. "3.0.3" or "3.1.0". */
  readonly openapi: string;
  /** Path templates (as keys of `document.paths`, trailing slash removed) that the spec writes with a trailing '/'. */
  readonly trailingSlashPaths: ReadonlySet<string>;
}

export function prepareDocument(text: string, file: string): PreparedDocument {
  const parsed = parseDocument(text, file);
  if (!isSchema(parsed) || typeof parsed.openapi !== "string" || !isSchema(parsed.paths)) throw new Error(`${file} is not an OpenAPI document`);
  const openapi = parsed.openapi;
  const is31 = /^3\.1\./.test(openapi);
  if (!is31 && !/^3\.0\./.test(openapi)) throw new Error(`${file} is OpenAPI ${openapi}; only 3.0 and 3.1 are supported`);
  const document = dereference(is31 ? normalise31(parsed, file) : parsed, is31);
  closeBodySchemas(document);
  closeDeepObjectParameters(document);
  return { document, openapi, trailingSlashPaths: stripTrailingSlashes(document, file) };
}

/**
 * YAML through js-yaml with the YAML 1.2 core schema (OpenAPI recommends YAML 1.2 limited to JSON-compatible tags): no
 * timestamps (an unquoted `2024-01-01` example stays a string instead of becoming a Date), no `<<` merge keys, no
 * binary; duplicate keys are an error. Anything else is JSON.
 */
function parseDocument(text: string, file: string): unknown {
  if (/\.ya?ml$/i.test(file)) return loadYaml(text, { schema: CORE_SCHEMA, filename: file });
  return JSON.parse(text);
}

/** Keys whose value maps names to schemas (the names are not keywords), and keys whose value is data, not schema. */
const NAME_MAPS = new Set(["properties", "patternProperties", "schemas", "$defs", "definitions"]);
const DATA_KEYS = new Set(["example", "examples", "default", "enum", "const"]);

/** A copy of the document in which `visit` has seen (and may have changed) every object that is neither data nor a name map. */
function transform(node: unknown, visit: (node: Record<string, unknown>, at: string) => void, at = "#", names = false): unknown {
  if (Array.isArray(node)) return node.map((item, index) => transform(item, visit, `${at}/${index}`));
  if (!isSchema(node)) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const data = !names && (DATA_KEYS.has(key) || key.startsWith("x-"));
    copy[key] = data ? value : transform(value, visit, `${at}/${key}`, !names && NAME_MAPS.has(key));
  }
  if (!names) visit(copy, at);
  return copy;
}

/**
 * JSON Schema 2020-12 keywords that 3.1 schemas may use and that openapi-backend's ajv (draft-07, `strict: false`)
 * would silently skip: a schema using one would validate less than it says. None of the carrier specs uses them; if
 * one starts to, loading fails, naming where, instead of passing requests it should not.
 */
const KEYWORDS_DRAFT07_IGNORES = new Set(["prefixItems", "unevaluatedProperties", "unevaluatedItems", "dependentRequired", "dependentSchemas", "$dynamicRef", "$dynamicAnchor", "minContains", "maxContains", "contentSchema"]);

/**
 * OpenAPI 3.1 schemas are JSON Schema 2020-12; openapi-backend 5.20 compiles every schema with ajv's draft-07 dialect
 * and never looks at the `openapi` version. Tried on Telnyx's document, it compiles and validates: draft-07 ajv
 * understands type arrays, `const`, `examples` and `readOnly`/`writeOnly`. Two things still need doing:
 * - openapi-backend's own code (turning a single query value into an array) reads `schema.type === "array"`, and so do
 *   this checker's XML walker and body closing, so `type: [T, "null"]` (Telnyx writes 39) becomes the 3.0 form
 *   `type: T, nullable: true`, which ajv 8 supports natively;
 * - the 2020-12 keywords above are refused (see there), as is a `jsonSchemaDialect` other than OpenAPI's own.
 * `$ref` siblings, which 3.1 applies and 3.0 ignores, are handled by `dereference`.
 */
function normalise31(document: Schema, file: string): Schema {
  const dialect = document.jsonSchemaDialect;
  if (dialect !== undefined && dialect !== "https://spec.openapis.org/oas/3.1/dialect/base") throw new Error(`${file} declares jsonSchemaDialect ${String(dialect)}, which this checker does not support`);
  const unsupported: string[] = [];
  const result = transform(document, (node, at) => {
    unsupported.push(...Object.keys(node).filter((key) => KEYWORDS_DRAFT07_IGNORES.has(key)).map((key) => `${key} at ${at}`));
    const types = node.type;
    if (!Array.isArray(types) || !types.includes("null")) return;
    const others = types.filter((type) => type !== "null");
    if (others.length === 1) Object.assign(node, { type: others[0], nullable: true });
  });
  if (unsupported.length > 0) throw new Error(`${file} uses JSON Schema 2020-12 keywords that openapi-backend's draft-07 validator would ignore: ${unsupported.join(", ")}`);
  if (!isSchema(result)) throw new Error(`${file} is not an object`);
  return result;
}

/** What a `$ref`'s siblings may say without changing validation. */
const ANNOTATIONS = new Set(["description", "summary", "title", "example", "examples", "$comment", "deprecated"]);

/**
 * Replaces every local `$ref` with its target (shared, so cycles stay cycles). In 3.0 a `$ref`'s siblings are
 * ignored, as the 3.0 specification says; in 3.1 they apply, so a sibling that validates (e.g. `readOnly`, `maxLength`)
 * is kept as `{ allOf: [target], ...siblings }`. Annotations alone are dropped.
 */
function dereference(document: Schema, siblingsApply: boolean): Schema {
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
    const siblings = siblingsApply ? Object.entries(node).filter(([key]) => key !== "$ref" && !ANNOTATIONS.has(key)) : [];
    const shared = resolveReference(pointer);
    return siblings.length === 0 ? shared : { allOf: [shared], ...Object.fromEntries(siblings.map(([key, value]) => [key, walk(value)])) };
  };
  const resolveReference = (pointer: string): Record<string, unknown> => {
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

function pathItems(document: Schema): Schema[] {
  return Object.values(isSchema(document.paths) ? document.paths : {}).filter(isSchema);
}

function operationsOf(pathItem: Schema): Schema[] {
  return Object.entries(pathItem).flatMap(([key, operation]) => (key !== "parameters" && isSchema(operation) ? [operation] : []));
}

/** An object schema that lists its properties and says nothing about others, as a closed copy; otherwise undefined. */
function closed(schema: unknown): Schema | undefined {
  if (!isSchema(schema) || !isSchema(schema.properties) || Object.keys(schema.properties).length === 0) return undefined;
  if (schema.additionalProperties !== undefined || schema.allOf || schema.oneOf || schema.anyOf) return undefined;
  return { ...schema, additionalProperties: false };
}

/**
 * The specs leave form and JSON bodies open (no `additionalProperties`; Plivo's derived spec says so on purpose), so
 * a misspelt field would pass: close the top level of each body schema that lists its properties. Twilio's webhook
 * configuration body lists none (its fields are only in the docs), so it stays open.
 */
function closeBodySchemas(document: Schema): void {
  for (const operation of pathItems(document).flatMap(operationsOf)) {
    const content = isSchema(operation.requestBody) ? operation.requestBody.content : undefined;
    if (!isSchema(content)) continue;
    for (const [mediaType, media] of Object.entries(content)) {
      if (!isSchema(media) || mediaType.includes("xml")) continue;
      const schema = closed(media.schema);
      // A copy: the schema may be a shared component.
      if (schema) Object.assign(media, { schema });
    }
  }
}

/**
 * A deepObject query parameter (Telnyx's `filter[...]`, `page[...]`) is one parameter whose keys are the schema's
 * properties, and the schemas leave them open, so `filter[contry_code]` would pass: close the top level, as bodies.
 */
function closeDeepObjectParameters(document: Schema): void {
  for (const pathItem of pathItems(document)) {
    const lists = [pathItem.parameters, ...operationsOf(pathItem).map((operation) => operation.parameters)];
    for (const parameter of lists.flatMap((list) => (Array.isArray(list) ? list.filter(isSchema) : []))) {
      if (parameter.in !== "query" || parameter.style !== "deepObject") continue;
      const schema = closed(parameter.schema);
      if (schema) Object.assign(parameter, { schema });
    }
  }
}

/**
 * openapi-backend drops a request path's trailing slashes before matching (`ignoreTrailingSlashes`), but not the
 * templates', so a spec written with trailing slashes (Plivo: `/PhoneNumber/`, `/Number/{number}/`) would match
 * nothing. The templates lose theirs too, and the ones that had one are returned, so the checker can insist on it.
 */
function stripTrailingSlashes(document: Schema, file: string): Set<string> {
  const paths = isSchema(document.paths) ? document.paths : {};
  const trailing = new Set<string>();
  const stripped: Record<string, unknown> = {};
  for (const [template, pathItem] of Object.entries(paths)) {
    const bare = template.length > 1 ? template.replace(/\/+$/, "") : template;
    if (bare in stripped) throw new Error(`${file} has both ${bare} and ${bare}/; the checker cannot tell them apart`);
    if (bare !== template) trailing.add(bare);
    stripped[bare] = pathItem;
  }
  Object.assign(document, { paths: stripped });
  return trailing;
}
