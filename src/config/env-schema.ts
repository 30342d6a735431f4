import { z } from "zod";
import { encryptionKeyVariable, previousKeysVariable } from "./encryption-keys.js";
import { booleanVariable, integerVariable, optionalIntegerVariable, optionalText } from "./variables.js";


export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A pino level, in any letter case ("INFO" is how many deployments spell it); the problem when it is not one. */
export function parseLogLevel(value: string): { level: LogLevel } | { problem: string } {
  const normalized = value.trim().toLowerCase();
  const level = LOG_LEVELS.find((candidate) => candidate === normalized);
  return level ? { level } : { problem: `must be one of ${LOG_LEVELS.join(", ")}` };
}

const logLevelVariable = z
  .string()
  .optional()
  .transform((value, context): LogLevel | undefined => {
    if (value === undefined || value.trim() === "") return undefined;
    const parsed = parseLogLevel(value);
    if ("level" in parsed) return parsed.level;
    context.addIssue({ code: "custom", message: parsed.problem });
    return z.NEVER;
  });

/**
 * A PostgreSQL connection URL, checked the way the driver will read it so that a malformed one stops start-up
 * with a line naming the variable, never with the driver's stack (whose error may carry the URL, password
 * included). Messages never echo the value.
 */
const databaseUrlVariable = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === "") return undefined;
    const problem = databaseUrlProblem(value.trim());
    if (problem === undefined) return value.trim();
    context.addIssue({ code: "custom", message: `${problem} (expected postgres://user:password@host:5432/database)` });
    return z.NEVER;
  });

function databaseUrlProblem(raw: string): string | undefined {
  if (!/^postgres(ql)?:\/\//i.test(raw)) return "must be a postgres:// or postgresql:// URL";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a valid URL (check the host, the port and that special characters in the password are percent-encoded)";
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
    decodeURIComponent(url.pathname);
  } catch {
    return "has a malformed percent-encoding in the user, password or database name";
  }
  if (url.hostname === "" && !url.searchParams.has("host")) return "names no host";
  return undefined;
}

/** host:port, IPv4, [IPv6] or a name. */
function listenAddress(defaultValue: string) {
  const port = defaultValue.slice(defaultValue.lastIndexOf(":") + 1);
  return z
    .string()
    .optional()
    .transform((value, context) => {
      const raw = value === undefined || value.trim() === "" ? defaultValue : value.trim();
      const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(raw);
      if (!match || Number(match[2]) > 65535) {
        context.addIssue({ code: "custom", message: `must be host:port, for example 127.0.0.1:${port} or 0.0.0.0:${port}` });
        return z.NEVER;
      }
      return raw;
    });
}

export const listenAddressVariable = listenAddress("127.0.0.1:50051");

/** Where carriers reach numbergate's HTTP port from outside (a proxy in front): http(s), no query or fragment. */
const publicUrlVariable = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === "") return undefined;
    const raw = value.trim().replace(/\/+$/, "");
    const url = URL.canParse(raw) ? new URL(raw) : undefined;
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
      context.addIssue({ code: "custom", message: "must be an http(s) URL without query, fragment or credentials, for example https://numbergate.example.com" });
      return z.NEVER;
    }
    return raw;
  });

export const PROVIDER_SELECTIONS = ["priority", "weighted", "least_latency"] as const;
export type ProviderSelection = (typeof PROVIDER_SELECTIONS)[number];

/** How carriers of equal priority share traffic, in any letter case; priority when unset. */
const providerSelectionVariable = z
  .string()
  .optional()
  .transform((value, context): ProviderSelection => {
    if (value === undefined || value.trim() === "") return "priority";
    const normalized = value.trim().toLowerCase();
    const selection = PROVIDER_SELECTIONS.find((candidate) => candidate === normalized);
    if (selection) return selection;
    context.addIssue({ code: "custom", message: `must be one of ${PROVIDER_SELECTIONS.join(", ")}` });
    return z.NEVER;
  });

