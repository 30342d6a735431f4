import { connect as connectHttp2 } from "node:http2";
import { connect as connectTcp, type Socket } from "node:net";
import { createChannel, createClient, Status } from "nice-grpc";
import { afterEach, describe, expect, it } from "vitest";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { ProviderManager } from "../../src/manager/provider-manager.js";
import { DEFAULT_SERVER_LIMITS, startServer, type NumbergateServer, type ServerLimits } from "../../src/server/create-server.js";
import { silentLogger } from "../../src/telemetry/logger.js";
import { captureRpcError } from "../support/harness.js";

const HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/** An empty SETTINGS frame: what a client sends right after the preface. */
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 0x04, 0, 0, 0, 0, 0]);
const IDLE_MS = 300;

let server: NumbergateServer | undefined;
afterEach(async () => {
  await server?.shutdown();
  server = undefined;
});

async function start(limits: Partial<ServerLimits>): Promise<string> {
  server = await startServer({ address: "127.0.0.1:0", manager: new ProviderManager({ registrations: [] }), logger: silentLogger(), limits, shutdownGraceMs: 100 });
  return `127.0.0.1:${server.port}`;
}

/** Opens a TCP connection, sends `bytes`, and resolves with how long the server kept it open (ms). */
function heldFor(address: string, bytes: Buffer | undefined, giveUpAfterMs: number): Promise<number> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const opened = Date.now();
    const socket: Socket = connectTcp({ host, port: Number(port) }, () => {
      if (bytes) socket.write(bytes);
    });
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server still held the connection after ${giveUpAfterMs} ms`));
    }, giveUpAfterMs);
    socket.on("close", () => {
      clearTimeout(giveUp);
      resolve(Date.now() - opened);
    });
  });
}

describe("server limits", () => {
  it("defaults: 4 MiB messages both ways, keepalive, idle and age limits all set", () => {
    expect(DEFAULT_SERVER_LIMITS).toEqual({
      maxReceiveMessageBytes: 4 * 1024 * 1024,
      maxSendMessageBytes: 4 * 1024 * 1024,
      keepaliveTimeMs: 30_000,
      keepaliveTimeoutMs: 10_000,
      maxConnectionIdleMs: 60_000,
      maxConnectionAgeMs: 1_800_000,
      maxConnectionAgeGraceMs: 300_000,
    });
  });

  it.each([
    ["a TCP connection that sends nothing", undefined],
    ["a connection that sends only the HTTP/2 preface", Buffer.from(HTTP2_PREFACE)],
    ["a connection that sends the preface and its SETTINGS, then no request", Buffer.concat([Buffer.from(HTTP2_PREFACE), EMPTY_SETTINGS])],
  ])("closes %s after the idle limit", async (_name, bytes) => {
    const address = await start({ maxConnectionIdleMs: IDLE_MS });
    const held = await heldFor(address, bytes, IDLE_MS * 10);
    expect(held).toBeGreaterThanOrEqual(IDLE_MS - 20);
  });

  it("keeps a connection that has a call in progress past the idle limit", async () => {
    const address = await start({ maxConnectionIdleMs: IDLE_MS });
    const channel = createChannel(address);
    const client = createClient(TelecomServiceDefinition, channel);
    try {
      // A health watch is a call that lasts: the connection must outlive the idle limit while it runs.
      let ended = false;
      const watching = (async () => {
        for await (const update of client.watchProviderHealth({ providerIds: [] })) void update;
      })()
        .catch((error: unknown) => error)
        .finally(() => (ended = true));
      // Waiting out the idle limit three times over is the point of this test.
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 3));
      expect(ended).toBe(false);
      await server?.shutdown();
      server = undefined;
      await watching;
      expect(ended).toBe(true);
    } finally {
      channel.close();
    }
  });

  it("cuts a connection whose call never finishes sending its request, at the age limit plus its grace", async () => {
    const address = await start({ maxConnectionAgeMs: 300, maxConnectionAgeGraceMs: 200 });
    const opened = Date.now();
    const session = connectHttp2(`http://${address}`);
    session.on("error", () => undefined);
    const closed = new Promise<number>((resolve) => session.on("close", () => resolve(Date.now() - opened)));
    // Headers of a call, and never the message nor the end of the stream.
    const stream = session.request({ ":method": "POST", ":path": "/numbergate.v1.TelecomService/SearchNumbers", "content-type": "application/grpc", te: "trailers" });
    stream.on("error", () => undefined);
    // Age is jittered by ±10%: closed by 330 + 200 ms, give or take the timers.
    expect(await closed).toBeLessThan(2_000);
  });

  it("refuses a request over the receive limit with RESOURCE_EXHAUSTED (grpc-js; no ErrorInfo)", async () => {
    const address = await start({ maxReceiveMessageBytes: 1024 });
    const channel = createChannel(address);
    try {
      const error = await captureRpcError((options) => createClient(TelecomServiceDefinition, channel).searchNumbers({ countryCode: "US", city: "x".repeat(2000) }, options));
      expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(error.rich).toBeUndefined();
    } finally {
      channel.close();
    }
  });
});
