import { startNumbergate, type RunningNumbergate } from "./app/start-numbergate.js";
import { StartupError } from "./app/startup-failure.js";
import { ConfigError, loadConfig, type NumbergateConfig } from "./config/load-config.js";
import { routeGrpcLogsTo } from "./telemetry/grpc-logging.js";
import { createLogger } from "./telemetry/logger.js";

/** Exit codes: 2 the configuration is wrong, 1 something it names could not be used (port, database). */
const EXIT_CONFIGURATION = 2;
const EXIT_STARTUP = 1;
/** How long a failed start may take to wind down before the process exits regardless. */
const LEFTOVER_GRACE_MS = 5_000;

function readConfig(): NumbergateConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`numbergate: configuration error: ${problem}\n`);
      process.exit(EXIT_CONFIGURATION);
    }
    throw error;
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
routeGrpcLogsTo(logger);
for (const warning of config.warnings) logger.warn(warning);

let app: RunningNumbergate | undefined;
try {
  app = await startNumbergate({ config, logger, reloadConfig: () => loadConfig() });
} catch (error) {
  reportStartupFailure(error);
}
if (app !== undefined) announce(app);

/**
 * One line per problem on stderr and a non-zero exit. startNumbergate has already stopped what it started, so
 * the process ends on its own once the line is out; if something was left open anyway, say so instead of
 * hanging.
 */
function reportStartupFailure(error: unknown): void {
  logger.debug({ err: error }, "start-up failed");
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`numbergate: configuration error: ${problem}\n`);
    process.exitCode = EXIT_CONFIGURATION;
  } else {
    const message = error instanceof StartupError ? error.message : "start-up failed (run with NUMBERGATE_LOG_LEVEL=debug for details)";
    process.stderr.write(`numbergate: ${message}\n`);
    process.exitCode = EXIT_STARTUP;
  }
  setTimeout(() => {
    process.stderr.write("numbergate: something started before the failure was still running after clean-up; exiting anyway\n");
    process.exit();
  }, LEFTOVER_GRACE_MS).unref();
}

function announce(running: RunningNumbergate): void {
  if (config.mode === "sandbox") {
    logger.warn(
      Object.fromEntries([...(running.sandbox?.emulators ?? [])].map(([carrierId, emulator]) => [carrierId, emulator.baseUrl])),
      "SANDBOX MODE: no carrier credentials configured; numbergate is talking to its built-in carrier emulators. Nothing is real and nothing is billed.",
    );
  }
  const providers = running.manager.registrations.map((registration) => ({
    provider: registration.adapter.descriptor.id,
    enabled: registration.enabled,
    priority: registration.priority,
  }));
  logger.info({ address: running.address, mode: config.mode, providers }, `numbergate serving gRPC on ${running.address}`);
  if (config.access.open) {
    logger.warn(
      config.mode === "sandbox"
        ? "OPEN ACCESS: every RPC is open to anyone who reaches the gRPC port (sandbox mode without NUMBERGATE_TOKENS_FILE)"
        : "OPEN ACCESS: NUMBERGATE_ALLOW_UNAUTHENTICATED=true, every RPC (purchases and SetProviderEnabled included) is open to anyone who reaches the gRPC port",
    );
  } else {
    logger.info({ callers: running.access.callerCount, tls: config.access.tls !== undefined, clientCertificates: config.access.tls?.clientCaFile !== undefined }, "access control on: callers need a bearer token or a client certificate");
  }
  logger.info({ httpPort: running.http.port, callbacks: `${running.http.publicUrl}/callbacks/<carrier>/porting` }, "carrier porting callbacks taken on the HTTP port");

  let stopping = false;
  async function stop(signal: NodeJS.Signals): Promise<void> {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting for in-flight calls");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down: draining in-flight calls");
    await running.shutdown();
    logger.info("stopped");
    process.exit(0);
  }
  process.on("SIGTERM", (signal) => void stop(signal));
  process.on("SIGINT", (signal) => void stop(signal));
  // SIGHUP re-reads what may change while serving; calls in flight finish as they started.
  process.on("SIGHUP", () => {
    logger.info("SIGHUP: reloading the tokens file and carrier credentials");
    void running.reload();
  });
}
