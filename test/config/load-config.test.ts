import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CARRIERS } from "../../src/carriers/registry.js";
import { loadConfig } from "../../src/config/load-config.js";
import { Secret } from "../../src/config/secret.js";
import { carrierSettings, configProblems, connectionSettings } from "../support/config-problems.js";
import { LIVE_BASICS } from "../support/live-mode.js";

const SID = `AC${"a".repeat(32)}`;
const TOKEN = "super-secret-token-value";
const LIVE_TWILIO = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, BANDWIDTH_ENABLED: "false", ...LIVE_BASICS };

function configError(environment: Record<string, string>): string {
  return configProblems(environment).join("\n");
}


describe("loadConfig", () => {
  it("refuses an order lease or an in-doubt grace no longer than a purchase can be in flight", () => {
    expect(configError({ NUMBERGATE_LEASE_TTL: "30000", PROVIDER_TIMEOUT_PURCHASE: "30000" })).toBe(
      "NUMBERGATE_LEASE_TTL (30000 ms) must be longer than PROVIDER_TIMEOUT_PURCHASE (30000 ms), the longest a purchase or release can be in flight",
    );
    expect(configError({ NUMBERGATE_IN_DOUBT_GRACE: "200", PROVIDER_TIMEOUT_PURCHASE: "300" })).toMatch(/^NUMBERGATE_IN_DOUBT_GRACE \(200 ms\) must be longer than PROVIDER_TIMEOUT_PURCHASE \(300 ms\)/);
    expect(loadConfig({ NUMBERGATE_LEASE_TTL: "400", NUMBERGATE_IN_DOUBT_GRACE: "400", PROVIDER_TIMEOUT_PURCHASE: "300" }).store.leaseMs).toBe(400);
  });

  it("defaults to sandbox mode with the seed's defaults when nothing is set", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: "sandbox",
      grpcAddress: "127.0.0.1:50051",
      resilience: { maxRetries: 3, retryDelayMs: 1000, healthCheckIntervalMs: 60_000, circuitBreakerTimeoutMs: 300_000 },
    });
    // Every registered carrier, in its default order, with its own defaults.
    expect(config.carriers.map(({ id, enabled, priority, weight, connection, limits }) => ({ id, enabled, priority, weight, connection, limits }))).toEqual(
      CARRIERS.map((carrier) => ({ id: carrier.id, enabled: true, priority: carrier.defaults.priority, weight: 100, connection: undefined, limits: { maxConcurrency: carrier.defaults.maxConcurrency, ratePerSecond: carrier.defaults.ratePerSecond } })),
    );
    expect(config.carriers.slice(0, 5)).toMatchObject([
      { id: "twilio", priority: 1 },
      { id: "bandwidth", priority: 2 },
      { id: "telnyx", priority: 3 },
      { id: "vonage", priority: 4 },
      { id: "plivo", priority: 5, limits: { ratePerSecond: 60 } },
    ]);
    const live = loadConfig({ ...LIVE_TWILIO, BANDWIDTH_ENABLED: "true", BANDWIDTH_USERNAME: "u", BANDWIDTH_PASSWORD: "p", BANDWIDTH_ACCOUNT_ID: "9" });
    expect(String(connectionSettings(live, "twilio")?.["apiUrl"])).toBe("https://api.twilio.com/");
    expect(String(connectionSettings(live, "twilio")?.["numbersUrl"])).toBe("https://numbers.twilio.com/");
    expect(String(connectionSettings(live, "bandwidth")?.["apiUrl"])).toBe("https://dashboard.bandwidth.com/api");
  });

  it("goes live when credentials are present, and keeps secrets unprintable", () => {
    const config = loadConfig(LIVE_TWILIO);
    expect(config.mode).toBe("live");
    const password = connectionSettings(config, "twilio")?.["password"];
    expect(password).toBeInstanceOf(Secret);
    expect((password as Secret).reveal()).toBe(TOKEN);
    expect(JSON.stringify(config)).not.toContain(TOKEN);
    expect(inspect(config, { depth: 10 })).not.toContain(TOKEN);
    expect(`${String(password)}`).toBe("[redacted]");
  });

  it("accepts an API key instead of the auth token", () => {
    const config = loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_API_KEY: `SK${"b".repeat(32)}`, TWILIO_API_SECRET: "s", BANDWIDTH_ENABLED: "false", ...LIVE_BASICS });
    expect(connectionSettings(config, "twilio")?.["username"]).toBe(`SK${"b".repeat(32)}`);
  });

  it("refuses live mode without credentials for an enabled carrier", () => {
    expect(configError({ ...LIVE_TWILIO, BANDWIDTH_ENABLED: "true" })).toMatch(/^NUMBERGATE_MODE=live needs BANDWIDTH_USERNAME.*BANDWIDTH_ENABLED/);
    const none = configError({ NUMBERGATE_MODE: "live" });
    expect(none).toMatch(/^NUMBERGATE_MODE=live needs at least one carrier's credentials: /);
    for (const carrier of CARRIERS) expect(none).toContain(carrier.credentialHint);
  });

  it("in live mode leaves a carrier off when none of its credentials (nor its _ENABLED) is set, with one warning", () => {
    const config = loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TELNYX_ENABLED: "false", ...LIVE_BASICS });
    const reasons = new Map(config.carriers.map((carrier) => [carrier.id, [carrier.enabled, carrier.disabledReason]]));
    expect(reasons.get("twilio")).toEqual([true, undefined]);
    expect(reasons.get("telnyx")).toEqual([false, "disabled by TELNYX_ENABLED=false"]);
    expect(reasons.get("bandwidth")).toEqual([false, expect.stringMatching(/^no credentials in live mode \(set BANDWIDTH_USERNAME/)]);
    expect(reasons.get("vonage")).toEqual([false, expect.stringMatching(/^no credentials in live mode \(set VONAGE_API_KEY and VONAGE_API_SECRET/)]);
    expect(reasons.get("plivo")).toEqual([false, expect.stringMatching(/^no credentials in live mode \(set PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN/)]);
    const silent = CARRIERS.filter((carrier) => carrier.id !== "twilio" && carrier.id !== "telnyx");
    for (const carrier of silent) expect(reasons.get(carrier.id)).toEqual([false, expect.stringMatching(/^no credentials in live mode/)]);
    expect(config.warnings).toEqual([
      `live mode: ${silent.map((carrier) => carrier.id).join(", ")} have no credentials and stay off (set ${silent.map((carrier) => `${carrier.envPrefix}_ENABLED=false`).join(", ")} to say so and silence this)`,
    ]);
    // Half a carrier's credentials is a mistake, not a wish to leave it off.
    expect(configError({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, PLIVO_AUTH_ID: "MAAAAAAAAAAAAAAAAAAA" })).toMatch(/^PLIVO_AUTH_TOKEN is required/);
  });

  // Bandwidth is disabled where Twilio credentials are given, so that each case has exactly its own problem.
  it.each([
    [{ TWILIO_ACCOUNT_SID: "not-a-sid", TWILIO_AUTH_TOKEN: TOKEN, BANDWIDTH_ENABLED: "false", ...LIVE_BASICS }, /^TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits$/],
    [{ PROVIDER_MAX_RETRIES: "lots" }, /^PROVIDER_MAX_RETRIES must be a whole number from 0 to 10$/],
    [{ PROVIDER_RETRY_DELAY: "-1" }, /^PROVIDER_RETRY_DELAY must be a whole number/],
    [{ TWILIO_ENABLED: "maybe" }, /^TWILIO_ENABLED must be true or false$/],
    [{ TWILIO_API_URL: "http://api.twilio.com" }, /^TWILIO_API_URL must use https/],
    [{ BANDWIDTH_API_URL: "not a url" }, /^BANDWIDTH_API_URL must be an absolute URL/],
    [{ NUMBERGATE_GRPC_ADDR: "nonsense" }, /^NUMBERGATE_GRPC_ADDR must be host:port/],
    [{ NUMBERGATE_MODE: "prod" }, /^NUMBERGATE_MODE must be sandbox or live$/],
    [{ TWILIO_ACCOUNT_SID: SID, BANDWIDTH_ENABLED: "false", ...LIVE_BASICS }, /^TWILIO_AUTH_TOKEN \(or TWILIO_API_KEY/],
    [{ TWILIO_API_SECRET: TOKEN, TWILIO_ACCOUNT_SID: SID, BANDWIDTH_ENABLED: "false", ...LIVE_BASICS }, /^TWILIO_API_KEY is required/],
    [{ BANDWIDTH_USERNAME: "u", BANDWIDTH_PASSWORD: TOKEN, TWILIO_ENABLED: "false", ...LIVE_BASICS }, /^BANDWIDTH_ACCOUNT_ID is required/],
    [Object.fromEntries(CARRIERS.map((carrier) => [`${carrier.envPrefix}_ENABLED`, "false"])), /at least one carrier must be enabled/],
  ])("rejects %o with one line naming the variable", (environment, message) => {
    const text = configError(environment as Record<string, string>);
    expect(text).toMatch(message);
    expect(text).not.toContain("\n");
    expect(text).not.toContain(TOKEN);
  });

  it("allows http for loopback base URLs (emulators)", () => {
    const config = loadConfig({ ...LIVE_TWILIO, TWILIO_API_URL: "http://127.0.0.1:9999", BANDWIDTH_API_URL: "http://localhost:8888/api" });
    expect((connectionSettings(config, "twilio")?.["apiUrl"] as URL).port).toBe("9999");
  });

  it("ignores credentials in explicit sandbox mode, and says so", () => {
    const config = loadConfig({ ...LIVE_TWILIO, NUMBERGATE_MODE: "sandbox" });
    expect(carrierSettings(config, "twilio")?.connection).toBeUndefined();
    expect(config.warnings[0]).toMatch(/ignored/);
  });
});
