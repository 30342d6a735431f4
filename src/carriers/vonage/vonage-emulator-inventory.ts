import { buildForeignInventory, buildInventory } from "../emulator-kit/inventory.js";
import type { Capability } from "../../domain/numbers.js";
import type { VonageNumberType } from "./vonage-wire.js";

/** Countries the emulator stocks: the US (shared area codes) and the foreign areas the emulator kit knows. */
export const VONAGE_EMULATED_FOREIGN_COUNTRIES = ["GB", "DE", "FR"] as const;

/** A number the emulated Vonage sells, as its search describes it. */
export interface VonageStockedNumber {
  /** E.164 digits without "+", as Vonage writes numbers. */
  readonly msisdn: string;
  readonly e164: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly type: VonageNumberType;
  /** In Vonage's order: VOICE, SMS, MMS (the order of its examples). */
  readonly features: readonly string[];
  readonly cost: string;
  readonly initialPrice: string;
}

interface Price {
  /** Monthly rental, EUR. */
  readonly cost: string;
  /** Setup fee, EUR. */
  readonly initialPrice: string;
}

/**
 * Monthly and setup prices in EUR, per country and type. GB landline 1.00 is the price in Vonage's own search
 * example (vonage/examples/number_search.response.json); the spec's example prices a number at 1.25 (cost and
 * initialPrice). The rest are of the same order: Vonage's price list is not part of the spec.
 */
const PRICES: Readonly<Record<string, Partial<Record<VonageNumberType, Price>>>> = {
  US: { landline: { cost: "0.90", initialPrice: "0.00" }, "landline-toll-free": { cost: "1.80", initialPrice: "0.00" } },
  GB: { landline: { cost: "1.00", initialPrice: "0.00" }, "mobile-lvn": { cost: "1.25", initialPrice: "1.25" } },
  DE: { landline: { cost: "1.35", initialPrice: "0.00" } },
  FR: { landline: { cost: "1.45", initialPrice: "0.00" } },
};

const FEATURE_NAMES: Readonly<Record<Exclude<Capability, "fax">, string>> = { voice: "VOICE", sms: "SMS", mms: "MMS" };

function features(capabilities: readonly Capability[]): string[] {
  // Vonage numbers have no fax feature.
  return (["voice", "sms", "mms"] as const).filter((capability) => capabilities.includes(capability)).map((capability) => FEATURE_NAMES[capability]);
}

function stocked(e164: string, country: string, type: VonageNumberType, capabilities: readonly Capability[]): VonageStockedNumber {
  const price = PRICES[country]?.[type] ?? { cost: "1.00", initialPrice: "0.00" };
  return { msisdn: e164.slice(1), e164, country, type, features: features(capabilities), ...price };
}

/**
 * The emulator's stock, deterministic: the US inventory every emulator shares (the same area codes, a few numbers
 * also sold by the other carriers so that deduplication is exercised) and a few local numbers in London, Berlin
 * and Paris.
 */
export function buildVonageInventory(): readonly VonageStockedNumber[] {
  const domestic = buildInventory("vonage").map((number) => stocked(number.e164, "US", number.tollFree ? "landline-toll-free" : "landline", number.capabilities));
  const foreign = buildForeignInventory("vonage", VONAGE_EMULATED_FOREIGN_COUNTRIES).map((number) => stocked(number.e164, number.country, "landline", number.capabilities));
  return [...domestic, ...foreign];
}
