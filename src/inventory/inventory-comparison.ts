import { driftKey, type NumbergateInventory, type ObservedDrift } from "../store/inventory-drift-rows.js";
import type { ListedNumber } from "./inventory-listing.js";

export interface InventoryComparison {
  /** On the carrier's account, not owned by numbergate (bought elsewhere). */
  readonly unknownToNumbergate: readonly ObservedDrift[];
  /** Owned by numbergate, not on the carrier's account any more (released elsewhere). */
  readonly missingAtCarrier: readonly ObservedDrift[];
  /** driftKey of every difference found, so open drifts not among them can be marked gone. */
  readonly found: ReadonlySet<string>;
}

/**
 * Compares one carrier's complete list with numbergate's side of that carrier, read after the list. What an
 * order or a release is still settling is no drift yet. Orders are recorded before their carrier call, so a
 * number the carrier lists that numbergate bought is, by the time numbergate's side is read, owned or being
 * settled: never reported unknown. A number numbergate came to own after the listing started may simply not
 * have been on the pages already read, so only numbers owned before it can be reported missing.
 */
export function compareInventory(carrierId: string, listed: ReadonlyMap<string, ListedNumber>, numbergate: NumbergateInventory, listedSince: number): InventoryComparison {
  const live = new Map(numbergate.live.map((owned) => [owned.phoneNumber, owned]));
  const unknownToNumbergate: ObservedDrift[] = [];
  for (const number of listed.values()) {
    if (numbergate.inFlight.has(number.e164) || live.has(number.e164)) continue;
    unknownToNumbergate.push({
      carrierId,
      phoneNumber: number.e164,
      kind: "unknown_to_numbergate",
      carrierNumberId: number.carrierNumberId,
      numberType: number.numberType,
      capabilities: number.capabilities,
      ownedNumberId: undefined,
      detail: `${carrierId} has ${number.e164} (its id ${number.carrierNumberId}) on the account, and numbergate does not own it`,
    });
  }
  const missingAtCarrier: ObservedDrift[] = [];
  for (const owned of numbergate.live) {
    // A releasing number has a release in flight, which settles it.
    if (owned.state !== "active" || numbergate.inFlight.has(owned.phoneNumber) || owned.purchasedAt >= listedSince || listed.has(owned.phoneNumber)) continue;
    missingAtCarrier.push({
      carrierId,
      phoneNumber: owned.phoneNumber,
      kind: "missing_at_carrier",
      carrierNumberId: owned.carrierNumberId,
      numberType: undefined,
      capabilities: [],
      ownedNumberId: owned.id,
      detail: `numbergate owns ${owned.phoneNumber} (owned number ${owned.id}, order ${owned.orderId}), and ${carrierId} no longer lists it on the account`,
    });
  }
  return { unknownToNumbergate, missingAtCarrier, found: new Set([...unknownToNumbergate, ...missingAtCarrier].map(driftKey)) };
}
