import { randomBytes } from "node:crypto";
import { createChannel, createClient, type Channel } from "nice-grpc";
import type { Dispatcher } from "undici";
import { TelecomServiceDefinition, type TelecomServiceClient } from "../../generated/numbergate/v1/telecom_service.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { CarrierAdapter } from "../../src/domain/carrier-adapter.js";
import type { NumberSearchCriteria } from "../../src/domain/numbers.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { benchDirectory, startChild, type BenchChild } from "./children.js";

/** The one client stack every RPC figure uses, for numbergate and for its baselines alike. */
export interface RpcClient {
  readonly client: TelecomServiceClient;
  readonly channel: Channel;
}

export function rpcClient(address: string): RpcClient {
  const channel = createChannel(address);
  return { channel, client: createClient(TelecomServiceDefinition, channel) };
}

/** A numbergate server process in sandbox mode with `environment` on top of loopback addresses and a bench data directory. */
export function startNumbergateServer(environment: Readonly<Record<string, string>> = {}, execArgv: readonly string[] = []): Promise<BenchChild> {
  return startChild(
    "numbergate-server.ts",
    { NUMBERGATE_MODE: "sandbox", NUMBERGATE_DATA_DIR: benchDirectory(), NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_HTTP_ADDR: "127.0.0.1:0", NUMBERGATE_LOG_LEVEL: "error", ...environment },
    execArgv,
  );
}

/** Every carrier emulator in a process of its own (bench/servers/emulators-server.ts), as `npm run emulators`. */
export function startEmulatorsServer(): Promise<BenchChild> {
  return startChild("emulators-server.ts", {});
}

/**
 * numbergate in live mode against `carriers` (an emulators server), as deployed: no carrier's work shares its
 * process or its event loop. Emulator commands go to `carriers`; `environment` may name its own encryption key.
 */
export function startLiveNumbergateServer(carriers: BenchChild, environment: Readonly<Record<string, string>> = {}): Promise<BenchChild> {
  return startNumbergateServer({ ...carriers.ready.environment, NUMBERGATE_MODE: "live", NUMBERGATE_ENCRYPTION_KEY: randomBytes(32).toString("base64"), NUMBERGATE_ALLOW_UNAUTHENTICATED: "true", ...environment });
}

export function startEchoServer(): Promise<BenchChild> {
  return startChild("echo-server.ts", {});
}

/** Every carrier but these off (as test/support/only-carriers.ts). */
export function onlyCarriers(...ids: readonly string[]): Record<string, string> {
  return Object.fromEntries(CARRIERS.filter((carrier) => !ids.includes(carrier.id)).map((carrier) => [`${carrier.envPrefix}_ENABLED`, "false"]));
}

/**
 * Carrier adapters in this process, pointed at a numbergate server's emulators (the variables it reported, read
 * as live mode reads them): the direct carrier call, without numbergate, over the same loopback.
 */
export function directAdapters(environment: Readonly<Record<string, string>>, dispatcher: Dispatcher): Map<string, CarrierAdapter> {
  const config = loadConfig({ NUMBERGATE_MODE: "live", NUMBERGATE_ALLOW_UNAUTHENTICATED: "true", NUMBERGATE_ENCRYPTION_KEY: randomBytes(32).toString("base64"), NUMBERGATE_DATA_DIR: benchDirectory(), ...environment });
  const adapters = new Map<string, CarrierAdapter>();
  for (const carrier of config.carriers) if (carrier.connection) adapters.set(carrier.id, carrier.connection.createAdapter({ dispatcher }));
  return adapters;
}

export function adapterFor(adapters: ReadonlyMap<string, CarrierAdapter>, id: string): CarrierAdapter {
  const adapter = adapters.get(id);
  if (!adapter) throw new Error(`no direct adapter for ${id}`);
  return adapter;
}

const AREA_CODES = ["212", "206", "303", "305", "310", "312", "404", "415", "512", "617"] as const;

/** Distinct searches in turn (area code and limit vary), so that calls in flight together never share a carrier call. */
export function searchSequence(): () => { rpc: { countryCode: string; areaCode: string; features: number[]; limit: number }; criteria: NumberSearchCriteria } {
  let sequence = 0;
  return () => {
    const index = sequence++;
    const areaCode = AREA_CODES[index % AREA_CODES.length] ?? "212";
    const limit = 5 + (Math.floor(index / AREA_CODES.length) % 16);
    return { rpc: { countryCode: "US", areaCode, features: [1, 2], limit }, criteria: { countryCode: "US", numberType: "local", areaCode, features: ["voice", "sms"], limit } };
  };
}

/** Seconds of each measured phase and its warm-up, by run mode. */
export interface Durations {
  readonly quick: boolean;
  readonly measureMs: number;
  readonly warmupMs: number;
}
