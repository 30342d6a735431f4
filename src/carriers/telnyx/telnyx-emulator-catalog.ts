import { buildForeignInventory, buildInventory } from "../emulator-kit/inventory.js";

/** A number the Telnyx emulator has for sale, with what its search reports about it. */
export interface TelnyxCatalogNumber {
  readonly e164: string;
  /** ISO 3166-1 alpha-2. */
  readonly countryCode: string;
  /** Without the country calling code. */
  readonly nationalNumber: string;
  /** The national destination code (NANP area code, London's 20). */
  readonly destinationCode: string;
  readonly numberType: "local" | "toll_free";
  readonly locality: string | undefined;
  /** US state (administrative_area and region_information `state`). */
  readonly administrativeArea: string | undefined;
  readonly rateCenter: string | undefined;
  /** Feature names as Telnyx writes them (sms, mms, voice, fax, emergency, hd_voice, ...). */
  readonly features: readonly string[];
  /** Decimal strings, as `cost_information` carries them. */
  readonly monthlyCost: string;
  readonly upfrontCost: string;
  /** "Only applicable for +1 toll_free numbers" (spec): those that need no extra time to activate. */
  readonly quickship: boolean;
}

/** The countries the emulator stocks outside the NANP (emulator-kit inventory). */
export const TELNYX_FOREIGN_COUNTRIES = ["GB", "DE", "FR"] as const;

/**
 * Monthly and upfront costs in USD by country and type. US local is the docs' samples' figure ("1.00000", telnyx.md
 * examples); the others are emulator figures in the same form (5 decimals), not Telnyx's list prices.
 */
const COSTS: Readonly<Record<string, { readonly monthly: string; readonly upfront: string }>> = {
  "US:local": { monthly: "1.00000", upfront: "1.00000" },
  "US:toll_free": { monthly: "2.00000", upfront: "1.00000" },
  "GB:local": { monthly: "1.20000", upfront: "1.20000" },
  "DE:local": { monthly: "1.40000", upfront: "1.40000" },
  "FR:local": { monthly: "1.75000", upfront: "1.75000" },
};

/** National destination code lengths of the emulated foreign areas: London 20, Berlin 30, Paris 1. */
const DESTINATION_CODE_DIGITS: Readonly<Record<string, number>> = { GB: 2, DE: 2, FR: 1 };

function costOf(countryCode: string, numberType: string): { readonly monthly: string; readonly upfront: string } {
  const cost = COSTS[`${countryCode}:${numberType}`];
  if (!cost) throw new Error(`the Telnyx emulator has no price for ${countryCode} ${numberType}`);
  return cost;
}

/**
 * What the emulator sells: the shared US inventory under Telnyx's seed (the same area codes as the other emulators,
 * with the few numbers they share) and a few local numbers in London, Berlin and Paris, sorted by number.
 */
export function buildTelnyxCatalog(): readonly TelnyxCatalogNumber[] {
  const domestic = buildInventory("telnyx").map((number): TelnyxCatalogNumber => {
    const numberType = number.tollFree ? "toll_free" : "local";
    const cost = costOf("US", numberType);
    const voice = number.capabilities.includes("voice");
    const extras = number.tollFree ? [] : ["emergency", ...(voice ? ["hd_voice"] : [])];
    return {
      e164: number.e164,
      countryCode: "US",
      nationalNumber: number.nationalNumber,
      destinationCode: number.npa,
      numberType,
      locality: number.city,
      administrativeArea: number.state,
      rateCenter: number.rateCenter,
      features: [...number.capabilities, ...extras],
      monthlyCost: cost.monthly,
      upfrontCost: cost.upfront,
      quickship: number.tollFree,
    };
  });
  const foreign = buildForeignInventory("telnyx", TELNYX_FOREIGN_COUNTRIES).map((number): TelnyxCatalogNumber => {
    const cost = costOf(number.country, "local");
    return {
      e164: number.e164,
      countryCode: number.country,
      nationalNumber: number.nationalNumber,
      destinationCode: number.nationalNumber.slice(0, DESTINATION_CODE_DIGITS[number.country] ?? 0),
      numberType: "local",
      locality: number.city,
      administrativeArea: undefined,
      rateCenter: undefined,
      features: [...number.capabilities],
      monthlyCost: cost.monthly,
      upfrontCost: cost.upfront,
      quickship: false,
    };
  });
  return [...domestic, ...foreign];
}

