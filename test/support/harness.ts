import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { Agent } from "undici";
import { createChannel, createClient, Metadata, type Channel } from "nice-grpc";
import { TelecomServiceDefinition, type TelecomServiceClient } from "../../generated/numbergate/v1/telecom_service.js";
import { Status as RpcStatus } from "../../generated/google/rpc/status.js";
import { BadRequest, ErrorInfo, RetryInfo } from "../../generated/google/rpc/error_details.js";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { startNumbergate, type RunningNumbergate } from "../../src/app/start-numbergate.js";
import { loadConfig } from "../../src/config/load-config.js";
import { silentLogger, type Logger } from "../../src/telemetry/logger.js";

export interface Harness {
  readonly client: TelecomServiceClient;
  readonly channel: Channel;
  readonly sandbox: SandboxCarriers;
  readonly app: RunningNumbergate;
  close(): Promise<void>;
}

/**
 * Settings under which each call reaches the carrier exactly once and nothing is remembered between calls:
 * for suites about search logic and error mapping. Resilience suites override them.
 */
export const PLAIN_PIPELINE: Readonly<Record<string, string>> = {
  PROVIDER_MAX_RETRIES: "0",
  PROVIDER_BREAKER_WINDOW: "1000",
  PROVIDER_BREAKER_MIN_CALLS: "1000",
  SEARCH_CACHE_TTL: "0",
  SEARCH_CACHE_STALE_TTL: "0",
  AVAILABILITY_CACHE_TTL: "0",
};

export interface HarnessOptions {
  /** Deterministic jitter and slow-start choices. */
  readonly random?: () => number;
  /** Share emulators between harnesses (several replicas against one set of carriers). */
  readonly sandbox?: SandboxCarriers;
  /** Where numbergate logs (default: nowhere); tests that check what reaches the log capture it. */
  readonly logger?: Logger;
  /** Where numbergate's spans go (an InMemorySpanExporter); without it, OTEL_TRACES_EXPORTER of the test process decides. */
  readonly spanExporter?: SpanExporter;
}

/**
 * numbergate on 127.0.0.1:0 in sandbox mode, against emulators the test controls, with a real gRPC
 * client. `environment` adds variables (TWILIO_ENABLED=false, priorities, resilience tuning, ...). The harness
 * makes a data directory only when the environment names none, and removes it in close() (or at once when start
 * fails), so no run leaves one behind.
 */
export async function startHarness(environment: Record<string, string | undefined> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const ownDataDir = environment["NUMBERGATE_DATA_DIR"] === undefined ? await mkdtemp(join(tmpdir(), "numbergate-test-")) : undefined;
  const sandbox = options.sandbox ?? (await startSandboxCarriers());
  // Short keep-alive so emulator restarts and test teardown never wait on idle sockets.
  const dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const releaseOwned = async () => {
    if (!options.sandbox) await sandbox.stop();
    // destroy, not close: a test may leave a request hanging at an emulator on purpose.
    await dispatcher.destroy();
    if (ownDataDir !== undefined) await rm(ownDataDir, { recursive: true, force: true });
  };
  let app: RunningNumbergate;
  try {
    const variables = {
      NUMBERGATE_GRPC_ADDR: "127.0.0.1:0",
      NUMBERGATE_HTTP_ADDR: "127.0.0.1:0",
      NUMBERGATE_MODE: "sandbox",
      ...(ownDataDir === undefined ? {} : { NUMBERGATE_DATA_DIR: ownDataDir }),
      ...PLAIN_PIPELINE,
      ...environment,
    };
    const config = loadConfig(variables);
    // reload() reads the same variables again (and the files <VAR>_FILE names), as SIGHUP does in a process.
    const reloadConfig = () => loadConfig(variables);
    app = await startNumbergate({ config, logger: options.logger ?? silentLogger(), dispatcher, sandbox, random: options.random, spanExporter: options.spanExporter, reloadConfig });
  } catch (error) {
    await releaseOwned();
    throw error;
  }
  const channel = createChannel(app.address);
  const client = createClient(TelecomServiceDefinition, channel);
  let closing: Promise<void> | undefined;
  return {
    client,
    channel,
    sandbox,
    app,
    // Once: a test may close one replica itself, and its clean-up closes everything again.
    close: () =>
      (closing ??= (async () => {
        channel.close();
        try {
          await app.shutdown();
        } finally {
          await releaseOwned();
        }
      })()),
  };
}

export interface DecodedErrorDetails {
  readonly status: RpcStatus;
  readonly errorInfo?: ErrorInfo;
  readonly badRequest?: BadRequest;
  readonly retryInfo?: RetryInfo;
}

/** Runs a call expected to fail and returns its status code, message and decoded google.rpc details. */
export async function captureRpcError(
  call: (options: { onTrailer: (trailer: Metadata) => void }) => Promise<unknown>,
): Promise<{ code: number; details: string; rich: DecodedErrorDetails | undefined }> {
  let trailer: Metadata | undefined;
  try {
    await call({ onTrailer: (received) => (trailer = received) });
  } catch (error) {
    const { code, details } = error as { code: number; details: string };
    const bytes = trailer?.get("grpc-status-details-bin");
    return { code, details, rich: bytes instanceof Uint8Array ? decodeDetails(bytes) : undefined };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** google.rpc.Status from grpc-status-details-bin, with the details numbergate sends decoded. */
export function decodeDetails(bytes: Uint8Array): DecodedErrorDetails {
  const status = RpcStatus.decode(bytes);
  const find = (typeName: string): Uint8Array | undefined =>
    status.details.find((detail) => detail.typeUrl === `type.googleapis.com/${typeName}`)?.value;
  const errorInfo = find("google.rpc.ErrorInfo");
  const badRequest = find("google.rpc.BadRequest");
  const retryInfo = find("google.rpc.RetryInfo");
  return {
    status,
    errorInfo: errorInfo && ErrorInfo.decode(errorInfo),
    badRequest: badRequest && BadRequest.decode(badRequest),
    retryInfo: retryInfo && RetryInfo.decode(retryInfo),
  };
}
