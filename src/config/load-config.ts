import { hostname } from "node:os";
import type { CarrierId } from "../domain/numbers.js";
import { environmentSchema, type ParsedEnvironment } from "./env-schema.js";
import { Secret } from "./secret.js";

export type ServiceMode = "sandbox" | "live";

export interface TwilioCredentials {
  readonly accountSid: string;
  /** The Account SID, or the API key SID when an API key is used. */
  readonly username: string;
  readonly password: Secret;
}

export interface BandwidthCredentials {
  readonly username: string;
  readonly password: Secret;
  readonly accountId: string;
  readonly siteId: string | undefined;
  readonly peerId: string | undefined;
}

interface CarrierSettings {
  readonly enabled: boolean;
  /** Lower is preferred. */
  readonly priority: number;
  readonly limits: CarrierLimits;
}

export interface TwilioSettings extends CarrierSettings {
  readonly apiUrl: URL;
  readonly numbersUrl: URL;
  /** Absent in sandbox mode, where the built-in emulator's credentials are used. */
  readonly credentials: TwilioCredentials | undefined;
}

export interface BandwidthSettings extends CarrierSettings {
  readonly apiUrl: URL;
  readonly credentials: BandwidthCredentials | undefined;
}

/** Per-operation carrier call timeouts, ms. */
export interface OperationTimeouts {
  readonly search: number;
  readonly availability: number;
  readonly reserve: number;
  readonly purchase: number;
  readonly orderStatus: number;
  readonly porting: number;
  readonly probe: number;
}

export interface BreakerSettings {
  /** Calls in the sliding window. */
  readonly windowSize: number;
  /** Calls needed before rates are judged. */
  readonly minimumCalls: number;
  /** Percent of failed calls that opens the breaker. */
  readonly failureRateThreshold: number;
  /** Percent of slow calls that opens the breaker. */
  readonly slowCallRateThreshold: number;
  readonly slowCallDurationMs: number;
  /** Trial calls let through when half-open. */
  readonly halfOpenCalls: number;
  /** How long the breaker stays open (PROVIDER_CIRCUIT_BREAKER_TIMEOUT). */
  readonly openDurationMs: number;
}

export interface ResilienceSettings {
  readonly maxRetries: number;
  /** Base of the exponential backoff with full jitter. */
  readonly retryDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** A Retry-After longer than this fails over to the next carrier instead of waiting. */
  readonly maxRetryAfterMs: number;
  readonly timeouts: OperationTimeouts;
  readonly breaker: BreakerSettings;
  /** How long a recovered carrier takes to get back to its full share of traffic. */
  readonly slowStartWindowMs: number;
  readonly healthCheckIntervalMs: number;
  readonly healthCacheTtlMs: number;
  /** Period over which health uptime is computed. */
  readonly healthWindowMs: number;
  /** Period of the rolling metrics window. */
  readonly metricsWindowMs: number;
  readonly searchCacheTtlMs: number;
  /** How old a cached search may be and still be served (flagged stale) when every carrier is failing. */
  readonly searchCacheStaleTtlMs: number;
  readonly availabilityCacheTtlMs: number;
  /** Kept for the seed's name; equals breaker.openDurationMs. */
  readonly circuitBreakerTimeoutMs: number;
}

/** Limits numbergate keeps so that it does not cause the 429s it would then have to survive. */
export interface CarrierLimits {
  readonly maxConcurrency: number;
  /** Requests per second; 0 means no limit. */
  readonly ratePerSecond: number;
}

export interface StoreSettings {
  /** PostgreSQL when set; SQLite in dataDir otherwise. Contains a password: never log it. */
  readonly databaseUrl: Secret | undefined;
  /** NUMBERGATE_DATA_DIR; undefined when not set (./data in live mode, a throwaway directory in sandbox mode). */
  readonly dataDir: string | undefined;
  readonly replicaId: string;
  readonly leaseMs: number;
  readonly orderCheckIntervalMs: number;
  readonly inDoubtGraceMs: number;
  readonly purchaseWaitMs: number;
  readonly sweepIntervalMs: number;
  readonly defaultReservationMs: number;
  readonly maxReservationMs: number;
}

