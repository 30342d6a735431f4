import { readFileSync } from "node:fs";
import type { Server } from "nice-grpc";
import { ServerReflection, ServerReflectionService } from "nice-grpc-server-reflection";
import { PROJECT_ROOT } from "../project-root.js";

/** The FileDescriptorSet `npm run generate` writes: numbergate's protos plus health and reflection. */
export const DESCRIPTOR_SET_URL = new URL("generated/numbergate.binpb", PROJECT_ROOT);

/**
 * grpc.reflection.v1alpha has the same messages as v1 under another service name. Older grpcurl
 * builds, Postman and some GUI clients speak only v1alpha, so the same implementation serves both.
 */
const ServerReflectionV1AlphaService: typeof ServerReflectionService = {
  serverReflectionInfo: {
    ...ServerReflectionService.serverReflectionInfo,
    // The generated type pins the v1 path as a literal; the wire only needs the path string.
    path: "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo" as typeof ServerReflectionService.serverReflectionInfo.path,
  },
};

/** Adds server reflection (v1 and v1alpha) describing every service listed. */
export function addReflection(server: Server, serviceNames: readonly string[]): void {
  const descriptorSet = readFileSync(DESCRIPTOR_SET_URL);
  const exposed = [...serviceNames, "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];
  const implementation = ServerReflection(new Uint8Array(descriptorSet), exposed);
  server.add(ServerReflectionService, implementation);
  server.add(ServerReflectionV1AlphaService, implementation);
}
