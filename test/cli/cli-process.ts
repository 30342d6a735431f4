import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The CLI as operators run it: node bin/numbergate.mjs, a process of its own. */
const BIN = fileURLToPath(new URL("../../bin/numbergate.mjs", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running CLI whose output can be waited on, for the commands that stream. */
export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches, rejects after `timeoutMs` (with what was printed) or when the CLI exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<CliResult>;
}

/** Without the caller's NUMBERGATE_* variables: each test says where to go. */
function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  delete environment["NUMBERGATE_ADDRESS"];
  delete environment["NUMBERGATE_TOKEN"];
  return { ...environment, ...extra };
}

export function startCli(args: readonly string[], environment: Record<string, string> = {}): RunningCli {
  // From another directory: the shim must find its modules and the protos from its own location.
  const child = spawn(process.execPath, [BIN, ...args], { cwd: "/", env: cleanEnvironment(environment), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));

  const waitForOutput = (pattern: RegExp, timeoutMs = 15_000): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(stdout)) return;
        finish();
        resolve(stdout);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${pattern} within ${timeoutMs}ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void exited.then((result) => {
        if (!listeners.has(check)) return;
        finish();
        reject(new Error(`the CLI exited (${result.code ?? result.signal}) before printing ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`));
      });
      check();
    });

  return { child, stdout: () => stdout, stderr: () => stderr, waitForOutput, exited };
}

/** Runs one command to its end. */
export function runCli(args: readonly string[], environment: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, environment).exited;
}

/** A loopback port nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
