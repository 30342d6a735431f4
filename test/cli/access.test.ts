import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";
import { runCli } from "./cli-process.js";

interface MintedToken {
  readonly token: string;
  readonly entry: { readonly name: string; readonly token_sha256: string; readonly roles: readonly string[] };
}

async function mint(name: string, ...roles: string[]): Promise<MintedToken> {
  const { code, stdout } = await runCli(["--json", "token", name, ...roles.flatMap((role) => ["--role", role])]);
  expect(code).toBe(0);
  return JSON.parse(stdout) as MintedToken;
}

let dir: string;
let harness: Harness;
let dashboard: MintedToken;
let oncall: MintedToken;
beforeAll(async () => {
  dashboard = await mint("dashboard", "reader");
  oncall = await mint("oncall", "reader", "admin");
  dir = await mkdtemp(join(tmpdir(), "numbergate-cli-access-"));
  await writeFile(join(dir, "tokens.json"), JSON.stringify({ callers: [dashboard.entry, oncall.entry] }));
  harness = await startHarness({ NUMBERGATE_TOKENS_FILE: join(dir, "tokens.json") });
});
afterAll(async () => {
  await harness?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the CLI against a numbergate with access control", { timeout: 60_000 }, () => {
  it("mints tokens numbergate accepts, with the roles given; the tokens file holds only their digests", async () => {
    expect(dashboard.token).toMatch(/^ngt_[A-Za-z0-9_-]{43}$/);
    expect(dashboard.entry).toMatchObject({ name: "dashboard", roles: ["reader"] });
    expect(dashboard.entry.token_sha256).toMatch(/^[0-9a-f]{64}$/);
    const cli = (...args: string[]) => runCli(["--address", harness.app.address, ...args]);

    const anonymous = await cli("providers");
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/UNAUTHENTICATED/);

    const reader = await cli("--token", dashboard.token, "providers");
    expect(reader.code).toBe(0);
    expect(reader.stdout).toMatch(/^twilio /m);
    const drain = await cli("--token", dashboard.token, "drain", "vonage");
    expect(drain.code).toBe(1);
    expect(drain.stderr).toMatch(/PERMISSION_DENIED/);
    expect(drain.stderr).not.toContain(dashboard.token);

    const admin = await runCli(["--address", harness.app.address, "drain", "vonage", "--reason", "maintenance"], { NUMBERGATE_TOKEN: oncall.token });
    expect(admin.code).toBe(0);
    const audit = await runCli(["--address", harness.app.address, "audit", "--limit", "5"], { NUMBERGATE_TOKEN: oncall.token });
    expect(audit.stdout).toMatch(/oncall@/);
  });
});
