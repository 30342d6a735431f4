import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import type { FieldViolation } from "../../domain/service-errors.js";

/** The request bytes are not a protobuf message of the expected type; `field` is set when known. */
export class MalformedMessageError extends Error {
  readonly field: string | undefined;
  /** What is wrong, without the field name. */
  readonly problem: string;

  constructor(field: string | undefined, problem: string) {
    super(field ? `${field}: ${problem}` : problem);
    this.name = "MalformedMessageError";
    this.field = field;
    this.problem = problem;
  }
}

const MAX_DEPTH = 64;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = -SAFE_MAX;
const WIDE_INTEGERS: ReadonlySet<ScalarType> = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64, ScalarType.SFIXED64]);
const BIT64: ReadonlySet<ScalarType> = new Set([ScalarType.FIXED64, ScalarType.SFIXED64, ScalarType.DOUBLE]);
const BIT32: ReadonlySet<ScalarType> = new Set([ScalarType.FIXED32, ScalarType.SFIXED32, ScalarType.FLOAT]);
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads a request's wire bytes against its schema before ts-proto decodes them, and reports what ts-proto would
 * get wrong silently or crash on, naming each field by its proto path (`reservation_duration.seconds`,
 * `items[3].reservation_id`): 64-bit integers outside what a JavaScript number holds exactly (ts-proto throws on
 * them, which grpc-js turns into INTERNAL), and strings that are not valid UTF-8 (ts-proto replaces the bad bytes
 * with U+FFFD). Bytes that are not a message at all throw MalformedMessageError. Unknown fields and fields with
 * an unexpected wire type are skipped, as every protobuf parser does.
 */
export function findWireViolations(schema: DescMessage, bytes: Uint8Array): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const reader = new BinaryReader(bytes);
  walkMessage(schema, reader, bytes.length, "", violations, 0);
  return violations;
}

function walkMessage(schema: DescMessage, reader: BinaryReader, end: number, path: string, violations: FieldViolation[], depth: number): void {
  if (depth > MAX_DEPTH) throw new MalformedMessageError(path || undefined, `nests messages deeper than ${MAX_DEPTH} levels`);
  const occurrences = new Map<number, number>();
  while (reader.pos < end) {
    const [number, wireType] = readOrThrow(path, () => reader.tag());
    const field = schema.fields.find((candidate) => candidate.number === number);
    if (!field || !acceptsWireType(field, wireType)) {
      readOrThrow(path, () => reader.skip(wireType, number));
      continue;
    }
    const fieldPath = joinPath(schema, path, field.name);
    if (field.fieldKind === "list") {
      const index = occurrences.get(number) ?? 0;
      occurrences.set(number, index + walkListValue(field, wireType, reader, fieldPath, index, violations, depth));
    } else {
      walkValue(field, wireType, reader, fieldPath, violations, depth);
    }
    if (reader.pos > end) throw new MalformedMessageError(fieldPath, "runs past the end of its message");
  }
}

/** Reads one occurrence of a repeated field (one element, or a packed run); returns how many elements it held. */
function walkListValue(field: DescField & { fieldKind: "list" }, wireType: WireType, reader: BinaryReader, path: string, index: number, violations: FieldViolation[], depth: number): number {
  if (field.listKind === "message") {
    walkNested(field.message, reader, `${path}[${index}]`, violations, depth);
    return 1;
  }
  const scalar = field.listKind === "scalar" ? field.scalar : ScalarType.INT32;
  if (wireType === WireType.LengthDelimited && scalar !== ScalarType.STRING && scalar !== ScalarType.BYTES) {
    const packedEnd = readLength(reader, path);
    let count = 0;
    while (reader.pos < packedEnd) {
      checkScalar(scalar, scalarWireType(scalar), reader, `${path}[${index + count}]`, violations);
      count += 1;
    }
    if (reader.pos !== packedEnd) throw new MalformedMessageError(path, "packed values run past their length");
    return count;
  }
  checkScalar(scalar, wireType, reader, `${path}[${index}]`, violations);
  return 1;
}

