import { sql } from "kysely";
import { AuditStore } from "./audit-store.js";
import { openDatabase, type OpenDatabaseOptions, type OpenedDatabase } from "./database.js";
import { FieldCipher } from "./field-cipher.js";
import { reencryptColumns, type ReencryptedColumn } from "./field-reencryption.js";
import { InventoryDriftStore } from "./inventory-drift-store.js";
import type { StoreDialect } from "./migrations.js";
import { OrderStore } from "./order-store.js";
import { OwnedNumberStore } from "./owned-number-store.js";
import { PortingStore } from "./porting-store.js";
import { ReleaseStore } from "./release-store.js";
import { ReservationStore } from "./reservation-store.js";
import { cachedStateCounts, type StateCounts } from "./state-counts.js";

/** Every piece of state that must survive a restart, behind one object. */
export interface Store {
  readonly dialect: StoreDialect;
  readonly reservations: ReservationStore;
  readonly orders: OrderStore;
  readonly ownedNumbers: OwnedNumberStore;
  readonly releases: ReleaseStore;
  readonly audit: AuditStore;
  readonly inventoryDrifts: InventoryDriftStore;
  readonly portingOrders: PortingStore;
  /** Number and porting orders per state (metrics), cached a few seconds so a scrape never hammers the database. */
  counts(): Promise<StateCounts>;
  /** Answers once the database does (readiness). */
  ping(): Promise<void>;
  /** Seals every encrypted value that is plain or under an old key with the active key (npm run admin -- reencrypt). */
  reencrypt(batchSize?: number): Promise<ReencryptedColumn[]>;
  close(): Promise<void>;
}

export interface StoreOptions {
  readonly now?: () => number;
  /**
   * Encrypts customer data at rest. Without it the store still reads everything else (and legacy plain values),
   * but refuses to write customer data or read sealed values: it never writes them in the clear.
   */
  readonly cipher?: FieldCipher;
}

export type OpenStoreOptions = OpenDatabaseOptions & StoreOptions;

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  return storeOn(await openDatabase(options), options);
}

/** The stores over a database already open (start-up opens it first, so that its errors come first). */
export function storeOn({ db, dialect, close }: OpenedDatabase, options: StoreOptions): Store {
  const cipher = options.cipher ?? FieldCipher.withoutKeys();
  return {
    dialect,
    reservations: new ReservationStore(db, cipher),
    orders: new OrderStore(db, cipher),
    ownedNumbers: new OwnedNumberStore(db, cipher),
    releases: new ReleaseStore(db),
    audit: new AuditStore(db, options.now ?? (() => Date.now())),
    inventoryDrifts: new InventoryDriftStore(db),
    portingOrders: new PortingStore(db, cipher),
    reencrypt: (batchSize) => reencryptColumns(db, cipher, batchSize),
    counts: cachedStateCounts(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close,
  };
}
