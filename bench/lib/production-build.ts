import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { benchDirectory } from "./children.js";

const REPOSITORY = new URL("../../", import.meta.url).pathname;
const run = promisify(execFile);
const START_TIMEOUT_MS = 30_000;

let built: Promise<string> | undefined;

/** The bench's server processes, bundled beside the service's entry points (children.ts runs them from there). */
const BENCH_SERVERS = ["bench/servers/numbergate-server.ts", "bench/servers/echo-server.ts", "bench/servers/emulators-server.ts"];

/**
 * The production build (`npm run build`) in a temporary app directory laid out as the image (package.json,
 * node_modules, dist/), as test/app/production-build.test.ts does, with the bench servers compiled beside it;
 * made once per bench run. The type check is skipped: CI runs it, and the bench wants the bundle in seconds.
 */
export function productionBuild(): Promise<string> {
  built ??= (async () => {
    const appRoot = benchDirectory();
    copyFileSync(join(REPOSITORY, "package.json"), join(appRoot, "package.json"));
    symlinkSync(join(REPOSITORY, "node_modules"), join(appRoot, "node_modules"), "dir");
    await run("npm", ["run", "--silent", "build", "--", "--outDir", join(appRoot, "dist"), "--skip-typecheck", ...BENCH_SERVERS.flatMap((entry) => ["--with-entry", entry])], { cwd: REPOSITORY, timeout: 300_000 });
    return appRoot;
  })();
  return built;
}

/** A tokens file (README, Access control): a caller that only reads, and an operator with every role. */
export function tokensFile(): { path: string; token(caller: "reader" | "operator"): string } {
  const path = join(benchDirectory(), "tokens.json");
  const token = (caller: string) => `bench-${caller}-token`;
  const callers = [
    { name: "bench-reader", token_sha256: createHash("sha256").update(token("reader")).digest("hex"), roles: ["reader"] },
    { name: "bench-operator", token_sha256: createHash("sha256").update(token("operator")).digest("hex"), roles: ["reader", "buyer", "admin"] },
  ];
  writeFileSync(path, JSON.stringify({ callers }));
  return { path, token };
}

export interface BuiltServer {
  readonly pid: number;
  readonly address: string;
  /** Resident set size, bytes (Linux: /proc; elsewhere ps). */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

/** `node dist/src/main.js` of `appRoot` with only `environment`; resolves once it logs the address it serves on. */
export async function startBuiltServer(appRoot: string, environment: Readonly<Record<string, string>>): Promise<BuiltServer> {
  const child = spawn(process.execPath, [join(appRoot, "dist/src/main.js")], { cwd: appRoot, env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...environment }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    // Only the start matters; a long run's log is not kept.
    if (output.length < 64_000) output += chunk.toString("utf8");
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the production build did not serve within ${START_TIMEOUT_MS} ms: ${output.slice(-2000)}`)), START_TIMEOUT_MS);
    const look = () => {
      const found = /serving gRPC on (127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    void exited.then(() => reject(new Error(`the production build exited before serving: ${output.slice(-2000)}`)));
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    address,
    async rss() {
      if (process.platform === "linux") {
        const kilobytes = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
        if (kilobytes) return Number(kilobytes) * 1024;
      }
      const { stdout } = await run("ps", ["-o", "rss=", "-p", String(pid)]);
      return Number(stdout.trim()) * 1024;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
