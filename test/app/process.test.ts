import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createChannel, createClient } from "nice-grpc";
import { afterEach, describe, expect, it } from "vitest";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";

const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;
const EMULATORS_MAIN = new URL("../../src/emulators-main.ts", import.meta.url).pathname;
interface Child {
  readonly process: ChildProcessByStdio<null, Readable, Readable>;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; stderr: string }>;
}
const children: Child[] = [];

const dataDirs: string[] = [];

function launch(script: string, environment: Record<string, string>): Child {
  const dataDir = mkdtempSync(join(tmpdir(), "numbergate-process-"));
  dataDirs.push(dataDir);
  // Only what the child needs: no carrier variables leak in from the developer's shell.
  const env = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", NUMBERGATE_DATA_DIR: dataDir, ...environment };
  const spawned = spawn(process.execPath, ["--import", "tsx", script], { env, stdio: ["ignore", "pipe", "pipe"] });
  const child: Child = {
    process: spawned,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => spawned.once("exit", (code) => resolve({ code, stderr: child.stderr }))),
  };
  spawned.stdout.on("data", (chunk: Buffer) => (child.stdout += chunk.toString("utf8")));
  spawned.stderr.on("data", (chunk: Buffer) => (child.stderr += chunk.toString("utf8")));
  children.push(child);
  return child;
}

/** Resolves with the first match in everything the child printed, or rejects when it exits first. */
function waitForOutput(child: Child, pattern: RegExp): Promise<RegExpExecArray> {
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

function exitOf(child: Child): Promise<{ code: number | null; stderr: string }> {
  return child.exited;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.process.exitCode === null) child.process.kill("SIGKILL");
  for (const dataDir of dataDirs.splice(0)) rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start (src/main.ts)", () => {
  it("serves sandbox carriers with no configuration, and drains an in-flight call on SIGTERM", async () => {
    const child = launch(MAIN, { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0" });
    const exited = exitOf(child);
    const [, twilioOrigin] = await waitForOutput(child, /"twilio":"(http:\/\/127\.0\.0\.1:\d+)".*SANDBOX MODE/);
    const [, address] = await waitForOutput(child, /serving gRPC on (127\.0\.0\.1:\d+)/);
    const channel = createChannel(address ?? "");
    const client = createClient(TelecomServiceDefinition, channel);
    try {
      // Slow the carrier down so the call is still in flight when SIGTERM arrives.
      await fetch(`${twilioOrigin}/__emulator/faults`, { method: "POST", body: JSON.stringify({ kind: "latency", latencyMs: 400, times: 1 }) });
      const inFlight = client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 3 });
      await waitForOutputAfterRequest(twilioOrigin ?? "");
      child.process.kill("SIGTERM");
      const response = await inFlight;
      expect(response.numbers).toHaveLength(3);
      expect(await exited).toMatchObject({ code: 0 });
    } finally {
      channel.close();
    }
  });

  it("refuses to start on a bad variable, with one line naming it and no secret", async () => {
    const child = launch(MAIN, { TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "hunter2-secret", PROVIDER_MAX_RETRIES: "many" });
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(2);
    expect(stderr).toBe("numbergate: configuration error: PROVIDER_MAX_RETRIES must be a whole number from 0 to 10\n");
  });

  it("refuses live mode without credentials for an enabled carrier", async () => {
    const child = launch(MAIN, { NUMBERGATE_MODE: "live" });
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^numbergate: configuration error: NUMBERGATE_MODE=live needs TWILIO_ACCOUNT_SID/);
  });
});

/** Waits until the emulator has received the search, so SIGTERM lands while the call is in flight. */
async function waitForOutputAfterRequest(origin: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${origin}/__emulator/requests`);
    const body = (await response.json()) as { count: number };
    if (body.count > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("npm run emulators + a live-mode numbergate pointed at them", () => {
  it("serves searches through the shared emulators", async () => {
    const emulators = launch(EMULATORS_MAIN, {});
    await waitForOutput(emulators, /export BANDWIDTH_ACCOUNT_ID=\S+\n/);
    const environment = Object.fromEntries([...emulators.stdout.matchAll(/^export (\w+)=(\S+)$/gm)].map(([, key, value]) => [key, value]));
    const server = launch(MAIN, { ...environment, NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_PRICE_TABLE: new URL("../../config/prices.sample.json", import.meta.url).pathname });
    const [, address] = await waitForOutput(server, /serving gRPC on (127\.0\.0\.1:\d+)/);
    const channel = createChannel(address ?? "");
    try {
      const response = await createClient(TelecomServiceDefinition, channel).searchNumbers({ countryCode: "US", areaCode: "415", limit: 70 });
      expect(new Set(response.numbers.map((number) => number.providerId))).toEqual(new Set(["twilio", "bandwidth"]));
    } finally {
      channel.close();
    }
  });
});
