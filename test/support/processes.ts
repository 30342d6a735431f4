import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";

export const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;
export const EMULATORS_MAIN = new URL("../../src/emulators-main.ts", import.meta.url).pathname;
export const ADMIN_MAIN = new URL("../../src/admin-main.ts", import.meta.url).pathname;
/** tsx's loader by absolute URL ("tsx" is the package's "." export), so a child in another working directory finds it. */
const TSX_LOADER = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

export interface Child {
  readonly process: ChildProcessByStdio<null, Readable, Readable>;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  /** The environment it was started with, as KEY=value lines (no secrets in tests). */
  readonly environment: string;
}
const children: Child[] = [];

const dataDirs: string[] = [];

export interface LaunchOptions {
  /** Working directory of the child (default: this one, the repository). */
  readonly cwd?: string;
  /** false: plain node, for compiled JavaScript (default: the tsx loader, for TypeScript sources). */
  readonly loader?: boolean;
}

/**
 * Starts a script with only the given environment. A variable given as undefined is left unset; unless
 * NUMBERGATE_DATA_DIR is given (or given as undefined), the child gets a fresh data directory that
 * stopChildren removes. TMPDIR is passed on, so a child's temporary directories land where the test run's do.
 */
export function launch(script: string, environment: Readonly<Record<string, string | undefined>>, args: readonly string[] = [], options: LaunchOptions = {}): Child {
  const given = Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const ownDataDir = "NUMBERGATE_DATA_DIR" in environment ? undefined : mkdtempSync(join(tmpdir(), "numbergate-process-"));
  if (ownDataDir !== undefined) dataDirs.push(ownDataDir);
  // Only what the child needs: no carrier variables leak in from the developer's shell.
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? "",
    ...(process.env["TMPDIR"] === undefined ? {} : { TMPDIR: process.env["TMPDIR"] }),
    ...(ownDataDir === undefined ? {} : { NUMBERGATE_DATA_DIR: ownDataDir }),
    // Children run side by side: each takes a free HTTP port unless the test names one.
    NUMBERGATE_HTTP_ADDR: "127.0.0.1:0",
    ...given,
  };
  const loader = options.loader === false ? [] : ["--import", TSX_LOADER];
  const spawned = spawn(process.execPath, [...loader, script, ...args], { env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  const child: Child = {
    process: spawned,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => spawned.once("exit", (code) => resolve({ code, stderr: child.stderr }))),
    environment: Object.entries(env).map(([key, value]) => `${key}=${value}`).join("\n"),
  };
  spawned.stdout.on("data", (chunk: Buffer) => (child.stdout += chunk.toString("utf8")));
  spawned.stderr.on("data", (chunk: Buffer) => (child.stderr += chunk.toString("utf8")));
  children.push(child);
  return child;
}

/** Resolves with the first match in everything the child printed on stdout, or rejects when it exits first. */
export function waitForOutput(child: Child, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(child.stdout);
      if (!match) return;
      child.process.stdout.off("data", check);
      resolve(match);
    };
    child.process.stdout.on("data", check);
    check();
    void child.exited.then(({ code }) => reject(new Error(`exited with ${code} before printing ${pattern}: ${child.stdout}${child.stderr}`)));
  });
}

/**
 * The exit code and stderr once all of stderr has been read ("exit" can come before the last output does; the
 * streams' "close" cannot).
 */
export async function exitOf(child: Child): Promise<{ code: number | null; stderr: string }> {
  const { code } = await child.exited;
  if (!child.process.stdout.closed || !child.process.stderr.closed) {
    await Promise.all([child.process.stdout, child.process.stderr].map((stream) => (stream.closed ? undefined : new Promise((resolve) => stream.once("close", resolve)))));
  }
  return { code, stderr: child.stderr };
}

/** Kills what a test left running and removes the data directories it made. */
export function stopChildren(): void {
  for (const child of children.splice(0)) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGKILL");
  for (const dataDir of dataDirs.splice(0)) rmSync(dataDir, { recursive: true, force: true });
}