export const environmentSchema = z.object({
  NUMBERGATE_GRPC_ADDR: listenAddressVariable,
  NUMBERGATE_HTTP_ADDR: listenAddress("127.0.0.1:9464"),
  NUMBERGATE_PUBLIC_URL: publicUrlVariable,
  NUMBERGATE_PORTING_POLL_INTERVAL: optionalIntegerVariable({ min: 10, max: 86_400_000, unit: "ms" }),
  NUMBERGATE_PORTING_MAX_POLL_INTERVAL: optionalIntegerVariable({ min: 10, max: 86_400_000, unit: "ms" }),
  NUMBERGATE_MODE: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.enum(["sandbox", "live"], { message: "must be sandbox or live" }).optional(),
  ),
  NUMBERGATE_LOG_LEVEL: logLevelVariable,
  // The seed's name for the same setting: read only when NUMBERGATE_LOG_LEVEL is not set (load-config.ts).
  LOG_LEVEL: z.string().optional(),
  NUMBERGATE_PRICE_TABLE: optionalText(),
  // Access control (server/access): callers, their tokens' hashes and roles; TLS, mTLS with a client CA.
  NUMBERGATE_TOKENS_FILE: optionalText(),
  NUMBERGATE_TLS_CERT: optionalText(),
  NUMBERGATE_TLS_KEY: optionalText(),
  NUMBERGATE_TLS_CLIENT_CA: optionalText(),
  NUMBERGATE_ALLOW_UNAUTHENTICATED: booleanVariable(false),
  NUMBERGATE_DATA_DIR: optionalText(),
  DATABASE_URL: databaseUrlVariable,
  NUMBERGATE_ENCRYPTION_KEY: encryptionKeyVariable,
  NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS: previousKeysVariable,
  NUMBERGATE_REPLICA_ID: optionalText({ regex: /^[0-9A-Za-z._-]{1,64}$/, description: "letters, digits, dot, dash or underscore (at most 64)" }),
  NUMBERGATE_LEASE_TTL: integerVariable(120_000, { min: 100, max: 3_600_000, unit: "ms" }),
  NUMBERGATE_ORDER_CHECK_INTERVAL: integerVariable(2_000, { min: 10, max: 3_600_000, unit: "ms" }),
  NUMBERGATE_IN_DOUBT_GRACE: integerVariable(120_000, { min: 0, max: 86_400_000, unit: "ms" }),
  NUMBERGATE_PURCHASE_WAIT: integerVariable(20_000, { min: 0, max: 300_000, unit: "ms" }),
  NUMBERGATE_SWEEP_INTERVAL: integerVariable(1_000, { min: 10, max: 3_600_000, unit: "ms" }),
  // 0: inventory reconciliation runs only on demand (ReconcileInventory, npm run admin -- reconcile).
  NUMBERGATE_RECONCILE_INTERVAL: integerVariable(3_600_000, { min: 0, max: 604_800_000, unit: "ms" }),
  RESERVATION_DEFAULT_DURATION: integerVariable(900_000, { min: 1_000, max: 86_400_000, unit: "ms" }),
  RESERVATION_MAX_DURATION: integerVariable(14_400_000, { min: 1_000, max: 86_400_000, unit: "ms" }),

  PROVIDER_MAX_RETRIES: integerVariable(3, { min: 0, max: 10 }),
  PROVIDER_RETRY_DELAY: integerVariable(1000, { min: 0, max: 60_000, unit: "ms" }),
  PROVIDER_HEALTH_CHECK_INTERVAL: integerVariable(60_000, { min: 1000, max: 3_600_000, unit: "ms" }),
  PROVIDER_CIRCUIT_BREAKER_TIMEOUT: integerVariable(300_000, { min: 100, max: 3_600_000, unit: "ms" }),
  PROVIDER_RETRY_MAX_DELAY: integerVariable(10_000, { min: 0, max: 300_000, unit: "ms" }),
  PROVIDER_MAX_RETRY_AFTER: integerVariable(5_000, { min: 0, max: 300_000, unit: "ms" }),

  PROVIDER_TIMEOUT_SEARCH: integerVariable(5_000, { min: 10, max: 120_000, unit: "ms" }),
  PROVIDER_TIMEOUT_AVAILABILITY: integerVariable(5_000, { min: 10, max: 120_000, unit: "ms" }),
  PROVIDER_TIMEOUT_RESERVE: integerVariable(10_000, { min: 10, max: 120_000, unit: "ms" }),
  PROVIDER_TIMEOUT_PURCHASE: integerVariable(30_000, { min: 10, max: 300_000, unit: "ms" }),
  PROVIDER_TIMEOUT_ORDER_STATUS: integerVariable(10_000, { min: 10, max: 120_000, unit: "ms" }),
  PROVIDER_TIMEOUT_PORTING: integerVariable(30_000, { min: 10, max: 300_000, unit: "ms" }),
  PROVIDER_TIMEOUT_PROBE: integerVariable(5_000, { min: 10, max: 120_000, unit: "ms" }),

  PROVIDER_BREAKER_WINDOW: integerVariable(20, { min: 1, max: 1000, unit: "calls" }),
  PROVIDER_BREAKER_MIN_CALLS: integerVariable(10, { min: 1, max: 1000, unit: "calls" }),
  PROVIDER_BREAKER_FAILURE_RATE: integerVariable(50, { min: 1, max: 100, unit: "%" }),
  PROVIDER_BREAKER_SLOW_CALL_RATE: integerVariable(80, { min: 1, max: 100, unit: "%" }),
  PROVIDER_BREAKER_SLOW_CALL_DURATION: integerVariable(3_000, { min: 1, max: 300_000, unit: "ms" }),
  PROVIDER_BREAKER_HALF_OPEN_CALLS: integerVariable(2, { min: 1, max: 100, unit: "calls" }),
  PROVIDER_SLOW_START_WINDOW: integerVariable(60_000, { min: 0, max: 3_600_000, unit: "ms" }),

  PROVIDER_HEALTH_CACHE_TTL: integerVariable(30_000, { min: 0, max: 3_600_000, unit: "ms" }),
  PROVIDER_HEALTH_WINDOW: integerVariable(3_600_000, { min: 1000, max: 86_400_000, unit: "ms" }),
  PROVIDER_METRICS_WINDOW: integerVariable(300_000, { min: 1000, max: 86_400_000, unit: "ms" }),
  SEARCH_CACHE_TTL: integerVariable(300_000, { min: 0, max: 86_400_000, unit: "ms" }),
  SEARCH_CACHE_STALE_TTL: integerVariable(3_600_000, { min: 0, max: 86_400_000, unit: "ms" }),
  AVAILABILITY_CACHE_TTL: integerVariable(60_000, { min: 0, max: 86_400_000, unit: "ms" }),
  PROVIDER_SELECTION: providerSelectionVariable,

});

export type ParsedEnvironment = z.infer<typeof environmentSchema>;