export interface NumbergateConfig {
  readonly mode: ServiceMode;
  readonly store: StoreSettings;
  readonly grpcAddress: string;
  readonly logLevel: ParsedEnvironment["NUMBERGATE_LOG_LEVEL"];
  readonly priceTablePath: string | undefined;
  readonly resilience: ResilienceSettings;
  readonly twilio: TwilioSettings;
  readonly bandwidth: BandwidthSettings;
  /** Things the operator should hear about at start. */
  readonly warnings: readonly string[];
}

/** A configuration problem, worded as one line naming the variable; never contains a secret. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses and validates the environment once, at start. Throws ConfigError with one line on the first problem. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): NumbergateConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path.join(".") ?? "environment";
    throw new ConfigError(`${variable} ${issue?.message ?? "is invalid"}`);
  }
  const env = parsed.data;
  const warnings: string[] = [];

  const twilioCredentials = readTwilioCredentials(env);
  const bandwidthCredentials = readBandwidthCredentials(env);
  const anyCredentials = twilioCredentials !== undefined || bandwidthCredentials !== undefined;
  const mode: ServiceMode = env.NUMBERGATE_MODE ?? (anyCredentials ? "live" : "sandbox");

  if (mode === "live") {
    requireLiveCredentials("twilio", env.TWILIO_ENABLED, twilioCredentials);
    requireLiveCredentials("bandwidth", env.BANDWIDTH_ENABLED, bandwidthCredentials);
  } else if (anyCredentials) {
    warnings.push("NUMBERGATE_MODE=sandbox: carrier credentials in the environment are ignored; the built-in emulators are used");
  }
  if (!env.TWILIO_ENABLED && !env.BANDWIDTH_ENABLED) {
    throw new ConfigError("TWILIO_ENABLED and BANDWIDTH_ENABLED are both false: at least one carrier must be enabled");
  }

  if (env.RESERVATION_DEFAULT_DURATION > env.RESERVATION_MAX_DURATION) {
    throw new ConfigError("RESERVATION_DEFAULT_DURATION must not exceed RESERVATION_MAX_DURATION");
  }
  checkMoneyCallBounds(env);
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
      defaultReservationMs: env.RESERVATION_DEFAULT_DURATION,
      maxReservationMs: env.RESERVATION_MAX_DURATION,
    }),
    grpcAddress: env.NUMBERGATE_GRPC_ADDR,
    logLevel: env.NUMBERGATE_LOG_LEVEL,
    priceTablePath: env.NUMBERGATE_PRICE_TABLE,
    resilience: readResilience(env),
    twilio: Object.freeze({
      enabled: env.TWILIO_ENABLED,
      priority: env.TWILIO_PRIORITY,
      limits: { maxConcurrency: env.TWILIO_MAX_CONCURRENCY, ratePerSecond: env.TWILIO_RATE_LIMIT },
      apiUrl: env.TWILIO_API_URL,
      numbersUrl: env.TWILIO_NUMBERS_URL,
      credentials: mode === "live" ? twilioCredentials : undefined,
    }),
    bandwidth: Object.freeze({
      enabled: env.BANDWIDTH_ENABLED,
      priority: env.BANDWIDTH_PRIORITY,
      limits: { maxConcurrency: env.BANDWIDTH_MAX_CONCURRENCY, ratePerSecond: env.BANDWIDTH_RATE_LIMIT },
      apiUrl: env.BANDWIDTH_API_URL,
      credentials: mode === "live" ? bandwidthCredentials : undefined,
    }),
    warnings,
  });
}

/**
 * A purchase or release is in flight for at most PROVIDER_TIMEOUT_PURCHASE (its whole budget: queue, rate
 * limit and the call). The order's lease must outlast it, or another replica takes over an order whose
 * purchase is still running; and the in-doubt grace must outlast it, or a purchase still in flight is
 * declared failed and the carrier's answer that follows is lost.
 */
