import { parseXml } from "../../src/carriers/kit/xml.js";

/** A node of a dereferenced OpenAPI document. */
export type Schema = { readonly [keyword: string]: unknown };

export function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Elements that Bandwidth's own request examples send but its schemas lack (`<Lata>` where the schemas say `LATA`,
 * `<EnableTNDetail>` in an NPA-NXX order, `<County>` in a port-in service address). The examples are the only word on
 * these elements, so they are accepted exactly where the examples put them, and nowhere else.
 */
const ELEMENTS_ONLY_IN_SPEC_EXAMPLES: ReadonlySet<string> = new Set([
  "Order/LATASearchAndOrderType/Lata",
  "Order/CombinedSearchAndOrderType/Lata",
  "Order/NPANXXSearchAndOrderType/EnableTNDetail",
  "LnpOrder/Subscriber/ServiceAddress/County",
]);

/** One flattened variant of a schema: allOf merged, one branch of every oneOf/anyOf chosen. */
interface Shape {
  readonly type: string | undefined;
  readonly xmlName: string | undefined;
  readonly properties: Readonly<Record<string, Schema>>;
  readonly required: readonly string[];
  readonly items: Schema | undefined;
}

interface Problem {
  readonly path: string;
  readonly text: string;
}

function merge(left: Shape, right: Shape): Shape {
  return {
    type: left.type ?? right.type,
    xmlName: left.xmlName ?? right.xmlName,
    properties: { ...left.properties, ...right.properties },
    required: [...left.required, ...right.required],
    items: left.items ?? right.items,
  };
}

function schemaList(value: unknown): Schema[] {
  return Array.isArray(value) ? value.filter(isSchema) : [];
}

function xmlName(schema: Schema | undefined): string | undefined {
  return schema && isSchema(schema.xml) && typeof schema.xml.name === "string" ? schema.xml.name : undefined;
}

function shapes(schema: Schema): Shape[] {
  const properties = isSchema(schema.properties) ? Object.entries(schema.properties).filter((entry): entry is [string, Schema] => isSchema(entry[1])) : [];
  const own: Shape = {
    type: typeof schema.type === "string" ? schema.type : undefined,
    xmlName: xmlName(schema),
    properties: Object.fromEntries(properties),
    required: Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === "string") : [],
    items: isSchema(schema.items) ? schema.items : undefined,
  };
  let result = [own];
  for (const part of schemaList(schema.allOf)) result = result.flatMap((shape) => shapes(part).map((other) => merge(shape, other)));
  // A structural check cannot tell oneOf branches apart (the spec's "General" order example fits all eleven), so
  // oneOf is read as anyOf: the body must fit at least one branch.
  const branches = [...schemaList(schema.oneOf), ...schemaList(schema.anyOf)];
  if (branches.length > 0) result = result.flatMap((shape) => branches.flatMap((branch) => shapes(branch).map((other) => merge(shape, other))));
  return result;
}

function kind(shape: Shape): "object" | "array" | "scalar" {
  if (shape.type === "array" || (shape.type === undefined && shape.items)) return "array";
  if (shape.type === "object" || (shape.type === undefined && Object.keys(shape.properties).length > 0)) return "object";
  return "scalar";
}

/** Child element name -> schema; a property's own `xml.name` renames its element, as OpenAPI says. */
function childElements(shape: Shape): Map<string, Schema> {
  return new Map(Object.entries(shape.properties).map(([property, schema]) => [xmlName(schema) ?? property, schema]));
}

/**
 * Elements allowed inside a list element. Every request example wraps its lists (`<TelephoneNumberList>
 * <TelephoneNumber>…`) although the spec sets `xml.wrapped` only on a few response lists, so every array is read as
 * wrapped. The spec names the item element either with `items.xml.name` or by making the item an object with one
 * property (`items: {$ref: TelephoneNumber}` = `{TelephoneNumber: string}`); undefined means any name.
 */
function listItems(items: Schema | undefined): Map<string, Schema> | undefined {
  if (!items) return undefined;
  const name = xmlName(items);
  if (name) return new Map([[name, items]]);
  const objectShapes = shapes(items).filter((shape) => kind(shape) === "object");
  return objectShapes.length === 0 ? undefined : new Map(objectShapes.flatMap((shape) => [...childElements(shape)]));
}

function content(value: unknown): "empty" | "text" | "children" {
  if (typeof value === "object" && value !== null) return "children";
  return value === "" || value === undefined ? "empty" : "text";
}

