import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { configProblems } from "../support/config-problems.js";
import { newEncryptionKey } from "../support/encryption.js";

const LIVE = { TWILIO_ACCOUNT_SID: `AC${"a".repeat(32)}`, TWILIO_AUTH_TOKEN: "token", BANDWIDTH_ENABLED: "false", NUMBERGATE_ALLOW_UNAUTHENTICATED: "true" };
const KEY_PROBLEM = "NUMBERGATE_ENCRYPTION_KEY must be 32 bytes in base64 (such as the output of openssl rand -base64 32)";

describe("encryption keys in the configuration", () => {
  it("reads the active and previous keys as secrets that never print", () => {
    const [active, old1, old2] = [newEncryptionKey(), newEncryptionKey(), newEncryptionKey()];
    const config = loadConfig({ ...LIVE, NUMBERGATE_ENCRYPTION_KEY: active, NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS: ` ${old1} , ${old2},` });
    expect(config.encryption.key?.reveal()).toBe(active);
    expect(config.encryption.previousKeys.map((key) => key.reveal())).toEqual([old1, old2]);
    for (const text of [JSON.stringify(config), inspect(config, { depth: 10 })]) {
      for (const key of [active, old1, old2]) expect(text).not.toContain(key);
    }
  });

  it.each([
    ["too short (16 bytes)", Buffer.alloc(16, 1).toString("base64")],
    ["too long (33 bytes)", Buffer.alloc(33, 1).toString("base64")],
    ["not base64", "this is not a key at all, not even close!!!!"],
    ["base64url alphabet", Buffer.alloc(32, 0xfb).toString("base64url")],
  ])("a malformed NUMBERGATE_ENCRYPTION_KEY (%s) is one problem naming the variable, never the value", (_why, value) => {
    for (const environment of [{ NUMBERGATE_ENCRYPTION_KEY: value }, { ...LIVE, NUMBERGATE_ENCRYPTION_KEY: value }]) {
      const problems = configProblems(environment);
      // Live mode's "needs a key" is not reported again for a key that is there but malformed.
      expect(problems).toEqual([KEY_PROBLEM]);
      expect(problems.join("\n")).not.toContain(value);
    }
  });

  it("a malformed previous key is one problem naming the variable and its position, never a value", () => {
    const bad = "bm90LWEta2V5";
    const problems = configProblems({ NUMBERGATE_ENCRYPTION_KEY: newEncryptionKey(), NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS: `${newEncryptionKey()},${bad},${newEncryptionKey()}` });
    expect(problems).toEqual(["NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS must be comma-separated keys of 32 bytes in base64 (such as the output of openssl rand -base64 32); key 2 of 3 is not"]);
    expect(problems.join("\n")).not.toContain(bad);
  });

  it("refuses live mode without NUMBERGATE_ENCRYPTION_KEY, alongside the other problems", () => {
    expect(configProblems(LIVE)).toEqual([
      "NUMBERGATE_MODE=live needs NUMBERGATE_ENCRYPTION_KEY (32 bytes in base64, such as the output of openssl rand -base64 32): customer data is encrypted at rest with it",
    ]);
    expect(configProblems({ ...LIVE, PROVIDER_MAX_RETRIES: "lots" })).toHaveLength(2);
    expect(loadConfig({ ...LIVE, NUMBERGATE_ENCRYPTION_KEY: newEncryptionKey() }).mode).toBe("live");
  });

  it("sandbox mode needs no key, except on PostgreSQL without a data directory for its key file", () => {
    expect(loadConfig({}).encryption).toEqual({ key: undefined, previousKeys: [] });
    const databaseUrl = "postgres://user:pw@127.0.0.1:5432/db";
    expect(configProblems({ DATABASE_URL: databaseUrl })).toEqual([
      "sandbox mode with DATABASE_URL needs NUMBERGATE_ENCRYPTION_KEY (32 bytes in base64, such as the output of openssl rand -base64 32), or NUMBERGATE_DATA_DIR for the key file numbergate creates there",
    ]);
    expect(loadConfig({ DATABASE_URL: databaseUrl, NUMBERGATE_DATA_DIR: "/tmp/somewhere" }).mode).toBe("sandbox");
    expect(loadConfig({ DATABASE_URL: databaseUrl, NUMBERGATE_ENCRYPTION_KEY: newEncryptionKey() }).mode).toBe("sandbox");
  });
});
