/** A carrier's id ("twilio"): the registry (src/carriers/registry.ts) says which exist. */
export type CarrierId = string;

export const CAPABILITIES = ["voice", "sms", "mms", "fax"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const NUMBER_TYPES = ["local", "toll_free", "mobile"] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];

/** An amount in integer minor units (cents). */
export interface MoneyAmount {
  readonly currencyCode: string;
  readonly amountCents: number;
}

export type PriceSource = "carrier" | "price_table";

/** A number a carrier offers for sale, in carrier-neutral terms. */
export interface AvailableNumberOffer {
  /** E.164. */
  readonly phoneNumber: string;
  readonly carrierId: CarrierId;
  readonly numberType: NumberType;
  /** ISO 3166-1 alpha-2. */
  readonly countryCode: string;
  readonly locality?: string;
  readonly region?: string;
  readonly rateCenter?: string;
  readonly capabilities: readonly Capability[];
  readonly monthlyPrice?: MoneyAmount;
  readonly priceSource?: PriceSource;
}

/** Where in the national number a pattern's digits must appear. */
export type NumberPatternPosition = "starts_with" | "ends_with" | "contains";

export interface NumberPattern {
  readonly position: NumberPatternPosition;
  readonly digits: string;
}

/** A validated, normalized search, as carriers receive it. */
export interface NumberSearchCriteria {
  readonly countryCode: string;
  readonly numberType: NumberType;
  readonly areaCode?: string;
  readonly city?: string;
  readonly region?: string;
  readonly pattern?: NumberPattern;
  readonly features: readonly Capability[];
  /** How many numbers the caller still needs from this carrier. */
  readonly limit: number;
}
