import { describe, expect, it } from "vitest";
import { CARRIERS } from "../../src/carriers/registry.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { Secret } from "../../src/config/secret.js";
import { configProblems, connectionSettings } from "../support/config-problems.js";
import { SEED_ENVIRONMENT, SEED_SECRETS } from "../support/seed-environment.js";

const { AUTH_TOKEN, BANDWIDTH_PASSWORD, DATABASE_PASSWORD } = SEED_SECRETS;
/** The seed configures Twilio and Bandwidth only. */
const LATER_CARRIERS = CARRIERS.filter((carrier) => carrier.id !== "twilio" && carrier.id !== "bandwidth");


describe("the seed's environment block", () => {
  it("starts live on the auth token, ignoring the API key that has no secret, with a warning", () => {
    const config = loadConfig(SEED_ENVIRONMENT);
    expect(config.mode).toBe("live");
    expect(connectionSettings(config, "twilio")).toMatchObject({ username: SEED_ENVIRONMENT["TWILIO_ACCOUNT_SID"] });
    expect((connectionSettings(config, "twilio")?.["password"] as Secret).reveal()).toBe(AUTH_TOKEN);
    expect(connectionSettings(config, "bandwidth")).toMatchObject({ username: "numbergate-api", accountId: "9901234" });
    expect(config.warnings).toEqual([
      "TWILIO_API_KEY is set without TWILIO_API_SECRET, so it is ignored: Twilio is called with TWILIO_AUTH_TOKEN",
      // The seed predates the other three carriers: they stay off in live mode, and the operator hears so once.
      `live mode: ${LATER_CARRIERS.map((carrier) => carrier.id).join(", ")} have no credentials and stay off (set ${LATER_CARRIERS.map((carrier) => `${carrier.envPrefix}_ENABLED=false`).join(", ")} to say so and silence this)`,
    ]);
    expect(config.store.databaseUrl?.reveal()).toBe(SEED_ENVIRONMENT["DATABASE_URL"]);
    expect(config.resilience).toMatchObject({ maxRetries: 3, searchCacheTtlMs: 300_000, availabilityCacheTtlMs: 60_000, circuitBreakerTimeoutMs: 300_000 });
    expect(config.store).toMatchObject({ defaultReservationMs: 900_000, maxReservationMs: 14_400_000 });
  });

  it("honours LOG_LEVEL, in any letter case; NUMBERGATE_LOG_LEVEL wins when both are set", () => {
    expect(loadConfig(SEED_ENVIRONMENT).logLevel).toBe("warn");
    expect(loadConfig({ ...SEED_ENVIRONMENT, LOG_LEVEL: "DEBUG" }).logLevel).toBe("debug");
    expect(loadConfig({ ...SEED_ENVIRONMENT, NUMBERGATE_LOG_LEVEL: "error" }).logLevel).toBe("error");
    // A LOG_LEVEL meant for other software is not numbergate's business once NUMBERGATE_LOG_LEVEL is set.
    expect(loadConfig({ ...SEED_ENVIRONMENT, LOG_LEVEL: "verbose", NUMBERGATE_LOG_LEVEL: "info" }).logLevel).toBe("info");
    expect(configProblems({ ...SEED_ENVIRONMENT, LOG_LEVEL: "verbose" })).toEqual([
      "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (or set NUMBERGATE_LOG_LEVEL, which takes precedence)",
    ]);
    expect(loadConfig({}).logLevel).toBe("info");
  });

  it("still refuses an API key without its secret when there is no auth token to fall back on", () => {
    const { TWILIO_AUTH_TOKEN: _token, ...withoutToken } = SEED_ENVIRONMENT;
    expect(configProblems(withoutToken)).toEqual(["TWILIO_API_SECRET is required when TWILIO_API_KEY is set (or set TWILIO_AUTH_TOKEN instead)"]);
  });

  it("reports every bad variable at once, one line each, and no secret", () => {
    const problems = configProblems({
      ...SEED_ENVIRONMENT,
      TWILIO_ACCOUNT_SID: "AC-not-a-sid",
      BANDWIDTH_ACCOUNT_ID: "",
      BANDWIDTH_API_URL: "http://dashboard.bandwidth.com/api",
      PROVIDER_MAX_RETRIES: "lots",
      SEARCH_CACHE_TTL: "5 minutes",
      RESERVATION_DEFAULT_DURATION: "20000000",
      DATABASE_URL: `postgres://numbergate:${DATABASE_PASSWORD}@db.internal:99999/numbergate`,
    });
    // Every problem, each once; shared variables are checked before the carriers' own.
    expect(problems).toHaveLength(7);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^DATABASE_URL is not a valid URL/),
      "TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits",
      "BANDWIDTH_API_URL must use https (http is allowed only for loopback hosts)",
      "PROVIDER_MAX_RETRIES must be a whole number from 0 to 10",
      "SEARCH_CACHE_TTL must be a whole number from 0 to 86400000 ms",
      "BANDWIDTH_ACCOUNT_ID is required when other BANDWIDTH_ credentials are set",
      "RESERVATION_DEFAULT_DURATION must not exceed RESERVATION_MAX_DURATION",
    ]));
    for (const line of problems) {
      expect(line).not.toContain("\n");
      for (const secret of Object.values(SEED_SECRETS)) expect(line).not.toContain(secret);
    }
  });

  it("reports a malformed variable once, not again as missing", () => {
    expect(configProblems({ TWILIO_ACCOUNT_SID: "nope", TWILIO_AUTH_TOKEN: AUTH_TOKEN, BANDWIDTH_ACCOUNT_ID: "no spaces allowed", NUMBERGATE_ENCRYPTION_KEY: SEED_SECRETS.ENCRYPTION_KEY, NUMBERGATE_ALLOW_UNAUTHENTICATED: "true" })).toEqual([
      "TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits",
      "BANDWIDTH_ACCOUNT_ID must be the numeric account id from the Bandwidth dashboard",
      "BANDWIDTH_USERNAME is required when other BANDWIDTH_ credentials are set",
      "BANDWIDTH_PASSWORD is required when other BANDWIDTH_ credentials are set",
    ]);
  });

  it.each([
    ["an out-of-range port", "postgres://u:pw-secret@db:99999/app"],
    ["a bad percent-encoding", "postgres://u:pw%zzsecret@db:5432/app"],
    ["no host", "postgres://u:pw-secret@:5432/app"],
    ["another scheme", "mysql://u:pw-secret@db:3306/app"],
  ])("refuses a DATABASE_URL with %s in one line, without the password", (_case, databaseUrl) => {
    const [line, ...rest] = configProblems({ DATABASE_URL: databaseUrl });
    expect(rest).toEqual([]);
    expect(line).toMatch(/^DATABASE_URL /);
    expect(line).not.toContain("pw");
    expect(line).not.toContain("secret");
  });
});
