import { randomBytes } from "node:crypto";
import type { TelnyxCatalogNumber } from "./telnyx-emulator-catalog.js";

/** A number on the emulated account (PhoneNumberDetailed), under its numeric inventory id. */
export interface EmulatedPhoneNumber {
  readonly id: string;
  readonly phoneNumber: string;
  /** purchase-pending while its number order is open, then active. */
  status: "purchase-pending" | "active";
  readonly numberType: string;
  readonly countryCode: string;
  readonly createdAt: string;
  readonly purchasedAt: string;
  updatedAt: string;
  /** The number order that bought it; absent for numbers a test put on the account by hand. */
  readonly orderId?: string;
  /** How it came to the account (the spec's source_type): bought, or ported in by a porting order. */
  readonly source?: "number_order" | "port_request";
}

/** One number of a number order: its outcome is settled when the order is accepted, and shown once it completes. */
export interface EmulatedOrderNumber {
  readonly id: string;
  readonly phoneNumber: string;
  readonly outcome: "success" | "failure";
  status: "pending" | "success" | "failure";
  readonly numberType: string;
  readonly countryCode: string;
}

export interface EmulatedNumberOrder {
  readonly id: string;
  readonly customerReference: string | undefined;
  status: "pending" | "success" | "failure";
  /** GETs of the order so far; it completes on the one after `pollsBeforeFinal`. */
  polls: number;
  readonly createdAt: string;
  updatedAt: string;
  readonly phoneNumbers: readonly EmulatedOrderNumber[];
}

export interface EmulatedReservedNumber {
  readonly id: string;
  readonly phoneNumber: string;
  readonly status: "success" | "failure";
  expiredAt: string;
  readonly errors: string | undefined;
  readonly createdAt: string;
  updatedAt: string;
}

export interface EmulatedReservation {
  readonly id: string;
  readonly customerReference: string | undefined;
  /** success, failure, or the guide's partial_success (outside the spec's enum; telnyx.md, Reserve). */
  readonly status: "success" | "failure" | "partial_success";
  readonly createdAt: string;
  updatedAt: string;
  readonly phoneNumbers: readonly EmulatedReservedNumber[];
}

/** "Reservations last 30 minutes" and extend adds another 30 (telnyx.md, Reserve [S6]). */
export const RESERVATION_LIFETIME_MS = 30 * 60_000;
/** Default GETs of a number order answered pending before it completes. */
export const DEFAULT_POLLS_BEFORE_FINAL = 1;

/**
 * The emulated Telnyx account: what it sells, what it holds, its number orders and reservations, and every purchase.
 * A number is for sale to it while it is in the catalogue, not held elsewhere (`unavailable`) and not on the account
 * (a number enters the account, purchase-pending, the moment an order for it is accepted). Its own reservations do
 * not stop it buying: Telnyx holds a reserved number for the account that reserved it.
 */
export class TelnyxEmulatedAccount {
  readonly catalog: ReadonlyMap<string, TelnyxCatalogNumber>;
  /** Numbers held elsewhere (E.164): they vanish from search and cannot be bought or reserved. */
  readonly unavailable = new Set<string>();
  /** Numbers on the account by inventory id, in purchase order. */
  readonly phoneNumbers = new Map<string, EmulatedPhoneNumber>();
  readonly orders = new Map<string, EmulatedNumberOrder>();
  readonly reservations = new Map<string, EmulatedReservation>();
  /** Every successful purchase (E.164), in order, added when its order completes: a double buy shows up here. */
  readonly purchases: string[] = [];
  pollsBeforeFinal = DEFAULT_POLLS_BEFORE_FINAL;

  constructor(
    catalog: readonly TelnyxCatalogNumber[],
    /** Milliseconds since the epoch; reservations expire by it. */
    readonly now: () => number,
    /** The clock porting orders walk on (their FOC dates); the same clock unless sandbox mode speeds porting up. */
    readonly portingNow: () => number = now,
    /** The clock a requested FOC date is judged on (must be in the future); the porting clock unless told otherwise. */
    readonly portingRequestNow: () => number = portingNow,
  ) {
    this.catalog = new Map(catalog.map((number) => [number.e164, number]));
  }

  isForSale(e164: string): boolean {
    return this.catalog.has(e164) && !this.unavailable.has(e164) && this.heldRecordOf(e164) === undefined;
  }

  heldRecordOf(e164: string): EmulatedPhoneNumber | undefined {
    for (const record of this.phoneNumbers.values()) if (record.phoneNumber === e164) return record;
    return undefined;
  }

  /** Whether an unexpired reservation of this account holds the number. */
  isReserved(e164: string): boolean {
    const now = this.now();
    for (const reservation of this.reservations.values()) {
      if (reservation.phoneNumbers.some((entry) => entry.phoneNumber === e164 && entry.status === "success" && Date.parse(entry.expiredAt) > now)) return true;
    }
    return false;
  }

  /** Puts a number on the account, active, as if bought outside numbergate (not counted in `purchases`); returns its id. */
  addPhoneNumber(e164: string, orderId?: string, status: EmulatedPhoneNumber["status"] = "active", source: EmulatedPhoneNumber["source"] = "number_order"): string {
    const stocked = this.catalog.get(e164);
    const at = new Date(this.now()).toISOString();
    const id = newInventoryId(new Set(this.phoneNumbers.keys()));
    this.phoneNumbers.set(id, {
      id,
      phoneNumber: e164,
      status,
      numberType: stocked?.numberType ?? "local",
      countryCode: stocked?.countryCode ?? "US",
      createdAt: at,
      purchasedAt: at,
      updatedAt: at,
      ...(orderId === undefined ? {} : { orderId }),
      source,
    });
    return id;
  }
}

/** A 19-digit numeric id, as the spec's examples write inventory ids ("1293384261075731499"). */
function newInventoryId(taken: ReadonlySet<string>): string {
  for (;;) {
    const id = `1${(randomBytes(8).readBigUInt64BE() % 10n ** 18n).toString().padStart(18, "0")}`;
    if (!taken.has(id)) return id;
  }
}
