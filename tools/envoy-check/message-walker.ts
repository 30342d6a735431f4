import protobuf from "protobufjs";
import { checkAnyValue } from "./any-values.js";
import { type ConfigPath, describeValue, didYouMean, isRecord, type ProblemList } from "./problems.js";
import { fullName, isScalarTypeName, readEnum, readScalar } from "./scalar-values.js";
import {
  checkDurationRules,
  checkEnumRules,
  checkMapRules,
  checkRepeatedRules,
  checkScalarRules,
  fieldRules,
  isRequiredField,
  isRequiredOneof,
  type Rules,
} from "./validate-rules.js";
import { hasSpecialJson, readWellKnown, wrappedScalarType } from "./well-known-types.js";

/**
 * Walks a config value alongside the protobuf message type it must be, the way Envoy reads YAML (proto3 JSON
 * mapping, unknown fields refused), and records every mismatch. protobufjs' own fromObject would drop unknown
 * fields silently and cannot read "5s" durations, hence this walker.
 */
export class MessageWalker {
  readonly #root: protobuf.Root;
  readonly #problems: ProblemList;
  readonly #fieldIndexes = new WeakMap<protobuf.Type, ReadonlyMap<string, protobuf.Field>>();

  constructor(root: protobuf.Root, problems: ProblemList) {
    this.#root = root;
    this.#problems = problems;
  }

  get root(): protobuf.Root {
    return this.#root;
  }

  get problems(): ProblemList {
    return this.#problems;
  }

