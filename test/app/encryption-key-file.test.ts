import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { asShown } from "../support/customer-info.js";
import type { CustomerInfo } from "../../generated/numbergate/v1/common.js";
import { KEY_FILE_NAME } from "../../src/app/encryption-key-source.js";
import { startHarness, type Harness } from "../support/harness.js";
import { exitOf, launch, MAIN, stopChildren } from "../support/processes.js";

// Some cases start real processes (tsx compiles at start): generous, but still bounded.
vi.setConfig({ testTimeout: 60_000 });

const CUSTOMER: CustomerInfo = { customerId: "cust-key", name: "Key File Person", email: "keyfile-51d2@example.test", company: "", address: undefined };

const temporaryDirs: string[] = [];
let harness: Harness | undefined;
afterEach(async () => {
  stopChildren();
  await harness?.close();
  harness = undefined;
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "numbergate-keyfile-"));
  temporaryDirs.push(dir);
  return dir;
}

describe("sandbox mode's encryption key file", () => {
  it("is created 0600 in the data directory and reused after a restart: data written before it still decrypts", async () => {
    const dir = dataDir();
    const first = await startHarness({ NUMBERGATE_DATA_DIR: dir });
    harness = first;
    const file = join(dir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = readFileSync(file, "utf8");
    expect(Buffer.from(key.trim(), "base64")).toHaveLength(32);
    const { numbers } = await first.client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 1 });
    const { reservation } = await first.client.reserveNumber({ phoneNumber: numbers[0]?.phoneNumber ?? "", providerId: "twilio", customerInfo: CUSTOMER, reservationDuration: { seconds: 3600, nanos: 0 } });
    await first.close();

    const second = await startHarness({ NUMBERGATE_DATA_DIR: dir });
    harness = second;
    expect(readFileSync(file, "utf8")).toBe(key);
    expect((await second.client.getReservation({ reservationId: reservation?.reservationId ?? "" })).reservation?.customerInfo).toEqual(asShown(CUSTOMER));
  });

  it("is refused when group or others can read it, naming the file", async () => {
    const dir = dataDir();
    const file = join(dir, KEY_FILE_NAME);
    writeFileSync(file, `${Buffer.alloc(32, 9).toString("base64")}\n`, { mode: 0o600 });
    chmodSync(file, 0o640);
    await expect(startHarness({ NUMBERGATE_DATA_DIR: dir })).rejects.toThrow(`refusing to use the encryption key file ${file}: group or others have access to it (mode 0640); chmod 600 ${file}`);
    const child = await exitOf(launch(MAIN, { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_DATA_DIR: dir }));
    expect(child.code).toBe(1);
    expect(child.stderr).toContain(`numbergate: refusing to use the encryption key file ${file}`);
  });

  it("is refused when it does not hold a key, without printing what it holds", async () => {
    const dir = dataDir();
    const file = join(dir, KEY_FILE_NAME);
    writeFileSync(file, "not-a-key-3b9f\n", { mode: 0o600 });
    const failure = startHarness({ NUMBERGATE_DATA_DIR: dir });
    await expect(failure).rejects.toThrow(`the encryption key file ${file} does not hold 32 bytes in base64`);
    await expect(failure).rejects.not.toThrow(/not-a-key-3b9f/);
  });
});

describe("live mode without NUMBERGATE_ENCRYPTION_KEY", () => {
  it("refuses to start: a configuration error, exit 2, naming the variable", async () => {
    const child = await exitOf(launch(MAIN, { NUMBERGATE_MODE: "live", TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "hunter2-secret", BANDWIDTH_ENABLED: "false", NUMBERGATE_ALLOW_UNAUTHENTICATED: "true" }));
    expect(child.code).toBe(2);
    expect(child.stderr).toBe(
      "numbergate: configuration error: NUMBERGATE_MODE=live needs NUMBERGATE_ENCRYPTION_KEY (32 bytes in base64, such as the output of openssl rand -base64 32): customer data is encrypted at rest with it\n",
    );
  });

  it("refuses a malformed key without printing it", async () => {
    const malformed = "c2hvcnQta2V5LTQ0NGQ=";
    const child = await exitOf(launch(MAIN, { NUMBERGATE_MODE: "live", TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "hunter2-secret", BANDWIDTH_ENABLED: "false", NUMBERGATE_ALLOW_UNAUTHENTICATED: "true", NUMBERGATE_ENCRYPTION_KEY: malformed }));
    expect(child.code).toBe(2);
    expect(child.stderr).toBe("numbergate: configuration error: NUMBERGATE_ENCRYPTION_KEY must be 32 bytes in base64 (such as the output of openssl rand -base64 32)\n");
  });
});
