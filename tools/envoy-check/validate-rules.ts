import type protobuf from "protobufjs";
import { type ConfigPath, isRecord, type ProblemList } from "./problems.js";
import type { ScalarValue } from "./scalar-values.js";
import { durationRuleNanos, formatNanos } from "./well-known-types.js";

/**
 * The protoc-gen-validate (`validate.rules`) constraints Envoy enforces when it loads a config, as far as they
 * can be judged from the config alone: required fields and oneofs, string lengths and header-safe characters,
 * numeric and duration bounds, list sizes, defined enum values, allowed Any types.
 */
export type Rules = Readonly<Record<string, unknown>>;

/** A field's `(validate.rules)`, merged when the .proto states them in several options. */
export function fieldRules(field: protobuf.Field): Rules | undefined {
  let merged: Record<string, unknown> | undefined;
  // Typed as a map in protobufjs' declarations, but a list of single-option objects at run time.
  const options: unknown = field.parsedOptions;
  for (const option of Array.isArray(options) ? options : []) {
    if (!isRecord(option)) continue;
    const rules = option["(validate.rules)"];
    if (isRecord(rules)) merged = deepMerge(merged ?? {}, rules);
  }
  return merged;
}

export function isRequiredField(rules: Rules | undefined): boolean {
  return ["message", "duration", "timestamp", "any"].some((kind) => ruleSet(rules, kind)?.["required"] === true);
}

export function isRequiredOneof(oneof: protobuf.OneOf): boolean {
  return oneof.options?.["(validate.required)"] === true;
}

/** The rules for one kind of value (`string`, `uint32`, `repeated`, ...), if any. */
export function ruleSet(rules: Rules | undefined, kind: string): Rules | undefined {
  const set = rules?.[kind];
  return isRecord(set) ? set : undefined;
}

export function checkScalarRules(rules: Rules | undefined, typeName: string, value: ScalarValue, path: ConfigPath, problems: ProblemList): void {
  const set = ruleSet(rules, typeName);
  if (set === undefined || (set["ignore_empty"] === true && isEmptyScalar(value))) return;
  if (typeof value === "string" && typeName === "string") checkStringRules(set, value, path, problems);
  else if (typeof value === "bigint" || typeof value === "number") checkBounds(set, value, String(value), path, problems);
}

export function checkDurationRules(rules: Rules | undefined, nanos: bigint, path: ConfigPath, problems: ProblemList): void {
  const set = ruleSet(rules, "duration");
  if (set === undefined) return;
  const bounds: Record<string, bigint | undefined> = {};
  for (const key of ["const", "lt", "lte", "gt", "gte"]) if (key in set) bounds[key] = durationRuleNanos(set[key]);
  checkBounds(bounds, nanos, formatNanos(nanos), path, problems, formatNanos);
}

export function checkEnumRules(rules: Rules | undefined, enumType: protobuf.Enum, number: number, path: ConfigPath, problems: ProblemList): void {
  const set = ruleSet(rules, "enum");
  if (set?.["defined_only"] === true && !Object.values(enumType.values).includes(number)) {
    problems.add(path, `${number} is not a defined value of enum ${enumType.name}`);
  }
}

/** Checks a list's size; returns the rules each of its items must meet. */
export function checkRepeatedRules(rules: Rules | undefined, length: number, path: ConfigPath, problems: ProblemList): Rules | undefined {
  const set = ruleSet(rules, "repeated");
  if (set === undefined) return undefined;
  if (!(set["ignore_empty"] === true && length === 0)) checkCount(set, "min_items", "max_items", length, "item", path, problems);
  const items = set["items"];
  return isRecord(items) ? items : undefined;
}

/** Checks a map's size; returns the rules each of its values must meet. */
export function checkMapRules(rules: Rules | undefined, size: number, path: ConfigPath, problems: ProblemList): Rules | undefined {
  const set = ruleSet(rules, "map");
  if (set === undefined) return undefined;
  if (!(set["ignore_empty"] === true && size === 0)) checkCount(set, "min_pairs", "max_pairs", size, "entry", path, problems);
  const values = set["values"];
  return isRecord(values) ? values : undefined;
}

export function checkAnyRules(rules: Rules | undefined, typeUrl: string, path: ConfigPath, problems: ProblemList): void {
  const set = ruleSet(rules, "any");
  const allowed = set?.["in"];
  if (Array.isArray(allowed) && !allowed.includes(typeUrl)) problems.add(path, `type ${typeUrl} is not allowed here; one of: ${allowed.join(", ")}`);
}

