import { cacheHitFigures } from "./figures/cache-hit.js";
import { failoverFigures } from "./figures/failover.js";
import { fanoutFigures } from "./figures/fanout.js";
import { missFigures } from "./figures/miss.js";
import { purchaseFigures } from "./figures/purchase.js";
import { replicasFigures } from "./figures/replicas.js";
import { startupFigures } from "./figures/startup.js";
import { tracingFigures } from "./figures/tracing.js";
import { watchFigures } from "./figures/watch.js";
import { cleanUp, runChildrenCompiled } from "./lib/children.js";
import { startEchoServer, type Durations } from "./lib/clients.js";
import { throwawayPostgres } from "./lib/local-postgres.js";
import { productionBuild } from "./lib/production-build.js";
import { describeMachine, formatTable, notMeasured, writeResults, type Figure } from "./lib/report.js";

/**
 * npm run bench [-- --quick] [-- --only name,name]: numbergate against baselines measured in the same run, every
 * server in a process of its own on loopback. Prints one table and writes bench/results/latest.json.
 */
const quick = process.argv.includes("--quick");
const onlyIndex = process.argv.indexOf("--only");
const only = onlyIndex >= 0 ? new Set((process.argv[onlyIndex + 1] ?? "").split(",")) : undefined;
const machine = describeMachine(quick ? "quick" : "full");
const durations: Durations = quick ? { quick, measureMs: 1_000, warmupMs: 250 } : { quick, measureMs: 5_000, warmupMs: 1_000 };
// The build runs (a child process) while PostgreSQL is being prepared.
const built = productionBuild();
const wantsPostgres = !only || only.has("purchase_postgres") || only.has("replicas");
const named = process.env["BENCH_DATABASE_URL"] ?? process.env["TEST_DATABASE_URL"];
// Without a named database, the machine's own PostgreSQL (started if need be) with a database for this run.
const local = named === undefined && wantsPostgres ? throwawayPostgres() : undefined;
const postgres = named ?? local?.url;

// Every server process runs the production build's code (the bench servers compiled beside it).
try {
  runChildrenCompiled(await built);
} catch (error) {
  cleanUp();
  local?.drop();
  throw error;
}
const echo = await startEchoServer();
const groups: { name: string; placeholders: Figure[]; measure: () => Promise<Figure[]> }[] = [
  { name: "cache", placeholders: [notMeasured("cache_hit_vs_echo", "calls/s", { on: "ratio", op: ">=", target: 0.8 }, "")], measure: () => cacheHitFigures(echo, durations) },
  { name: "miss", placeholders: [notMeasured("miss_overhead_c1", "ms p50", { on: "ratio", op: "<=", target: 1.2 }, ""), notMeasured("miss_overhead_c32", "ms p50", { on: "ratio", op: "<=", target: 1.2 }, "")], measure: () => missFigures(echo, durations) },
  { name: "fanout", placeholders: [notMeasured("fanout_vs_slowest", "ms p50", { on: "ratio", op: "<=", target: 1.1 }, "")], measure: () => fanoutFigures(durations) },
  { name: "purchase", placeholders: [notMeasured("purchase_vs_direct", "ms p50", { on: "ratio", op: "<=", target: 3 }, "")], measure: () => purchaseFigures(echo, durations, { label: "sqlite" }) },
  {
    name: "purchase_postgres",
    placeholders: [notMeasured("purchase_vs_direct_postgres", "ms p50", { on: "ratio", op: "<=", target: 3 }, "")],
    measure: async () => (postgres ? purchaseFigures(echo, durations, { label: "postgres", databaseUrl: postgres }) : [notMeasured("purchase_vs_direct_postgres", "ms p50", { on: "ratio", op: "<=", target: 3 }, "no PostgreSQL (none installed here, or not root to start it: set BENCH_DATABASE_URL)")]),
  },
  { name: "watch", placeholders: [notMeasured("watch_fanout_p99_ms", "ms p99", { on: "value", op: "<", target: 50 }, ""), notMeasured("watch_rss_mb", "MB RSS", { on: "value", op: "<", target: 300 }, "")], measure: () => watchFigures(echo, durations) },
  { name: "tracing", placeholders: [notMeasured("tracing_overhead_cached", "ms p50", { on: "ratio", op: "<=", target: 1.1 }, ""), notMeasured("tracing_overhead_uncached", "ms p50", { on: "ratio", op: "<=", target: 1.1 }, "")], measure: () => tracingFigures(durations) },
  { name: "failover", placeholders: [notMeasured("failover_client_errors", "errors", { on: "value", op: "==", target: 0 }, "")], measure: () => failoverFigures(durations) },
  {
    name: "replicas",
    placeholders: [notMeasured("replicas_scaling", "purchases/s", { on: "ratio", op: ">=", target: 1.6 }, "")],
    measure: async () => (postgres ? replicasFigures(durations, postgres) : [notMeasured("replicas_scaling", "purchases/s", { on: "ratio", op: ">=", target: 1.6 }, "no PostgreSQL (none installed here, or not root to start it: set BENCH_DATABASE_URL)")]),
  },
  { name: "startup", placeholders: [notMeasured("start_to_serving_ms", "ms", { on: "value", op: "<=", target: 1000 }, ""), notMeasured("start_to_serving_sandbox_ms", "ms", null, "")], measure: () => startupFigures(durations) },
];

const figures: Figure[] = [];
try {
  for (const group of groups) {
    if (only && !only.has(group.name)) continue;
    const started = performance.now();
    try {
      figures.push(...(await group.measure()));
    } catch (error) {
      // One failing group does not lose the others; its figures are listed as not measured, with the reason.
      const reason = error instanceof Error ? error.message : String(error);
      figures.push(...group.placeholders.map((figure) => ({ ...figure, note: `not measured: failed: ${reason}` })));
    }
    process.stderr.write(`bench: ${group.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
} finally {
  await echo.stop();
  cleanUp();
  local?.drop();
}
console.log(formatTable(machine, figures));
const results = new URL("./results/latest.json", import.meta.url);
writeResults(results, machine, figures);
console.log(`\nwritten: ${results.pathname}`);
