import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSync, type EnumTypeDefinition, type MethodDefinition, type PackageDefinition, type ServiceDefinition } from "@grpc/proto-loader";

const SERVICE_NAME = "numbergate.v1.TelecomService";
const SERVICE_FILE = "numbergate/v1/telecom_service.proto";

/** The directories .proto imports are resolved against: the contract, and the google/grpc protos it leans on. */
export interface ProtoRoots {
  readonly contract: string;
  readonly thirdParty: string;
}

/**
 * The repository's proto/ folder, found by walking up from this module: from src/cli/ under tsx and from
 * dist/src/cli/ in a build alike, so the CLI reads whatever contract sits beside it, never generated code.
 */
export function findProtoRoots(start: string = dirname(fileURLToPath(import.meta.url))): ProtoRoots {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, "proto", SERVICE_FILE))) return { contract: join(directory, "proto"), thirdParty: join(directory, "third_party", "proto") };
    if (dirname(directory) === directory) throw new Error(`cannot find proto/${SERVICE_FILE} above ${start}`);
  }
}

/** The shape proto-loader gives an enum: its EnumDescriptorProto. */
interface EnumDescriptor {
  readonly value?: readonly { readonly name?: string }[];
}

/** The service as loaded at run time: its methods, and the value names of the contract's enums. */
export interface Contract {
  readonly roots: ProtoRoots;
  method(name: string): MethodDefinition<object, object>;
  /** Full value names of an enum such as "numbergate.v1.NumberOrderState", in declaration order. */
  enumValues(name: string): readonly string[];
}

export function loadContract(roots: ProtoRoots = findProtoRoots()): Contract {
  // Proto3 JSON-ish objects: 64-bit integers and enums as strings, every field present, oneofs named.
  const definitions: PackageDefinition = loadSync(SERVICE_FILE, {
    includeDirs: [roots.contract, roots.thirdParty],
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const service = definitions[SERVICE_NAME] as ServiceDefinition | undefined;
  if (service === undefined) throw new Error(`${SERVICE_FILE} declares no ${SERVICE_NAME}`);
  return {
    roots,
    method(name) {
      const method = service[name];
      if (method === undefined) throw new Error(`${SERVICE_NAME} has no method ${name} in this contract`);
      return method;
    },
    enumValues(name) {
      const definition = definitions[name] as EnumTypeDefinition | undefined;
      if (definition?.format !== "Protocol Buffer 3 EnumDescriptorProto") throw new Error(`the contract has no enum ${name}`);
      return ((definition.type as EnumDescriptor).value ?? []).flatMap((value) => (value.name === undefined ? [] : [value.name]));
    },
  };
}
