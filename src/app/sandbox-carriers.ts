import { join } from "node:path";
import type { CarrierEmulator } from "../carriers/emulator-kit/carrier-emulator.js";
import type { CarrierConnection, StartedEmulator } from "../carriers/kit/carrier-definition.js";
import { CARRIERS, type CarrierEmulators } from "../carriers/registry.js";

/** Every registered carrier's emulator on loopback, by id (`sandbox.twilio`), and how to reach each. */
export type SandboxCarriers = CarrierEmulators & {
  readonly emulators: ReadonlyMap<string, CarrierEmulator>;
  /** The connection numbergate's adapters use to reach each emulator. */
  readonly connections: ReadonlyMap<string, CarrierConnection>;
  /** Variables that point a live-mode numbergate at these emulators (what `npm run emulators` prints). */
  readonly environment: Readonly<Record<string, string>>;
  /** Alternative credentials worth printing (a Twilio API key). */
  readonly alternatives: Readonly<Record<string, string>>;
  stop(): Promise<void>;
};

export interface SandboxCarrierOptions {
  /** Ports to listen on by carrier id; 0 (the default) picks free ones. */
  readonly ports?: Readonly<Record<string, number>>;
  readonly host?: string;
  /**
   * Keep each emulator's carrier-side state in a JSON file here (<carrier>-emulator.json), loaded at start and
   * written on every change, so a restarted sandbox still owns what it bought. Without it the emulators start
   * empty.
   */
  readonly stateDir?: string;
  /** Fixed, printable credentials (`npm run emulators`); fresh random ones otherwise. */
  readonly fixedCredentials?: boolean;
  /** The clock the emulators' port-ins walk on (see EmulatorOptions.portingClock). */
  readonly portingClock?: () => number;
}

/** The file in the sandbox data directory that holds a carrier emulator's state. */
export function emulatorStateFile(carrierId: string): string {
  return `${carrierId}-emulator.json`;
}

/** Starts every registered carrier's emulator on loopback; stops those already started if one fails. */
export async function startSandboxCarriers(options: SandboxCarrierOptions = {}): Promise<SandboxCarriers> {
  const host = options.host ?? "127.0.0.1";
  const started: { id: string; started: StartedEmulator }[] = [];
  const stopAll = () => Promise.all(started.map((entry) => entry.started.emulator.stop())).then(() => undefined);
  try {
    for (const carrier of CARRIERS) {
      const stateFile = options.stateDir === undefined ? undefined : join(options.stateDir, emulatorStateFile(carrier.id));
      const emulator = await carrier.startEmulator({ host, port: options.ports?.[carrier.id] ?? 0, stateFile, fixedCredentials: options.fixedCredentials ?? false, portingClock: options.portingClock });
      started.push({ id: carrier.id, started: emulator });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const byId = Object.fromEntries(started.map((entry) => [entry.id, entry.started.emulator]));
  return {
    // Built from the registry at run time; CarrierEmulators is the same mapping at the type level.
    ...(byId as CarrierEmulators),
    emulators: new Map(started.map((entry) => [entry.id, entry.started.emulator])),
    connections: new Map(started.map((entry) => [entry.id, entry.started.connection])),
    environment: Object.assign({}, ...started.map((entry) => entry.started.environment)) as Record<string, string>,
    alternatives: Object.assign({}, ...started.map((entry) => entry.started.alternatives ?? {})) as Record<string, string>,
    stop: stopAll,
  };
}
