import type { Capability } from "../../domain/numbers.js";
import { buildForeignInventory, buildInventory } from "../emulator-kit/inventory.js";

/** Countries the Plivo emulator stocks besides the US (see EMULATED_FOREIGN_AREAS). */
export const PLIVO_FOREIGN_COUNTRIES = ["GB", "DE", "FR"] as const;

export type PlivoRestriction = "city-address" | "country-address" | null;

/** A number the emulated Plivo has for sale, with what its search and account answers say about it. */
export interface PlivoStockedNumber {
  readonly e164: string;
  /** The number as Plivo writes it: E.164 digits without "+". */
  readonly digits: string;
  readonly countryIso: string;
  /** Without the country calling code. */
  readonly nationalNumber: string;
  /** The area code or national prefix (`prefix` in search answers). */
  readonly prefix: string;
  readonly kind: "fixed" | "tollfree";
  readonly city: string | null;
  /** The state code of a US number ("NY"): Plivo's region filter takes it, or the region's name. */
  readonly regionCode: string | undefined;
  readonly regionName: string;
  readonly rateCenter: string | undefined;
  readonly lata: number | undefined;
  readonly capabilities: readonly Capability[];
  /** USD per month, as Plivo writes it ("0.80000"). */
  readonly monthlyRentalRate: string;
  /** Documents Plivo needs before it activates the number: buys of these answer "pending" (plivo.md, Buy). */
  readonly restriction: PlivoRestriction;
}

/**
 * Monthly rates per country and kind. The US local rate is the one in every Plivo example body (0.80000); the
 * others are in the same range as Plivo's public price list and only need to be plausible and distinct.
 */
const MONTHLY_RATES: Readonly<Record<string, { fixed: string; tollfree: string }>> = {
  US: { fixed: "0.80000", tollfree: "1.00000" },
  GB: { fixed: "1.00000", tollfree: "3.00000" },
  DE: { fixed: "1.50000", tollfree: "6.00000" },
  FR: { fixed: "2.00000", tollfree: "6.00000" },
};

/** Germany and France ask for an address before activation (the docs' pending example is a German number). */
const RESTRICTIONS: Readonly<Record<string, PlivoRestriction>> = { US: null, GB: null, DE: "city-address", FR: "country-address" };

export const PLIVO_COUNTRY_NAMES: Readonly<Record<string, string>> = { US: "UNITED STATES", GB: "UNITED KINGDOM", DE: "GERMANY", FR: "FRANCE" };

const NATIONAL_PREFIXES: Readonly<Record<string, string>> = { GB: "20", DE: "30", FR: "1" };

const STATE_NAMES: Readonly<Record<string, string>> = {
  CA: "California", CO: "Colorado", DC: "District of Columbia", FL: "Florida", GA: "Georgia", HI: "Hawaii", IL: "Illinois",
  MA: "Massachusetts", NC: "North Carolina", NY: "New York", TX: "Texas", WA: "Washington",
};

/** The LATA of each emulated area code (search answers carry `lata` for US numbers). */
const LATAS: Readonly<Record<string, number>> = {
  "202": 236, "206": 674, "212": 132, "303": 656, "305": 460, "310": 730, "312": 358, "404": 438, "415": 722, "512": 558,
  "617": 128, "646": 132, "808": 834, "919": 426,
};

/** Plivo sells no fax: the shared inventory's fax capability is not Plivo's. */
function plivoCapabilities(capabilities: readonly Capability[]): Capability[] {
  return capabilities.filter((capability) => capability !== "fax");
}

/** The emulator's stock: the US inventory every emulator shares (a few numbers in common) plus GB, DE and FR. */
export function buildPlivoStock(): readonly PlivoStockedNumber[] {
  const domestic = buildInventory("plivo").map((number): PlivoStockedNumber => {
    const kind = number.tollFree ? "tollfree" : "fixed";
    return {
      e164: number.e164,
      digits: number.e164.slice(1),
      countryIso: "US",
      nationalNumber: number.nationalNumber,
      prefix: number.npa,
      kind,
      city: number.city ?? null,
      regionCode: number.state,
      regionName: number.state === undefined ? "United States" : (STATE_NAMES[number.state] ?? number.state),
      rateCenter: number.rateCenter,
      lata: number.tollFree ? undefined : LATAS[number.npa],
      capabilities: plivoCapabilities(number.capabilities),
      monthlyRentalRate: MONTHLY_RATES.US?.[kind] ?? "0.80000",
      restriction: null,
    };
  });
  const foreign = buildForeignInventory("plivo", PLIVO_FOREIGN_COUNTRIES).map((number): PlivoStockedNumber => ({
    e164: number.e164,
    digits: number.e164.slice(1),
    countryIso: number.country,
    nationalNumber: number.nationalNumber,
    prefix: NATIONAL_PREFIXES[number.country] ?? number.nationalNumber.slice(0, 2),
    kind: "fixed",
    city: number.city,
    regionCode: undefined,
    regionName: number.region,
    rateCenter: undefined,
    lata: undefined,
    capabilities: plivoCapabilities(number.capabilities),
    monthlyRentalRate: MONTHLY_RATES[number.country]?.fixed ?? "1.00000",
    restriction: RESTRICTIONS[number.country] ?? null,
  }));
  return [...domestic, ...foreign];
}

/** How a stocked number appears in GET PhoneNumber/ (fields of plivo/examples/phonenumber_search.response.json). */
export function describeAvailable(number: PlivoStockedNumber, accountPath: string): Record<string, unknown> {
  const has = (capability: Capability): boolean => number.capabilities.includes(capability);
  return {
    city: number.city,
    country: PLIVO_COUNTRY_NAMES[number.countryIso] ?? number.countryIso,
    ...(number.lata === undefined ? {} : { lata: number.lata }),
    mms_enabled: has("mms"),
    mms_rate: has("mms") ? "0.01500" : "0.00000",
    monthly_rental_rate: number.monthlyRentalRate,
    number: number.digits,
    prefix: number.prefix,
    ...(number.rateCenter === undefined ? {} : { rate_center: number.rateCenter }),
    region: number.regionName,
    resource_uri: `${accountPath}/PhoneNumber/${number.digits}/`,
    restriction: number.restriction,
    restriction_text: number.restriction === null ? null : `This number requires an address proof in the ${number.restriction === "city-address" ? "city" : "country"}.`,
    setup_rate: "0.00000",
    sms_enabled: has("sms"),
    sms_rate: has("sms") ? "0.00800" : "0.00000",
    sub_type: number.kind === "tollfree" ? "tollfree" : "local",
    type: number.kind,
    voice_enabled: has("voice"),
    voice_rate: "0.00500",
    ...(number.restriction === null ? {} : { prerequisites: [{ proof_required: true, proof_type: ["Any"], scope: number.restriction === "city-address" ? "city" : "country", type: "address" }] }),
  };
}
