import { isIP } from "node:net";
import { z } from "zod";

/** Reads "true/false/1/0/yes/no/on/off" the way operators write them. */
export function booleanVariable(defaultValue: boolean) {
  return z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === "") return defaultValue;
      const normalized = value.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(normalized)) return true;
      if (["false", "0", "no", "off"].includes(normalized)) return false;
      context.addIssue({ code: "custom", message: "must be true or false" });
      return z.NEVER;
    });
}

export function integerVariable(defaultValue: number, { min, max, unit }: { min: number; max: number; unit?: string }) {
  const suffix = unit ? ` ${unit}` : "";
  return z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === "") return defaultValue;
      const parsed = Number(value.trim());
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}${suffix}` });
        return z.NEVER;
      }
      return parsed;
    });
}

/** An optional string that never echoes its value in errors (it may be a secret). */
export function optionalText(pattern?: { regex: RegExp; description: string }) {
  return z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === "") return undefined;
      const trimmed = value.trim();
      if (pattern && !pattern.regex.test(trimmed)) {
        context.addIssue({ code: "custom", message: `must be ${pattern.description}` });
        return z.NEVER;
      }
      return trimmed;
    });
}

/** A base URL: https, or http only towards loopback (emulators, local proxies). */
export function baseUrlVariable(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((value, context) => {
      const raw = value === undefined || value.trim() === "" ? defaultValue : value.trim();
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        context.addIssue({ code: "custom", message: "must be an absolute URL such as https://api.example.com" });
        return z.NEVER;
      }
      if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
        context.addIssue({ code: "custom", message: "must use https (http is allowed only for loopback hosts)" });
        return z.NEVER;
      }
      if (url.username || url.password) {
        context.addIssue({ code: "custom", message: "must not carry credentials; use the carrier's credential variables" });
        return z.NEVER;
      }
      return url;
    });
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

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
export const listenAddressVariable = z
  .string()
  .optional()
  .transform((value, context) => {
    const raw = value === undefined || value.trim() === "" ? "127.0.0.1:50051" : value.trim();
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(raw);
    const port = match ? Number(match[2]) : Number.NaN;
    if (!match || port > 65535) {
      context.addIssue({ code: "custom", message: "must be host:port, for example 127.0.0.1:50051 or 0.0.0.0:50051" });
      return z.NEVER;
    }
    return raw;
  });

export const environmentSchema = z.object({
  NUMBERGATE_GRPC_ADDR: listenAddressVariable,
  NUMBERGATE_MODE: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.enum(["sandbox", "live"], { message: "must be sandbox or live" }).optional(),
  ),
  NUMBERGATE_LOG_LEVEL: logLevelVariable,
  // The seed's name for the same setting: read only when NUMBERGATE_LOG_LEVEL is not set (load-config.ts).
  LOG_LEVEL: z.string().optional(),
  NUMBERGATE_PRICE_TABLE: optionalText(),
  NUMBERGATE_DATA_DIR: optionalText(),
  DATABASE_URL: databaseUrlVariable,
  NUMBERGATE_REPLICA_ID: optionalText({ regex: /^[0-9A-Za-z._-]{1,64}$/, description: "letters, digits, dot, dash or underscore (at most 64)" }),
  NUMBERGATE_LEASE_TTL: integerVariable(120_000, { min: 100, max: 3_600_000, unit: "ms" }),
  NUMBERGATE_ORDER_CHECK_INTERVAL: integerVariable(2_000, { min: 10, max: 3_600_000, unit: "ms" }),
  NUMBERGATE_IN_DOUBT_GRACE: integerVariable(120_000, { min: 0, max: 86_400_000, unit: "ms" }),
  NUMBERGATE_PURCHASE_WAIT: integerVariable(20_000, { min: 0, max: 300_000, unit: "ms" }),
  NUMBERGATE_SWEEP_INTERVAL: integerVariable(1_000, { min: 10, max: 3_600_000, unit: "ms" }),
  RESERVATION_DEFAULT_DURATION: integerVariable(900_000, { min: 1_000, max: 86_400_000, unit: "ms" }),
  RESERVATION_MAX_DURATION: integerVariable(14_400_000, { min: 1_000, max: 86_400_000, unit: "ms" }),

  TWILIO_ACCOUNT_SID: optionalText({ regex: /^AC[0-9a-fA-F]{32}$/, description: "AC followed by 32 hex digits" }),
  TWILIO_AUTH_TOKEN: optionalText(),
  // Its SK... form is checked only when it is used, with TWILIO_API_SECRET (carrier-credentials.ts).
  TWILIO_API_KEY: optionalText(),
  TWILIO_API_SECRET: optionalText(),
  TWILIO_ENABLED: booleanVariable(true),
  TWILIO_PRIORITY: integerVariable(1, { min: 0, max: 1000 }),
  TWILIO_API_URL: baseUrlVariable("https://api.twilio.com"),
  TWILIO_NUMBERS_URL: baseUrlVariable("https://numbers.twilio.com"),

  BANDWIDTH_USERNAME: optionalText(),
  BANDWIDTH_PASSWORD: optionalText(),
  BANDWIDTH_ACCOUNT_ID: optionalText({ regex: /^[0-9A-Za-z-]{1,64}$/, description: "the numeric account id from the Bandwidth dashboard" }),
  BANDWIDTH_SITE_ID: optionalText({ regex: /^[0-9A-Za-z-]{1,64}$/, description: "the site (sub-account) id" }),
  BANDWIDTH_PEER_ID: optionalText({ regex: /^[0-9A-Za-z-]{1,64}$/, description: "the SIP peer (location) id" }),
  BANDWIDTH_ENABLED: booleanVariable(true),
  BANDWIDTH_PRIORITY: integerVariable(2, { min: 0, max: 1000 }),
  BANDWIDTH_API_URL: baseUrlVariable("https://dashboard.bandwidth.com/api"),

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

  TWILIO_MAX_CONCURRENCY: integerVariable(20, { min: 1, max: 1000, unit: "calls" }),
  // Neither carrier publishes a numeric rate: Twilio limits concurrency (the bulkhead above), Bandwidth does not
  // publish its per-endpoint numbers. Operators set what their account manager tells them.
  TWILIO_RATE_LIMIT: integerVariable(0, { min: 0, max: 100_000, unit: "requests per second (0: no limit)" }),
  BANDWIDTH_MAX_CONCURRENCY: integerVariable(10, { min: 1, max: 1000, unit: "calls" }),
  BANDWIDTH_RATE_LIMIT: integerVariable(0, { min: 0, max: 100_000, unit: "requests per second (0: no limit)" }),
});

export type ParsedEnvironment = z.infer<typeof environmentSchema>;
