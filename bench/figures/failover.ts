import type { BenchChild } from "../lib/children.js";
import { onlyCarriers, rpcClient, searchSequence, startNumbergateServer, type Durations } from "../lib/clients.js";
import { Latencies } from "../lib/histogram.js";
import type { Figure } from "../lib/report.js";

const PRIMARY = "twilio";
const SECONDARY = "bandwidth";
const CONCURRENCY = 8;

/** What the primary does during a phase, applied through the server's emulator commands. */
interface Phase {
  readonly name: "healthy" | "refuse" | "503" | "hang" | "recovered";
  /** Share of the run. */
  readonly share: number;
  enter(server: BenchChild): Promise<unknown>;
}

const PHASES: readonly Phase[] = [
  { name: "healthy", share: 0.15, enter: async () => undefined },
  // The emulator stops listening and drops its connections: ECONNREFUSED, not an approximation.
  { name: "refuse", share: 0.15, enter: (server) => server.send({ cmd: "connections", carrier: PRIMARY, accept: false }) },
  {
    name: "503",
    share: 0.15,
    enter: async (server) => {
      await server.send({ cmd: "fault", carrier: PRIMARY, fault: { kind: "status", status: 503 } });
      await server.send({ cmd: "connections", carrier: PRIMARY, accept: true });
    },
  },
  {
    name: "hang",
    share: 0.15,
    enter: async (server) => {
      await server.send({ cmd: "clearFaults" });
      await server.send({ cmd: "fault", carrier: PRIMARY, fault: { kind: "hang" } });
    },
  },
  { name: "recovered", share: 0.4, enter: (server) => server.send({ cmd: "clearFaults" }) },
];

/**
 * Only Twilio (priority 1) and Bandwidth (priority 2), caches off, otherwise numbergate's defaults (retries 3,
 * breaker window 20 / min 10 calls / 50 %, per-attempt search timeout 5 s). Two defaults are scaled to the run,
 * or recovery could not be seen in it at all: the breaker's open time (default 300 s) and the slow-start window
 * (default 60 s). Both only make numbergate try the recovering primary sooner, never hide its errors.
 */
