import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { createChannel, createClient, Metadata, type Channel } from "nice-grpc";
import { SetProviderEnabledResponse, WatchProviderHealthResponse } from "../../generated/numbergate/v1/providers.js";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { benchDirectory, type BenchChild } from "../lib/children.js";
import { startEmulatorsServer, type Durations } from "../lib/clients.js";
import { Latencies } from "../lib/histogram.js";
import { productionBuild, startBuiltServer, tokensFile } from "../lib/production-build.js";
import type { Figure } from "../lib/report.js";

/**
 * Streams per HTTP/2 connection. A client assumes 100 concurrent streams until the server's SETTINGS say
 * otherwise, so the watchers are spread over channels of 100, each with its own connection (a local subchannel
 * pool: grpc-js would otherwise share one connection between channels to the same address).
 */
const STREAMS_PER_CHANNEL = 100;
const CHANGE_TIMEOUT_MS = 30_000;

interface Watcher {
  messages: number;
  lastAt: number;
}

/** Where the streams go: its address, its RSS, and the bearer tokens to present (none for the echo). */
interface WatchedServer {
  readonly address: string;
  rss(): Promise<number>;
  readonly readerToken?: string;
  readonly adminToken?: string;
}

interface Fanout {
  readonly latencies: Latencies;
  readonly connections: number;
  readonly idleRss: number;
  readonly openRss: number;
  /** The first message and the first change each stream received, encoded (numbergate's, for the echo). */
  readonly snapshot: Uint8Array;
  readonly change: Uint8Array;
  readonly setEnabled: Uint8Array;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/**
 * Opens `watchers` WatchProviderHealth streams on `server`, then makes `changes` changes with SetProviderEnabled
 * (timestamp just before the call); the time until each watcher has the change, over watchers and changes.
 */
async function measureFanout(server: WatchedServer, watchers: number, changes: number): Promise<Fanout> {
  const bearer = (token: string | undefined) => ({ metadata: token ? Metadata({ authorization: `Bearer ${token}` }) : Metadata() });
  const adminChannel = createChannel(server.address);
  const admin = createClient(TelecomServiceDefinition, adminChannel, { "*": bearer(server.adminToken) });
  const channels: Channel[] = [];
  const abort = new AbortController();
  // One signal ends every stream: one listener per stream is expected, not a leak.
  setMaxListeners(watchers + 16, abort.signal);
  let snapshot: Uint8Array | undefined;
  let change: Uint8Array | undefined;
  let setEnabled: Uint8Array | undefined;
  try {
    const idleRss = await server.rss();
    const states: Watcher[] = [];
    for (let index = 0; index < watchers; index += 1) {
      if (index % STREAMS_PER_CHANNEL === 0) channels.push(createChannel(server.address, undefined, { "grpc.use_local_subchannel_pool": 1 }));
      const client = createClient(TelecomServiceDefinition, channels[channels.length - 1] as Channel, { "*": bearer(server.readerToken) });
      const state: Watcher = { messages: 0, lastAt: 0 };
      states.push(state);
      void (async () => {
        try {
          for await (const update of client.watchProviderHealth({}, { signal: abort.signal })) {
            if (index === 0 && state.messages === 0) snapshot = WatchProviderHealthResponse.encode(update).finish();
            if (index === 0 && state.messages === 1) change = WatchProviderHealthResponse.encode(update).finish();
            state.messages += 1;
            state.lastAt = performance.now();
          }
        } catch {
          // aborted at the end
        }
      })();
    }
    await until(() => states.every((state) => state.messages > 0), 60_000, `${watchers} snapshots`);
    await sleep(500);
    const openRss = await server.rss();
    const latencies = new Latencies();
    for (let index = 0; index < changes; index += 1) {
      const counts = states.map((state) => state.messages);
      const started = performance.now();
      const answer = await admin.setProviderEnabled({ providerId: "twilio", enabled: index % 2 === 1, reason: "bench" });
      setEnabled ??= SetProviderEnabledResponse.encode(answer).finish();
      await until(() => states.every((state, at) => state.messages > (counts[at] ?? 0)), CHANGE_TIMEOUT_MS, "every watcher to see the change");
      for (const state of states) latencies.recordMs(state.lastAt - started);
      await sleep(300);
    }
    if (changes % 2 === 1) await admin.setProviderEnabled({ providerId: "twilio", enabled: true, reason: "bench" });
    if (!snapshot || !change || !setEnabled) throw new Error("no watch messages captured");
    return { latencies, connections: channels.length, idleRss, openRss, snapshot, change, setEnabled };
  } finally {
    abort.abort();
    for (const channel of channels) channel.close();
    adminChannel.close();
  }
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/**
 * watch_fanout_p99_ms: N WatchProviderHealth streams on one numbergate server, run as a deployment runs it (the
 * production build, live mode with the emulators in a process of their own, a tokens file); a carrier drained,
 * then enabled again; p99 over watchers and changes of the time from the SetProviderEnabled call to the watcher
 * having the change. Baseline: the same client and streams against the echo server, which answers with
 * numbergate's own messages from a bare loop over its streams (bench/servers/echo-server.ts). watch_rss_mb: the
 * server's RSS with the N streams open (baseline: the echo server's with the same streams).
 */
export async function watchFigures(echo: BenchChild, durations: Durations): Promise<Figure[]> {
  const watchers = durations.quick ? 1_000 : 10_000;
  const changes = durations.quick ? 2 : 4;
  const appRoot = await productionBuild();
  const tokens = tokensFile();
  const emulators = await startEmulatorsServer();
  let numbergate: Fanout;
  try {
    const server = await startBuiltServer(appRoot, {
      ...emulators.ready.environment,
      NUMBERGATE_MODE: "live",
      NUMBERGATE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      NUMBERGATE_TOKENS_FILE: tokens.path,
      NUMBERGATE_DATA_DIR: benchDirectory(),
      NUMBERGATE_GRPC_ADDR: "127.0.0.1:0",
      NUMBERGATE_HTTP_ADDR: "127.0.0.1:0",
    });
    try {
      numbergate = await measureFanout({ address: server.address, rss: () => server.rss(), readerToken: tokens.token("reader"), adminToken: tokens.token("operator") }, watchers, changes);
    } finally {
      await server.stop();
    }
  } finally {
    await emulators.stop();
  }
  await echo.send({ cmd: "setResponses", responses: { watchSnapshot: base64(numbergate.snapshot), watchChange: base64(numbergate.change), setProviderEnabled: base64(numbergate.setEnabled) } });
  const floor = await measureFanout({ address: echo.ready.address, rss: () => echo.send({ cmd: "rss" }) }, watchers, changes);
  const mb = (bytes: number) => bytes / (1024 * 1024);
  const perStream = (fanout: Fanout) => ((fanout.openRss - fanout.idleRss) / watchers / 1024).toFixed(1);
  return [
    {
      name: "watch_fanout_p99_ms",
      value: numbergate.latencies.p99Ms,
      baseline: floor.latencies.p99Ms,
      goal: { on: "value", op: "<", target: 50 },
      unit: "ms p99",
      note: `${watchers} streams over ${numbergate.connections} connections, ${changes} changes; p50 ${numbergate.latencies.p50Ms.toFixed(1)} ms (echo ${floor.latencies.p50Ms.toFixed(1)}); baseline: echo server, same client and streams; watchers share the bench client process`,
    },
    {
      name: "watch_rss_mb",
      value: mb(numbergate.openRss),
      baseline: mb(floor.openRss),
      goal: { on: "value", op: "<", target: 300 },
      unit: "MB RSS",
      note: `production build with ${watchers} streams open (${mb(numbergate.idleRss).toFixed(0)} MB before, ${perStream(numbergate)} kB per stream); baseline: echo server with the same streams (${mb(floor.idleRss).toFixed(0)} MB before, ${perStream(floor)} kB per stream)`,
    },
  ];
}
