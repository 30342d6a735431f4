import { activeTraceParent } from "../telemetry/trace-links.js";
import { CAPABILITIES, NUMBER_TYPES, type AvailableNumberOffer, type Capability, type NumberType } from "../domain/numbers.js";
import type { SubstitutionTarget } from "../manager/equivalent-numbers.js";
import type { AuditEntry } from "../store/audit-store.js";
import type { OfferSnapshot, OrderRecord } from "../store/records.js";
import { describeError } from "./carrier-answers.js";
import { newId, orderReference, type LifecycleContext } from "./lifecycle-context.js";
import { parseStoredNumber } from "../domain/phone-number.js";

/** The suffix of a substitute order's stored request_id: `#` is not allowed in a client's request_id, so it never collides. */
const SUBSTITUTE_REQUEST_SUFFIX = "#substitute";

/**
 * Whether a failed order provably never reached its carrier, so buying a substitute elsewhere cannot buy
 * twice. Only a one-number order qualifies, failed because numbergate did not call the carrier
 * (carrier_unavailable: disabled, drained, breaker open, limit full) or because the request never left
 * (a network or timeout refusal: a failure is recorded as definite for those kinds only when the request
 * provably never left; one that may have left is left in doubt and ends carrier_did_not_act, never this).
 * Refusals that can come from the carrier's answer (invalid request, not found, ...) are not substitutable,
 * even those an adapter raised before sending: the stored failure cannot tell them apart, and money safety
 * wins.
 */
export function neverReachedCarrier(order: OrderRecord): boolean {
  const [item] = order.items;
  if (order.state !== "failed" || order.items.length !== 1 || !item) return false;
  const failure = item.failure;
  if (failure?.kind === "carrier_unavailable") return true;
  return failure?.kind === "carrier_error" && (failure.carrierErrorKind === "network" || failure.carrierErrorKind === "timeout");
}

export interface SubstituteOptions {
  /** The failed order whose number is to be replaced (see neverReachedCarrier). */
  readonly original: OrderRecord;
  readonly maxMonthlyRateCents: number | undefined;
  readonly actor: string;
  /** Starts working a newly created order (as for any purchase). */
  readonly startWork: (order: OrderRecord) => void;
}

/**
 * Buys an equivalent number at another carrier for a failed order (PurchaseNumber allow_substitute): searches
 * the other carriers (see ProviderManager.findEquivalentNumbers) and creates the substitute order for the
 * best candidate that is not held, linked to the original in the same transaction. Returns the substitute
 * order; or the original with its substitution decided, when none could be bought (recorded, so every retry
 * of the request_id answers the same) or another caller decided first (its substitution says how).
 */
export async function buySubstitute(context: LifecycleContext, options: SubstituteOptions, signal?: AbortSignal): Promise<OrderRecord> {
  const { store, manager, now } = context;
  const { original } = options;
  const target = substitutionTarget(original, options.maxMonthlyRateCents);
  const requested = original.items[0]?.phoneNumber ?? "";
  const reason = original.items[0]?.detail || original.detail || `${original.carrierId} could not take the purchase`;
  let candidates: readonly AvailableNumberOffer[] = [];
  let searchProblem: string | undefined;
  try {
    candidates = target ? await manager.findEquivalentNumbers(target, signal) : [];
  } catch (error) {
    // The caller leaving says nothing about what the carriers offer: decide nothing, let a retry do it.
    signal?.throwIfAborted();
    searchProblem = describeError(error);
  }
  for (const offer of candidates) {
    const orderId = newId("ord");
    const audit = (entry: Omit<AuditEntry, "actor" | "requestId" | "resourceType">): AuditEntry => ({ actor: options.actor, requestId: original.requestId, resourceType: "order", ...entry });
    const created = await store.orders.createSubstitute(
      original.id,
      {
        id: orderId,
        requestId: `${original.requestId}${SUBSTITUTE_REQUEST_SUFFIX}`,
        fingerprint: original.requestFingerprint,
        carrierId: offer.carrierId,
        orderReference: orderReference(orderId),
        customerInfo: original.customerInfo,
        items: [{ phoneNumber: offer.phoneNumber, offer: snapshotOf(offer), reservationId: undefined }],
        now: now(),
        leaseOwner: context.replicaId,
        leaseUntil: now() + context.settings.leaseMs,
        traceParent: activeTraceParent(),
        substitution: { kind: "substitute", requestId: original.requestId, originalOrderId: original.id, requestedPhoneNumber: requested, requestedCarrierId: original.carrierId, reason },
        audit: audit({ carrierId: offer.carrierId, operation: "order.created", outcome: "pending", resourceId: orderId, detail: `substitute for ${requested} at ${original.carrierId} (order ${original.id}): ${reason}` }),
      },
      audit({ carrierId: original.carrierId, operation: "order.substituted", outcome: "replaced", resourceId: original.id, detail: `bought ${offer.phoneNumber} at ${offer.carrierId} instead (order ${orderId}): ${reason}` }),
    );
    switch (created.kind) {
      case "created":
        context.holdsChanged();
        options.startWork(created.order);
        return created.order;
      case "existing":
      case "request_id_reused":
        return created.order;
      case "decided":
        return created.original;
      case "unavailable":
        // Held or bought by someone else since the search: the next candidate.
        continue;
    }
  }
  const detail = !target
    ? "numbergate knows too little about the requested number to find an equivalent one"
    : searchProblem !== undefined
      ? `no other carrier could be searched for an equivalent number: ${searchProblem}`
      : candidates.length > 0
        ? "every equivalent number found was taken by someone else meanwhile"
        : "no other carrier offers an equivalent number now";
  const noneFound: AuditEntry = { actor: options.actor, requestId: original.requestId, carrierId: original.carrierId, operation: "order.substitute_not_found", outcome: "none_found", resourceType: "order", resourceId: original.id, detail };
  return store.orders.recordNoSubstitute(original.id, detail, noneFound, now());
}

/** The requested number of a failed order as the substitute must match it: its offer as numbergate recorded it. */
function substitutionTarget(original: OrderRecord, maxMonthlyRateCents: number | undefined): SubstitutionTarget | undefined {
  const [item] = original.items;
  if (!item) return undefined;
  const number = parseStoredNumber(item.phoneNumber);
  const offer = item.offer;
  const recordedType = NUMBER_TYPES.find((type) => type === offer?.numberType);
  const numberType: NumberType = recordedType ?? number.numberType ?? "local";
  const capabilities = (offer?.capabilities ?? []).filter((capability): capability is Capability => (CAPABILITIES as readonly string[]).includes(capability));
  return { number, carrierId: original.carrierId, numberType, capabilities, locality: offer?.locality, region: offer?.region, maxMonthlyRateCents };
}

function snapshotOf(offer: AvailableNumberOffer): OfferSnapshot {
  return {
    numberType: offer.numberType,
    locality: offer.locality,
    region: offer.region,
    capabilities: offer.capabilities,
    monthlyPriceCents: offer.monthlyPrice?.amountCents,
    currencyCode: offer.monthlyPrice?.currencyCode,
  };
}
