import { startSandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { emulatorCommand, isEmulatorCommand } from "../lib/emulator-commands.js";
import { cpuMicros, serveCommands, type Command, type ReadyMessage } from "../lib/protocol.js";

/**
 * Every carrier emulator in a process of its own (as `npm run emulators`), so that several live-mode numbergate
 * servers share one carrier state, or a live-mode numbergate is measured without carriers in its process. Ready
 * reports the variables that point numbergate at them; no gRPC address. Takes the emulator commands (faults,
 * connections, request counts).
 */
const sandbox = await startSandboxCarriers();

function handle(command: Command): number | Promise<number> {
  if (isEmulatorCommand(command)) return emulatorCommand(sandbox.emulators, command);
  switch (command.cmd) {
    case "cpu":
      return cpuMicros();
    case "rss":
      return process.memoryUsage().rss;
    default:
      throw new Error(`emulators server: ${command.cmd} not supported`);
  }
}

serveCommands(handle);
process.once("SIGTERM", () => void sandbox.stop().then(() => process.exit(0)));
process.send?.({ type: "ready", address: "", environment: sandbox.environment } satisfies ReadyMessage);
