import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { asShown } from "../support/customer-info.js";
import type { CustomerInfo } from "../../generated/numbergate/v1/common.js";
import { keyIdOf } from "../../src/store/field-cipher.js";
import { DATABASES } from "../support/databases.js";
import { newEncryptionKey } from "../support/encryption.js";
import { startHarness, type Harness } from "../support/harness.js";
import { ADMIN_MAIN, exitOf, launch, stopChildren } from "../support/processes.js";
import { rawEncryptedValues } from "../support/raw-store.js";

const CUSTOMER: CustomerInfo = { customerId: "cust-rot", name: "Rotation Person", email: "rotation-2e8c@example.test", company: "Rot Ltd", address: undefined };

const temporaryDirs: string[] = [];
let harness: Harness | undefined;
afterEach(async () => {
  stopChildren();
  await harness?.close();
  harness = undefined;
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function reencrypt(environment: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string; lines: unknown[] }> {
  const child = launch(ADMIN_MAIN, environment, ["reencrypt"]);
  const { code, stderr } = await exitOf(child);
  return { code, stderr, lines: child.stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as unknown) };
}

const counts = (reservations: number, orders: number, owned: number) => [
  { type: "reencrypted", table: "reservations", column: "customer_info", rewritten: reservations },
  { type: "reencrypted", table: "number_orders", column: "customer_info", rewritten: orders },
  { type: "reencrypted", table: "owned_numbers", column: "customer_info", rewritten: owned },
  // No porting order is written here: reencrypt walks their sealed columns and finds nothing.
  ...["authorized_name", "service_address", "authorized_email", "account_number", "pin"].map((column) => ({ type: "reencrypted", table: "porting_orders", column, rewritten: 0 })),
];

describe.each(DATABASES)("key rotation with npm run admin -- reencrypt on $name", { timeout: 180_000 }, (database) => {
  it("old data reads with the old key among the previous ones; reencrypt moves every row once; then the old key can go", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "numbergate-reencrypt-"));
    temporaryDirs.push(dataDir);
    const databaseUrl = await database.fresh();
    const [oldKey, newKey] = [newEncryptionKey(), newEncryptionKey()];
    const base = { NUMBERGATE_DATA_DIR: dataDir, DATABASE_URL: databaseUrl };

    // Written under the old key: a reservation, and an order bought with it that made an owned number.
    const before = await startHarness({ ...base, NUMBERGATE_ENCRYPTION_KEY: oldKey });
    harness = before;
    const { numbers } = await before.client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 2 });
    const [held = "", bought = ""] = numbers.map((number) => number.phoneNumber);
    const { reservation } = await before.client.reserveNumber({ phoneNumber: held, providerId: "twilio", customerInfo: CUSTOMER, reservationDuration: { seconds: 3600, nanos: 0 } });
    const { order } = await before.client.purchaseNumber({ requestId: "rotation-buy", phoneNumber: bought, providerId: "twilio", customerInfo: CUSTOMER });
    await before.close();
    harness = undefined;

    // The new key is active and the old one only opens: everything still reads.
    const rotating = { ...base, NUMBERGATE_ENCRYPTION_KEY: newKey, NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS: oldKey };
    const during = await startHarness(rotating);
    harness = during;
    const readAll = async (subject: Harness) => {
      expect((await subject.client.getReservation({ reservationId: reservation?.reservationId ?? "" })).reservation?.customerInfo).toEqual(asShown(CUSTOMER));
      expect((await subject.client.getNumberOrder({ orderId: order?.orderId ?? "" })).order?.customerInfo).toEqual(asShown(CUSTOMER));
      expect((await subject.client.listNumbers({})).numbers.map((number) => number.customerInfo)).toEqual([asShown(CUSTOMER)]);
    };
    await readAll(during);
    await during.close();
    harness = undefined;

    const first = await reencrypt(rotating);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.lines).toEqual(counts(1, 1, 1));
    const keyIds = Object.values(await rawEncryptedValues(databaseUrl, dataDir)).flat().map((value) => value.split(":")[2]);
    expect(keyIds).toEqual([1, 2, 3].map(() => keyIdOf(Buffer.from(newKey, "base64"))));
    const second = await reencrypt(rotating);
    expect(second.code).toBe(0);
    expect(second.lines).toEqual(counts(0, 0, 0));

    // The old key dropped: everything reads with the new one alone.
    const after = await startHarness({ ...base, NUMBERGATE_ENCRYPTION_KEY: newKey });
    harness = after;
    await readAll(after);
  });
});

describe("npm run admin -- reencrypt in sandbox mode", () => {
  it("uses the key file the server made in NUMBERGATE_DATA_DIR", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "numbergate-reencrypt-"));
    temporaryDirs.push(dataDir);
    const written = await startHarness({ NUMBERGATE_DATA_DIR: dataDir });
    harness = written;
    const { numbers } = await written.client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 1 });
    await written.client.reserveNumber({ phoneNumber: numbers[0]?.phoneNumber ?? "", providerId: "twilio", customerInfo: CUSTOMER });
    await written.close();
    harness = undefined;
    const run = await reencrypt({ NUMBERGATE_DATA_DIR: dataDir });
    expect(run.stderr).toBe("");
    expect(run.lines).toEqual(counts(0, 0, 0));
  });


  it("fails naming the row when a value is under a key it was not given, and prints no content", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "numbergate-reencrypt-"));
    temporaryDirs.push(dataDir);
    const written = await startHarness({ NUMBERGATE_DATA_DIR: dataDir, NUMBERGATE_ENCRYPTION_KEY: newEncryptionKey() });
    harness = written;
    const { numbers } = await written.client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 1 });
    const { reservation } = await written.client.reserveNumber({ phoneNumber: numbers[0]?.phoneNumber ?? "", providerId: "twilio", customerInfo: CUSTOMER });
    await written.close();
    harness = undefined;
    const refused = await reencrypt({ NUMBERGATE_DATA_DIR: dataDir, NUMBERGATE_ENCRYPTION_KEY: newEncryptionKey() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^numbergate admin: cannot decrypt reservations\\.customer_info of row ${reservation?.reservationId ?? ""}: it was sealed with key [0-9a-f]{8}`));
    expect(refused.stderr).not.toContain(CUSTOMER.email);
  });
});
