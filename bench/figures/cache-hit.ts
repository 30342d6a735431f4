import { SearchNumbersResponse } from "../../generated/numbergate/v1/numbers.js";
import type { BenchChild } from "../lib/children.js";
import { rpcClient, startNumbergateServer, type Durations, type RpcClient } from "../lib/clients.js";
import { runLoad } from "../lib/load.js";
import type { Figure } from "../lib/report.js";

const CONCURRENCY = 32;
const REQUEST = { countryCode: "US", areaCode: "212", features: [1, 2], limit: 20 };

interface Tally {
  calls: number;
  seconds: number;
  cpuMicros: number;
  errors: number;
}

async function measureOnce(target: RpcClient, server: BenchChild, durations: Durations, tally: Tally): Promise<void> {
  const call = () => target.client.searchNumbers(REQUEST);
  await runLoad(call, { concurrency: CONCURRENCY, durationMs: durations.warmupMs, warmupMs: 0 });
  const cpuBefore = await server.send({ cmd: "cpu" });
  const result = await runLoad(call, { concurrency: CONCURRENCY, durationMs: durations.measureMs, warmupMs: 0 });
  const cpuAfter = await server.send({ cmd: "cpu" });
  tally.calls += result.calls;
  tally.seconds += result.seconds;
  tally.errors += result.errors;
  tally.cpuMicros += cpuAfter - cpuBefore;
}

/**
 * cache_hit_vs_echo: cached SearchNumbers throughput at c=32 over a bare nice-grpc server answering with the same
 * response bytes; rounds alternate between the two so that a shared machine's load falls on both alike.
 */
export async function cacheHitFigures(echo: BenchChild, durations: Durations): Promise<Figure[]> {
  const server = await startNumbergateServer();
  const numbergate = rpcClient(server.ready.address);
  const baseline = rpcClient(echo.ready.address);
  try {
    const captured = await numbergate.client.searchNumbers(REQUEST);
    const bytes = Buffer.from(SearchNumbersResponse.encode(captured).finish());
    await echo.send({ cmd: "setResponses", responses: { searchNumbers: bytes.toString("base64") } });
    const ours: Tally = { calls: 0, seconds: 0, cpuMicros: 0, errors: 0 };
    const theirs: Tally = { calls: 0, seconds: 0, cpuMicros: 0, errors: 0 };
    for (let round = 0; round < (durations.quick ? 1 : 3); round += 1) {
      await measureOnce(baseline, echo, durations, theirs);
      await measureOnce(numbergate, server, durations, ours);
    }
    const errors = ours.errors + theirs.errors;
    const note = `c=${CONCURRENCY}, ${captured.numbers.length} numbers, ${bytes.length} B response${errors > 0 ? `, ${errors} errors` : ""}`;
    return [
      { name: "cache_hit_vs_echo", value: ours.calls / ours.seconds, baseline: theirs.calls / theirs.seconds, goal: { on: "ratio", op: ">=", target: 0.8 }, unit: "calls/s", note },
      { name: "cache_hit_cpu_per_call_us", value: ours.cpuMicros / ours.calls, baseline: theirs.cpuMicros / theirs.calls, goal: null, unit: "us CPU/call", note: "server process CPU (user+system) per call; baseline: echo server" },
    ];
  } finally {
    numbergate.channel.close();
    baseline.channel.close();
    await server.stop();
  }
}
