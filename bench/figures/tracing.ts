import { onlyCarriers, rpcClient, searchSequence, startEmulatorsServer, startLiveNumbergateServer, type Durations, type RpcClient } from "../lib/clients.js";
import type { BenchChild } from "../lib/children.js";
import { Latencies } from "../lib/histogram.js";
import { runLoad } from "../lib/load.js";
import type { Figure } from "../lib/report.js";

const UNCACHED = { SEARCH_CACHE_TTL: "0", SEARCH_CACHE_STALE_TTL: "0", AVAILABILITY_CACHE_TTL: "0", ...onlyCarriers("twilio") };
const CACHED_REQUEST = { countryCode: "US", areaCode: "212", features: [1, 2], limit: 20 };

/**
 * tracing_overhead_{cached,uncached}: SearchNumbers p50 at c=1 with tracing on (every span to an in-memory
 * exporter, emptied every second) over the same server configuration with tracing off; two server processes run
 * side by side and the rounds alternate. The servers run in live mode against one emulators process, as
 * deployed: tracing's context propagation (AsyncLocalStorage) taxes every promise in its process, and carriers'
 * work is not in numbergate's.
 */
export async function tracingFigures(durations: Durations): Promise<Figure[]> {
  const carriers = await startEmulatorsServer();
  try {
    return await measureTracing(carriers, durations);
  } finally {
    await carriers.stop();
  }
}

async function measureTracing(carriers: BenchChild, durations: Durations): Promise<Figure[]> {
  const figures: Figure[] = [];
  const variants = [["cached", {}], ["uncached", UNCACHED]] as const;
  // All four servers start together: starting is most of this group's time.
  const start = (environment: Readonly<Record<string, string>>) => startLiveNumbergateServer(carriers, environment);
  const servers = await Promise.all(variants.map(([, environment]) => Promise.all([start(environment), start({ ...environment, BENCH_TRACING: "1" })])));
  for (const [index, [label]] of variants.entries()) {
    const [off, on] = servers[index] ?? [];
    if (off === undefined || on === undefined) throw new Error("tracing servers missing");
    const clients: [RpcClient, RpcClient] = [rpcClient(off.ready.address), rpcClient(on.ready.address)];
    const totals = [new Latencies(), new Latencies()] as const;
    const next = searchSequence();
    try {
      for (let round = 0; round < (durations.quick ? 1 : 2); round += 1) {
        for (const side of [0, 1] as const) {
          const { client } = clients[side];
          const call = () => client.searchNumbers(label === "cached" ? CACHED_REQUEST : next().rpc);
          const result = await runLoad(call, { concurrency: 1, durationMs: durations.measureMs / 2, warmupMs: durations.warmupMs });
          totals[side].add(result.latencies);
        }
      }
      figures.push({ name: `tracing_overhead_${label}`, value: totals[1].p50Ms, baseline: totals[0].p50Ms, goal: { on: "ratio", op: "<=", target: 1.1 }, unit: "ms p50", note: `c=1, tracing on vs off; p99 ${totals[1].p99Ms.toFixed(2)} vs ${totals[0].p99Ms.toFixed(2)} ms` });
    } finally {
      for (const each of clients) each.channel.close();
      await Promise.all([off.stop(), on.stop()]);
    }
  }
  return figures;
}
