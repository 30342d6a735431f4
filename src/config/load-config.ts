import { hostname } from "node:os";
import { parseVariables } from "../carriers/kit/carrier-definition.js";
import { CARRIERS } from "../carriers/registry.js";
import { anyCredentialSet, readCarrierSettings } from "./carrier-settings.js";
import { ConfigError, ConfigProblems } from "./config-problems.js";
import type { AccessSettings, NumbergateConfig, ResilienceSettings, ServiceMode } from "./config-types.js";
import { ENCRYPTION_KEY_VARIABLE } from "./encryption-keys.js";
import { withFileVariables } from "./file-variables.js";
import { environmentSchema, parseLogLevel, type LogLevel, type ParsedEnvironment } from "./env-schema.js";
import { Secret } from "./secret.js";

export { ConfigError } from "./config-problems.js";
export type * from "./config-types.js";

/**
 * Parses and validates the environment once, at start. Throws ConfigError listing every problem, one line each
 * naming its variable (never a value that could be a secret).
 */
export function loadConfig(given: NodeJS.ProcessEnv = process.env): NumbergateConfig {
  const problems = new ConfigProblems();
  const warnings: string[] = [];
  // Secrets given as <VAR>_FILE (container secrets) read as if set directly.
  const environment = withFileVariables(given, problems);
  const env = parseEnvironment(environment, problems);

  const credentialsSet = anyCredentialSet(CARRIERS, environment);
  const mode: ServiceMode = env.NUMBERGATE_MODE ?? (credentialsSet ? "live" : "sandbox");
  if (mode === "sandbox" && credentialsSet) {
    warnings.push("NUMBERGATE_MODE=sandbox: carrier credentials in the environment are ignored; the built-in emulators are used");
  }
  const carriers = readCarrierSettings(CARRIERS, environment, mode, problems, warnings);
  if (env.RESERVATION_DEFAULT_DURATION > env.RESERVATION_MAX_DURATION) {
    problems.add(["RESERVATION_DEFAULT_DURATION"], "RESERVATION_DEFAULT_DURATION must not exceed RESERVATION_MAX_DURATION");
  }
  if (env.PROVIDER_BREAKER_MIN_CALLS > env.PROVIDER_BREAKER_WINDOW) {
    problems.add(["PROVIDER_BREAKER_MIN_CALLS"], "PROVIDER_BREAKER_MIN_CALLS must not exceed PROVIDER_BREAKER_WINDOW");
  }
  checkMoneyCallBounds(env, problems);
  checkEncryptionKey(env, mode, problems);
  const access = readAccessSettings(env, mode, problems);
  const logLevel = readLogLevel(env, problems);
  problems.throwIfAny();

  return Object.freeze({
    mode,
    store: Object.freeze({
      databaseUrl: env.DATABASE_URL === undefined ? undefined : new Secret(env.DATABASE_URL),
      dataDir: env.NUMBERGATE_DATA_DIR,
      replicaId: env.NUMBERGATE_REPLICA_ID ?? `${hostname()}-${process.pid}`,
      leaseMs: env.NUMBERGATE_LEASE_TTL,
      orderCheckIntervalMs: env.NUMBERGATE_ORDER_CHECK_INTERVAL,
      inDoubtGraceMs: env.NUMBERGATE_IN_DOUBT_GRACE,
      purchaseWaitMs: env.NUMBERGATE_PURCHASE_WAIT,
      sweepIntervalMs: env.NUMBERGATE_SWEEP_INTERVAL,
      reconcileIntervalMs: env.NUMBERGATE_RECONCILE_INTERVAL,
      defaultReservationMs: env.RESERVATION_DEFAULT_DURATION,
      maxReservationMs: env.RESERVATION_MAX_DURATION,
    }),
    encryption: Object.freeze({ key: env.NUMBERGATE_ENCRYPTION_KEY, previousKeys: Object.freeze(env.NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS) }),
    grpcAddress: env.NUMBERGATE_GRPC_ADDR,
    access,
    porting: readPortingSettings(env, mode),
    logLevel,
    priceTablePath: env.NUMBERGATE_PRICE_TABLE,
    resilience: readResilience(env),
    carriers,
    warnings,
  });
}

/**
 * Live mode never starts open by accident: it needs NUMBERGATE_TOKENS_FILE or client certificates
 * (NUMBERGATE_TLS_CLIENT_CA), or an explicit NUMBERGATE_ALLOW_UNAUTHENTICATED=true. Sandbox mode runs open
 * unless given either (and says so at start).
 */
