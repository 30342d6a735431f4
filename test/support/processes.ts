import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";

export const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;
export const EMULATORS_MAIN = new URL("../../src/emulators-main.ts", import.meta.url).pathname;

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

/** Starts a script with only the given environment; a fresh data directory unless one is given. */
export function launch(script: string, environment: Record<string, string>, args: readonly string[] = []): Child {
  const dataDir = mkdtempSync(join(tmpdir(), "numbergate-process-"));
  dataDirs.push(dataDir);
  // Only what the child needs: no carrier variables leak in from the developer's shell.
  const env = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", NUMBERGATE_DATA_DIR: dataDir, ...environment };
  const spawned = spawn(process.execPath, ["--import", "tsx", script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
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

/** Resolves with the first match in everything the child printed, or rejects when it exits first. */
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

export function exitOf(child: Child): Promise<{ code: number | null; stderr: string }> {
  return child.exited;
}

/** Kills what a test left running and removes the data directories it made. */
export function stopChildren(): void {
  for (const child of children.splice(0)) if (child.process.exitCode === null) child.process.kill("SIGKILL");
  for (const dataDir of dataDirs.splice(0)) rmSync(dataDir, { recursive: true, force: true });
}

