import type { EncryptedColumn } from "./field-cipher.js";

/** A column encrypted at rest, and the key column that names its rows in errors and batches. */
export interface EncryptedTableColumn extends EncryptedColumn {
  readonly rowKey: string;
}

/** Customer data (CustomerInfo as JSON) wherever a reservation, an order or an owned number keeps it. */
export const RESERVATION_CUSTOMER_INFO = { table: "reservations", column: "customer_info", rowKey: "id" } as const satisfies EncryptedTableColumn;
export const ORDER_CUSTOMER_INFO = { table: "number_orders", column: "customer_info", rowKey: "id" } as const satisfies EncryptedTableColumn;
export const OWNED_NUMBER_CUSTOMER_INFO = { table: "owned_numbers", column: "customer_info", rowKey: "id" } as const satisfies EncryptedTableColumn;

/** A porting order's personal data and the losing carrier account's secrets, each sealed on its own. */
export const PORTING_AUTHORIZED_NAME = { table: "porting_orders", column: "authorized_name", rowKey: "id" } as const satisfies EncryptedTableColumn;
export const PORTING_SERVICE_ADDRESS = { table: "porting_orders", column: "service_address", rowKey: "id" } as const satisfies EncryptedTableColumn;
export const PORTING_AUTHORIZED_EMAIL = { table: "porting_orders", column: "authorized_email", rowKey: "id" } as const satisfies EncryptedTableColumn;
export const PORTING_ACCOUNT_NUMBER = { table: "porting_orders", column: "account_number", rowKey: "id" } as const satisfies EncryptedTableColumn;
export const PORTING_PIN = { table: "porting_orders", column: "pin", rowKey: "id" } as const satisfies EncryptedTableColumn;

/** Every encrypted column: what `npm run admin -- reencrypt` walks. A new encrypted column is added here. */
export const ENCRYPTED_COLUMNS: readonly EncryptedTableColumn[] = [
  RESERVATION_CUSTOMER_INFO,
  ORDER_CUSTOMER_INFO,
  OWNED_NUMBER_CUSTOMER_INFO,
  PORTING_AUTHORIZED_NAME,
  PORTING_SERVICE_ADDRESS,
  PORTING_AUTHORIZED_EMAIL,
  PORTING_ACCOUNT_NUMBER,
  PORTING_PIN,
];
