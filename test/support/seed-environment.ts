/** The secrets inside SEED_ENVIRONMENT, so tests can check that none of them is ever printed. */
export const SEED_SECRETS = {
  AUTH_TOKEN: "seed-twilio-auth-token-0123456789",
  BANDWIDTH_PASSWORD: "seed-bandwidth-password-!@#",
  DATABASE_PASSWORD: "seed-db-password",
  // Live mode needs a key since customer data is encrypted at rest: 32 bytes, base64.
  ENCRYPTION_KEY: Buffer.from("numbergate-seed-encryption-key!!").toString("base64"),
} as const;

/**
 * The environment block the seed deployment carries, as it is: an API key with no secret next to the auth token,
 * LOG_LEVEL rather than NUMBERGATE_LOG_LEVEL, and the README's tuning variables.
 */
export const SEED_ENVIRONMENT: Readonly<Record<string, string>> = {
  TWILIO_ACCOUNT_SID: `AC${"3f".repeat(16)}`,
  TWILIO_AUTH_TOKEN: SEED_SECRETS.AUTH_TOKEN,
  TWILIO_API_KEY: `SK${"7c".repeat(16)}`,
  BANDWIDTH_USERNAME: "numbergate-api",
  BANDWIDTH_PASSWORD: SEED_SECRETS.BANDWIDTH_PASSWORD,
  BANDWIDTH_ACCOUNT_ID: "9901234",
  LOG_LEVEL: "warn",
  PROVIDER_MAX_RETRIES: "3",
  PROVIDER_RETRY_DELAY: "1000",
  PROVIDER_TIMEOUT_SEARCH: "5000",
  PROVIDER_TIMEOUT_PURCHASE: "30000",
  PROVIDER_HEALTH_CHECK_INTERVAL: "60000",
  PROVIDER_CIRCUIT_BREAKER_TIMEOUT: "300000",
  SEARCH_CACHE_TTL: "300000",
  AVAILABILITY_CACHE_TTL: "60000",
  RESERVATION_DEFAULT_DURATION: "900000",
  RESERVATION_MAX_DURATION: "14400000",
  DATABASE_URL: `postgres://numbergate:${SEED_SECRETS.DATABASE_PASSWORD}@db.internal:5432/numbergate`,
  NUMBERGATE_ENCRYPTION_KEY: SEED_SECRETS.ENCRYPTION_KEY,
  // What a seed deployment adds since live mode refuses to serve open: running open on purpose (until it has a
  // tokens file).
  NUMBERGATE_ALLOW_UNAUTHENTICATED: "true",
};
