import { startSandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { cpuMicros, serveCommands, type Command, type ReadyMessage } from "../lib/protocol.js";

/**
 * Every carrier emulator in a process of its own (as `npm run emulators`), so that several live-mode numbergate
 * servers share one carrier state. Ready reports the variables that point numbergate at them; no gRPC address.
 */
const sandbox = await startSandboxCarriers();

function handle(command: Command): number {
  switch (command.cmd) {
    case "cpu":
      return cpuMicros();
    case "rss":
      return process.memoryUsage().rss;
    case "countRequests": {
      const emulator = sandbox.emulators.get(command.carrier);
      if (!emulator) throw new Error(`no emulator for ${command.carrier}`);
      return emulator.countRequests((request) => request.method === command.method);
    }
    default:
      throw new Error(`emulators server: ${command.cmd} not supported`);
  }
}

serveCommands(handle);
process.once("SIGTERM", () => void sandbox.stop().then(() => process.exit(0)));
process.send?.({ type: "ready", address: "", environment: sandbox.environment } satisfies ReadyMessage);