function checkMoneyCallBounds(env: ParsedEnvironment): void {
  const budget = env.PROVIDER_TIMEOUT_PURCHASE;
  const why = "the longest a purchase or release can be in flight";
  if (env.NUMBERGATE_LEASE_TTL <= budget) {
    throw new ConfigError(`NUMBERGATE_LEASE_TTL (${env.NUMBERGATE_LEASE_TTL} ms) must be longer than PROVIDER_TIMEOUT_PURCHASE (${budget} ms), ${why}`);
  }
  if (env.NUMBERGATE_IN_DOUBT_GRACE <= budget) {
    throw new ConfigError(`NUMBERGATE_IN_DOUBT_GRACE (${env.NUMBERGATE_IN_DOUBT_GRACE} ms) must be longer than PROVIDER_TIMEOUT_PURCHASE (${budget} ms), ${why}`);
  }
}

function readResilience(env: ParsedEnvironment): ResilienceSettings {
  if (env.PROVIDER_BREAKER_MIN_CALLS > env.PROVIDER_BREAKER_WINDOW) {
    throw new ConfigError("PROVIDER_BREAKER_MIN_CALLS must not exceed PROVIDER_BREAKER_WINDOW");
  }
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
  });
}

function readTwilioCredentials(env: ParsedEnvironment): TwilioCredentials | undefined {
  const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_API_KEY: key, TWILIO_API_SECRET: secret } = env;
  if (!sid && !token && !key && !secret) return undefined;
  if (!sid) throw new ConfigError("TWILIO_ACCOUNT_SID is required when other TWILIO_ credentials are set");
  if (key || secret) {
    if (!key) throw new ConfigError("TWILIO_API_KEY is required when TWILIO_API_SECRET is set");
    if (!secret) throw new ConfigError("TWILIO_API_SECRET is required when TWILIO_API_KEY is set");
    return { accountSid: sid, username: key, password: new Secret(secret) };
  }
  if (!token) throw new ConfigError("TWILIO_AUTH_TOKEN (or TWILIO_API_KEY with TWILIO_API_SECRET) is required with TWILIO_ACCOUNT_SID");
  return { accountSid: sid, username: sid, password: new Secret(token) };
}

function readBandwidthCredentials(env: ParsedEnvironment): BandwidthCredentials | undefined {
  const { BANDWIDTH_USERNAME: username, BANDWIDTH_PASSWORD: password, BANDWIDTH_ACCOUNT_ID: accountId } = env;
  if (!username && !password && !accountId) return undefined;
  if (!username) throw new ConfigError("BANDWIDTH_USERNAME is required when other BANDWIDTH_ credentials are set");
  if (!password) throw new ConfigError("BANDWIDTH_PASSWORD is required when BANDWIDTH_USERNAME is set");
  if (!accountId) throw new ConfigError("BANDWIDTH_ACCOUNT_ID is required when BANDWIDTH_USERNAME is set");
  return { username, password: new Secret(password), accountId, siteId: env.BANDWIDTH_SITE_ID, peerId: env.BANDWIDTH_PEER_ID };
}

const CREDENTIAL_HINT: Readonly<Record<CarrierId, string>> = {
  twilio: "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET)",
  bandwidth: "BANDWIDTH_USERNAME, BANDWIDTH_PASSWORD and BANDWIDTH_ACCOUNT_ID",
};

function requireLiveCredentials(carrier: CarrierId, enabled: boolean, credentials: unknown): void {
  if (enabled && credentials === undefined) {
    const variable = `${carrier.toUpperCase()}_ENABLED`;
    throw new ConfigError(
      `NUMBERGATE_MODE=live needs ${CREDENTIAL_HINT[carrier]} while ${variable} is true (set ${variable}=false to run without ${carrier})`,
    );
  }
}