function readAccessSettings(env: ParsedEnvironment, mode: ServiceMode, problems: ConfigProblems): AccessSettings {
  const { NUMBERGATE_TLS_CERT: certFile, NUMBERGATE_TLS_KEY: keyFile, NUMBERGATE_TLS_CLIENT_CA: clientCaFile } = env;
  if ((certFile === undefined) !== (keyFile === undefined)) problems.add(["NUMBERGATE_TLS_CERT", "NUMBERGATE_TLS_KEY"], "NUMBERGATE_TLS_CERT and NUMBERGATE_TLS_KEY go together: set both (TLS) or neither");
  if (clientCaFile !== undefined && certFile === undefined) problems.add(["NUMBERGATE_TLS_CLIENT_CA"], "NUMBERGATE_TLS_CLIENT_CA needs NUMBERGATE_TLS_CERT and NUMBERGATE_TLS_KEY (client certificates are checked over TLS)");
  const authenticates = env.NUMBERGATE_TOKENS_FILE !== undefined || clientCaFile !== undefined;
  if (mode === "live" && !authenticates && !env.NUMBERGATE_ALLOW_UNAUTHENTICATED) {
    problems.add(
      ["NUMBERGATE_TOKENS_FILE"],
      "live mode refuses to serve without access control: set NUMBERGATE_TOKENS_FILE (bearer tokens) and/or NUMBERGATE_TLS_CLIENT_CA (client certificates), or NUMBERGATE_ALLOW_UNAUTHENTICATED=true to run open on purpose",
    );
  }
  if (authenticates && env.NUMBERGATE_ALLOW_UNAUTHENTICATED) problems.add(["NUMBERGATE_ALLOW_UNAUTHENTICATED"], "NUMBERGATE_ALLOW_UNAUTHENTICATED=true contradicts NUMBERGATE_TOKENS_FILE / NUMBERGATE_TLS_CLIENT_CA: unset one");
  return Object.freeze({
    tokensFile: env.NUMBERGATE_TOKENS_FILE,
    tls: certFile !== undefined && keyFile !== undefined ? Object.freeze({ certFile, keyFile, clientCaFile }) : undefined,
    open: !authenticates,
  });
}

/** Sandbox ports walk in seconds on the emulators, so they are polled every second; real ones take days. */
const PORTING_POLL_DEFAULTS = { sandbox: { pollIntervalMs: 1_000, maxPollIntervalMs: 5_000 }, live: { pollIntervalMs: 60_000, maxPollIntervalMs: 1_800_000 } } as const;

function readPortingSettings(env: ParsedEnvironment, mode: ServiceMode): NumbergateConfig["porting"] {
  const defaults = PORTING_POLL_DEFAULTS[mode];
  const pollIntervalMs = env.NUMBERGATE_PORTING_POLL_INTERVAL ?? defaults.pollIntervalMs;
  return Object.freeze({
    httpAddress: env.NUMBERGATE_HTTP_ADDR,
    publicUrl: env.NUMBERGATE_PUBLIC_URL,
    pollIntervalMs,
    maxPollIntervalMs: Math.max(pollIntervalMs, env.NUMBERGATE_PORTING_MAX_POLL_INTERVAL ?? defaults.maxPollIntervalMs),
  });
}

/**
 * Every variable is checked on its own first and each bad one recorded; the bad ones then read as unset, so the
 * checks across variables still run on the rest and the operator hears about everything in one go.
 */
function parseEnvironment(environment: NodeJS.ProcessEnv, problems: ConfigProblems): ParsedEnvironment {
  return parseVariables(environmentSchema, environment, problems);
}

/** NUMBERGATE_LOG_LEVEL wins; the seed's LOG_LEVEL is read (and checked) only when it is not set. */
function readLogLevel(env: ParsedEnvironment, problems: ConfigProblems): LogLevel {
  if (env.NUMBERGATE_LOG_LEVEL !== undefined || problems.has("NUMBERGATE_LOG_LEVEL")) return env.NUMBERGATE_LOG_LEVEL ?? "info";
  if (env.LOG_LEVEL === undefined || env.LOG_LEVEL.trim() === "") return "info";
  const parsed = parseLogLevel(env.LOG_LEVEL);
  if ("level" in parsed) return parsed.level;
  problems.add(["LOG_LEVEL"], `LOG_LEVEL ${parsed.problem} (or set NUMBERGATE_LOG_LEVEL, which takes precedence)`);
  return "info";
}

/**
 * A purchase or release is in flight for at most PROVIDER_TIMEOUT_PURCHASE (its whole budget: queue, rate
 * limit and the call). The order's lease must outlast it, or another replica takes over an order whose
 * purchase is still running; and the in-doubt grace must outlast it, or a purchase still in flight is
 * declared failed and the carrier's answer that follows is lost.
 */
