import { z } from "zod";
import type { BandwidthNumberState, EmulatedOrder } from "./bandwidth-emulator-orders.js";
import type { EmulatedDisconnect } from "./bandwidth-emulator-disconnects.js";
import type { BandwidthPortIns } from "./bandwidth-emulator-portins.js";
import { portInRecordSchema } from "./bandwidth-emulator-portins-state.js";

const statusSchema = z.enum(["RECEIVED", "PROCESSING", "COMPLETE", "PARTIAL", "FAILED"]);
const progress = { status: statusSchema, polls: z.number().int().nonnegative(), lastModifiedAt: z.string(), createdAt: z.string() };

/**
 * What the Bandwidth emulator remembers across a restart when the sandbox keeps its state (NUMBERGATE_DATA_DIR):
 * TNs in service, reservations, new-number orders and disconnect orders (with their progress, so an order still
 * PROCESSING goes on from where it was), port-ins (with their documents' names and their history) and the purchase
 * history. Test controls (refusing, unavailable) and the notification receiver are not carrier state. A state saved
 * before port-ins existed has none.
 */
const bandwidthSavedStateSchema = z.object({
  version: z.literal(1),
  owned: z.array(z.string()),
  reservations: z.array(z.tuple([z.string(), z.string()])),
  orders: z.array(
    z.object({
      ...progress,
      id: z.string(),
      customerOrderId: z.string().optional(),
      siteId: z.string(),
      peerId: z.string().optional(),
      partialAllowed: z.boolean(),
      requested: z.array(z.string()),
      committed: z.array(z.string()),
    }),
  ),
  disconnects: z.array(
    z.object({
      ...progress,
      id: z.string(),
      customerOrderId: z.string().optional(),
      requested: z.array(z.string()),
      refused: z.array(z.tuple([z.string(), z.object({ code: z.string(), description: z.string() })])),
    }),
  ),
  purchases: z.array(z.string()),
  portins: z.array(portInRecordSchema).default([]),
});

export type BandwidthSavedState = z.infer<typeof bandwidthSavedStateSchema>;

export function saveBandwidthState(numbers: BandwidthNumberState, portins: BandwidthPortIns): BandwidthSavedState {
  return {
    version: 1,
    owned: [...numbers.owned],
    reservations: [...numbers.reservations],
    orders: [...numbers.orders.values()].map((order) => ({ ...order, requested: [...order.requested], committed: [...order.committed] })),
    disconnects: [...numbers.disconnects.records.values()].map((record) => ({ ...record, requested: [...record.requested], refused: [...record.refused] })),
    purchases: [...numbers.purchases],
    portins: [...portins.records.values()].map((record) => structuredClone(record)),
  };
}

/** Replaces the emulator's number state with a saved one; throws naming the first field that does not fit. */
export function restoreBandwidthState(numbers: BandwidthNumberState, portins: BandwidthPortIns, saved: unknown): void {
  const parsed = bandwidthSavedStateSchema.safeParse(saved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join(".") || "state"}: ${issue?.message ?? "invalid"}`);
  }
  const state = parsed.data;
  numbers.owned.clear();
  for (const tn of state.owned) numbers.owned.add(tn);
  numbers.reservations.clear();
  for (const [id, tn] of state.reservations) numbers.reservations.set(id, tn);
  numbers.orders.clear();
  for (const order of state.orders) {
    const restored: EmulatedOrder = { ...order, customerOrderId: order.customerOrderId, peerId: order.peerId };
    numbers.orders.set(order.id, restored);
  }
  numbers.disconnects.records.clear();
  for (const record of state.disconnects) {
    const disconnect: EmulatedDisconnect = { ...record, customerOrderId: record.customerOrderId, refused: new Map(record.refused) };
    numbers.disconnects.records.set(record.id, disconnect);
  }
  numbers.purchases.splice(0, numbers.purchases.length, ...state.purchases);
  portins.records.clear();
  for (const record of state.portins) portins.records.set(record.id, record);
}
