import { type ConfigPath, describeValue, isRecord, type ProblemList } from "./problems.js";
import { readScalar, type ScalarValue } from "./scalar-values.js";

/**
 * The google.protobuf types whose JSON form is not an object of their fields: a Duration is "5s", a
 * UInt32Value a plain number, a Struct any map. (Any is read by the message walker: it holds a message.)
 */
export type WellKnownValue =
  | { readonly kind: "duration"; readonly nanos: bigint }
  | { readonly kind: "scalar"; readonly value: ScalarValue }
  | { readonly kind: "other" };

const WRAPPED_SCALARS: Readonly<Record<string, string>> = {
  "google.protobuf.DoubleValue": "double",
  "google.protobuf.FloatValue": "float",
  "google.protobuf.Int64Value": "int64",
  "google.protobuf.UInt64Value": "uint64",
  "google.protobuf.Int32Value": "int32",
  "google.protobuf.UInt32Value": "uint32",
  "google.protobuf.BoolValue": "bool",
  "google.protobuf.StringValue": "string",
  "google.protobuf.BytesValue": "bytes",
};

const SPECIAL_JSON_TYPES = new Set([
  ...Object.keys(WRAPPED_SCALARS),
  "google.protobuf.Duration",
  "google.protobuf.Timestamp",
  "google.protobuf.FieldMask",
  "google.protobuf.Struct",
  "google.protobuf.Value",
  "google.protobuf.ListValue",
]);

/** 10,000 years: the limit of google.protobuf.Duration. */
const MAX_DURATION_SECONDS = 315_576_000_000n;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether the type has its own JSON form (inside an Any, such a value sits under a "value" key). */
export function hasSpecialJson(typeName: string): boolean {
  return SPECIAL_JSON_TYPES.has(typeName);
}

/** The scalar a wrapper holds (`uint32` for google.protobuf.UInt32Value): its validate rules use that name. */
export function wrappedScalarType(typeName: string): string | undefined {
  return WRAPPED_SCALARS[typeName];
}

/** Reads a value of one of the special-JSON types; undefined (problem recorded) when it is not one. */
export function readWellKnown(value: unknown, typeName: string, path: ConfigPath, problems: ProblemList): WellKnownValue | undefined {
  const wrapped = WRAPPED_SCALARS[typeName];
  if (wrapped !== undefined) {
    const scalar = readScalar(value, wrapped, path, problems);
    return scalar === undefined ? undefined : { kind: "scalar", value: scalar };
  }
  switch (typeName) {
    case "google.protobuf.Duration":
      return readDuration(value, path, problems);
    case "google.protobuf.Timestamp":
      if (typeof value === "string" && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))) return { kind: "other" };
      problems.add(path, `expected an RFC 3339 timestamp such as "2024-01-31T12:00:00Z", got ${describeValue(value)}`);
      return undefined;
    case "google.protobuf.FieldMask":
      if (typeof value === "string") return { kind: "other" };
      problems.add(path, `expected a field mask ("a.b,c"), got ${describeValue(value)}`);
      return undefined;
    case "google.protobuf.Struct":
      if (isRecord(value)) return { kind: "other" };
      problems.add(path, `expected a map, got ${describeValue(value)}`);
      return undefined;
    case "google.protobuf.ListValue":
      if (Array.isArray(value)) return { kind: "other" };
      problems.add(path, `expected a list, got ${describeValue(value)}`);
      return undefined;
    case "google.protobuf.Value":
      return { kind: "other" };
    default:
      problems.add(path, `${typeName} has no special JSON form`);
      return undefined;
  }
}

function readDuration(value: unknown, path: ConfigPath, problems: ProblemList): WellKnownValue | undefined {
  const match = typeof value === "string" ? DURATION.exec(value) : null;
  if (match === null) {
    const hint = typeof value === "number" ? ` (durations are strings with a unit: "${value}s")` : "";
    problems.add(path, `expected a duration such as "5s" or "0.25s", got ${describeValue(value)}${hint}`);
    return undefined;
  }
  const [, sign, secondsText = "0", fraction = ""] = match;
  const seconds = BigInt(secondsText);
  if (seconds > MAX_DURATION_SECONDS) {
    problems.add(path, `duration ${String(value)} is longer than google.protobuf.Duration allows`);
    return undefined;
  }
  const nanos = seconds * 1_000_000_000n + BigInt(fraction.padEnd(9, "0"));
  return { kind: "duration", nanos: sign === "-" ? -nanos : nanos };
}

/** A google.protobuf.Duration written in a validate rule ({seconds, nanos}) as nanoseconds. */
export function durationRuleNanos(rule: unknown): bigint | undefined {
  if (!isRecord(rule)) return undefined;
  const seconds = toBigInt(rule["seconds"]) ?? 0n;
  const nanos = toBigInt(rule["nanos"]) ?? 0n;
  return seconds * 1_000_000_000n + nanos;
}

export function formatNanos(nanos: bigint): string {
  const sign = nanos < 0n ? "-" : "";
  const absolute = nanos < 0n ? -nanos : nanos;
  const fraction = (absolute % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${sign}${absolute / 1_000_000_000n}${fraction === "" ? "" : `.${fraction}`}s`;
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === "bigint") return value;
  // protobufjs hands 64-bit option values over as Long objects.
  if (isRecord(value) && typeof value["toString"] === "function") {
    const text = String(value);
    return /^-?\d+$/.test(text) ? BigInt(text) : undefined;
  }
  return undefined;
}
