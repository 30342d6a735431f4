import type { FaultRule } from "../../src/carriers/emulator-kit/faults.js";

/** Messages between bench/run.ts and its server processes (over the child_process IPC channel). */
export interface ReadyMessage {
  readonly type: "ready";
  /** host:port of the gRPC server. */
  readonly address: string;
  /** Variables that point a live-mode adapter at this process's emulators (numbergate servers only). */
  readonly environment: Readonly<Record<string, string>>;
}

export type Command =
  | { readonly cmd: "cpu" }
  | { readonly cmd: "rss" }
  | { readonly cmd: "latency"; readonly carriers: Readonly<Record<string, number>> }
  | { readonly cmd: "clearFaults" }
  | { readonly cmd: "fault"; readonly carrier: string; readonly fault: FaultRule }
  | { readonly cmd: "connections"; readonly carrier: string; readonly accept: boolean }
  | { readonly cmd: "takeRequests"; readonly carrier: string }
  | { readonly cmd: "countRequests"; readonly carrier: string; readonly method: string }
  | { readonly cmd: "resetRequests" }
  | { readonly cmd: "resetSpans" }
  | { readonly cmd: "setResponses"; readonly responses: Readonly<Partial<Record<"searchNumbers" | "purchaseNumber" | "watchSnapshot" | "watchChange" | "setProviderEnabled", string>>> };

export interface Request {
  readonly id: number;
  readonly command: Command;
}

export interface Reply {
  readonly type: "reply";
  readonly id: number;
  readonly ok: boolean;
  readonly value: number;
  readonly error?: string;
}

export function isReply(message: unknown): message is Reply {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "reply";
}

export function isReady(message: unknown): message is ReadyMessage {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "ready";
}

export function isRequest(message: unknown): message is Request {
  return typeof message === "object" && message !== null && typeof (message as { id?: unknown }).id === "number" && typeof (message as { command?: unknown }).command === "object";
}

/** Answers requests from the parent with `handle`; exits when the parent goes away. */
export function serveCommands(handle: (command: Command) => Promise<number> | number): void {
  process.on("message", (message: unknown) => {
    if (!isRequest(message)) return;
    void (async () => {
      try {
        process.send?.({ type: "reply", id: message.id, ok: true, value: await handle(message.command) } satisfies Reply);
      } catch (error) {
        process.send?.({ type: "reply", id: message.id, ok: false, value: Number.NaN, error: error instanceof Error ? error.message : String(error) } satisfies Reply);
      }
    })();
  });
  process.on("disconnect", () => process.exit(0));
}

/** CPU time of this process (user + system), in microseconds. */
export function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
