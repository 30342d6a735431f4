import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FieldCipher, FieldDecryptionError, keyIdOf } from "../../src/store/field-cipher.js";
import type { CustomerInfoRecord } from "../../src/store/records.js";
import { openStore, type Store } from "../../src/store/store.js";
import { DATABASES } from "../support/databases.js";
import { rawEncryptedValues, rawExecute } from "../support/raw-store.js";

const CUSTOMER: CustomerInfoRecord = { customerId: "cust-7f3a", name: "Ada Planted", email: "planted-7f3a@example.test", company: "Planted Ltd" };
/** This suite writes no porting order: reencrypt walks their sealed columns and finds nothing. */
const PORTING_COLUMNS_UNTOUCHED = ["authorized_name", "service_address", "authorized_email", "account_number", "pin"].map((column) => ({ table: "porting_orders", column, rewritten: 0 }));
const LEGACY: CustomerInfoRecord = { customerId: "cust-old", name: "Old Plain", email: "legacy-9c1e@example.test", company: "" };

describe.each(DATABASES)("customer data at rest and key rotation on $name", { timeout: 120_000 }, (database) => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  const opened: Store[] = [];
  const open = async (cipher: FieldCipher) => {
    const store = await openStore({ databaseUrl, dataDir, cipher });
    opened.push(store);
    return store;
  };
  const close = async (store: Store) => {
    opened.splice(opened.indexOf(store), 1);
    await store.close();
  };
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A reservation, an order bought from it and the owned number it became, each with customer data; and one legacy plain row per table. */
  async function seed(store: Store): Promise<void> {
    for (let index = 0; index < 3; index += 1) {
      const phoneNumber = `+1212555010${index}`;
      const reservation = await store.reservations.create({ id: `res_${index}`, requestId: `r-${index}`, fingerprint: "f", phoneNumber, carrierId: "twilio", customerInfo: CUSTOMER, now: 0, expiresAt: 1_000_000 });
      expect(reservation.kind).toBe("created");
      const order = await store.orders.create({
        id: `ord_${index}`,
        requestId: `p-${index}`,
        fingerprint: "f",
        carrierId: "twilio",
        orderReference: `ng-ord${index}`,
        customerInfo: CUSTOMER,
        items: [{ phoneNumber, offer: undefined, reservationId: `res_${index}` }],
        now: 1,
        leaseOwner: "replica-a",
        leaseUntil: 1_000,
        audit: { actor: "test", operation: "order.created", outcome: "pending" },
      });
      expect(order.kind).toBe("created");
      await store.orders.apply(`ord_${index}`, { purchased: [{ phoneNumber, carrierNumberId: `PN${index}` }], failed: [], state: "completed", carrierOrderId: undefined, detail: "", nextCheckAt: undefined, now: 2, audits: [] });
    }
    const legacy = JSON.stringify(LEGACY);
    await rawExecute(databaseUrl, dataDir, "insert into reservations (id, request_id, phone_number, carrier_id, state, carrier_reservation_id, customer_info, created_at, expires_at, updated_at) values ($1, null, $2, 'twilio', 'expired', null, $3, 0, 0, 0)", ["res_legacy", "+12125550199", legacy]);
    await rawExecute(
      databaseUrl,
      dataDir,
      "insert into number_orders (id, request_id, request_fingerprint, carrier_id, state, order_reference, customer_info, detail, created_at, updated_at) values ($1, $2, 'f', 'twilio', 'failed', 'ng-legacy', $3, '', 0, 0)",
      ["ord_legacy", "p-legacy", legacy],
    );
  }

  async function expectReadable(store: Store): Promise<void> {
    for (let index = 0; index < 3; index += 1) {
      expect((await store.reservations.get(`res_${index}`))?.customerInfo).toEqual(CUSTOMER);
      expect((await store.orders.get(`ord_${index}`))?.customerInfo).toEqual(CUSTOMER);
      expect((await store.ownedNumbers.findByPhoneNumber(`+1212555010${index}`))?.customerInfo).toEqual(CUSTOMER);
    }
    expect((await store.reservations.get("res_legacy"))?.customerInfo).toEqual(LEGACY);
    expect((await store.orders.get("ord_legacy"))?.customerInfo).toEqual(LEGACY);
  }

  /** The key id of every sealed value, by table ("plain" for legacy JSON). */
  async function keyIds(): Promise<Record<string, string[]>> {
    const raw = await rawEncryptedValues(databaseUrl, dataDir);
    return Object.fromEntries(Object.entries(raw).map(([table, values]) => [table, values.map((value) => (value.startsWith("{") ? "plain" : (value.split(":")[2] ?? "?"))).sort()]));
  }

  it("seals customer data, reads legacy rows, and moves everything to a new key with reencrypt", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "numbergate-rotation-"));
    databaseUrl = await database.fresh();
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const [oldId, newId] = [keyIdOf(oldKey), keyIdOf(newKey)];

    const first = await open(FieldCipher.withKeys(oldKey));
    await seed(first);
    await expectReadable(first);
    await close(first);
    const raw = await rawEncryptedValues(databaseUrl, dataDir);
    expect(raw["owned_numbers"]).toHaveLength(3);
    for (const value of Object.values(raw).flat()) expect(value.includes(CUSTOMER.email) || value.includes(CUSTOMER.name)).toBe(false);
    // Owned numbers got the order's customer data sealed again for their own column; legacy rows are still plain.
    expect(await keyIds()).toEqual({ reservations: [oldId, oldId, oldId, "plain"].sort(), number_orders: [oldId, oldId, oldId, "plain"].sort(), owned_numbers: [oldId, oldId, oldId], porting_orders: [] });

    // The new key alone cannot read what the old one sealed, and says which row and which key.
    const withoutOld = await open(FieldCipher.withKeys(newKey));
    await expect(withoutOld.orders.get("ord_1")).rejects.toThrow(FieldDecryptionError);
    await expect(withoutOld.orders.get("ord_1")).rejects.toThrow(`cannot decrypt number_orders.customer_info of row ord_1: it was sealed with key ${oldId}`);
    await close(withoutOld);

    // Rotation: the new key is active, the old one still opens; reencrypt moves every row, in batches.
    const rotating = await open(FieldCipher.withKeys(newKey, [oldKey]));
    await expectReadable(rotating);
    expect(await rotating.reencrypt(2)).toEqual([
      { table: "reservations", column: "customer_info", rewritten: 4 },
      { table: "number_orders", column: "customer_info", rewritten: 4 },
      { table: "owned_numbers", column: "customer_info", rewritten: 3 },
      ...PORTING_COLUMNS_UNTOUCHED,
    ]);
    expect(await keyIds()).toEqual({ reservations: [newId, newId, newId, newId], number_orders: [newId, newId, newId, newId], owned_numbers: [newId, newId, newId], porting_orders: [] });
    expect(await rotating.reencrypt(2)).toEqual([
      { table: "reservations", column: "customer_info", rewritten: 0 },
      { table: "number_orders", column: "customer_info", rewritten: 0 },
      { table: "owned_numbers", column: "customer_info", rewritten: 0 },
      ...PORTING_COLUMNS_UNTOUCHED,
    ]);
    await close(rotating);

    // The old key can go: everything reads with the new one alone.
    const rotated = await open(FieldCipher.withKeys(newKey));
    await expectReadable(rotated);
  });

  it("a store without a key reads legacy values and never writes customer data in the clear", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "numbergate-rotation-"));
    databaseUrl = await database.fresh();
    const store = await openStore({ databaseUrl, dataDir });
    opened.push(store);
    await expect(store.reservations.create({ id: "res_x", requestId: undefined, fingerprint: "f", phoneNumber: "+12125550111", carrierId: "twilio", customerInfo: CUSTOMER, now: 0, expiresAt: 10 })).rejects.toThrow(/no encryption key is configured/);
    expect((await rawEncryptedValues(databaseUrl, dataDir))["reservations"]).toEqual([]);
    await expect(store.reencrypt()).rejects.toThrow(/reencrypt needs an encryption key/);
  });
});
