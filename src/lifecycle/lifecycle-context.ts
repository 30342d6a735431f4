import { createHash, randomBytes } from "node:crypto";
import type { ProviderManager } from "../manager/provider-manager.js";
import type { Store } from "../store/store.js";
import type { Logger } from "../telemetry/logger.js";
import type { SpanStarter } from "../telemetry/tracing-noop.js";
import type { DetachedWork } from "./detached-work.js";

/** What every lifecycle service needs. */
export interface LifecycleContext {
  readonly store: Store;
  readonly manager: ProviderManager;
  readonly logger: Logger;
  readonly now: () => number;
  /** This replica's name in leases. */
  readonly replicaId: string;
  readonly settings: LifecycleSettings;
  /** Called after this replica takes or frees a hold, so searches stop (or start) showing the number at once. */
  readonly holdsChanged: () => void;
  /** Purchases and releases that outlive their RPC; shutdown drains them before closing the store. */
  readonly detached: DetachedWork;
  /** Where the reconciler's traces go (each linked to the purchase that made the order); no-op when untraced. */
  readonly tracer?: SpanStarter;
}

export interface LifecycleSettings {
  /** How long a replica may work an order before another may take it over (renewed while it works). */
  readonly leaseMs: number;
  /** Between checks of an unfinished or in-doubt order. */
  readonly orderCheckIntervalMs: number;
  /**
   * How long after a purchase request left numbergate the carrier may still show nothing before the order is
   * declared failed (the request never arrived).
   */
  readonly inDoubtGraceMs: number;
  /** How long PurchaseNumber waits for an order to become final before answering with it pending. */
  readonly purchaseWaitMs: number;
  readonly defaultReservationMs: number;
  readonly maxReservationMs: number;
  /** Background sweep interval (reservation expiry, order reconciliation). */
  readonly sweepIntervalMs: number;
}

/** A stable digest of what a request asks for, to tell a retry from a different request with the same request_id. */
export function fingerprint(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** Prefixed, URL-safe, unguessable ids: ord_..., res_... */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}

/** An order reference carriers accept (Bandwidth CustomerOrderId: alphanumerics and dashes, at most 40). */
export function orderReference(orderId: string): string {
  return `ng-${orderId.replace(/[^0-9A-Za-z]/g, "")}`.slice(0, 40);
}
