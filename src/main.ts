import { startNumbergate } from "./app/start-numbergate.js";
import { ConfigError, loadConfig, type NumbergateConfig } from "./config/load-config.js";
import { createLogger } from "./telemetry/logger.js";

function readConfig(): NumbergateConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`numbergate: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
for (const warning of config.warnings) logger.warn(warning);

let app: Awaited<ReturnType<typeof startNumbergate>>;
try {
  app = await startNumbergate({ config, logger });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`numbergate: configuration error: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

if (config.mode === "sandbox") {
  logger.warn(
    { twilio: app.sandbox?.twilio.origin, bandwidth: app.sandbox?.bandwidth.baseUrl },
    "SANDBOX MODE: no carrier credentials configured; numbergate is talking to its built-in carrier emulators. Nothing is real and nothing is billed.",
  );
}
const providers = app.manager.registrations.map((registration) => ({
  provider: registration.adapter.descriptor.id,
  enabled: registration.enabled,
  priority: registration.priority,
}));
logger.info({ address: app.address, mode: config.mode, providers }, `numbergate serving gRPC on ${app.address}`);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, "second signal: exiting without waiting for in-flight calls");
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, "shutting down: draining in-flight calls");
  await app.shutdown();
  logger.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", (signal) => void stop(signal));
process.on("SIGINT", (signal) => void stop(signal));