function checkStringRules(set: Rules, value: string, path: ConfigPath, problems: ProblemList): void {
  const length = [...value].length;
  const bytes = Buffer.byteLength(value, "utf8");
  const number = (key: string) => (typeof set[key] === "number" ? set[key] : undefined);
  const text = (key: string) => (typeof set[key] === "string" ? set[key] : undefined);
  const quoted = JSON.stringify(value);
  const minLen = number("min_len");
  if (minLen !== undefined && length < minLen) problems.add(path, minLen === 1 ? "must not be empty" : `${quoted} is shorter than ${minLen} characters`);
  const maxLen = number("max_len");
  if (maxLen !== undefined && length > maxLen) problems.add(path, `${quoted} is longer than ${maxLen} characters`);
  const minBytes = number("min_bytes");
  if (minBytes !== undefined && bytes < minBytes) problems.add(path, minBytes === 1 ? "must not be empty" : `${quoted} is shorter than ${minBytes} bytes`);
  const maxBytes = number("max_bytes");
  if (maxBytes !== undefined && bytes > maxBytes) problems.add(path, `${quoted} is longer than ${maxBytes} bytes`);
  const prefix = text("prefix");
  if (prefix !== undefined && !value.startsWith(prefix)) problems.add(path, `${quoted} must start with ${JSON.stringify(prefix)}`);
  const suffix = text("suffix");
  if (suffix !== undefined && !value.endsWith(suffix)) problems.add(path, `${quoted} must end with ${JSON.stringify(suffix)}`);
  const contains = text("contains");
  if (contains !== undefined && !value.includes(contains)) problems.add(path, `${quoted} must contain ${JSON.stringify(contains)}`);
  const notContains = text("not_contains");
  if (notContains !== undefined && value.includes(notContains)) problems.add(path, `${quoted} must not contain ${JSON.stringify(notContains)}`);
  const allowed = set["in"];
  if (Array.isArray(allowed) && !allowed.includes(value)) problems.add(path, `${quoted} is not one of ${allowed.join(", ")}`);
  const refused = set["not_in"];
  if (Array.isArray(refused) && refused.includes(value)) problems.add(path, `${quoted} is not allowed here`);
  const wellKnown = set["well_known_regex"];
  // Header names and values: Envoy refuses the characters that would split or end a header line.
  if ((wellKnown === "HTTP_HEADER_NAME" || wellKnown === "HTTP_HEADER_VALUE") && /[\0\r\n]/.test(value)) {
    problems.add(path, `${quoted} contains a NUL, CR or LF, which an HTTP header cannot carry`);
  }
  if (wellKnown === "HTTP_HEADER_NAME" && set["strict"] !== false && !/^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/.test(value)) {
    problems.add(path, `${quoted} is not a valid HTTP header name`);
  }
}

type Comparable = bigint | number;

/** const, lt, lte, gt, gte and in/not_in, including protoc-gen-validate's exclusive ranges (gt > lt). */
function checkBounds(
  set: Readonly<Record<string, unknown>>,
  value: Comparable,
  shown: string,
  path: ConfigPath,
  problems: ProblemList,
  format: (bound: bigint) => string = String,
): void {
  const bound = (key: string): Comparable | undefined => {
    const raw = set[key];
    return typeof raw === "number" || typeof raw === "bigint" ? raw : undefined;
  };
  const show = (limit: Comparable) => (typeof limit === "bigint" ? format(limit) : String(limit));
  const exact = bound("const");
  if (exact !== undefined && compare(value, exact) !== 0) problems.add(path, `${shown} must be ${show(exact)}`);
  const lower = bound("gt") ?? bound("gte");
  const upper = bound("lt") ?? bound("lte");
  const aboveLower = lower === undefined || (bound("gt") !== undefined ? compare(value, lower) > 0 : compare(value, lower) >= 0);
  const belowUpper = upper === undefined || (bound("lt") !== undefined ? compare(value, upper) < 0 : compare(value, upper) <= 0);
  const lowerWord = bound("gt") !== undefined ? "greater than" : "at least";
  const upperWord = bound("lt") !== undefined ? "less than" : "at most";
  if (lower !== undefined && upper !== undefined && compare(lower, upper) > 0) {
    if (!aboveLower && !belowUpper) problems.add(path, `${shown} must be ${upperWord} ${show(upper)} or ${lowerWord} ${show(lower)}`);
    return;
  }
  if (!aboveLower && lower !== undefined) problems.add(path, `${shown} must be ${lowerWord} ${show(lower)}`);
  if (!belowUpper && upper !== undefined) problems.add(path, `${shown} must be ${upperWord} ${show(upper)}`);
  const allowed = set["in"];
  if (Array.isArray(allowed) && !allowed.some((item) => (typeof item === "number" || typeof item === "bigint") && compare(value, item) === 0)) {
    problems.add(path, `${shown} is not one of ${allowed.join(", ")}`);
  }
}

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  const left = Number(a);
  const right = Number(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

function checkCount(set: Rules, minKey: string, maxKey: string, count: number, noun: string, path: ConfigPath, problems: ProblemList): void {
  const min = set[minKey];
  const max = set[maxKey];
  if (typeof min === "number" && count < min) problems.add(path, `needs at least ${min} ${noun}${min === 1 ? "" : "s"}, has ${count}`);
  if (typeof max === "number" && count > max) problems.add(path, `allows at most ${max} ${noun}${max === 1 ? "" : "s"}, has ${count}`);
}

function isEmptyScalar(value: ScalarValue): boolean {
  return value === "" || value === 0 || value === 0n || value === false;
}

function deepMerge(target: Record<string, unknown>, source: Readonly<Record<string, unknown>>): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    target[key] = isRecord(existing) && isRecord(value) ? deepMerge({ ...existing }, value) : value;
  }
  return target;
}
