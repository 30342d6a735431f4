import type { Kysely, Selectable } from "kysely";
import { parseJson, type CustomerInfoRecord, type OwnedNumberRecord, type OwnedNumberState } from "./records.js";
import { OWNED_NUMBER_CUSTOMER_INFO } from "./encrypted-columns.js";
import type { FieldCipher } from "./field-cipher.js";
import type { Database, OwnedNumbersTable } from "./schema.js";

function toOwned(row: Selectable<OwnedNumbersTable>, cipher: FieldCipher): OwnedNumberRecord {
  return {
    id: row.id,
    phoneNumber: row.phone_number,
    carrierId: row.carrier_id,
    state: row.state as OwnedNumberState,
    carrierNumberId: row.carrier_number_id,
    numberType: row.number_type ?? undefined,
    locality: row.locality ?? undefined,
    region: row.region ?? undefined,
    capabilities: parseJson<string[]>(row.capabilities) ?? [],
    monthlyPriceCents: row.monthly_price_cents ?? undefined,
    currencyCode: row.currency_code ?? undefined,
    orderId: row.order_id,
    customerInfo: parseJson<CustomerInfoRecord>(cipher.open(OWNED_NUMBER_CUSTOMER_INFO, row.id, row.customer_info)),
    purchasedAt: row.purchased_at,
    releasedAt: row.released_at ?? undefined,
  };
}

export interface OwnedNumberPage {
  readonly numbers: readonly OwnedNumberRecord[];
  /** Keyset cursor of the last row, when there may be more. */
  readonly next: { readonly purchasedAt: number; readonly id: string } | undefined;
}

/** The numbers numbergate owns (or owned). */
export class OwnedNumberStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: FieldCipher,
  ) {}

  /** The live (active or releasing) ownership of a number, else its latest released one. */
  async findByPhoneNumber(phoneNumber: string): Promise<OwnedNumberRecord | undefined> {
    const rows = await this.db.selectFrom("owned_numbers").selectAll().where("phone_number", "=", phoneNumber).orderBy("purchased_at", "desc").execute();
    const live = rows.find((row) => row.state !== "released") ?? rows[0];
    return live ? toOwned(live, this.cipher) : undefined;
  }

  async get(id: string): Promise<OwnedNumberRecord | undefined> {
    const row = await this.db.selectFrom("owned_numbers").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toOwned(row, this.cipher) : undefined;
  }

  async list(filter: { carrierId?: string; state?: OwnedNumberState; pageSize: number; after?: { purchasedAt: number; id: string } }): Promise<OwnedNumberPage> {
    let query = this.db.selectFrom("owned_numbers").selectAll();
    if (filter.carrierId) query = query.where("carrier_id", "=", filter.carrierId);
    if (filter.state) query = query.where("state", "=", filter.state);
    const after = filter.after;
    if (after) {
      query = query.where((eb) => eb.or([eb("purchased_at", ">", after.purchasedAt), eb.and([eb("purchased_at", "=", after.purchasedAt), eb("id", ">", after.id)])]));
    }
    const rows = await query.orderBy("purchased_at").orderBy("id").limit(filter.pageSize + 1).execute();
    const page = rows.slice(0, filter.pageSize).map((row) => toOwned(row, this.cipher));
    const last = page.at(-1);
    return { numbers: page, next: rows.length > filter.pageSize && last ? { purchasedAt: last.purchasedAt, id: last.id } : undefined };
  }
}
