import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import protobuf from "protobufjs";
import { fullName } from "./scalar-values.js";

/** One RPC the edge must route: `/numbergate.v1.TelecomService/SearchNumbers`. */
export interface RpcMethod {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  /** Server streaming or bidirectional: lives as long as the caller wants, so no route timeout. */
  readonly streaming: boolean;
}

export interface NumbergateApi {
  /** Services of the numbergate.v1 package: the ones the JSON transcoder must name. */
  readonly ownServices: readonly string[];
  /** Every RPC numbergate serves: numbergate.v1 plus the vendored grpc.health and grpc.reflection services. */
  readonly methods: readonly RpcMethod[];
}

export const NUMBERGATE_PACKAGE = "numbergate.v1";

/**
 * Reads the RPCs from the .proto sources (not the committed descriptor set, which could lag behind them):
 * proto/numbergate/v1 and the grpc.* services vendored in third_party/proto that numbergate registers too.
 */
export function loadNumbergateApi(repositoryRoot: string): NumbergateApi {
  const protoRoot = path.join(repositoryRoot, "proto");
  const vendoredRoot = path.join(repositoryRoot, "third_party", "proto");
  const files = [...protoFilesUnder(path.join(protoRoot, "numbergate", "v1")), ...protoFilesUnder(path.join(vendoredRoot, "grpc"))];
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (target in protobuf.common || path.isAbsolute(target)) return target;
    return [protoRoot, vendoredRoot].map((importRoot) => path.join(importRoot, target)).find((candidate) => existsSync(candidate)) ?? target;
  };
  root.loadSync(files);
  root.resolveAll();

  const methods: RpcMethod[] = [];
  const ownServices: string[] = [];
  for (const service of servicesIn(root)) {
    const serviceName = fullName(service);
    if (serviceName.startsWith(`${NUMBERGATE_PACKAGE}.`)) ownServices.push(serviceName);
    for (const method of service.methodsArray) {
      methods.push({
        service: serviceName,
        method: method.name,
        path: `/${serviceName}/${method.name}`,
        streaming: method.responseStream === true || method.requestStream === true,
      });
    }
  }
  if (ownServices.length === 0) throw new Error(`no ${NUMBERGATE_PACKAGE} service found under ${protoRoot}`);
  return { ownServices, methods };
}

function protoFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...protoFilesUnder(full));
    else if (entry.name.endsWith(".proto")) files.push(full);
  }
  return files.sort();
}

function servicesIn(namespace: protobuf.NamespaceBase): protobuf.Service[] {
  const services: protobuf.Service[] = [];
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Service) services.push(nested);
    else if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) services.push(...servicesIn(nested));
  }
  return services.sort((a, b) => a.fullName.localeCompare(b.fullName));
}
