import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { startSandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { startNumbergate } from "../../src/app/start-numbergate.js";
import { loadConfig } from "../../src/config/load-config.js";
import { silentLogger } from "../../src/telemetry/logger.js";
import { emulatorCommand, isEmulatorCommand } from "../lib/emulator-commands.js";
import { cpuMicros, serveCommands, type Command, type ReadyMessage } from "../lib/protocol.js";

/**
 * numbergate in sandbox mode, in a process of its own, configured by the environment bench/run.ts gives it
 * (NUMBERGATE_*, SEARCH_CACHE_TTL, <CARRIER>_ENABLED, ...). The emulators run in this process, as in
 * `npm start` sandbox mode; they are started here only so that the bench can inject latency and count requests.
 * BENCH_TRACING=1: spans go to an in-memory exporter, emptied every second. NUMBERGATE_MODE=live: no emulators
 * here (the carrier variables point at shared ones, bench/servers/emulators-server.ts, which takes the emulator
 * commands instead).
 */
const sandbox = process.env["NUMBERGATE_MODE"] === "live" ? undefined : await startSandboxCarriers();
const spanExporter = process.env["BENCH_TRACING"] === "1" ? new InMemorySpanExporter() : undefined;
const app = await startNumbergate({ config: loadConfig(), logger: silentLogger(), sandbox, spanExporter });
if (spanExporter) setInterval(() => spanExporter.reset(), 1_000).unref();

function handle(command: Command): number | Promise<number> {
  if (isEmulatorCommand(command)) {
    if (!sandbox) throw new Error("live mode: the emulators run in the emulators server");
    return emulatorCommand(sandbox.emulators, command);
  }
  switch (command.cmd) {
    case "cpu":
      return cpuMicros();
    case "rss":
      return process.memoryUsage().rss;
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
