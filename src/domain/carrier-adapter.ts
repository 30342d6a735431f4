import type {
  CarrierOrderLookup,
  CarrierOrderStatus,
  CarrierOwnedNumbersPage,
  CarrierPortabilityAnswer,
  CarrierNotification,
  CarrierNotificationReading,
  CarrierPortInDocument,
  CarrierPortInLookup,
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

/**
 * What a carrier can do, as plain data: the one declaration routing, ListProviders and the lifecycle read.
 * Nothing decides a capability from whether an adapter happens to have a method; registration checks the
 * declaration against the methods instead (see `declarationProblems`).
 */
export interface CarrierDescriptor {
  readonly id: CarrierId;
  readonly displayName: string;
  readonly capabilities: readonly Capability[];
  readonly numberTypes: readonly NumberType[];
  /** ISO 3166-1 alpha-2 codes the carrier sells numbers in. */
  readonly countries: readonly string[];
  /** The carrier holds numbers itself (doReserve, doCancelReservation); otherwise numbergate holds them alone. */
  readonly supportsReservations: boolean;
  /** The carrier answers whether numbers can be ported in to it (doCheckPortability). */
  readonly supportsPortabilityChecks: boolean;
  /** Port-ins are built for this carrier (the methods of CARRIER_FEATURE_METHODS.porting). */
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
 * Optional methods back the features of CARRIER_FEATURE_METHODS: the descriptor declares which ones the
 * carrier offers, and callers reach them through `featureMethods`, never by testing for a method.
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
  /** Submits a port-in. Never retried blindly: an uncertain outcome is resolved with doFindPortIn. */
  doCreatePortIn?(request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus>;
  /** The port-in a lost create made, or undefined when the carrier has none (it was never created). */
  doFindPortIn?(lookup: CarrierPortInLookup, options: CarrierCallOptions): Promise<CarrierPortInStatus | undefined>;
  doGetPortIn?(carrierOrderId: string, options: CarrierCallOptions): Promise<CarrierPortInStatus>;
  /**
   * Corrects a port-in the carrier sent back (wrong PIN, account number, address) and submits it again: a
   * supplement at Bandwidth, PATCH and confirm at Telnyx, a new port-in request at Twilio (a new carrierOrderId).
   */
  doResubmitPortIn?(carrierOrderId: string, request: CarrierPortInRequest, options: CarrierCallOptions): Promise<CarrierPortInStatus>;
  /** Hands the carrier a document for the port-in (Bandwidth LOA upload, Telnyx document ids); the status after. */
  doAttachPortInDocument?(carrierOrderId: string, document: CarrierPortInDocument, options: CarrierCallOptions): Promise<CarrierPortInStatus>;
  /** Cancels a port-in; the carrier's refusal (after FOC) is an invalid_request CarrierError with its words. */
  doCancelPortIn?(carrierOrderId: string, options: CarrierCallOptions): Promise<void>;
  /**
   * Verifies a status notification as the carrier specifies (signature, credentials) and reads it. Local: no
   * carrier call, so no `do` prefix; never throws on a bad notification, answers verified: false.
   */
  readPortInNotification?(notification: CarrierNotification): CarrierNotificationReading;
}

/**
 * The features numbergate offers at a carrier beyond search, availability and probes, each with the adapter
 * methods it needs. Purchases, releases and listing the account's numbers (inventory reconciliation) are what
 * a carrier is registered for, so every carrier declares them; reservations, portability checks and port-ins
 * are declared per carrier in its descriptor.
 */
export const CARRIER_FEATURE_METHODS = {
  purchases: ["doPurchase", "doGetOrderStatus"],
  releases: ["doRelease", "doGetReleaseStatus"],
  inventory: ["doListOwnedNumbers"],
  reservations: ["doReserve", "doCancelReservation"],
  portability: ["doCheckPortability"],
  porting: ["doCreatePortIn", "doFindPortIn", "doGetPortIn", "doResubmitPortIn", "doAttachPortInDocument", "doCancelPortIn", "readPortInNotification"],
} as const satisfies Record<string, readonly (keyof CarrierAdapter)[]>;

export type CarrierFeature = keyof typeof CARRIER_FEATURE_METHODS;

export const ALL_CARRIER_FEATURES = Object.keys(CARRIER_FEATURE_METHODS) as readonly CarrierFeature[];

/** An adapter seen through one feature: the feature's methods are there. */
export type FeatureMethods<Feature extends CarrierFeature> = CarrierAdapter & Required<Pick<CarrierAdapter, (typeof CARRIER_FEATURE_METHODS)[Feature][number]>>;

/** The features a descriptor declares. */
export function declaredFeatures(descriptor: CarrierDescriptor): ReadonlySet<CarrierFeature> {
  const features = new Set<CarrierFeature>(["purchases", "releases", "inventory"]);
  if (descriptor.supportsReservations) features.add("reservations");
  if (descriptor.supportsPortabilityChecks) features.add("portability");
  if (descriptor.supportsPorting) features.add("porting");
  return features;
}

function methodsPresent(adapter: CarrierAdapter, feature: CarrierFeature): { present: string[]; missing: string[] } {
  const present: string[] = [];
  const missing: string[] = [];
  for (const method of CARRIER_FEATURE_METHODS[feature]) (typeof adapter[method] === "function" ? present : missing).push(method);
  return { present, missing };
}

/**
 * Where an adapter's declaration and its methods disagree: a declared feature missing methods (it is not
 * offered, and the declaration must be fixed), or methods of a feature it does not declare (not offered
 * either: the declaration decides). Empty when they agree.
 */
export function declarationProblems(adapter: CarrierAdapter): readonly string[] {
  const declared = declaredFeatures(adapter.descriptor);
  const problems: string[] = [];
  for (const feature of ALL_CARRIER_FEATURES) {
    const { present, missing } = methodsPresent(adapter, feature);
    if (declared.has(feature) && missing.length > 0) problems.push(`${adapter.descriptor.id} declares ${feature} but has no ${missing.join(", ")}`);
    if (!declared.has(feature) && present.length > 0) problems.push(`${adapter.descriptor.id} has ${present.join(", ")} but does not declare ${feature}`);
  }
  return problems;
}

/** The features numbergate offers at this carrier: declared, with every method they need. */
export function offeredFeatures(adapter: CarrierAdapter): ReadonlySet<CarrierFeature> {
  const declared = declaredFeatures(adapter.descriptor);
  return new Set(ALL_CARRIER_FEATURES.filter((feature) => declared.has(feature) && methodsPresent(adapter, feature).missing.length === 0));
}

/**
 * The adapter typed with a feature's methods when numbergate offers that feature at the carrier, else
 * undefined. The one way to reach an optional method: `featureMethods(adapter, "reservations")?.doReserve(...)`.
 */
export function featureMethods<Feature extends CarrierFeature>(adapter: CarrierAdapter, feature: Feature): FeatureMethods<Feature> | undefined {
  if (!offeredFeatures(adapter).has(feature)) return undefined;
  // Every method of the feature was just checked to be a function.
  return adapter as FeatureMethods<Feature>;
}
