import { xml, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { EMULATED_AREA_CODES } from "../emulator-kit/inventory.js";
import { asArray, buildXml, childObject } from "../kit/xml.js";
import { xmlRoot } from "./bandwidth-emulator-common.js";

/** A carrier a number can be ported away from, as lnpchecker describes it (LosingCarrierTnList). */
export interface LosingCarrier {
  readonly spid: string;
  readonly name: string;
  readonly wireless: boolean;
  readonly accountNumberRequired: boolean;
  /** LosingCarrierMinimumPortingInterval: days before the earliest FOC date. */
  readonly minimumPortingIntervalDays: number;
  /** The PIN the carrier holds for every account it serves (wireless carriers only); any other PIN is refused. */
  readonly pin?: string;
}

export interface RateCenter {
  readonly rateCenter: string;
  readonly city: string;
  readonly state: string;
  readonly lata: string;
}

/**
 * The emulated losing carriers, chosen by the last digit of a TN: 0-3 and 4-6 are the two wireline carriers of the
 * spec's lnpchecker example, 7-9 a fictional wireless carrier whose every subscriber's port-out PIN is "2468".
 */
const WIRELINE_L3: LosingCarrier = { spid: "9998", name: "Test Losing Carrier L3", wireless: false, accountNumberRequired: false, minimumPortingIntervalDays: 5 };
const WIRELINE_INTEGRA: LosingCarrier = { spid: "7482", name: "IntegraTelecom", wireless: false, accountNumberRequired: false, minimumPortingIntervalDays: 1 };
export const EMULATED_WIRELESS_CARRIER: LosingCarrier = { spid: "6529", name: "Emulated Wireless", wireless: true, accountNumberRequired: true, minimumPortingIntervalDays: 1, pin: "2468" };
/** What lnpchecker names as the carrier of numbers that are already Bandwidth's (the spec's list example). */
const BANDWIDTH_ITSELF: LosingCarrier = { spid: "1163", name: "Bandwidth", wireless: false, accountNumberRequired: false, minimumPortingIntervalDays: 0 };

export function losingCarrierOf(tn: string): LosingCarrier {
  const last = Number(tn.at(-1));
  return last <= 3 ? WIRELINE_L3 : last <= 6 ? WIRELINE_INTEGRA : EMULATED_WIRELESS_CARRIER;
}

export function losingCarrierBySpid(spid: string): LosingCarrier | undefined {
  return [WIRELINE_L3, WIRELINE_INTEGRA, EMULATED_WIRELESS_CARRIER].find((carrier) => carrier.spid === spid);
}

// LATAs of the rate centers the emulated inventory serves: those are Bandwidth's on-net (tier 0) rate centers.
const LATA_BY_NPA: Readonly<Record<string, string>> = {
  "202": "236", "206": "674", "212": "132", "303": "656", "305": "460", "310": "730", "312": "358",
  "404": "438", "415": "722", "512": "558", "617": "128", "646": "132", "808": "834", "919": "426",
};
/** Rate centers Bandwidth knows but serves neither itself nor through a partner: listed as UnsupportedRateCenters. */
const UNSUPPORTED_RATE_CENTERS: Readonly<Record<string, RateCenter>> = {
  "907": { rateCenter: "ANCHORAGE", city: "ANCHORAGE", state: "AK", lata: "832" },
};

/** A 10-digit NANP number: NPA and NXX start with 2-9. */
export function isNanpNumber(tn: string): boolean {
  return /^[2-9][0-9]{2}[2-9][0-9]{6}$/.test(tn);
}

/**
 * Where a TN stands for a port-in, decided from the number alone (and what the emulator already holds):
 * - not a 10-digit NANP number: invalid (7201);
 * - already Bandwidth's (in service on this account, or in the emulator's own inventory of numbers it sells): not
 *   portable in, listed under the losing carrier "Bandwidth";
 * - NPA of a rate center in UNSUPPORTED_RATE_CENTERS (907): an unsupported rate center;
 * - NPA of the emulated inventory's area codes: an on-net rate center, portable, losing carrier from the last digit;
 * - any other NPA (toll-free ones included): a rate center Bandwidth does not know (7331).
 */
export type Portability =
  | { readonly kind: "invalid" }
  | { readonly kind: "unknownRateCenter" }
  | { readonly kind: "unsupportedRateCenter"; readonly rateCenter: RateCenter }
  | { readonly kind: "bandwidth"; readonly inService: boolean }
  | { readonly kind: "portable"; readonly rateCenter: RateCenter; readonly carrier: LosingCarrier };

export interface PortabilityFacts {
  /** TNs in service on the emulated account. */
  readonly inService: ReadonlySet<string>;
  /** Whether the emulator's inventory (numbers Bandwidth sells) holds the TN. */
  isInInventory(tn: string): boolean;
}

export function portabilityOf(tn: string, facts: PortabilityFacts): Portability {
  if (!isNanpNumber(tn)) return { kind: "invalid" };
  if (facts.inService.has(tn) || facts.isInInventory(tn)) return { kind: "bandwidth", inService: facts.inService.has(tn) };
  const npa = tn.slice(0, 3);
  const unsupported = UNSUPPORTED_RATE_CENTERS[npa];
  if (unsupported) return { kind: "unsupportedRateCenter", rateCenter: unsupported };
  const area = EMULATED_AREA_CODES.find((candidate) => candidate.npa === npa);
  const lata = LATA_BY_NPA[npa];
  if (!area || !lata) return { kind: "unknownRateCenter" };
  return { kind: "portable", rateCenter: { rateCenter: area.rateCenter, city: area.city.toUpperCase(), state: area.state, lata }, carrier: losingCarrierOf(tn) };
}

const FULL_CHECK_MODES = ["false", "true", "onnetportability", "offnetportability"];

/**
 * POST lnpchecker: which TNs are portable, grouped by rate center and (unless fullCheck=false) by losing carrier.
 * Refused with 400 and repeated <Errors>: an unknown fullCheck mode (7472), no TN (7316), duplicates (7360), a TN that
 * is not NANP (7201), in a rate center Bandwidth does not know (7331), or already on an open port-in (7205).
 */
export function checkPortability(request: EmulatorRequest, facts: PortabilityFacts, onOpenPortIn: (tn: string) => boolean): EmulatorResponse {
  const mode = (request.query.get("fullCheck") ?? "false").toLowerCase();
  if (!FULL_CHECK_MODES.includes(mode)) return portabilityErrors([["7472", "Portability checking mode is not valid. Valid values: FALSE, TRUE, ONNETPORTABILITY, OFFNETPORTABILITY"]]);
  const root = xmlRoot(request.body, "NumberPortabilityRequest");
  const tns = asArray(childObject(root, "TnList")?.["Tn"]).filter((tn): tn is string => typeof tn === "string");
  if (tns.length === 0) return portabilityErrors([["7316", "At least one telephone number must be provided."]]);
  if (new Set(tns).size !== tns.length) return portabilityErrors([["7360", "Telephone number list can't contain duplicates."]]);
  const errors: [string, string][] = [];
  const verdicts = tns.map((tn) => ({ tn, portability: portabilityOf(tn, facts) }));
  for (const { tn, portability } of verdicts) {
    if (portability.kind === "invalid") errors.push(["7201", `${tn} is not a valid NANP telephone number.`]);
    else if (portability.kind === "unknownRateCenter") errors.push(["7331", `Rate Center Not Present in Bandwidth Dashboard for ${tn}`]);
    else if (onOpenPortIn(tn)) errors.push(["7205", `Telephone number ${tn} is already being processed on another order`]);
  }
  if (errors.length > 0) return portabilityErrors(errors);

  const portable = verdicts.flatMap((verdict) => (verdict.portability.kind === "portable" ? [{ tn: verdict.tn, ...verdict.portability }] : []));
  const unsupported = verdicts.flatMap((verdict) => (verdict.portability.kind === "unsupportedRateCenter" ? [{ tn: verdict.tn, rateCenter: verdict.portability.rateCenter }] : []));
  const bandwidthOwned = verdicts.filter((verdict) => verdict.portability.kind === "bandwidth").map((verdict) => verdict.tn);
  const withCarriers = mode !== "false";
  return xml(200, buildXml({
    NumberPortabilityResponse: {
      PortType: "AUTOMATED",
      PortableNumbers: portable.length > 0 ? { Tn: portable.map((entry) => entry.tn) } : "",
      SupportedRateCenters: rateCenterGroups(portable, true),
      UnsupportedRateCenters: rateCenterGroups(unsupported, false),
      ...(mode === "offnetportability" ? { PartnerSupportedRateCenters: "" } : {}),
      ...(withCarriers ? { SupportedLosingCarriers: carrierGroups(portable) } : {}),
      ...(withCarriers ? { UnsupportedLosingCarriers: carrierGroups(bandwidthOwned.map((tn) => ({ tn, carrier: BANDWIDTH_ITSELF }))) } : {}),
    },
  }));
}

function rateCenterGroups(entries: readonly { tn: string; rateCenter: RateCenter }[], onNet: boolean): Record<string, unknown> | string {
  const groups = new Map<string, { rateCenter: RateCenter; tns: string[] }>();
  for (const { tn, rateCenter } of entries) {
    const key = `${rateCenter.state}/${rateCenter.rateCenter}`;
    const group = groups.get(key) ?? { rateCenter, tns: [] };
    group.tns.push(tn);
    groups.set(key, group);
  }
  if (groups.size === 0) return "";
  return {
    RateCenterGroup: [...groups.values()].map(({ rateCenter, tns }) => ({
      RateCenter: rateCenter.rateCenter,
      City: rateCenter.city,
      State: rateCenter.state,
      LATA: rateCenter.lata,
      ...(onNet ? { Tiers: { Tier: "0" } } : {}),
      TnList: { Tn: tns },
    })),
  };
}

function carrierGroups(entries: readonly { tn: string; carrier: LosingCarrier }[]): Record<string, unknown> | string {
  const groups = new Map<string, { carrier: LosingCarrier; tns: string[] }>();
  for (const { tn, carrier } of entries) {
    const group = groups.get(carrier.spid) ?? { carrier, tns: [] };
    group.tns.push(tn);
    groups.set(carrier.spid, group);
  }
  if (groups.size === 0) return "";
  return {
    LosingCarrierTnList: [...groups.values()].map(({ carrier, tns }) => ({
      LosingCarrierSPID: carrier.spid,
      LosingCarrierName: carrier.name,
      LosingCarrierIsWireless: String(carrier.wireless),
      LosingCarrierAccountNumberRequired: String(carrier.accountNumberRequired),
      LosingCarrierMinimumPortingInterval: String(carrier.minimumPortingIntervalDays),
      TnList: { Tn: tns },
    })),
  };
}

function portabilityErrors(errors: readonly (readonly [string, string])[]): EmulatorResponse {
  return xml(400, buildXml({ NumberPortabilityResponse: { Errors: errors.map(([code, description]) => ({ Code: code, Description: description })) } }));
}