function walkValue(field: DescField, wireType: WireType, reader: BinaryReader, path: string, violations: FieldViolation[], depth: number): void {
  switch (field.fieldKind) {
    case "message":
      return walkNested(field.message, reader, path, violations, depth);
    case "scalar":
      return checkScalar(field.scalar, wireType, reader, path, violations);
    case "enum":
      readOrThrow(path, () => reader.skip(wireType));
      return;
    case "map": {
      // A map entry is a message with the key as field 1 and the value as field 2; both are checked like fields.
      const entryEnd = readLength(reader, path);
      while (reader.pos < entryEnd) {
        const [number, entryWireType] = readOrThrow(path, () => reader.tag());
        if (number === 1 && entryWireType === scalarWireType(field.mapKey)) checkScalar(field.mapKey, entryWireType, reader, path, violations);
        else if (number === 2 && field.mapKind === "message" && entryWireType === WireType.LengthDelimited) walkNested(field.message, reader, path, violations, depth);
        else if (number === 2 && field.mapKind === "scalar" && entryWireType === scalarWireType(field.scalar)) checkScalar(field.scalar, entryWireType, reader, path, violations);
        else readOrThrow(path, () => reader.skip(entryWireType, number));
      }
      if (reader.pos !== entryEnd) throw new MalformedMessageError(path, "a map entry runs past its length");
      return;
    }
    case "list":
      throw new Error("unreachable: lists are read by walkListValue");
  }
}

function walkNested(schema: DescMessage, reader: BinaryReader, path: string, violations: FieldViolation[], depth: number): void {
  const nestedEnd = readLength(reader, path);
  walkMessage(schema, reader, nestedEnd, path, violations, depth + 1);
  if (reader.pos !== nestedEnd) throw new MalformedMessageError(path, "runs past its length");
}

function checkScalar(scalar: ScalarType, wireType: WireType, reader: BinaryReader, path: string, violations: FieldViolation[]): void {
  if (scalar === ScalarType.STRING) {
    const bytes = readOrThrow(path, () => reader.bytes());
    try {
      STRICT_UTF8.decode(bytes);
    } catch {
      violations.push({ field: path, description: "is not valid UTF-8" });
    }
    return;
  }
  if (WIDE_INTEGERS.has(scalar)) {
    const value = BigInt(readOrThrow(path, () => readWideInteger(scalar, reader)));
    if (value > SAFE_MAX || value < SAFE_MIN) {
      violations.push({ field: path, description: `must be between ${SAFE_MIN} and ${SAFE_MAX} (got ${value})` });
    }
    return;
  }
  readOrThrow(path, () => reader.skip(wireType));
}

function readWideInteger(scalar: ScalarType, reader: BinaryReader): bigint | string {
  switch (scalar) {
    case ScalarType.UINT64:
      return reader.uint64();
    case ScalarType.SINT64:
      return reader.sint64();
    case ScalarType.FIXED64:
      return reader.fixed64();
    case ScalarType.SFIXED64:
      return reader.sfixed64();
    default:
      return reader.int64();
  }
}

function scalarWireType(scalar: ScalarType): WireType {
  if (scalar === ScalarType.STRING || scalar === ScalarType.BYTES) return WireType.LengthDelimited;
  if (BIT64.has(scalar)) return WireType.Bit64;
  if (BIT32.has(scalar)) return WireType.Bit32;
  return WireType.Varint;
}

function acceptsWireType(field: DescField, wireType: WireType): boolean {
  switch (field.fieldKind) {
    case "message":
    case "map":
      return wireType === WireType.LengthDelimited;
    case "enum":
      return wireType === WireType.Varint;
    case "scalar":
      return wireType === scalarWireType(field.scalar);
    case "list": {
      if (field.listKind === "message") return wireType === WireType.LengthDelimited;
      const scalar = field.listKind === "scalar" ? field.scalar : ScalarType.INT32;
      // Repeated numbers may come packed (one length-delimited run) or one by one.
      return wireType === scalarWireType(scalar) || wireType === WireType.LengthDelimited;
    }
  }
}

/** google.protobuf.Int64Value and its kin stand for the field that holds them: name that field, not `.value`. */
function joinPath(schema: DescMessage, path: string, name: string): string {
  if (schema.typeName.startsWith("google.protobuf.") && schema.typeName.endsWith("Value") && path !== "") return path;
  return path === "" ? name : `${path}.${name}`;
}

function readLength(reader: BinaryReader, path: string): number {
  const length = readOrThrow(path, () => reader.uint32());
  const end = reader.pos + length;
  if (end > reader.len) throw new MalformedMessageError(path || undefined, `declares ${length} bytes, more than the message holds`);
  return end;
}

function readOrThrow<Value>(path: string, read: () => Value): Value {
  try {
    return read();
  } catch (error) {
    if (error instanceof MalformedMessageError) throw error;
    throw new MalformedMessageError(path || undefined, error instanceof Error ? error.message : "cannot be read");
  }
}
