import { z } from "zod";
import type { TelnyxEmulatedAccount } from "./telnyx-emulator-account.js";
import { portingOrderSchema, type EmulatedPortingOrder } from "./telnyx-emulator-porting-model.js";

const orderStatus = z.enum(["pending", "success", "failure"]);
const optionalText = z.string().optional();

/**
 * What the Telnyx emulator remembers across a restart when the sandbox keeps its state (NUMBERGATE_DATA_DIR): the
 * account's numbers with their inventory ids, number orders (with their progress, so a pending one goes on from where
 * it was), reservations, porting orders (with their walk) and the purchase history. Porting orders came later: a
 * saved state without them reads as none. Test controls (unavailable numbers) are not carrier state.
 */
const telnyxSavedStateSchema = z.object({
  version: z.literal(1),
  phoneNumbers: z.array(
    z.object({
      id: z.string(),
      phoneNumber: z.string(),
      status: z.enum(["purchase-pending", "active"]),
      numberType: z.string(),
      countryCode: z.string(),
      createdAt: z.string(),
      purchasedAt: z.string(),
      updatedAt: z.string(),
      orderId: optionalText,
    }),
  ),
  orders: z.array(
    z.object({
      id: z.string(),
      customerReference: optionalText,
      status: orderStatus,
      polls: z.number().int().nonnegative(),
      createdAt: z.string(),
      updatedAt: z.string(),
      phoneNumbers: z.array(
        z.object({ id: z.string(), phoneNumber: z.string(), outcome: z.enum(["success", "failure"]), status: orderStatus, numberType: z.string(), countryCode: z.string() }),
      ),
    }),
  ),
  reservations: z.array(
    z.object({
      id: z.string(),
      customerReference: optionalText,
      status: z.enum(["success", "failure", "partial_success"]),
      createdAt: z.string(),
      updatedAt: z.string(),
      phoneNumbers: z.array(
        z.object({ id: z.string(), phoneNumber: z.string(), status: z.enum(["success", "failure"]), expiredAt: z.string(), errors: optionalText, createdAt: z.string(), updatedAt: z.string() }),
      ),
    }),
  ),
  purchases: z.array(z.string()),
  portingOrders: z.array(portingOrderSchema).default([]),
});

export type TelnyxSavedState = z.infer<typeof telnyxSavedStateSchema>;

export function saveTelnyxState(account: TelnyxEmulatedAccount, portingOrders: ReadonlyMap<string, EmulatedPortingOrder>): TelnyxSavedState {
  // JSON drops the undefined optional fields, which the schema reads back as absent.
  return JSON.parse(
    JSON.stringify({
      version: 1,
      phoneNumbers: [...account.phoneNumbers.values()],
      orders: [...account.orders.values()],
      reservations: [...account.reservations.values()],
      purchases: account.purchases,
      portingOrders: [...portingOrders.values()],
    }),
  ) as TelnyxSavedState;
}

/** Replaces the account's state with a saved one; throws naming the first field that does not fit. */
export function restoreTelnyxState(account: TelnyxEmulatedAccount, portingOrders: Map<string, EmulatedPortingOrder>, saved: unknown): void {
  const parsed = telnyxSavedStateSchema.safeParse(saved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join(".") || "state"}: ${issue?.message ?? "invalid"}`);
  }
  const state = parsed.data;
  account.phoneNumbers.clear();
  for (const record of state.phoneNumbers) account.phoneNumbers.set(record.id, { ...record });
  account.orders.clear();
  for (const order of state.orders) account.orders.set(order.id, { ...order, customerReference: order.customerReference, phoneNumbers: order.phoneNumbers.map((entry) => ({ ...entry })) });
  account.reservations.clear();
  for (const reservation of state.reservations) {
    const phoneNumbers = reservation.phoneNumbers.map((entry) => ({ ...entry, errors: entry.errors }));
    account.reservations.set(reservation.id, { ...reservation, customerReference: reservation.customerReference, phoneNumbers });
  }
  account.purchases.splice(0, account.purchases.length, ...state.purchases);
  portingOrders.clear();
  for (const order of state.portingOrders) portingOrders.set(order.id, structuredClone(order));
}
