import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isReady, isReply, type Command, type ReadyMessage, type Reply } from "./protocol.js";

/** tsx's loader by absolute URL, so children find it whatever their working directory. */
const TSX_LOADER = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const READY_TIMEOUT_MS = 60_000;

const running = new Set<ChildProcess>();
let compiledRoot: string | undefined;

/**
 * Children run from `appRoot` (a production build made with the bench servers as extra entry points, see
 * production-build.ts) instead of from source under tsx: compiled as shipped, and without tsx's keepNames
 * helper, which costs every function created at run time a property of its own.
 */
export function runChildrenCompiled(appRoot: string): void {
  compiledRoot = appRoot;
}
const directories = new Set<string>();

export interface BenchChild {
  readonly pid: number;
  readonly ready: ReadyMessage;
  send(command: Command): Promise<number>;
  stop(): Promise<void>;
}

/** Only what a child needs: no carrier or OTEL variables leak in from the developer's shell. */
function baseEnvironment(): Record<string, string> {
  const passed = ["PATH", "HOME", "TMPDIR"].flatMap((name) => {
    const value = process.env[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  return Object.fromEntries(passed);
}

/** A temporary directory numbergate-bench-*, removed by cleanUp(). */
export function benchDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "numbergate-bench-"));
  directories.add(directory);
  return directory;
}

/**
 * Forks `script` (a bench/servers/*.ts file: compiled, or under tsx before runChildrenCompiled) with
 * `environment` added and waits for its ready message.
 */
export async function startChild(script: string, environment: Readonly<Record<string, string>>, execArgv: readonly string[] = []): Promise<BenchChild> {
  const path = compiledRoot ? join(compiledRoot, "dist/src", script.replace(/\.ts$/, ".js")) : new URL(`../servers/${script}`, import.meta.url).pathname;
  const child = fork(path, [], { execArgv: compiledRoot ? [...execArgv] : ["--import", TSX_LOADER, ...execArgv], env: { ...baseEnvironment(), ...environment }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const pending = new Map<number, (reply: Reply) => void>();
  let nextId = 0;
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.once("exit", (code) => reject(new Error(`${script} exited (${code ?? "signal"}) before it was ready`)));
    child.on("message", (message: unknown) => {
      if (isReady(message)) {
        clearTimeout(timer);
        resolve(message);
      } else if (isReply(message)) {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
  });
  return {
    pid: child.pid ?? -1,
    ready,
    send: (command) =>
      new Promise<number>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, (reply) => (reply.ok ? resolve(reply.value) : reject(new Error(`${script} ${command.cmd}: ${reply.error ?? "failed"}`))));
        child.send({ id, command });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

/** Kills every child still running and removes the temporary directories; safe to call more than once. */
export function cleanUp(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  directories.clear();
}

process.once("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}
