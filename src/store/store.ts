import { AuditStore } from "./audit-store.js";
import { openDatabase, type OpenDatabaseOptions } from "./database.js";
import { InventoryDriftStore } from "./inventory-drift-store.js";
import type { StoreDialect } from "./migrations.js";
import { OrderStore } from "./order-store.js";
import { OwnedNumberStore } from "./owned-number-store.js";
import { ReleaseStore } from "./release-store.js";
import { ReservationStore } from "./reservation-store.js";

/** Every piece of state that must survive a restart, behind one object. */
export interface Store {
  readonly dialect: StoreDialect;
  readonly reservations: ReservationStore;
  readonly orders: OrderStore;
  readonly ownedNumbers: OwnedNumberStore;
  readonly releases: ReleaseStore;
  readonly audit: AuditStore;
  readonly inventoryDrifts: InventoryDriftStore;
  close(): Promise<void>;
}

export async function openStore(options: OpenDatabaseOptions & { readonly now?: () => number }): Promise<Store> {
  const { db, dialect, close } = await openDatabase(options);
  return {
    dialect,
    reservations: new ReservationStore(db),
    orders: new OrderStore(db),
    ownedNumbers: new OwnedNumberStore(db),
    releases: new ReleaseStore(db),
    audit: new AuditStore(db, options.now ?? (() => Date.now())),
    inventoryDrifts: new InventoryDriftStore(db),
    close,
  };
}