  /** A value of the given message type, whichever JSON form that type has. */
  checkMessageValue(value: unknown, type: protobuf.Type, rules: Rules | undefined, path: ConfigPath): void {
    const typeName = fullName(type);
    if (typeName === "google.protobuf.Any") {
      checkAnyValue(this, value, rules, path);
      return;
    }
    if (!hasSpecialJson(typeName)) {
      this.checkMessage(value, type, path);
      return;
    }
    const read = readWellKnown(value, typeName, path, this.#problems);
    if (read?.kind === "duration") checkDurationRules(rules, read.nanos, path, this.#problems);
    if (read?.kind === "scalar") checkScalarRules(rules, wrappedScalarType(typeName) ?? "", read.value, path, this.#problems);
  }

  /** A message in its ordinary JSON form: a map of its fields. */
  checkMessage(value: unknown, type: protobuf.Type, path: ConfigPath): void {
    if (!isRecord(value)) {
      this.#problems.add(path, `expected a map (${fullName(type)}), got ${describeValue(value)}`);
      return;
    }
    const index = this.#fieldIndex(type);
    const present = new Map<protobuf.Field, string>();
    for (const [key, fieldValue] of Object.entries(value)) {
      const field = index.get(key);
      if (field === undefined) {
        const names = type.fieldsArray.map((candidate) => candidate.name);
        this.#problems.add([...path, key], `unknown field ${JSON.stringify(key)} in ${fullName(type)}${didYouMean(key, names)}`);
        continue;
      }
      const earlier = present.get(field);
      if (earlier !== undefined) {
        this.#problems.add([...path, key], `${JSON.stringify(key)} and ${JSON.stringify(earlier)} are the same field; give it once`);
        continue;
      }
      // null is how the JSON mapping writes "not set" (YAML: a key with nothing after it).
      if (fieldValue === null) continue;
      present.set(field, key);
      if (field.options?.["deprecated"] === true) {
        this.#problems.warn([...path, key], `${fullName(type)}.${field.name} is deprecated; Envoy warns about it and may refuse it in a later release`);
      }
      this.#checkField(field, fieldValue, [...path, key]);
    }
    this.#checkOneofs(type, present, path);
    this.#checkAbsentFields(type, present, path);
  }

  #checkField(field: protobuf.Field, value: unknown, path: ConfigPath): void {
    const rules = fieldRules(field);
    if (field instanceof protobuf.MapField) {
      this.#checkMap(field, value, rules, path);
    } else if (field.repeated) {
      if (!Array.isArray(value)) {
        this.#problems.add(path, `expected a list, got ${describeValue(value)}`);
        return;
      }
      const itemRules = checkRepeatedRules(rules, value.length, path, this.#problems);
      value.forEach((item: unknown, position) => {
        if (item === null) this.#problems.add([...path, position], "a list item cannot be null");
        else this.#checkSingle(field, item, itemRules, [...path, position]);
      });
    } else {
      this.#checkSingle(field, value, rules, path);
    }
  }

  #checkMap(field: protobuf.MapField, value: unknown, rules: Rules | undefined, path: ConfigPath): void {
    if (!isRecord(value)) {
      this.#problems.add(path, `expected a map, got ${describeValue(value)}`);
      return;
    }
    const valueRules = checkMapRules(rules, Object.keys(value).length, path, this.#problems);
    for (const [key, item] of Object.entries(value)) {
      if (field.keyType !== "string" && field.keyType !== "bool" && !/^-?\d+$/.test(key)) {
        this.#problems.add([...path, key], `map key ${JSON.stringify(key)} must be an integer (${field.keyType})`);
      }
      if (item === null) this.#problems.add([...path, key], "a map value cannot be null");
      else this.#checkSingle(field, item, valueRules, [...path, key]);
    }
  }

  /** One value of the field's type (an item, for lists and maps). */
  #checkSingle(field: protobuf.FieldBase, value: unknown, rules: Rules | undefined, path: ConfigPath): void {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      this.checkMessageValue(value, resolved, rules, path);
    } else if (resolved instanceof protobuf.Enum) {
      const number = readEnum(value, resolved, path, this.#problems);
      if (number !== undefined) checkEnumRules(rules, resolved, number, path, this.#problems);
    } else if (isScalarTypeName(field.type)) {
      const scalar = readScalar(value, field.type, path, this.#problems);
      if (scalar !== undefined) checkScalarRules(rules, field.type, scalar, path, this.#problems);
    } else {
      this.#problems.add(path, `the schema's type ${field.type} for ${field.name} did not load`);
    }
  }

  #checkOneofs(type: protobuf.Type, present: ReadonlyMap<protobuf.Field, string>, path: ConfigPath): void {
    for (const oneof of type.oneofsArray) {
      const set = oneof.fieldsArray.filter((member) => present.has(member)).map((member) => present.get(member) ?? member.name);
      if (set.length > 1) {
        this.#problems.add(path, `${set.map((name) => JSON.stringify(name)).join(" and ")} are alternatives (oneof ${oneof.name} of ${fullName(type)}): set only one`);
      } else if (set.length === 0 && isRequiredOneof(oneof)) {
        this.#problems.add(path, `one of ${oneof.fieldsArray.map((member) => member.name).join(", ")} is required (oneof ${oneof.name} of ${fullName(type)})`);
      }
    }
  }

  /**
   * protoc-gen-validate judges fields that are not set as well: a required message must be there, and an absent
   * string, number or list is its empty value (so `min_len: 1` means "must be given"). Members of a oneof are
   * judged only when set.
   */
  #checkAbsentFields(type: protobuf.Type, present: ReadonlyMap<protobuf.Field, string>, path: ConfigPath): void {
    for (const field of type.fieldsArray) {
      if (present.has(field)) continue;
      const rules = fieldRules(field);
      if (rules === undefined || field.partOf !== null) continue;
      const fieldPath = [...path, field.name];
      if (isRequiredField(rules)) {
        this.#problems.add(fieldPath, `missing required field ${JSON.stringify(field.name)} of ${fullName(type)}`);
        continue;
      }
      if (field instanceof protobuf.MapField) checkMapRules(rules, 0, fieldPath, this.#problems);
      else if (field.repeated) checkRepeatedRules(rules, 0, fieldPath, this.#problems);
      else if (isScalarTypeName(field.type)) checkScalarRules(rules, field.type, emptyScalar(field.type), fieldPath, this.#problems);
    }
  }

  /** Field names as the .proto spells them and as the JSON mapping does (lowerCamelCase); Envoy takes both. */
  #fieldIndex(type: protobuf.Type): ReadonlyMap<string, protobuf.Field> {
    let index = this.#fieldIndexes.get(type);
    if (index === undefined) {
      const entries = new Map<string, protobuf.Field>();
      for (const field of type.fieldsArray) {
        entries.set(field.name, field);
        const jsonName: unknown = field.options?.["json_name"];
        entries.set(typeof jsonName === "string" ? jsonName : toJsonName(field.name), field);
      }
      index = entries;
      this.#fieldIndexes.set(type, index);
    }
    return index;
  }
}

/** protoc's json_name: each underscore dropped and the letter after it capitalised. */
function toJsonName(protoName: string): string {
  return protoName.replace(/_(.)/g, (_match, letter: string) => letter.toUpperCase());
}

function emptyScalar(typeName: string): string | bigint | number | boolean {
  if (typeName === "string" || typeName === "bytes") return "";
  if (typeName === "bool") return false;
  return typeName === "double" || typeName === "float" ? 0 : 0n;
}
