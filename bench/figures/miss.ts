import { Agent } from "undici";
import { SearchNumbersResponse } from "../../generated/numbergate/v1/numbers.js";
import type { BenchChild } from "../lib/children.js";
import { adapterFor, directAdapters, onlyCarriers, rpcClient, searchSequence, startEmulatorsServer, startLiveNumbergateServer, type Durations } from "../lib/clients.js";
import { runLoad } from "../lib/load.js";
import type { Figure } from "../lib/report.js";

/**
 * Uncached SearchNumbers (caches off, Twilio only) against its two unavoidable parts measured in the same run:
 * the same search made directly through the Twilio adapter to the same emulator, and an echo RPC answering with
 * the same response bytes. TWILIO_MAX_CONCURRENCY is raised to 64 so that the c=32 run measures overhead, not
 * the bulkhead's queue (default 20). numbergate runs in live mode with the emulators in a process of their own, as
 * deployed: in sandbox mode the emulator's work would share numbergate's event loop (and only numbergate's).
 */
const UNCACHED = { SEARCH_CACHE_TTL: "0", SEARCH_CACHE_STALE_TTL: "0", AVAILABILITY_CACHE_TTL: "0", TWILIO_MAX_CONCURRENCY: "64", ...onlyCarriers("twilio") };

export async function missFigures(echo: BenchChild, durations: Durations): Promise<Figure[]> {
  const carriers = await startEmulatorsServer();
  const server = await startLiveNumbergateServer(carriers, UNCACHED).catch(async (error: unknown) => {
    await carriers.stop();
    throw error;
  });
  const numbergate = rpcClient(server.ready.address);
  const baseline = rpcClient(echo.ready.address);
  const dispatcher = new Agent({ connections: 64 });
  const adapters = directAdapters(carriers.ready.environment, dispatcher);
  const twilio = adapterFor(adapters, "twilio");
  const next = searchSequence();
  try {
    const captured = await numbergate.client.searchNumbers(next().rpc);
    await echo.send({ cmd: "setResponses", responses: { searchNumbers: Buffer.from(SearchNumbersResponse.encode(captured).finish()).toString("base64") } });
    const figures: Figure[] = [];
    for (const concurrency of [1, 32]) {
      const options = { concurrency, durationMs: durations.measureMs, warmupMs: durations.warmupMs };
      const rpc = await runLoad(() => baseline.client.searchNumbers(next().rpc), options);
      const direct = await runLoad(() => twilio.doSearch(next().criteria, {}), options);
      const ours = await runLoad(() => numbergate.client.searchNumbers(next().rpc), options);
      const errors = rpc.errors + direct.errors + ours.errors;
      figures.push({
        name: `miss_overhead_c${concurrency}`,
        value: ours.latencies.p50Ms,
        baseline: direct.latencies.p50Ms + rpc.latencies.p50Ms,
        goal: { on: "ratio", op: "<=", target: 1.2 },
        unit: "ms p50",
        note: `direct ${direct.latencies.p50Ms.toFixed(2)} + echo ${rpc.latencies.p50Ms.toFixed(2)} ms; p99 ${ours.latencies.p99Ms.toFixed(1)} vs ${direct.latencies.p99Ms.toFixed(1)}+${rpc.latencies.p99Ms.toFixed(1)} ms${errors > 0 ? `; ${errors} errors (${ours.firstError ?? direct.firstError ?? rpc.firstError ?? ""})` : ""}`,
      });
    }
    figures.push(await singleFlight(carriers, numbergate.client));
    return figures;
  } finally {
    numbergate.channel.close();
    baseline.channel.close();
    await Promise.all([...adapters.values()].map((adapter) => adapter.close()));
    await dispatcher.close();
    await server.stop();
    await carriers.stop();
  }
}

/**
 * single_flight_calls: 100 identical concurrent misses, while the carrier takes 100 ms to answer (so that all
 * 100 are certainly in flight together), against the carrier calls one such search makes alone.
 */
async function singleFlight(carriers: BenchChild, client: ReturnType<typeof rpcClient>["client"]): Promise<Figure> {
  // The emulator's request log is a bounded ring: empty it before each count.
  const count = async () => {
    const counted = await carriers.send({ cmd: "countRequests", carrier: "twilio", method: "GET" });
    await carriers.send({ cmd: "resetRequests" });
    return counted;
  };
  await carriers.send({ cmd: "latency", carriers: { twilio: 100 } });
  try {
    await count();
    await client.searchNumbers({ countryCode: "US", areaCode: "917", features: [1], limit: 31 });
    const one = await count();
    const request = { countryCode: "US", areaCode: "917", features: [1], limit: 33 };
    await Promise.all(Array.from({ length: 100 }, () => client.searchNumbers(request)));
    const hundred = await count();
    return { name: "single_flight_calls", value: hundred, baseline: one, goal: { on: "ratio", op: "<=", target: 1 }, unit: "carrier calls", note: "100 identical concurrent misses (carrier answers in 100 ms); baseline: carrier calls of one such search" };
  } finally {
    await carriers.send({ cmd: "clearFaults" });
  }
}
