import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { Secret } from "../../src/config/secret.js";
import { configProblems, connectionSettings } from "../support/config-problems.js";
import { LIVE_BASICS } from "../support/live-mode.js";

const SID = `AC${"b".repeat(32)}`;
const TOKEN = "file-held-twilio-token-8e21";
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "numbergate-secrets-"));
  await writeFile(join(dir, "twilio-token"), `${TOKEN}\n`);
  await writeFile(join(dir, "database-url"), "postgres://ng:file-held-db-password@db.internal:5432/ng\r\n");
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("<VAR>_FILE: secrets from files (the container-secrets convention)", () => {
  it("reads a carrier credential and DATABASE_URL from their files, without the trailing newline", () => {
    const config = loadConfig({ ...LIVE_BASICS, BANDWIDTH_ENABLED: "false", TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN_FILE: join(dir, "twilio-token"), DATABASE_URL_FILE: join(dir, "database-url") });
    expect(config.mode).toBe("live");
    const password = connectionSettings(config, "twilio")?.["password"];
    expect(password).toBeInstanceOf(Secret);
    expect((password as Secret).reveal()).toBe(TOKEN);
    expect(config.store.databaseUrl?.reveal()).toBe("postgres://ng:file-held-db-password@db.internal:5432/ng");
  });

  it("refuses a variable given both ways, and a file that cannot be read, naming the variable and never the value", () => {
    const problems = configProblems({ ...LIVE_BASICS, BANDWIDTH_ENABLED: "false", TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: "inline-token-value", TWILIO_AUTH_TOKEN_FILE: join(dir, "twilio-token"), DATABASE_URL_FILE: join(dir, "missing") });
    expect(problems).toContain("TWILIO_AUTH_TOKEN and TWILIO_AUTH_TOKEN_FILE are both set: give the value one way");
    expect(problems).toContain(`DATABASE_URL_FILE names a file that cannot be read (${join(dir, "missing")}: ENOENT)`);
    expect(problems.join("\n")).not.toContain(TOKEN);
    expect(problems.join("\n")).not.toContain("inline-token-value");
  });
});
