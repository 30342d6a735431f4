import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Status } from "nice-grpc";
import { afterEach, describe, expect, it } from "vitest";
import { asShown } from "../support/customer-info.js";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import type { CustomerInfo } from "../../generated/numbergate/v1/common.js";
import { capturedLogger } from "../support/captured-logger.js";
import { DATABASES } from "../support/databases.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { rawEncryptedValues, rawExecute, sqliteFileBytes } from "../support/raw-store.js";

const EMAIL = "planted-7f3a@example.test";
const NAME = "Ada Plantedname-7f3a";
const CUSTOMER: CustomerInfo = {
  customerId: "cust-7f3a",
  name: NAME,
  email: EMAIL,
  company: "Planted Holdings",
  address: { addressLines: ["1 Planted Way"], locality: "New York", administrativeArea: "NY", postalCode: "10001", regionCode: "US" },
};

describe.each(DATABASES)("customer data encrypted at rest, over gRPC, on $name", { timeout: 120_000 }, (database) => {
  let harness: Harness | undefined;
  let dataDir: string;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it("callers get customer_info back with the e-mail masked; the database, the audit log and the logs never hold it in the clear", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "numbergate-at-rest-"));
    const databaseUrl = await database.fresh();
    const log = capturedLogger();
    const subject = await startHarness({ NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50", DATABASE_URL: databaseUrl, NUMBERGATE_DATA_DIR: dataDir }, { logger: log.logger });
    harness = subject;
    const { numbers } = await subject.client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["twilio"], limit: 1 });
    const phoneNumber = numbers[0]?.phoneNumber ?? "";

    const { reservation } = await subject.client.reserveNumber({ requestId: "at-rest-reserve", phoneNumber, providerId: "twilio", customerInfo: CUSTOMER });
    expect(reservation?.customerInfo).toEqual(asShown(CUSTOMER));
    const purchased = await subject.client.purchaseNumber({ requestId: "at-rest-buy", phoneNumber, providerId: "twilio", reservationId: reservation?.reservationId ?? "", customerInfo: CUSTOMER });
    expect(purchased.order).toMatchObject({ state: NumberOrderState.NUMBER_ORDER_STATE_COMPLETED, customerInfo: asShown(CUSTOMER) });
    expect(purchased.ownedNumber?.customerInfo).toEqual(asShown(CUSTOMER));
    // Read back from the store, not from what the purchase had in hand.
    expect((await subject.client.getReservation({ reservationId: reservation?.reservationId ?? "" })).reservation?.customerInfo).toEqual(asShown(CUSTOMER));
    expect((await subject.client.getNumberOrder({ orderId: purchased.order?.orderId ?? "" })).order?.customerInfo).toEqual(asShown(CUSTOMER));
    expect((await subject.client.listNumbers({})).numbers.map((number) => number.customerInfo)).toEqual([asShown(CUSTOMER)]);

    const raw = await rawEncryptedValues(databaseUrl, dataDir);
    expect(Object.values(raw).map((values) => values.length)).toEqual([1, 1, 1, 0]);
    for (const value of Object.values(raw).flat()) {
      expect(value).toMatch(/^enc:v1:[0-9a-f]{8}:/);
      expect(value).not.toContain(EMAIL);
      expect(value).not.toContain(NAME);
    }
    if (databaseUrl === undefined) {
      // The files themselves, write-ahead log included, while numbergate runs.
      const running = sqliteFileBytes(dataDir);
      expect(running.bytes.includes(phoneNumber), "the files read are the database numbergate writes").toBe(true);
      expect(running.bytes.includes(EMAIL)).toBe(false);
      expect(running.bytes.includes(NAME)).toBe(false);
    }
    const audit = JSON.stringify(await subject.app.store.audit.list(0, 10_000));
    expect(audit).toContain("at-rest-buy");
    expect(audit).not.toContain(EMAIL);
    expect(audit).not.toContain(NAME);

    // A sealed value copied into another column does not open there: the caller gets INTERNAL, and the log names
    // the table, column and row, never what the value holds.
    const reservationId = reservation?.reservationId ?? "";
    await rawExecute(databaseUrl, dataDir, "update reservations set customer_info = $1 where id = $2", [raw["number_orders"]?.[0] ?? "", reservationId]);
    const moved = await captureRpcError((options) => subject.client.getReservation({ reservationId }, options));
    expect(moved.code).toBe(Status.INTERNAL);
    expect(moved.details).not.toContain(EMAIL);

    await subject.close();
    harness = undefined;
    if (databaseUrl === undefined) {
      const closed = sqliteFileBytes(dataDir);
      expect(closed.bytes.includes(EMAIL) || closed.bytes.includes(NAME)).toBe(false);
    }
    expect(log.text()).toContain(`cannot decrypt reservations.customer_info of row ${reservationId}: authentication failed`);
    expect(log.text()).not.toContain(EMAIL);
    expect(log.text()).not.toContain(NAME);
  });
});
