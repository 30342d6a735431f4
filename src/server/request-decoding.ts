import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, type DescMessage, type Registry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { LRUCache } from "lru-cache";
import type { CallContext, ServerMiddlewareCall } from "nice-grpc";
import { InvalidRequestError } from "../domain/service-errors.js";
import { DESCRIPTOR_SET_URL } from "./reflection.js";
import { MalformedMessageError, findWireViolations } from "./validation/wire-check.js";

/** The shape of a ts-proto generic service definition that this module needs. */
interface ServiceDefinitionShape {
  readonly fullName: string;
  // nice-grpc decodes a request from its bytes only; nested messages never go through the method's requestType.
  readonly methods: Readonly<Record<string, { readonly name: string; readonly requestType: { decode(input: Uint8Array): unknown } }>>;
}

const REJECTION = Symbol("numbergate.requestRejectedWhileDecoding");

/** What a guarded decode hands to the handler chain instead of a request: the reason to refuse it. */
interface RejectedRequest {
  readonly [REJECTION]: InvalidRequestError;
}

let registry: Registry | undefined;

/** numbergate's descriptors (the set reflection serves), read once. */
function descriptors(): Registry {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, new Uint8Array(readFileSync(DESCRIPTOR_SET_URL))));
  return registry;
}

/**
 * The service definition with a request decoder that never throws. grpc-js answers a decoder that throws with
 * INTERNAL and no details, so bad bytes would look like a numbergate bug: instead, a request whose bytes break
 * the schema (a 64-bit integer beyond 2^53, a string that is not UTF-8, bytes that are not a message at all)
 * decodes to a rejection that `rejectUndecodableRequests` turns into INVALID_ARGUMENT naming the field.
 */
export function guardRequestDecoding<Definition extends ServiceDefinitionShape>(definition: Definition): Definition {
  const service = descriptors().getService(definition.fullName);
  if (!service) throw new Error(`${definition.fullName} is not in the descriptor set; run npm run generate`);
  const methods = Object.fromEntries(
    Object.entries(definition.methods).map(([key, method]) => {
      const schema = service.methods.find((candidate) => candidate.name === method.name)?.input;
      if (!schema) throw new Error(`${definition.fullName}/${method.name} is not in the descriptor set; run npm run generate`);
      const decode = (bytes: Uint8Array): unknown => decodeOrReject(schema, bytes, (valid) => method.requestType.decode(valid));
      return [key, { ...method, requestType: { ...method.requestType, decode } }];
    }),
  );
  // Same methods, same types; only decode differs.
  return { ...definition, methods } as Definition;
}

/**
 * Request bytes already found to keep the schema, per message type, by their SHA-256 (requests carry customer
 * data, which is not kept in memory longer than its call). The wire check is a pure function of the type and
 * the bytes, and callers repeat requests byte for byte (a dashboard polling one search, retries): remembering a
 * clean verdict spares a walk of the message per call. Small requests only, where the hash is cheap.
 */
const CLEAN_REQUESTS = new LRUCache<string, true>({ max: 10_000 });
const REMEMBERED_REQUEST_BYTES = 512;

function isKnownClean(schema: DescMessage, bytes: Uint8Array): { readonly clean: boolean; readonly key?: string } {
  if (bytes.byteLength > REMEMBERED_REQUEST_BYTES) return { clean: false };
  const key = `${schema.typeName}\u0000${createHash("sha256").update(bytes).digest("base64")}`;
  return { clean: CLEAN_REQUESTS.has(key), key };
}

function decodeOrReject(schema: DescMessage, bytes: Uint8Array, decode: (bytes: Uint8Array) => unknown): unknown {
  try {
    const known = isKnownClean(schema, bytes);
    if (!known.clean) {
      const violations = findWireViolations(schema, bytes);
      if (violations.length > 0) return reject(new InvalidRequestError(violations));
      if (known.key !== undefined) CLEAN_REQUESTS.set(known.key, true);
    }
    return decode(bytes);
  } catch (error) {
    if (error instanceof MalformedMessageError && error.field) {
      return reject(new InvalidRequestError([{ field: error.field, description: `cannot be decoded (${error.problem})` }], "MALFORMED_REQUEST"));
    }
    const problem = error instanceof Error ? error.message : "not a protobuf message";
    return reject(new InvalidRequestError([], "MALFORMED_REQUEST", `the request is not a ${schema.typeName} message: ${problem}`));
  }
}

function reject(error: InvalidRequestError): RejectedRequest {
  return { [REJECTION]: error };
}

/** Refuses, before any handler runs, a request that guardRequestDecoding could not decode. */
export async function* rejectUndecodableRequests<Request, Response>(
  call: ServerMiddlewareCall<Request, Response>,
  context: CallContext,
): AsyncGenerator<Response, Response | void, undefined> {
  const request: unknown = call.request;
  if (typeof request === "object" && request !== null && REJECTION in request) throw (request as RejectedRequest)[REJECTION];
  return yield* call.next(call.request, context);
}
