import { setMaxListeners } from "node:events";
import { createChannel, createClient, type Channel } from "nice-grpc";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { rpcClient, startNumbergateServer, type Durations } from "../lib/clients.js";
import { Latencies } from "../lib/histogram.js";
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/**
 * watch_fanout_p99_ms: N WatchProviderHealth streams on one server; a carrier drained, then enabled again
 * (timestamp just before SetProviderEnabled); time until each watcher has the change, p99 over watchers and
 * changes. watch_rss_mb: the server's RSS with the N streams open, against the same server before they opened.
 */
export async function watchFigures(durations: Durations): Promise<Figure[]> {
  const watchers = durations.quick ? 1_000 : 10_000;
  const server = await startNumbergateServer();
  const admin = rpcClient(server.ready.address);
  const channels: Channel[] = [];
  const abort = new AbortController();
  // One signal ends every stream: one listener per stream is expected, not a leak.
  setMaxListeners(watchers + 16, abort.signal);
  try {
    await admin.client.listProviders({});
    const idleRss = await server.send({ cmd: "rss" });
    const states: Watcher[] = [];
    for (let index = 0; index < watchers; index += 1) {
      if (index % STREAMS_PER_CHANNEL === 0) channels.push(createChannel(server.ready.address, undefined, { "grpc.use_local_subchannel_pool": 1 }));
      const client = createClient(TelecomServiceDefinition, channels[channels.length - 1] as Channel);
      const state: Watcher = { messages: 0, lastAt: 0 };
      states.push(state);
      void (async () => {
        try {
          for await (const _update of client.watchProviderHealth({}, { signal: abort.signal })) {
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
    const openRss = await server.send({ cmd: "rss" });
    const latencies = new Latencies();
    const changes = durations.quick ? 2 : 4;
    for (let change = 0; change < changes; change += 1) {
      const counts = states.map((state) => state.messages);
      const started = performance.now();
      await admin.client.setProviderEnabled({ providerId: "twilio", enabled: change % 2 === 1, reason: "bench" });
      await until(() => states.every((state, index) => state.messages > (counts[index] ?? 0)), CHANGE_TIMEOUT_MS, "every watcher to see the change");
      for (const state of states) latencies.recordMs(state.lastAt - started);
      await sleep(300);
    }
    if (changes % 2 === 1) await admin.client.setProviderEnabled({ providerId: "twilio", enabled: true, reason: "bench" });
    const mb = (bytes: number) => bytes / (1024 * 1024);
    return [
      { name: "watch_fanout_p99_ms", value: latencies.p99Ms, baseline: null, goal: { on: "value", op: "<", target: 50 }, unit: "ms p99", note: `${watchers} streams over ${channels.length} connections, ${changes} changes; p50 ${latencies.p50Ms.toFixed(1)} ms; watchers share the bench client process` },
      { name: "watch_rss_mb", value: mb(openRss), baseline: mb(idleRss), goal: { on: "value", op: "<", target: 300 }, unit: "MB RSS", note: `server with ${watchers} streams open; baseline: same server before` },
    ];
  } finally {
    abort.abort();
    for (const channel of channels) channel.close();
    admin.channel.close();
    await server.stop();
  }
}
