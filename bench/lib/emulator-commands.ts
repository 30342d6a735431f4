import type { CarrierEmulator } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import type { Command } from "./protocol.js";

type EmulatorCommand = Extract<Command, { cmd: "latency" | "clearFaults" | "fault" | "connections" | "takeRequests" | "countRequests" | "resetRequests" }>;

const EMULATOR_COMMANDS: ReadonlySet<string> = new Set(["latency", "clearFaults", "fault", "connections", "takeRequests", "countRequests", "resetRequests"]);

export function isEmulatorCommand(command: Command): command is EmulatorCommand {
  return EMULATOR_COMMANDS.has(command.cmd);
}

/**
 * The bench's commands to carrier emulators (faults, connections, request counts), for whichever process runs
 * them: a sandbox numbergate server or the emulators server.
 */
export function emulatorCommand(emulators: ReadonlyMap<string, CarrierEmulator>, command: EmulatorCommand): number | Promise<number> {
  const emulator = (carrier: string) => {
    const found = emulators.get(carrier);
    if (!found) throw new Error(`no emulator for ${carrier}`);
    return found;
  };
  switch (command.cmd) {
    case "latency":
      for (const [carrier, latencyMs] of Object.entries(command.carriers)) {
        emulator(carrier).faults.clear();
        emulator(carrier).faults.inject({ kind: "latency", latencyMs, method: "GET" });
      }
      return 0;
    case "clearFaults":
      for (const each of emulators.values()) each.faults.clear();
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
      for (const each of emulators.values()) each.requests.length = 0;
      return 0;
  }
}
