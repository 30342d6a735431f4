import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { benchDirectory } from "../lib/children.js";
import { startEmulatorsServer, type Durations } from "../lib/clients.js";
import { productionBuild, startBuiltServer, tokensFile } from "../lib/production-build.js";
import type { Figure } from "../lib/report.js";

const SERVING = 1;
const START_TIMEOUT_MS = 30_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function baseEnvironment(): Record<string, string> {
  return { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" };
}

/** Milliseconds from spawn until `ready` resolves; the child is killed afterwards in any case. */
async function timeStart(command: readonly string[], cwd: string, env: Record<string, string>, ready: (child: ChildProcess, output: () => string) => Promise<void>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, command, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  try {
    await ready(child, () => output);
    return performance.now() - started;
  } finally {
    child.kill("SIGKILL");
  }
}

async function poll<T>(attempt: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * start_to_serving_ms: the production build (npm run build into a temporary app directory laid out as the image,
 * as test/app/production-build.test.ts does) from process start to grpc.health.v1 SERVING, median of 3, as a
 * deployment runs it: live mode (carriers: the emulators in a process of their own, as `npm run emulators`), a
 * tokens file (access control on), SQLite in a fresh data directory. start_to_serving_sandbox_ms: the same build
 * with no configuration at all (sandbox mode: the five emulators start inside it). Baseline for both: `node -e` to
 * its first output, median of 3 (--quick: one of each).
 */
export async function startupFigures(durations: Durations): Promise<Figure[]> {
  const unit = "ms";
  const goal = { on: "value", op: "<=", target: 1000 } as const;
  const appRoot = await productionBuild();
  const tokens = tokensFile();

  const emulators = await startEmulatorsServer();
  try {
    const bare: number[] = [];
    const live: number[] = [];
    const sandbox: number[] = [];
    const ports = { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_HTTP_ADDR: "127.0.0.1:0" };
    const liveEnvironment = { ...emulators.ready.environment, NUMBERGATE_MODE: "live", NUMBERGATE_ENCRYPTION_KEY: randomBytes(32).toString("base64"), NUMBERGATE_TOKENS_FILE: tokens.path };
    for (let attempt = 0; attempt < (durations.quick ? 1 : 3); attempt += 1) {
      bare.push(
        await timeStart(["-e", "console.log(1)"], appRoot, baseEnvironment(), async (_child, output) => {
          await poll(async () => (output().length > 0 ? true : undefined), "node -e output");
        }),
      );
      live.push(await timeToServing(appRoot, { ...liveEnvironment, ...ports, NUMBERGATE_DATA_DIR: benchDirectory() }));
      sandbox.push(await timeToServing(appRoot, { ...ports, NUMBERGATE_DATA_DIR: benchDirectory() }));
    }
    const runs = (values: readonly number[]) => values.map((ms) => ms.toFixed(0)).join("/");
    return [
      { name: "start_to_serving_ms", value: median(live), baseline: median(bare), goal, unit, note: `production build, live mode (5 carriers, tokens file, SQLite); runs ${runs(live)} ms; baseline: bare node -e to first output (goal is on the value)` },
      { name: "start_to_serving_sandbox_ms", value: median(sandbox), baseline: median(bare), goal: null, unit, note: `production build, sandbox mode (5 emulators started in-process); runs ${runs(sandbox)} ms` },
    ];
  } finally {
    await emulators.stop();
  }
}

/** `node dist/src/main.js` from spawn to grpc.health.v1 SERVING for the whole server. */
async function timeToServing(appRoot: string, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const server = await startBuiltServer(appRoot, env);
  const channel = createChannel(server.address);
  try {
    const health = createClient(HealthDefinition, channel);
    await poll(async () => ((await health.check({ service: "" })).status === SERVING ? true : undefined), "SERVING");
    return performance.now() - started;
  } finally {
    channel.close();
    await server.stop();
  }
}
