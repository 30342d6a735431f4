import { join } from "node:path";
import protobuf from "protobufjs";
import type { ProtoRoots } from "./contract.js";

/** One google.protobuf.Any of a google.rpc.Status, decoded when its type is one of google/rpc's. */
export interface StatusDetail {
  /** "google.rpc.ErrorInfo", or the type URL's last part for a type this CLI does not know. */
  readonly type: string;
  /** Proto3 JSON-ish fields (camelCase, longs and enums as strings); undefined when the type is unknown. */
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

/** google.rpc.Status as grpc-status-details-bin carries it. */
export interface RichStatus {
  readonly code: number;
  readonly message: string;
  readonly details: readonly StatusDetail[];
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true };

/**
 * Reads google.rpc.Status and the error detail types from the repository's copy of google/rpc at run time,
 * like the service contract: no generated code, so a detail type added there is decoded without a rebuild.
 */
export function createStatusDecoder(roots: ProtoRoots): (bytes: Uint8Array) => RichStatus {
  let types: protobuf.Root | undefined;
  const root = (): protobuf.Root =>
    // google/protobuf/*.proto imports resolve to protobufjs' bundled well-known types.
    (types ??= new protobuf.Root().loadSync([join(roots.thirdParty, "google/rpc/status.proto"), join(roots.thirdParty, "google/rpc/error_details.proto")]));

  return (bytes) => {
    const status = root().lookupType("google.rpc.Status");
    // protobufjs' bundled google.protobuf.Any keeps the proto's snake_case field name; parsed files get camelCase.
    const decoded = status.toObject(status.decode(bytes), TO_OBJECT) as { code?: number; message?: string; details?: { type_url?: string; typeUrl?: string; value?: Uint8Array }[] };
    return {
      code: decoded.code ?? 0,
      message: decoded.message ?? "",
      details: (decoded.details ?? []).map((any) => decodeAny(root(), any.type_url ?? any.typeUrl ?? "", any.value ?? new Uint8Array())),
    };
  };
}

function decodeAny(root: protobuf.Root, typeUrl: string, value: Uint8Array): StatusDetail {
  const type = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
  const messageType = root.lookup(type);
  if (!(messageType instanceof protobuf.Type)) return { type, fields: undefined };
  return { type, fields: messageType.toObject(messageType.decode(value), TO_OBJECT) };
}
