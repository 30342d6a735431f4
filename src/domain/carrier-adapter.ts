import type {
  CarrierOrderLookup,
  CarrierOrderStatus,
  CarrierOwnedNumbersPage,
  CarrierPortabilityAnswer,
  CarrierPortInRequest,
  CarrierPortInStatus,
  CarrierPurchaseRequest,
  CarrierReleaseLookup,
  CarrierReleaseRequest,
  CarrierReleaseResult,
  CarrierReleaseStatus,
  CarrierReservation,
  CarrierReservationRequest,
} from "./carrier-lifecycle.js";
import type { ParsedPhoneNumber } from "./phone-number.js";
import type {
  AvailableNumberOffer,
  Capability,
  CarrierId,
  NumberSearchCriteria,
  NumberType,
} from "./numbers.js";

/** What a carrier can do, as plain data the manager selects on. */
export interface CarrierDescriptor {
  readonly id: CarrierId;
  readonly displayName: string;
  readonly capabilities: readonly Capability[];
  readonly numberTypes: readonly NumberType[];
  /** ISO 3166-1 alpha-2 codes the carrier sells numbers in. */
  readonly countries: readonly string[];
  readonly supportsReservations: boolean;
  readonly supportsPorting: boolean;
  /** How many numbers one carrier purchase order may carry (Twilio buys one number per request). */
  readonly maxNumbersPerPurchase: number;
}

export interface CarrierCallOptions {
  /** Aborted when the caller gives up or the per-call timeout fires. */
  readonly signal?: AbortSignal;
}

export interface CarrierSearchResult {
  /** Offers without operator prices; the manager prices them. */
  readonly numbers: readonly AvailableNumberOffer[];
  /** Things the caller should know (for example a criterion the carrier ignored). */
  readonly warnings: readonly string[];
}

export type CriteriaSupport = { readonly supported: true } | { readonly supported: false; readonly reason: string };

/**
 * One carrier, spoken to in its own wire format. Methods carry a `do` prefix: callers go through the
 * provider manager (selection, failover, resilience), never to an adapter directly.
 * Optional methods are capabilities a carrier adapter may not have yet; the manager checks presence.
 */
export interface CarrierAdapter {
  readonly specificationVersion: "v1";
  readonly descriptor: CarrierDescriptor;
  /** Whether this carrier's API can express the search at all (pattern syntax, required fields). */
  supportsSearch(criteria: NumberSearchCriteria): CriteriaSupport;
  doSearch(criteria: NumberSearchCriteria, options: CarrierCallOptions): Promise<CarrierSearchResult>;
  /** The offer when the carrier has the number for sale now, undefined when it does not. */
  doCheckAvailability(number: ParsedPhoneNumber, options: CarrierCallOptions): Promise<AvailableNumberOffer | undefined>;
  /** A cheap authenticated read proving reachability and credentials. */
  doProbeHealth(options: CarrierCallOptions): Promise<void>;
  /** Releases connection pools. */
  close(): Promise<void>;

  /** Holds a number at the carrier (Bandwidth tnreservation, Telnyx number_reservations). */
  doReserve?(request: CarrierReservationRequest, options: CarrierCallOptions): Promise<CarrierReservation>;
  doCancelReservation?(carrierReservationId: string, options: CarrierCallOptions): Promise<void>;
  /** Places a purchase. Never retried blindly: an uncertain outcome is resolved with doGetOrderStatus. */
  doPurchase?(request: CarrierPurchaseRequest, options: CarrierCallOptions): Promise<CarrierOrderStatus>;
  /** Finds an order by carrier id or by numbergate's reference, or the numbers on the account. */
  doGetOrderStatus?(lookup: CarrierOrderLookup, options: CarrierCallOptions): Promise<CarrierOrderStatus | undefined>;
  /** Releases a number. Never retried blindly: an uncertain or pending release is followed with doGetReleaseStatus. */
  doRelease?(request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult>;
  doGetReleaseStatus?(lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus>;
  doListOwnedNumbers?(page: { readonly pageToken?: string; readonly pageSize: number }, options: CarrierCallOptions): Promise<CarrierOwnedNumbersPage>;
  doCheckPortability?(numbers: readonly ParsedPhoneNumber[], options: CarrierCallOptions): Promise<readonly CarrierPortabilityAnswer[]>;
  doCreatePortIn?(request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus>;
  doGetPortIn?(carrierOrderId: string, options: CarrierCallOptions): Promise<CarrierPortInStatus>;
  doCancelPortIn?(carrierOrderId: string, options: CarrierCallOptions): Promise<void>;
}