function environment(runMs: number): Record<string, string> {
  return {
    ...onlyCarriers(PRIMARY, SECONDARY),
    SEARCH_CACHE_TTL: "0",
    SEARCH_CACHE_STALE_TTL: "0",
    AVAILABILITY_CACHE_TTL: "0",
    TWILIO_PRIORITY: "1",
    BANDWIDTH_PRIORITY: "2",
    PROVIDER_CIRCUIT_BREAKER_TIMEOUT: String(Math.max(500, Math.round(runMs / 30))),
    PROVIDER_SLOW_START_WINDOW: String(Math.round(runMs / 6)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * failover_client_errors: SearchNumbers at c=8, closed loop, for 60 s (quick: 10 s) while the primary carrier
 * is healthy, refuses connections, answers 503, hangs, then recovers. Value: RPCs that failed at the client
 * (goal 0). failover_p99_<phase>_ms: p99 of the calls started in each phase against the healthy phase's p99.
 * The note shows the primary's share of carrier search requests per second after recovery.
 */
export async function failoverFigures(durations: Durations): Promise<Figure[]> {
  const runMs = durations.quick ? 10_000 : 60_000;
  const server = await startNumbergateServer(environment(runMs));
  const numbergate = rpcClient(server.ready.address);
  const next = searchSequence();
  const latencies = new Map(PHASES.map((phase) => [phase.name, new Latencies()]));
  const errorsByPhase = new Map<string, number>(PHASES.map((phase) => [phase.name, 0]));
  const emptyByPhase = new Map<string, number>(PHASES.map((phase) => [phase.name, 0]));
  const firstErrors: string[] = [];
  /** Carrier search requests per 1-second bucket, from the start of the recovered phase on: [primary, secondary]. */
  const buckets: { phase: string; primary: number; secondary: number }[] = [];
  let current: Phase = PHASES[0] ?? { name: "healthy", share: 1, enter: async () => undefined };
  let running = true;
  try {
    // Warm-up (connections, JIT), then an empty request log.
    const warmupEnd = performance.now() + durations.warmupMs;
    while (performance.now() < warmupEnd) await numbergate.client.searchNumbers(next().rpc);
    await server.send({ cmd: "takeRequests", carrier: PRIMARY });
    await server.send({ cmd: "takeRequests", carrier: SECONDARY });

    async function caller(): Promise<void> {
      while (running) {
        const phase = current.name;
        const started = performance.now();
        try {
          const response = await numbergate.client.searchNumbers(next().rpc);
          latencies.get(phase)?.recordMs(performance.now() - started);
          if (response.numbers.length === 0) emptyByPhase.set(phase, (emptyByPhase.get(phase) ?? 0) + 1);
        } catch (error) {
          errorsByPhase.set(phase, (errorsByPhase.get(phase) ?? 0) + 1);
          if (firstErrors.length < 3) firstErrors.push(`${phase}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    async function sampler(): Promise<void> {
      let tick = performance.now();
      while (running) {
        tick += 1_000;
        await sleep(Math.max(0, tick - performance.now()));
        const phase = current.name;
        const primary = await server.send({ cmd: "takeRequests", carrier: PRIMARY });
        const secondary = await server.send({ cmd: "takeRequests", carrier: SECONDARY });
        buckets.push({ phase, primary, secondary });
      }
    }
    async function conductor(): Promise<void> {
      for (const phase of PHASES) {
        await phase.enter(server);
        current = phase;
        await sleep(runMs * phase.share);
      }
      running = false;
    }
    await Promise.all([conductor(), sampler(), ...Array.from({ length: CONCURRENCY }, caller)]);
  } finally {
    running = false;
    await server.send({ cmd: "clearFaults" }).catch(() => undefined);
    await server.send({ cmd: "connections", carrier: PRIMARY, accept: true }).catch(() => undefined);
    numbergate.channel.close();
    await server.stop();
  }

  const errors = [...errorsByPhase.values()].reduce((sum, count) => sum + count, 0);
  const calls = [...latencies.values()].reduce((sum, histogram) => sum + histogram.count, 0) + errors;
  const empty = [...emptyByPhase.values()].reduce((sum, count) => sum + count, 0);
  const healthyP99 = latencies.get("healthy")?.p99Ms ?? Number.NaN;
  const share = (bucket: { primary: number; secondary: number }) => (bucket.primary + bucket.secondary === 0 ? "-" : `${Math.round((100 * bucket.primary) / (bucket.primary + bucket.secondary))}%`);
  const recovery = buckets.filter((bucket) => bucket.phase === "recovered");
  const perPhase = PHASES.map((phase) => `${phase.name} ${errorsByPhase.get(phase.name) ?? 0}`).join(", ");
  const phaseSeconds = PHASES.map((phase) => `${phase.name} ${((runMs * phase.share) / 1000).toFixed(1)}`).join("/");
  const figures: Figure[] = [
    {
      name: "failover_client_errors",
      value: errors,
      baseline: null,
      goal: { on: "value", op: "==", target: 0 },
      unit: "errors",
      note:
        `${calls} SearchNumbers, c=${CONCURRENCY}, ${runMs / 1000} s (phases s: ${phaseSeconds}); primary ${PRIMARY} p1, secondary ${SECONDARY} p2, caches off; ` +
        `refuse = emulator stops listening (ECONNREFUSED); errors by phase: ${perPhase}; empty answers ${empty}` +
        `${firstErrors.length > 0 ? `; first: ${firstErrors.join(" | ")}` : ""}; ` +
        `${PRIMARY} share of carrier searches per 1 s after recovery: ${recovery.map(share).join(" ")} (${PRIMARY}/${SECONDARY} counts ${recovery.map((bucket) => `${bucket.primary}/${bucket.secondary}`).join(" ")}; ` +
        `before: ${PHASES.filter((phase) => phase.name !== "recovered").map((phase) => `${phase.name} ${buckets.filter((bucket) => bucket.phase === phase.name).map(share).join(" ")}`).join(", ")}); ` +
        `defaults except breaker open time ${environment(runMs)["PROVIDER_CIRCUIT_BREAKER_TIMEOUT"]} ms and slow start ${environment(runMs)["PROVIDER_SLOW_START_WINDOW"]} ms (scaled to the run)`,
    },
  ];
  for (const phase of PHASES) {
    if (phase.name === "healthy") continue;
    const histogram = latencies.get(phase.name);
    figures.push({
      name: `failover_p99_${phase.name}_ms`,
      value: histogram?.p99Ms ?? Number.NaN,
      baseline: healthyP99,
      goal: null,
      unit: "ms p99",
      note: `${histogram?.count ?? 0} calls started in phase; baseline: healthy phase p99 (${latencies.get("healthy")?.count ?? 0} calls)`,
    });
  }
  return figures;
}
