import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/secret.js";
import { SQLITE_FILE_NAME } from "../../src/store/database.js";
import { FieldCipher, keyIdOf } from "../../src/store/field-cipher.js";
import type { NewPortingOrder, PortingObservationInput } from "../../src/store/porting-records.js";
import { openStore, type Store } from "../../src/store/store.js";
import { DATABASES } from "../support/databases.js";
import { rawExecute } from "../support/raw-store.js";

const KEY = randomBytes(32);
const ADDRESS = { addressLines: ["17 Quarry Lane 4b7e"], locality: "Denver", administrativeArea: "CO", postalCode: "80202", regionCode: "US" };
const PERSONAL = { name: "Grace Porter-4b7e", email: "porter-4b7e@example.test", account: "ACCT-55501-4b7e-6789", pin: "8c2f19" };

/** Rows as the database holds them, for what is really on disk. */
async function rawRows(databaseUrl: string | undefined, dataDir: string, statement: string): Promise<Record<string, unknown>[]> {
  if (databaseUrl === undefined) {
    const database = new SqliteDatabase(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      return database.prepare(statement).all() as Record<string, unknown>[];
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(statement)).rows;
  } finally {
    await client.end();
  }
}

describe.each(DATABASES)("porting store on $name", { timeout: 60_000 }, (database) => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  const opened: Store[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function open(cipher: FieldCipher | null = FieldCipher.withKeys(KEY), fresh = true): Promise<Store> {
    if (fresh) {
      dataDir = await mkdtemp(join(tmpdir(), "numbergate-porting-"));
      databaseUrl = await database.fresh();
    }
    const store = await openStore({ databaseUrl, dataDir, ...(cipher === null ? {} : { cipher }) });
    opened.push(store);
    return store;
  }

  function port(id: string, phoneNumbers: string[], overrides: Partial<NewPortingOrder> = {}): NewPortingOrder {
    return {
      id,
      requestId: `req-${id}`,
      fingerprint: "f",
      carrierId: "bandwidth",
      phoneNumbers,
      orderReference: `ng-${id}`,
      currentProvider: "Old Telco",
      authorizedName: PERSONAL.name,
      serviceAddress: ADDRESS,
      requestedPortAt: undefined,
      carrierDocuments: [],
      secrets: { accountNumber: new Secret(PERSONAL.account), pin: new Secret(PERSONAL.pin), authorizedEmail: PERSONAL.email },
      actor: "client-a",
      now: 100,
      ...overrides,
    };
  }

  function seen(state: PortingObservationInput["state"], observedAt: number, overrides: Partial<PortingObservationInput> = {}): PortingObservationInput {
    return { state, carrierOrderId: "PO-1", carrierStatus: state.toUpperCase(), detail: "", focAt: undefined, observedAt, source: "carrier poll", actor: "numbergate", now: observedAt, ...overrides };
  }

  async function created(store: Store, order: NewPortingOrder): Promise<void> {
    expect((await store.portingOrders.create(order)).kind).toBe("created");
  }

  it("creates a port once per request_id, holding its numbers against other ports, orders and reservations", async () => {
    const store = await open();
    const first = await store.portingOrders.create(port("prt_1", ["+13035550101", "+13035550102"]));
    expect(first).toMatchObject({ kind: "created", order: { state: "pending", accountNumberLast4: "6789", authorizedName: PERSONAL.name, serviceAddress: ADDRESS, carrierOrderId: undefined, transitions: [], documents: [] } });
    expect((await store.portingOrders.create(port("prt_1b", ["+13035550101", "+13035550102"], { requestId: "req-prt_1" }))).kind).toBe("existing");
    expect(await store.portingOrders.create(port("prt_1c", ["+13035550109"], { requestId: "req-prt_1", fingerprint: "other" }))).toMatchObject({ kind: "request_id_reused", order: { id: "prt_1" } });
    expect(await store.portingOrders.create(port("prt_2", ["+13035550103", "+13035550102"]))).toEqual({ kind: "number_busy", phoneNumber: "+13035550102", reason: "held by another port" });
    // The refused port left no hold behind on its free number.
    expect((await store.portingOrders.create(port("prt_3", ["+13035550103"], { secrets: { accountNumber: undefined, pin: undefined, authorizedEmail: undefined } }))).kind).toBe("created");
    expect((await store.portingOrders.get("prt_3"))?.accountNumberLast4).toBe("");

    expect(await store.reservations.create({ id: "res_1", requestId: undefined, fingerprint: "f", phoneNumber: "+13035550101", carrierId: "bandwidth", customerInfo: undefined, now: 100, expiresAt: 10_000 })).toMatchObject({ kind: "held", holderKind: "port" });
    expect((await store.reservations.create({ id: "res_2", requestId: undefined, fingerprint: "f", phoneNumber: "+13035550104", carrierId: "bandwidth", customerInfo: undefined, now: 100, expiresAt: 10_000 })).kind).toBe("created");
    expect(await store.portingOrders.create(port("prt_4", ["+13035550104"]))).toEqual({ kind: "number_busy", phoneNumber: "+13035550104", reason: "held by another reservation" });
    // An expired reservation no longer holds the number.
    expect((await store.portingOrders.create(port("prt_5", ["+13035550104"], { now: 20_000 }))).kind).toBe("created");

    const order = { id: "ord_1", requestId: "buy-1", fingerprint: "f", carrierId: "twilio", orderReference: "ng-ord1", customerInfo: undefined, now: 0, leaseOwner: "r", leaseUntil: 1, audit: { actor: "t", operation: "order.created", outcome: "pending" } };
    expect((await store.orders.create({ ...order, items: [{ phoneNumber: "+13035550105", offer: undefined, reservationId: undefined }] })).kind).toBe("created");
    expect(await store.portingOrders.create(port("prt_6", ["+13035550105"]))).toMatchObject({ kind: "number_busy", reason: "held by another order" });
    await store.orders.apply("ord_1", { purchased: [{ phoneNumber: "+13035550105", carrierNumberId: "PN1" }], failed: [], state: "completed", carrierOrderId: undefined, detail: "", nextCheckAt: undefined, now: 1, audits: [] });
    expect(await store.portingOrders.create(port("prt_6", ["+13035550105"]))).toEqual({ kind: "number_busy", phoneNumber: "+13035550105", reason: "numbergate already owns it" });

    const audits = (await store.audit.list(0, 100)).filter((row) => row.operation === "porting.create");
    expect(audits.map((row) => [row.resourceId, row.outcome, row.actor, row.resourceType])).toEqual([
      ["prt_1", "recorded", "client-a", "porting_order"],
      ["prt_3", "recorded", "client-a", "porting_order"],
      ["prt_5", "recorded", "client-a", "porting_order"],
    ]);
    for (const row of audits) for (const value of Object.values(PERSONAL)) expect(row.detail).not.toContain(value);
  });

  it("two concurrent creates of one request_id make one port; two ports of one number, one busy", async () => {
    const store = await open();
    const same = await Promise.all([store.portingOrders.create(port("prt_a", ["+13035550111"])), store.portingOrders.create(port("prt_b", ["+13035550112"], { requestId: "req-prt_a" }))]);
    expect(same.map((result) => result.kind).sort()).toEqual(["created", "existing"]);
    const ids = new Set(same.map((result) => (result.kind === "created" || result.kind === "existing" ? result.order.id : "")));
    expect(ids.size).toBe(1);
    const rival = await Promise.all([store.portingOrders.create(port("prt_c", ["+13035550120"])), store.portingOrders.create(port("prt_d", ["+13035550120"]))]);
    expect(rival.map((result) => result.kind).sort()).toEqual(["created", "number_busy"]);
    expect((await store.portingOrders.list({ pageSize: 10 })).orders).toHaveLength(2);
  });

  it("seals personal data and secrets: they round-trip through secrets() and never reach the database in the clear", async () => {
    const store = await open();
    await created(store, port("prt_s", ["+13035550130"]));
    const secrets = await store.portingOrders.secrets("prt_s");
    expect(secrets?.accountNumber?.reveal()).toBe(PERSONAL.account);
    expect(secrets?.pin?.reveal()).toBe(PERSONAL.pin);
    expect(secrets?.authorizedEmail).toBe(PERSONAL.email);
    expect(JSON.stringify(await store.portingOrders.get("prt_s"))).not.toContain(PERSONAL.pin);
    const [row] = await rawRows(databaseUrl, dataDir, "select * from porting_orders");
    for (const column of ["authorized_name", "service_address", "authorized_email", "account_number", "pin"]) expect(String(row?.[column])).toMatch(/^enc:v1:/);
    const everything = JSON.stringify([row, await rawRows(databaseUrl, dataDir, "select * from audit_log")]);
    for (const value of [...Object.values(PERSONAL), ADDRESS.addressLines[0] ?? ""]) expect(everything).not.toContain(value);
    expect(await store.portingOrders.secrets("nope")).toBeUndefined();
  });

  it("refuses to write a port without an encryption key, and writes nothing", async () => {
    const store = await open(null);
    await expect(store.portingOrders.create(port("prt_k", ["+13035550131"]))).rejects.toThrow(/no encryption key is configured/);
    expect(await rawRows(databaseUrl, dataDir, "select * from porting_orders")).toEqual([]);
    expect(await rawRows(databaseUrl, dataDir, "select * from number_holds")).toEqual([]);
  });

  it("applies transitions in order, each with its transition row and audit row, and completion makes owned numbers", async () => {
    const store = await open();
    await created(store, port("prt_t", ["+13035550140", "+13035550141"]));
    expect(await store.portingOrders.markSubmitting("prt_t", 150)).toBe(true);
    expect(await store.portingOrders.markSubmitting("prt_t", 160)).toBe(false);
    // One of the numbers became numbergate's meanwhile (say, adopted from the carrier's list).
    await rawExecute(databaseUrl, dataDir, "insert into owned_numbers (id, phone_number, carrier_id, state, carrier_number_id, capabilities, order_id, purchased_at) values ($1, $2, 'bandwidth', 'active', 'x', '[]', 'adopted:d', 0)", ["num_adopted", "+13035550141"]);

    const submitted = await store.portingOrders.applyObservation("prt_t", seen("submitted", 200, { source: "request" }));
    expect(submitted).toMatchObject({ kind: "transition", transition: { fromState: "pending", toState: "submitted", source: "request", at: 200 }, order: { carrierOrderId: "PO-1", submissionStartedAt: undefined } });
    const foc = await store.portingOrders.applyObservation("prt_t", seen("foc_scheduled", 300, { focAt: 5_000, detail: "FOC date set" }));
    expect(foc).toMatchObject({ kind: "transition", order: { focAt: 5_000, detail: "FOC date set", carrierStatus: "FOC_SCHEDULED" } });
    // The same state again refreshes the carrier's words, without a transition.
    expect(await store.portingOrders.applyObservation("prt_t", seen("foc_scheduled", 350, { focAt: 6_000, carrierStatus: "FOC" }))).toMatchObject({ kind: "unchanged", order: { focAt: 6_000, carrierStatus: "FOC", lastObservedAt: 350 } });
    // A notification older than the last observation applied, and a move back to pending, are ignored.
    expect(await store.portingOrders.applyObservation("prt_t", seen("submitted", 250, { source: "carrier callback" }))).toMatchObject({ kind: "ignored", reason: "older_than_last", order: { state: "foc_scheduled" } });
    expect(await store.portingOrders.applyObservation("prt_t", seen("pending", 400))).toMatchObject({ kind: "ignored", reason: "back_to_pending" });
    expect((await store.portingOrders.findByCarrierOrder("bandwidth", "PO-1"))?.id).toBe("prt_t");

    const completed = await store.portingOrders.applyObservation("prt_t", seen("completed", 500, { source: "carrier callback" }));
    expect(completed).toMatchObject({ kind: "transition", order: { state: "completed" } });
    // A final state is never left.
    expect(await store.portingOrders.applyObservation("prt_t", seen("failed", 600))).toMatchObject({ kind: "ignored", reason: "already_final", order: { state: "completed" } });

    const order = await store.portingOrders.get("prt_t");
    expect(order?.transitions.map((transition) => [transition.fromState, transition.toState, transition.source])).toEqual([
      ["pending", "submitted", "request"],
      ["submitted", "foc_scheduled", "carrier poll"],
      ["foc_scheduled", "completed", "carrier callback"],
    ]);
    const audits = (await store.audit.list(0, 100)).filter((row) => row.operation === "porting.transition");
    expect(audits.map((row) => [row.outcome, row.resourceId, row.detail])).toEqual([
      ["pending->submitted", "prt_t", "source: request; carrier: SUBMITTED"],
      ["submitted->foc_scheduled", "prt_t", "source: carrier poll; carrier: FOC_SCHEDULED: FOC date set"],
      ["foc_scheduled->completed", "prt_t", "source: carrier callback; carrier: COMPLETED"],
    ]);
    expect(await store.ownedNumbers.findByPhoneNumber("+13035550140")).toMatchObject({ state: "active", orderId: "prt_t", carrierId: "bandwidth", purchasedAt: 500, customerInfo: undefined });
    expect((await store.ownedNumbers.findByPhoneNumber("+13035550141"))?.id).toBe("num_adopted");
    expect(await rawRows(databaseUrl, dataDir, "select * from number_holds")).toEqual([]);
  });

  it("a failed or cancelled port frees its numbers for another port", async () => {
    const store = await open();
    await created(store, port("prt_f", ["+13035550150"]));
    const refused = await store.portingOrders.applyObservation("prt_f", seen("failed", 200, { carrierOrderId: "", carrierStatus: "refused", source: "request" }));
    expect(refused).toMatchObject({ kind: "transition", order: { state: "failed", carrierOrderId: undefined } });
    expect(await store.ownedNumbers.findByPhoneNumber("+13035550150")).toBeUndefined();
    await created(store, port("prt_g", ["+13035550150"]));
    // Another port refused with no carrier order id: "" is never stored as one (carrier_id, carrier_order_id is unique).
    expect((await store.portingOrders.applyObservation("prt_g", seen("cancelled", 200, { carrierOrderId: "" }))).kind).toBe("transition");
  });

  it("two concurrent applications of one observation write exactly one transition", async () => {
    const store = await open();
    await created(store, port("prt_c", ["+13035550160"]));
    const results = await Promise.all([1, 2, 3].map(() => store.portingOrders.applyObservation("prt_c", seen("submitted", 200))));
    expect(results.map((result) => result.kind).sort()).toEqual(["transition", "unchanged", "unchanged"]);
    expect(await rawRows(databaseUrl, dataDir, "select order_id, seq from porting_order_transitions")).toHaveLength(1);
    expect((await store.audit.list(0, 100)).filter((row) => row.operation === "porting.transition")).toHaveLength(1);
  });

  it("leases: claims due open ports only, one replica at a time; scheduleNextCheck gives the lease up until the next check", async () => {
    const store = await open();
    for (const id of ["prt_l1", "prt_l2", "prt_l3"]) await created(store, port(id, [`+1303555017${id.slice(-1)}`]));
    await store.portingOrders.applyObservation("prt_l2", seen("submitted", 200, { carrierOrderId: "PO-L2" }));
    await store.portingOrders.applyObservation("prt_l3", seen("completed", 200, { carrierOrderId: "PO-L3" }));
    expect((await store.portingOrders.claimDue("replica-a", 1_000, 500, 10)).sort()).toEqual(["prt_l1", "prt_l2"]);
    expect(await store.portingOrders.claimDue("replica-b", 1_100, 500, 10)).toEqual([]);
    expect(await store.portingOrders.renewLease("prt_l1", "replica-b", 2_000, 1_100)).toBe(false);
    expect(await store.portingOrders.renewLease("prt_l1", "replica-a", 2_000, 1_100)).toBe(true);
    expect(await store.portingOrders.scheduleNextCheck("prt_l1", "replica-b", 5_000, 1)).toBe(false);
    expect(await store.portingOrders.scheduleNextCheck("prt_l1", "replica-a", 5_000, 1)).toBe(true);
    expect(await store.portingOrders.get("prt_l1")).toMatchObject({ pollAttempt: 1, nextCheckAt: 5_000 });
    await store.portingOrders.releaseLease("prt_l2", "replica-a");
    expect(await store.portingOrders.claimDue("replica-b", 1_200, 10_000, 10)).toEqual(["prt_l2"]);
    expect(await store.portingOrders.claimDue("replica-b", 4_999, 500, 10)).toEqual([]);
    // "Check now": a horizon takes ports due within it.
    expect(await store.portingOrders.claimDue("replica-b", 4_000, 500, 10, 999)).toEqual([]);
    expect(await store.portingOrders.claimDue("replica-b", 4_000, 500, 10, 1_000)).toEqual(["prt_l1"]);
    expect(await store.portingOrders.claimDue("replica-b", 5_000, 500, 10)).toEqual(["prt_l1"]);
    // A port reaching a final state drops its lease and next check.
    await store.portingOrders.applyObservation("prt_l1", seen("cancelled", 5_100, { carrierOrderId: "PO-L1" }));
    expect(await store.portingOrders.renewLease("prt_l1", "replica-b", 9_000, 5_100)).toBe(false);
    expect(await store.portingOrders.get("prt_l1")).toMatchObject({ nextCheckAt: undefined });
    expect(await store.portingOrders.claimDue("replica-c", 100_000, 500, 10)).toEqual(["prt_l2"]);
  });

  it("lists newest first with keyset paging, filtered by carrier and state", async () => {
    const store = await open();
    const specs: [string, string, number][] = [
      ["prt_p1", "bandwidth", 100],
      ["prt_p2", "telnyx", 200],
      ["prt_p3", "bandwidth", 300],
      ["prt_p4", "bandwidth", 300],
      ["prt_p5", "twilio", 400],
    ];
    for (const [id, carrierId, now] of specs) await created(store, port(id, [`+1303555018${id.slice(-1)}`], { carrierId, now }));
    await store.portingOrders.applyObservation("prt_p3", seen("submitted", 500, { carrierOrderId: "PO-P3" }));
    const pages: string[][] = [];
    let after: { createdAt: number; id: string } | undefined;
    for (;;) {
      const page = await store.portingOrders.list({ pageSize: 2, ...(after ? { after } : {}) });
      pages.push(page.orders.map((order) => order.id));
      const last = page.orders.at(-1);
      if (!page.hasMore || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    expect(pages).toEqual([["prt_p5", "prt_p4"], ["prt_p3", "prt_p2"], ["prt_p1"]]);
    expect((await store.portingOrders.list({ pageSize: 10, carrierId: "bandwidth" })).orders.map((order) => order.id)).toEqual(["prt_p4", "prt_p3", "prt_p1"]);
    expect((await store.portingOrders.list({ pageSize: 10, carrierId: "bandwidth", state: "pending" })).orders.map((order) => order.id)).toEqual(["prt_p4", "prt_p1"]);
    expect((await store.portingOrders.list({ pageSize: 10, state: "submitted" })).orders.map((order) => [order.id, order.transitions.length])).toEqual([["prt_p3", 1]]);
  });

  it("corrects sealed details and attaches documents (never their content), with audit rows", async () => {
    const store = await open();
    await created(store, port("prt_d", ["+13035550190"]));
    const corrected = await store.portingOrders.correct("prt_d", { accountNumber: new Secret("NEW-ACCT-4321"), pin: new Secret("5150"), authorizedName: "Grace Corrected" }, "client-a", 300);
    expect(corrected).toMatchObject({ kind: "corrected", order: { accountNumberLast4: "4321", authorizedName: "Grace Corrected", serviceAddress: ADDRESS } });
    const secrets = await store.portingOrders.secrets("prt_d");
    expect([secrets?.accountNumber?.reveal(), secrets?.pin?.reveal(), secrets?.authorizedEmail]).toEqual(["NEW-ACCT-4321", "5150", PERSONAL.email]);
    const attached = await store.portingOrders.addDocument("prt_d", { kind: "letter_of_authorization", fileName: "loa.pdf", contentType: "application/pdf", sizeBytes: 2048, carrierDocumentId: "DOC-1", attachedAt: 400 }, "client-a");
    expect(attached?.documents).toEqual([{ kind: "letter_of_authorization", fileName: "loa.pdf", contentType: "application/pdf", sizeBytes: 2048, carrierDocumentId: "DOC-1", attachedAt: 400 }]);
    expect(attached?.carrierDocuments).toEqual([{ kind: "letter_of_authorization", carrierDocumentId: "DOC-1" }]);
    expect((await store.portingOrders.addDocument("prt_d", { kind: "bill_copy", fileName: "bill.pdf", contentType: "application/pdf", sizeBytes: 10, carrierDocumentId: undefined, attachedAt: 410 }, "client-a"))?.documents.map((document) => document.kind)).toEqual(["letter_of_authorization", "bill_copy"]);
    expect(await store.portingOrders.addDocument("nope", { kind: "other", fileName: "x", contentType: "text/plain", sizeBytes: 1, carrierDocumentId: undefined, attachedAt: 1 }, "client-a")).toBeUndefined();
    const audits = (await store.audit.list(0, 100)).filter((row) => row.operation === "porting.correct" || row.operation === "porting.document");
    expect(audits.map((row) => [row.operation, row.detail])).toEqual([
      ["porting.correct", "corrected: account number, pin, authorized name"],
      ["porting.document", "letter_of_authorization, 2048 bytes"],
      ["porting.document", "bill_copy, 10 bytes"],
    ]);
    await store.portingOrders.applyObservation("prt_d", seen("cancelled", 500));
    expect(await store.portingOrders.correct("prt_d", { pin: new Secret("0000") }, "client-a", 600)).toMatchObject({ kind: "final" });
    expect(await store.portingOrders.correct("nope", { pin: new Secret("0000") }, "client-a", 600)).toEqual({ kind: "not_found" });
  });

  it("clearSubmitting makes an unanswered submission sendable again, only for the submission it names", async () => {
    const store = await open();
    await created(store, port("prt_u", ["+13035550195"]));
    expect(await store.portingOrders.markSubmitting("prt_u", 150)).toBe(true);
    expect(await store.portingOrders.clearSubmitting("prt_u", 149, 900)).toBe(false);
    expect(await store.portingOrders.clearSubmitting("prt_u", 150, 900)).toBe(true);
    expect((await store.portingOrders.get("prt_u"))?.submissionStartedAt).toBeUndefined();
    expect(await store.portingOrders.markSubmitting("prt_u", 950)).toBe(true);
  });

  it("reencrypt moves every sealed porting column to the new key", async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const first = await open(FieldCipher.withKeys(oldKey));
    await created(first, port("prt_r", ["+13035550198"]));
    await created(first, port("prt_r2", ["+13035550199"], { secrets: { accountNumber: undefined, pin: undefined, authorizedEmail: undefined } }));
    const rotating = await open(FieldCipher.withKeys(newKey, [oldKey]), false);
    const counts = (await rotating.reencrypt(1)).filter((count) => count.table === "porting_orders");
    expect(counts).toEqual([
      { table: "porting_orders", column: "authorized_name", rewritten: 2 },
      { table: "porting_orders", column: "service_address", rewritten: 2 },
      { table: "porting_orders", column: "authorized_email", rewritten: 1 },
      { table: "porting_orders", column: "account_number", rewritten: 1 },
      { table: "porting_orders", column: "pin", rewritten: 1 },
    ]);
    const rows = await rawRows(databaseUrl, dataDir, "select authorized_name, service_address, authorized_email, account_number, pin from porting_orders");
    for (const value of rows.flatMap((row) => Object.values(row)).filter((value) => value !== null)) expect(String(value).split(":")[2]).toBe(keyIdOf(newKey));
    const rotated = await open(FieldCipher.withKeys(newKey), false);
    expect((await rotated.portingOrders.secrets("prt_r"))?.pin?.reveal()).toBe(PERSONAL.pin);
    expect((await rotated.portingOrders.get("prt_r"))?.authorizedName).toBe(PERSONAL.name);
  });
});
