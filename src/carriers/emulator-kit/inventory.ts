import { parsePhoneNumber } from "../../domain/phone-number.js";
import type { Capability } from "../../domain/numbers.js";

/** Area codes the emulators sell in, with the place each serves. */
export const EMULATED_AREA_CODES: readonly { npa: string; city: string; state: string; rateCenter: string }[] = [
  { npa: "202", city: "Washington", state: "DC", rateCenter: "WASHINGTON" },
  { npa: "206", city: "Seattle", state: "WA", rateCenter: "SEATTLE" },
  { npa: "212", city: "New York", state: "NY", rateCenter: "NWYRCYZN01" },
  { npa: "303", city: "Denver", state: "CO", rateCenter: "DENVER" },
  { npa: "305", city: "Miami", state: "FL", rateCenter: "MIAMI" },
  { npa: "310", city: "Los Angeles", state: "CA", rateCenter: "LSAN DA 01" },
  { npa: "312", city: "Chicago", state: "IL", rateCenter: "CHICAGO" },
  { npa: "404", city: "Atlanta", state: "GA", rateCenter: "ATLANTA" },
  { npa: "415", city: "San Francisco", state: "CA", rateCenter: "SNFC CNTRL" },
  { npa: "512", city: "Austin", state: "TX", rateCenter: "AUSTIN" },
  { npa: "617", city: "Boston", state: "MA", rateCenter: "BOSTON" },
  { npa: "646", city: "New York", state: "NY", rateCenter: "NWYRCYZN01" },
  { npa: "808", city: "Honolulu", state: "HI", rateCenter: "HONOLULU" },
  { npa: "919", city: "Raleigh", state: "NC", rateCenter: "RALEIGH" },
];

export const EMULATED_TOLL_FREE_CODES: readonly string[] = ["800", "833", "844", "855", "866", "877", "888"];

export interface InventoryNumber {
  /** 10-digit NANP. */
  readonly nationalNumber: string;
  readonly e164: string;
  readonly npa: string;
  readonly city?: string;
  readonly state?: string;
  readonly rateCenter?: string;
  readonly tollFree: boolean;
  readonly capabilities: readonly Capability[];
}

const NUMBERS_PER_CODE = 60;
/** Numbers every emulator carries, so that cross-carrier deduplication is exercised. */
const SHARED_PER_CODE = 5;

/**
 * A deterministic inventory: the same seed always yields the same numbers, so tests and a new user's
 * first call see stable results. Each carrier has its own seed; a few numbers per code are shared.
 */
export function buildInventory(carrierSeed: string): readonly InventoryNumber[] {
  const numbers = new Map<string, InventoryNumber>();
  for (const area of EMULATED_AREA_CODES) {
    for (const nationalNumber of generateNationalNumbers(`${carrierSeed}:${area.npa}`, area.npa, NUMBERS_PER_CODE)) {
      numbers.set(nationalNumber, makeNumber(nationalNumber, false, carrierSeed, area));
    }
    for (const nationalNumber of generateNationalNumbers(`shared:${area.npa}`, area.npa, SHARED_PER_CODE)) {
      numbers.set(nationalNumber, makeNumber(nationalNumber, false, carrierSeed, area));
    }
  }
  for (const npa of EMULATED_TOLL_FREE_CODES) {
    for (const nationalNumber of generateNationalNumbers(`${carrierSeed}:${npa}`, npa, NUMBERS_PER_CODE / 2)) {
      numbers.set(nationalNumber, makeNumber(nationalNumber, true, carrierSeed));
    }
  }
  return [...numbers.values()].sort((left, right) => left.nationalNumber.localeCompare(right.nationalNumber));
}

/** Non-NANP places some emulated carriers also sell in: a city and a national prefix its numbers start with. */
export const EMULATED_FOREIGN_AREAS: readonly { country: string; callingCode: string; prefix: string; digits: number; city: string; region: string }[] = [
  // Ofcom's range for drama and documentation: London 020 7946 0xxx.
  { country: "GB", callingCode: "44", prefix: "2079460", digits: 3, city: "London", region: "England" },
  { country: "DE", callingCode: "49", prefix: "3012345", digits: 3, city: "Berlin", region: "Berlin" },
  { country: "FR", callingCode: "33", prefix: "1426853", digits: 2, city: "Paris", region: "Ile-de-France" },
];