function checkChildren(path: string, value: unknown, allowed: Map<string, Schema> | undefined, repeatable: boolean): Problem[] {
  if (!isSchema(value)) return [];
  const problems: Problem[] = [];
  for (const [name, child] of Object.entries(value)) {
    if (name === "#text") {
      problems.push({ path, text: `${path} mixes text with child elements` });
      continue;
    }
    const schema = allowed === undefined || ELEMENTS_ONLY_IN_SPEC_EXAMPLES.has(`${path}/${name}`) ? {} : allowed.get(name);
    if (!schema) {
      problems.push({ path, text: `XML element <${name}> is not allowed in ${path} (the spec allows: ${[...(allowed?.keys() ?? [])].join(", ") || "nothing"})` });
      continue;
    }
    const occurrences: unknown[] = Array.isArray(child) ? child : [child];
    if (occurrences.length > 1 && !repeatable) problems.push({ path, text: `XML element <${name}> appears ${occurrences.length} times in ${path}, the spec allows one` });
    for (const occurrence of occurrences) problems.push(...checkElement(`${path}/${name}`, occurrence, schema));
  }
  return problems;
}

function checkShape(path: string, value: unknown, shape: Shape): Problem[] {
  const found = content(value);
  switch (kind(shape)) {
    case "array":
      return found === "text" ? [{ path, text: `${path} must be a list of elements, found text` }] : checkChildren(path, value, listItems(shape.items), true);
    case "object": {
      const children = childElements(shape);
      // Bandwidth models a named scalar as an object with one string property (`ReservedTn: {$ref: TelephoneNumber}`)
      // while its examples send plain text (`<ReservedTn>4354770625</ReservedTn>`): accept text for such objects.
      if (found === "text") {
        const namedScalar = children.size === 1 && [...children.values()].every((child) => shapes(child).every((variant) => kind(variant) === "scalar"));
        return children.size === 0 || namedScalar ? [] : [{ path, text: `${path} must contain child elements, found text` }];
      }
      const present = new Set(isSchema(value) ? Object.keys(value) : []);
      const missing = shape.required.map((property) => xmlName(shape.properties[property]) ?? property).filter((name) => !present.has(name));
      const problems = missing.map((name) => ({ path, text: `${path} is missing required XML element <${name}>` }));
      // An object schema that lists no properties says nothing about its children: leave them alone.
      return children.size === 0 ? problems : [...problems, ...checkChildren(path, value, children, false)];
    }
    case "scalar":
      return found === "children" ? [{ path, text: `${path} must be text, found child elements` }] : [];
  }
}

/**
 * The problems of the variant that fits best: fewest problems, then the deepest ones (a variant that got further into
 * the document before failing is the one the sender meant). None when any variant fits.
 */
function closest(candidates: Iterable<Problem[]>): Problem[] {
  let best: Problem[] | undefined;
  const depth = (problems: Problem[]): number => problems.reduce((sum, problem) => sum + problem.path.split("/").length, 0);
  for (const problems of candidates) {
    if (problems.length === 0) return [];
    if (!best || problems.length < best.length || (problems.length === best.length && depth(problems) > depth(best))) best = problems;
  }
  return best ?? [];
}

function checkElement(path: string, value: unknown, schema: Schema): Problem[] {
  return closest(shapes(schema).map((shape) => checkShape(path, value, shape)));
}

/**
 * Root element name and content of each variant of a request body schema. The spec uses two conventions: `xml.name`
 * on the body schema (`Order`), or a wrapper object whose single property is the root (`{Reservation: …}`).
 */
function roots(schema: Schema): { name: string | undefined; shape: Shape }[] {
  return shapes(schema).flatMap((shape) => {
    const properties = Object.entries(shape.properties);
    const [only] = properties;
    if (shape.xmlName || properties.length !== 1 || !only) return [{ name: shape.xmlName, shape }];
    return shapes(only[1]).map((inner) => ({ name: xmlName(only[1]) ?? only[0], shape: inner }));
  });
}

/**
 * Structural problems of an XML request body against its OpenAPI schema: well-formedness, the root element, every
 * child element name (recursively), required elements, repetition, and text versus child elements. Scalar values are
 * not checked: the spec's own examples break its scalar types (`<SiteId>    SITE ID     </SiteId>` for an int32,
 * `<SubscriberType>BUSINESS</SubscriberType>` with the residential subscriber's fields).
 */
export function xmlBodyProblems(body: string, schema: Schema): string[] {
  let document: Record<string, unknown>;
  try {
    document = parseXml(body);
  } catch (error) {
    return [`body is not well-formed XML: ${error instanceof Error ? error.message : String(error)}`];
  }
  const elements = Object.keys(document).filter((name) => !name.startsWith("?"));
  const [rootName] = elements;
  if (elements.length !== 1 || rootName === undefined) return [`XML body must have exactly one root element, found ${elements.length}`];
  const candidates = roots(schema);
  const named = candidates.filter((root) => root.name === rootName || root.name === undefined);
  if (named.length === 0) return [`XML root element <${rootName}> is not the spec's <${[...new Set(candidates.map((root) => root.name))].join("> or <")}>`];
  return closest(named.map((root) => checkShape(rootName, document[rootName], root.shape))).map((problem) => problem.text);
}
