import type { CarrierConnection } from "../carriers/kit/carrier-definition.js";
import type { EncryptionSettings } from "./encryption-keys.js";
import type { LogLevel, ProviderSelection } from "./env-schema.js";
import type { Secret } from "./secret.js";

// The shape of numbergate's validated configuration; load-config.ts builds it and re-exports these types.

export type ServiceMode = "sandbox" | "live";

/** One registered carrier as configured. */
export interface CarrierSettings {
  readonly id: string;
  readonly displayName: string;
  /** <PREFIX>_ENABLED: false removes it from selection. */
  readonly enabled: boolean;
  /** Why it is off, for ListProviders and health: switched off, or (live mode) no credentials. */
  readonly disabledReason: string | undefined;
  /** Lower is preferred. */
  readonly priority: number;
  /** Share of traffic among healthy carriers of equal priority (weighted selection). */
  readonly weight: number;
  readonly limits: CarrierLimits;
  /** Live mode: what calling it takes. Absent in sandbox mode (the built-in emulator's is used) or without credentials. */
  readonly connection: CarrierConnection | undefined;
  /** The variable that disables it, for messages ("disabled by TWILIO_ENABLED=false"). */
  readonly enabledVariable: string;
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
  /** PROVIDER_SELECTION: how carriers of equal priority share traffic (priority, weighted, least_latency). */
  readonly providerSelection: ProviderSelection;
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
  /** NUMBERGATE_RECONCILE_INTERVAL: between periodic inventory reconciliations (jittered), ms; 0 = only on demand. */
  readonly reconcileIntervalMs: number;
  readonly defaultReservationMs: number;
  readonly maxReservationMs: number;
}

export interface PortingSettingsConfig {
  /** NUMBERGATE_HTTP_ADDR: numbergate's HTTP port (carrier callbacks). */
  readonly httpAddress: string;
  /**
   * NUMBERGATE_PUBLIC_URL: where carriers reach that port; callbacks go to <url>/callbacks/<carrier>/porting.
   * Undefined in live mode when not set (ports are followed by polling alone); sandbox: the HTTP address.
   */
  readonly publicUrl: string | undefined;
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
}

export interface NumbergateConfig {
  readonly mode: ServiceMode;
  readonly store: StoreSettings;
  /** Keys of the encryption at rest of customer data. */
  readonly encryption: EncryptionSettings;
  readonly grpcAddress: string;
  readonly access: AccessSettings;
  readonly porting: PortingSettingsConfig;
  /** NUMBERGATE_LOG_LEVEL, else the seed's LOG_LEVEL, else info. */
  readonly logLevel: LogLevel;
  readonly priceTablePath: string | undefined;
  readonly resilience: ResilienceSettings;
  /** Every registered carrier, in registry order. */
  readonly carriers: readonly CarrierSettings[];
  /** Things the operator should hear about at start. */
  readonly warnings: readonly string[];
}


/** Who may call numbergate (server/access) and over what transport. */
export interface AccessSettings {
  /** NUMBERGATE_TOKENS_FILE: the callers, their tokens' SHA-256 hashes, certificate names and roles. */
  readonly tokensFile: string | undefined;
  /** NUMBERGATE_TLS_CERT and NUMBERGATE_TLS_KEY: serve gRPC over TLS; NUMBERGATE_TLS_CLIENT_CA: require client certificates it signed. */
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile: string | undefined } | undefined;
  /**
   * Calls are open to anyone who reaches the port: sandbox mode without access settings, or live mode with
   * NUMBERGATE_ALLOW_UNAUTHENTICATED=true.
   */
  readonly open: boolean;
}