export interface ForeignInventoryNumber {
  readonly e164: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  /** Without the country calling code. */
  readonly nationalNumber: string;
  readonly city: string;
  readonly region: string;
  readonly capabilities: readonly Capability[];
}

/** A few local numbers per foreign area, deterministic per carrier seed; all valid by libphonenumber. */
export function buildForeignInventory(carrierSeed: string, countries: readonly string[], perArea = 8): readonly ForeignInventoryNumber[] {
  const numbers: ForeignInventoryNumber[] = [];
  for (const area of EMULATED_FOREIGN_AREAS.filter((candidate) => countries.includes(candidate.country))) {
    const random = seededRandom(`${carrierSeed}:${area.country}`);
    const seen = new Set<string>();
    for (let attempt = 0; seen.size < perArea && attempt < perArea * 50; attempt += 1) {
      const nationalNumber = `${area.prefix}${String(Math.floor(random() * 10 ** area.digits)).padStart(area.digits, "0")}`;
      const e164 = `+${area.callingCode}${nationalNumber}`;
      if (seen.has(e164) || !parsePhoneNumber(e164).ok) continue;
      seen.add(e164);
      numbers.push({ e164, country: area.country, nationalNumber, city: area.city, region: area.region, capabilities: random() < 0.5 ? ["voice"] : ["voice", "sms"] });
    }
  }
  return numbers;
}

function makeNumber(
  nationalNumber: string,
  tollFree: boolean,
  carrierSeed: string,
  area?: { city: string; state: string; rateCenter: string },
): InventoryNumber {
  const random = seededRandom(`${carrierSeed}:caps:${nationalNumber}`);
  const capabilities: Capability[] = ["voice"];
  if (random() < 0.9) capabilities.push("sms");
  if (!tollFree && random() < 0.7) capabilities.push("mms");
  if (random() < 0.2) capabilities.push("fax");
  return {
    nationalNumber,
    e164: `+1${nationalNumber}`,
    npa: nationalNumber.slice(0, 3),
    city: area?.city,
    state: area?.state,
    rateCenter: area?.rateCenter,
    tollFree,
    capabilities,
  };
}

function generateNationalNumbers(seed: string, npa: string, count: number): string[] {
  const random = seededRandom(seed);
  const found = new Set<string>();
  for (let attempt = 0; found.size < count && attempt < count * 50; attempt += 1) {
    const exchange = String(200 + Math.floor(random() * 800));
    // N11 codes and 555 are not ordinary assignable exchanges.
    if (exchange.endsWith("11") || exchange === "555") continue;
    const line = String(Math.floor(random() * 10_000)).padStart(4, "0");
    const candidate = `${npa}${exchange}${line}`;
    if (isValidExchange(npa, exchange, line)) found.add(candidate);
  }
  return [...found];
}

/**
 * Whether numbers of an NPA-NXX are valid, judged once per exchange by libphonenumber on its first number seen:
 * NANP numbering plans assign whole exchanges, and libphonenumber's NANP patterns end in the four free line
 * digits. Five emulators' inventories are some six thousand numbers from a few hundred exchanges; judging each
 * number was most of sandbox start-up.
 */
const exchangeValidity = new Map<string, boolean>();

function isValidExchange(npa: string, exchange: string, line: string): boolean {
  const key = `${npa}${exchange}`;
  let valid = exchangeValidity.get(key);
  if (valid === undefined) {
    valid = parsePhoneNumber(`+1${key}${line}`).ok;
    exchangeValidity.set(key, valid);
  }
  return valid;
}

/** mulberry32 seeded by FNV-1a: small, fast and stable across Node versions. */
export function seededRandom(seed: string): () => number {
  let state = 0x811c9dc5;
  for (let index = 0; index < seed.length; index += 1) {
    state ^= seed.charCodeAt(index);
    state = Math.imul(state, 0x01000193) >>> 0;
  }
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
