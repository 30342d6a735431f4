import { expect, vi } from "vitest";
import { Metadata } from "nice-grpc";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import { InventoryDriftKind, type InventoryCount, type InventoryDrift } from "../../generated/numbergate/v1/providers.js";
import type { AuditRecord } from "../../src/store/audit-store.js";
import type { Harness } from "../support/harness.js";

/** Helpers shared by the inventory reconciliation suites. */

/** Environment under which nothing reconciles by itself and unfinished orders are not polled during a test. */
export const ON_DEMAND = {
  NUMBERGATE_RECONCILE_INTERVAL: "0",
  NUMBERGATE_PURCHASE_WAIT: "0",
  NUMBERGATE_ORDER_CHECK_INTERVAL: "600000",
} as const;

/** Calls carry a client name, so audit rows can be checked for who asked. */
export const AS_ADMIN = { metadata: Metadata({ "x-numbergate-client": "inventory-admin" }) };

export async function forSaleAt(harness: Harness, providerId: string, areaCode: string, count: number): Promise<string[]> {
  const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit: count });
  const found = numbers.map((number) => number.phoneNumber);
  expect(found.length, `${providerId} has ${count} numbers for sale in ${areaCode}`).toBeGreaterThanOrEqual(count);
  return found.slice(0, count);
}

/** Buys through numbergate at Twilio, which sells at once, and waits for the order to be recorded complete. */
export async function buyAtTwilio(harness: Harness, phoneNumber: string): Promise<void> {
  const { order } = await harness.client.purchaseNumber({ requestId: `buy-${phoneNumber.slice(1)}`, phoneNumber, providerId: "twilio" });
  const orderId = order?.orderId ?? "";
  await vi.waitFor(async () => expect((await harness.client.getNumberOrder({ orderId })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED));
}

/** "+12125550101" -> "2125550101", as Bandwidth writes TNs. */
export function tnOf(e164: string): string {
  return e164.slice(2);
}

export function countOf(counts: readonly InventoryCount[], providerId: string): InventoryCount | undefined {
  return counts.find((count) => count.providerId === providerId);
}

/** "twilio +12125550101 UNKNOWN_TO_NUMBERGATE" for each drift, sorted: what a test compares. */
export function summary(drifts: readonly InventoryDrift[]): string[] {
  return drifts.map((drift) => `${drift.providerId} ${drift.phoneNumber} ${InventoryDriftKind[drift.kind].replace("INVENTORY_DRIFT_KIND_", "")}`).sort();
}

export async function auditRows(harness: Harness, operation: string): Promise<AuditRecord[]> {
  return (await harness.app.store.audit.list(0, 10_000)).filter((row) => row.operation === operation);
}
