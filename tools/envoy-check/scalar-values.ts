import type protobuf from "protobufjs";
import { type ConfigPath, describeValue, didYouMean, type ProblemList } from "./problems.js";

/**
 * A scalar as the proto3 JSON mapping reads it (the mapping Envoy uses for YAML): integers as bigint (64-bit
 * ones may be written as strings), floats as number, enums as their number. Undefined when the value is not
 * one; the problem has been recorded.
 */
export type ScalarValue = bigint | number | string | boolean;

const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

const FLOAT_LIMITS: Readonly<Record<string, number>> = { float: 3.4028234663852886e38, double: Number.MAX_VALUE };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$|^[A-Za-z0-9_-]*$/;

export function isScalarTypeName(typeName: string): boolean {
  return typeName in INTEGER_RANGES || typeName in FLOAT_LIMITS || typeName === "bool" || typeName === "string" || typeName === "bytes";
}

/** Checks a value against a scalar field type (`uint32`, `string`, ...). */
export function readScalar(value: unknown, typeName: string, path: ConfigPath, problems: ProblemList): ScalarValue | undefined {
  const range = INTEGER_RANGES[typeName];
  if (range !== undefined) return readInteger(value, typeName, range, path, problems);
  const limit = FLOAT_LIMITS[typeName];
  if (limit !== undefined) return readFloat(value, typeName, limit, path, problems);
  switch (typeName) {
    case "bool":
      if (typeof value === "boolean") return value;
      problems.add(path, `expected true or false, got ${describeValue(value)}`);
      return undefined;
    case "string":
      if (typeof value === "string") return value;
      problems.add(path, `expected a string, got ${describeValue(value)}${typeof value === "number" ? " (quote it)" : ""}`);
      return undefined;
    case "bytes":
      if (typeof value === "string" && BASE64.test(value)) return value;
      problems.add(path, `expected base64-encoded bytes, got ${describeValue(value)}`);
      return undefined;
    default:
      problems.add(path, `unsupported scalar type ${typeName}`);
      return undefined;
  }
}

function readInteger(value: unknown, typeName: string, [min, max]: readonly [bigint, bigint], path: ConfigPath, problems: ProblemList): bigint | undefined {
  let integer: bigint | undefined;
  if (typeof value === "number" && Number.isInteger(value)) integer = BigInt(value);
  else if (typeof value === "string" && /^-?\d+$/.test(value.trim())) integer = BigInt(value.trim());
  if (integer === undefined) {
    problems.add(path, `expected an integer (${typeName}), got ${describeValue(value)}`);
    return undefined;
  }
  if (integer < min || integer > max) {
    problems.add(path, `${integer} is out of range for ${typeName} (${min} to ${max})`);
    return undefined;
  }
  return integer;
}

function readFloat(value: unknown, typeName: string, limit: number, path: ConfigPath, problems: ProblemList): number | undefined {
  let float: number | undefined;
  if (typeof value === "number") float = value;
  else if (value === "NaN" || value === "Infinity" || value === "-Infinity") float = Number(value);
  else if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) float = Number(value);
  if (float === undefined) {
    problems.add(path, `expected a number (${typeName}), got ${describeValue(value)}`);
    return undefined;
  }
  if (Number.isFinite(float) && Math.abs(float) > limit) {
    problems.add(path, `${float} is out of range for ${typeName}`);
    return undefined;
  }
  return float;
}

/** An enum by value name (as Envoy's docs spell them) or number; returns the number. */
export function readEnum(value: unknown, enumType: protobuf.Enum, path: ConfigPath, problems: ProblemList): number | undefined {
  const names = Object.keys(enumType.values);
  if (typeof value === "string") {
    const number = enumType.values[value];
    if (number !== undefined) return number;
    problems.add(path, `${JSON.stringify(value)} is not a value of enum ${fullName(enumType)}${didYouMean(value, names)}; one of: ${listNames(names)}`);
    return undefined;
  }
  if (typeof value === "number" && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return value;
  problems.add(path, `expected a value of enum ${fullName(enumType)} (${listNames(names)}), got ${describeValue(value)}`);
  return undefined;
}

/** `envoy.config.cluster.v3.Cluster`, without protobufjs' leading dot. */
export function fullName(type: protobuf.ReflectionObject): string {
  return type.fullName.replace(/^\./, "");
}

function listNames(names: readonly string[]): string {
  return names.length <= 12 ? names.join(", ") : `${names.slice(0, 12).join(", ")}, ...`;
}
