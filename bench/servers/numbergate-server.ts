import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { startSandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { startNumbergate } from "../../src/app/start-numbergate.js";
import { loadConfig } from "../../src/config/load-config.js";
import { silentLogger } from "../../src/telemetry/logger.js";
import { cpuMicros, serveCommands, type Command, type ReadyMessage } from "../lib/protocol.js";

/**
 * numbergate in sandbox mode, in a process of its own, configured by the environment bench/run.ts gives it
 * (NUMBERGATE_*, SEARCH_CACHE_TTL, <CARRIER>_ENABLED, ...). The emulators run in this process, as in
 * `npm start` sandbox mode; they are started here only so that the bench can inject latency and count requests.
 * BENCH_TRACING=1: spans go to an in-memory exporter, emptied every second. NUMBERGATE_MODE=live: no emulators
 * here (the carrier variables point at shared ones, bench/servers/emulators-server.ts); emulator commands fail.
 */
const sandbox = process.env["NUMBERGATE_MODE"] === "live" ? undefined : await startSandboxCarriers();
const spanExporter = process.env["BENCH_TRACING"] === "1" ? new InMemorySpanExporter() : undefined;
const app = await startNumbergate({ config: loadConfig(), logger: silentLogger(), sandbox, spanExporter });
if (spanExporter) setInterval(() => spanExporter.reset(), 1_000).unref();

function emulator(carrier: string) {
  const found = sandbox?.emulators.get(carrier);
  if (!found) throw new Error(`no emulator for ${carrier}`);
  return found;
}

function handle(command: Command): number | Promise<number> {
  switch (command.cmd) {
    case "cpu":
      return cpuMicros();
    case "rss":
      return process.memoryUsage().rss;
    case "latency":
      for (const [carrier, latencyMs] of Object.entries(command.carriers)) {
        emulator(carrier).faults.clear();
        emulator(carrier).faults.inject({ kind: "latency", latencyMs, method: "GET" });
      }
      return 0;
    case "clearFaults":
      for (const each of sandbox?.emulators.values() ?? []) each.faults.clear();
      return 0;
    case "fault":
      emulator(command.carrier).faults.inject(command.fault);
      return 0;
    case "connections":
      return (command.accept ? emulator(command.carrier).acceptConnections() : emulator(command.carrier).refuseConnections()).then(() => 0);
    case "takeRequests":
      return emulator(command.carrier).requests.splice(0).length;
    case "countRequests":
      return emulator(command.carrier).countRequests((request) => request.method === command.method);
    case "resetRequests":
      for (const each of sandbox?.emulators.values() ?? []) each.requests.length = 0;
      return 0;
    case "resetSpans":
      spanExporter?.reset();
      return 0;
    case "setResponses":
      throw new Error("not an echo server");
  }
}

serveCommands(handle);
async function stop(): Promise<void> {
  await app.shutdown();
  await sandbox?.stop();
  process.exit(0);
}
process.once("SIGTERM", () => void stop());
process.send?.({ type: "ready", address: app.address, environment: sandbox?.environment ?? {} } satisfies ReadyMessage);
