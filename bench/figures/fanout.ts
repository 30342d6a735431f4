import { Agent } from "undici";
import { CARRIERS } from "../../src/carriers/registry.js";
import { adapterFor, directAdapters, rpcClient, searchSequence, startEmulatorsServer, startLiveNumbergateServer, type Durations } from "../lib/clients.js";
import { runCalls } from "../lib/load.js";
import type { Figure } from "../lib/report.js";

/**
 * fanout_vs_slowest: every carrier in one priority tier, each emulator answering searches after a different
 * injected delay (10, 20, ... ms); SearchNumbers p50 over the slowest carrier's own p50, that carrier's search made
 * directly through its adapter. Caches off; Plivo's request-rate limit off (c=1 would otherwise meet it). Live
 * mode, the emulators in a process of their own, as deployed.
 */
export async function fanoutFigures(durations: Durations): Promise<Figure[]> {
  const oneTier = Object.fromEntries(CARRIERS.map((carrier) => [`${carrier.envPrefix}_PRIORITY`, "1"]));
  const carriers = await startEmulatorsServer();
  const server = await startLiveNumbergateServer(carriers, { SEARCH_CACHE_TTL: "0", SEARCH_CACHE_STALE_TTL: "0", AVAILABILITY_CACHE_TTL: "0", PLIVO_RATE_LIMIT: "0", ...oneTier }).catch(async (error: unknown) => {
    await carriers.stop();
    throw error;
  });
  const numbergate = rpcClient(server.ready.address);
  const dispatcher = new Agent({ connections: 16 });
  const adapters = directAdapters(carriers.ready.environment, dispatcher);
  const next = searchSequence();
  const calls = durations.quick ? 12 : 60;
  try {
    const delays = Object.fromEntries(CARRIERS.map((carrier, index) => [carrier.id, 10 * (index + 1)]));
    await carriers.send({ cmd: "latency", carriers: delays });
    const alone: { id: string; p50Ms: number }[] = [];
    for (const carrier of CARRIERS) {
      const adapter = adapterFor(adapters, carrier.id);
      const latencies = await runCalls(() => adapter.doSearch(next().criteria, {}), calls, 1, 3);
      alone.push({ id: carrier.id, p50Ms: latencies.p50Ms });
    }
    const fanned = await runCalls(() => numbergate.client.searchNumbers(next().rpc), calls, 1, 3);
    const slowest = alone.reduce((worst, each) => (each.p50Ms > worst.p50Ms ? each : worst));
    return [
      {
        name: "fanout_vs_slowest",
        value: fanned.p50Ms,
        baseline: slowest.p50Ms,
        goal: { on: "ratio", op: "<=", target: 1.1 },
        unit: "ms p50",
        note: `${CARRIERS.length} carriers in one tier; alone: ${alone.map((each) => `${each.id} ${each.p50Ms.toFixed(1)}`).join(", ")} ms; c=1`,
      },
    ];
  } finally {
    numbergate.channel.close();
    await Promise.all([...adapters.values()].map((adapter) => adapter.close()));
    await dispatcher.close();
    await server.stop();
    await carriers.stop();
  }
}
