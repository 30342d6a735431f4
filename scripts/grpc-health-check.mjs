#!/usr/bin/env node
// The container's HEALTHCHECK: `node scripts/grpc-health-check.mjs [host:port] [service]` asks grpc.health.v1
// Health/Check and exits 0 only on SERVING; 1 on any other status, an error or no answer within the deadline.
// The address defaults to the port numbergate listens on (NUMBERGATE_GRPC_ADDR), reached over loopback when it
// listens on every interface. It uses the service's own runtime dependencies (nice-grpc and the health
// definition of nice-grpc-server-health), so the image needs no grpc_health_probe binary and no proto file.
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";

/** Well under Docker's default HEALTHCHECK timeout (30 s) and Envoy's 1 s, as a SERVING answer is immediate. */
const DEADLINE_MS = 3_000;
/** grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING */
const SERVING = 1;

function loopbackFor(listenAddress) {
  const separator = listenAddress.lastIndexOf(":");
  const host = listenAddress.slice(0, separator);
  const port = listenAddress.slice(separator + 1);
  const wildcard = host === "0.0.0.0" || host === "" || host === "[::]" || host === "::";
  return `${wildcard ? "127.0.0.1" : host}:${port}`;
}

const [addressArg, service = ""] = process.argv.slice(2);
const address = addressArg ?? loopbackFor(process.env.NUMBERGATE_GRPC_ADDR ?? "127.0.0.1:50051");
const channel = createChannel(address);
let status;
try {
  const response = await createClient(HealthDefinition, channel).check({ service }, { signal: AbortSignal.timeout(DEADLINE_MS) });
  status = response.status;
} catch (error) {
  process.stderr.write(`grpc-health-check: ${address}: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  channel.close();
}
if (status !== undefined) process.stdout.write(`grpc-health-check: ${address} ${service === "" ? "(server)" : service}: ${statusName(status)}\n`);
process.exit(status === SERVING ? 0 : 1);

function statusName(value) {
  return ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"][value] ?? String(value);
}
