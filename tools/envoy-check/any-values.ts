import protobuf from "protobufjs";
import type { MessageWalker } from "./message-walker.js";
import { type ConfigPath, describeValue, didYouMean, isRecord } from "./problems.js";
import { fullName } from "./scalar-values.js";
import { checkAnyRules, type Rules } from "./validate-rules.js";
import { hasSpecialJson } from "./well-known-types.js";

/** The only type URL prefix protobuf's JSON parser (and so Envoy) resolves. */
export const TYPE_URL_PREFIX = "type.googleapis.com/";

/** Envoy also takes an extension's config as a TypedStruct: its type URL plus the fields as a Struct. */
const TYPED_STRUCTS = new Set(["udpa.type.v1.TypedStruct", "xds.type.v3.TypedStruct"]);

const typeNamesByRoot = new WeakMap<protobuf.Root, readonly string[]>();

/**
 * A google.protobuf.Any (`typed_config` and the like): `"@type": type.googleapis.com/<message>` next to that
 * message's fields, or next to `value` for a type with its own JSON form. The message must be one of Envoy's.
 */
export function checkAnyValue(walker: MessageWalker, value: unknown, rules: Rules | undefined, path: ConfigPath): void {
  if (!isRecord(value)) {
    walker.problems.add(path, `expected a map with an "@type", got ${describeValue(value)}`);
    return;
  }
  const type = resolveTypeUrl(walker, value["@type"], [...path, "@type"]);
  if (type === undefined) return;
  checkAnyRules(rules, String(value["@type"]), path, walker.problems);

  const typeName = fullName(type);
  const fields = Object.fromEntries(Object.entries(value).filter(([key]) => key !== "@type"));
  if (hasSpecialJson(typeName)) {
    for (const key of Object.keys(fields)) if (key !== "value") walker.problems.add([...path, key], `unknown field ${JSON.stringify(key)}: a ${typeName} in an Any goes under "value"`);
    walker.checkMessageValue(fields["value"], type, undefined, [...path, "value"]);
    return;
  }
  walker.checkMessage(fields, type, path);
  if (TYPED_STRUCTS.has(typeName)) checkTypedStruct(walker, fields, path);
}

function checkTypedStruct(walker: MessageWalker, fields: Record<string, unknown>, path: ConfigPath): void {
  const typeUrlKey = "type_url" in fields ? "type_url" : "typeUrl";
  const inner = resolveTypeUrl(walker, fields[typeUrlKey], [...path, typeUrlKey]);
  if (inner !== undefined) walker.checkMessage(fields["value"] ?? {}, inner, [...path, "value"]);
}

function resolveTypeUrl(walker: MessageWalker, typeUrl: unknown, path: ConfigPath): protobuf.Type | undefined {
  if (typeof typeUrl !== "string") {
    walker.problems.add(path, typeUrl === undefined ? `missing "@type" (${TYPE_URL_PREFIX}<message type>)` : `expected a type URL string, got ${describeValue(typeUrl)}`);
    return undefined;
  }
  if (!typeUrl.startsWith(TYPE_URL_PREFIX)) {
    walker.problems.add(path, `type URL ${JSON.stringify(typeUrl)} must start with ${TYPE_URL_PREFIX}`);
    return undefined;
  }
  const typeName = typeUrl.slice(TYPE_URL_PREFIX.length);
  const found = lookupMessageType(walker.root, typeName);
  if (found === undefined) {
    const suggestion = didYouMean(typeName, allMessageTypeNames(walker.root));
    walker.problems.add(path, `unknown type ${JSON.stringify(typeName)}: not a message of Envoy's v3 API${suggestion}`);
  }
  return found;
}

function lookupMessageType(root: protobuf.Root, typeName: string): protobuf.Type | undefined {
  if (typeName === "" || typeName.startsWith(".")) return undefined;
  const found = root.lookup(typeName);
  // lookup() also finds nested names relative to enclosing namespaces; only an exact full name counts.
  return found instanceof protobuf.Type && fullName(found) === typeName ? found : undefined;
}

function allMessageTypeNames(root: protobuf.Root): readonly string[] {
  let names = typeNamesByRoot.get(root);
  if (names === undefined) {
    const collected: string[] = [];
    const visit = (namespace: protobuf.NamespaceBase) => {
      for (const nested of namespace.nestedArray) {
        if (nested instanceof protobuf.Type) collected.push(fullName(nested));
        if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
      }
    };
    visit(root);
    names = collected;
    typeNamesByRoot.set(root, names);
  }
  return names;
}