function checkMoneyCallBounds(env: ParsedEnvironment, problems: ConfigProblems): void {
  const budget = env.PROVIDER_TIMEOUT_PURCHASE;
  const why = "the longest a purchase or release can be in flight";
  if (env.NUMBERGATE_LEASE_TTL <= budget) {
    problems.add(["NUMBERGATE_LEASE_TTL"], `NUMBERGATE_LEASE_TTL (${env.NUMBERGATE_LEASE_TTL} ms) must be longer than PROVIDER_TIMEOUT_PURCHASE (${budget} ms), ${why}`);
  }
  if (env.NUMBERGATE_IN_DOUBT_GRACE <= budget) {
    problems.add(["NUMBERGATE_IN_DOUBT_GRACE"], `NUMBERGATE_IN_DOUBT_GRACE (${env.NUMBERGATE_IN_DOUBT_GRACE} ms) must be longer than PROVIDER_TIMEOUT_PURCHASE (${budget} ms), ${why}`);
  }
}

/**
 * Customer data is encrypted at rest. Live mode takes its key from the environment only; sandbox mode may make
 * its own key file, but only where it keeps its data: a shared PostgreSQL database outlives a throwaway key.
 */
function checkEncryptionKey(env: ParsedEnvironment, mode: ServiceMode, problems: ConfigProblems): void {
  if (env.NUMBERGATE_ENCRYPTION_KEY !== undefined) return;
  const format = "32 bytes in base64, such as the output of openssl rand -base64 32";
  if (mode === "live") {
    problems.add([ENCRYPTION_KEY_VARIABLE], `NUMBERGATE_MODE=live needs ${ENCRYPTION_KEY_VARIABLE} (${format}): customer data is encrypted at rest with it`);
  } else if (env.DATABASE_URL !== undefined && env.NUMBERGATE_DATA_DIR === undefined) {
    problems.add([ENCRYPTION_KEY_VARIABLE], `sandbox mode with DATABASE_URL needs ${ENCRYPTION_KEY_VARIABLE} (${format}), or NUMBERGATE_DATA_DIR for the key file numbergate creates there`);
  }
}

function readResilience(env: ParsedEnvironment): ResilienceSettings {
  return Object.freeze({
    maxRetries: env.PROVIDER_MAX_RETRIES,
    retryDelayMs: env.PROVIDER_RETRY_DELAY,
    retryMaxDelayMs: env.PROVIDER_RETRY_MAX_DELAY,
    maxRetryAfterMs: env.PROVIDER_MAX_RETRY_AFTER,
    timeouts: Object.freeze({
      search: env.PROVIDER_TIMEOUT_SEARCH,
      availability: env.PROVIDER_TIMEOUT_AVAILABILITY,
      reserve: env.PROVIDER_TIMEOUT_RESERVE,
      purchase: env.PROVIDER_TIMEOUT_PURCHASE,
      orderStatus: env.PROVIDER_TIMEOUT_ORDER_STATUS,
      porting: env.PROVIDER_TIMEOUT_PORTING,
      probe: env.PROVIDER_TIMEOUT_PROBE,
    }),
    breaker: Object.freeze({
      windowSize: env.PROVIDER_BREAKER_WINDOW,
      minimumCalls: env.PROVIDER_BREAKER_MIN_CALLS,
      failureRateThreshold: env.PROVIDER_BREAKER_FAILURE_RATE,
      slowCallRateThreshold: env.PROVIDER_BREAKER_SLOW_CALL_RATE,
      slowCallDurationMs: env.PROVIDER_BREAKER_SLOW_CALL_DURATION,
      halfOpenCalls: env.PROVIDER_BREAKER_HALF_OPEN_CALLS,
      openDurationMs: env.PROVIDER_CIRCUIT_BREAKER_TIMEOUT,
    }),
    slowStartWindowMs: env.PROVIDER_SLOW_START_WINDOW,
    healthCheckIntervalMs: env.PROVIDER_HEALTH_CHECK_INTERVAL,
    healthCacheTtlMs: env.PROVIDER_HEALTH_CACHE_TTL,
    healthWindowMs: env.PROVIDER_HEALTH_WINDOW,
    metricsWindowMs: env.PROVIDER_METRICS_WINDOW,
    searchCacheTtlMs: env.SEARCH_CACHE_TTL,
    searchCacheStaleTtlMs: env.SEARCH_CACHE_STALE_TTL,
    availabilityCacheTtlMs: env.AVAILABILITY_CACHE_TTL,
    circuitBreakerTimeoutMs: env.PROVIDER_CIRCUIT_BREAKER_TIMEOUT,
    providerSelection: env.PROVIDER_SELECTION,
  });
}
