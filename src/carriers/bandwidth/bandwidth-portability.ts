import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierPortabilityAnswer } from "../../domain/carrier-lifecycle.js";
import type { NumberType } from "../../domain/numbers.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { parseXmlBody } from "../kit/response-body.js";
import { buildXml } from "../kit/xml.js";
import { BANDWIDTH_XML, expectBandwidthStatus, type BandwidthAccount } from "./bandwidth-account.js";
import { bandwidthErrorFromResponse } from "./bandwidth-error.js";
import {
  bandwidthPortabilityResponseSchema,
  type BandwidthLosingCarrierGroup,
  type BandwidthPortabilityResponse,
  type BandwidthRateCenterGroup,
} from "./bandwidth-portability-wire.js";
import { readBandwidthError } from "./bandwidth-wire.js";

const OPERATION = "portability";
const ROOT = "NumberPortabilityResponse";
const NOT_NANP_REASON = "Bandwidth checks the portability of NANP (+1) numbers only";

/**
 * POST lnpchecker?fullCheck=true for the +1 numbers asked (each TN once, as Bandwidth refuses duplicates with 7360),
 * answered per asked number in the order asked. Numbers outside NANP never reach Bandwidth: lnpchecker would refuse
 * the whole batch (7201) for one of them.
 */
export async function bandwidthCheckPortability(
  account: BandwidthAccount,
  numbers: readonly ParsedPhoneNumber[],
  options: CarrierCallOptions,
): Promise<readonly CarrierPortabilityAnswer[]> {
  const tns = [...new Set(numbers.filter(isNanp).map((number) => number.nationalNumber))];
  const answer = tns.length === 0 ? undefined : await requestLnpCheck(account, tns, options);
  return numbers.map((number) => (answer && isNanp(number) ? answerFor(number, answer) : notNanp(number)));
}

async function requestLnpCheck(account: BandwidthAccount, tns: readonly string[], options: CarrierCallOptions): Promise<BandwidthPortabilityResponse> {
  const response = await account.api.request({
    method: "POST",
    path: `${account.accountPath}/lnpchecker`,
    // true adds the losing carrier of each TN (name, whether it needs the account number) to the rate centers.
    query: { fullCheck: "true" },
    body: buildXml({ NumberPortabilityRequest: { TnList: { Tn: tns } } }),
    contentType: BANDWIDTH_XML,
    accept: BANDWIDTH_XML,
    operation: OPERATION,
    signal: options.signal,
  });
  expectBandwidthStatus(response, OPERATION, [200]);
  const root = parseXmlBody(response, ROOT, "bandwidth", OPERATION);
  // As the official SDK does, an error element counts as an error even in a 200.
  const embedded = readBandwidthError(root);
  if (embedded) throw bandwidthErrorFromResponse(response, OPERATION, embedded);
  const parsed = bandwidthPortabilityResponseSchema.safeParse(root);
  if (!parsed.success) throw unreadable(response, parsed.error);
  return parsed.data;
}

function answerFor(number: ParsedPhoneNumber, answer: BandwidthPortabilityResponse): CarrierPortabilityAnswer {
  const tn = number.nationalNumber;
  const supportedCarrier = findGroup(answer.SupportedLosingCarriers.LosingCarrierTnList, tn);
  const unsupportedCarrier = findGroup(answer.UnsupportedLosingCarriers.LosingCarrierTnList, tn);
  const carrier = supportedCarrier ?? unsupportedCarrier;
  const unsupportedRateCenter = findGroup(answer.UnsupportedRateCenters.RateCenterGroup, tn);
  const rateCenter =
    findGroup(answer.SupportedRateCenters.RateCenterGroup, tn) ??
    findGroup(answer.PartnerSupportedRateCenters.RateCenterGroup, tn) ??
    unsupportedRateCenter;
  const portable = answer.PortableNumbers.Tn.includes(tn);
  return {
    e164: number.e164,
    portable,
    notPortableReason: portable ? undefined : notPortableReason(unsupportedCarrier, unsupportedRateCenter),
    losingCarrierName: carrier?.LosingCarrierName,
    accountNumberRequired: isTrue(carrier?.LosingCarrierAccountNumberRequired),
    numberType: numberTypeOf(carrier, rateCenter),
  };
}

/** Bandwidth gives no code for these verdicts: the reason names the list it put the TN on. */
function notPortableReason(unsupportedCarrier: BandwidthLosingCarrierGroup | undefined, unsupportedRateCenter: BandwidthRateCenterGroup | undefined): string {
  const reasons: string[] = [];
  if (unsupportedCarrier) reasons.push(`unsupported losing carrier ${unsupportedCarrier.LosingCarrierName ?? "(unnamed)"}`);
  if (unsupportedRateCenter) {
    const place = [unsupportedRateCenter.RateCenter, unsupportedRateCenter.State].filter((part) => part !== undefined).join(", ");
    reasons.push(`unsupported rate center${place === "" ? "" : ` ${place}`}`);
  }
  return reasons.length > 0 ? `Bandwidth: ${reasons.join("; ")}` : "Bandwidth did not list the number among its portable numbers";
}

/**
 * Bandwidth does not name a number type; it says whether the losing carrier is wireless, and a wireline TN in a
 * rate center is a geographic (local) number.
 */
function numberTypeOf(carrier: BandwidthLosingCarrierGroup | undefined, rateCenter: BandwidthRateCenterGroup | undefined): NumberType | undefined {
  if (carrier?.LosingCarrierIsWireless !== undefined) {
    if (isTrue(carrier.LosingCarrierIsWireless)) return "mobile";
    if (rateCenter) return "local";
  }
  return undefined;
}

function findGroup<Group extends { readonly TnList: { readonly Tn: readonly string[] } }>(groups: readonly Group[], tn: string): Group | undefined {
  return groups.find((group) => group.TnList.Tn.includes(tn));
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}

function isNanp(number: ParsedPhoneNumber): boolean {
  return number.callingCode === "1" && /^[0-9]{10}$/.test(number.nationalNumber);
}

function notNanp(number: ParsedPhoneNumber): CarrierPortabilityAnswer {
  return { e164: number.e164, portable: false, notPortableReason: NOT_NANP_REASON, losingCarrierName: undefined, accountNumberRequired: false, numberType: undefined };
}

function unreadable(response: CarrierHttpResponse, cause: unknown): CarrierError {
  return new CarrierError({
    kind: "carrier_server",
    carrierId: "bandwidth",
    operation: OPERATION,
    message: "bandwidth sent a portability answer numbergate could not read",
    httpStatus: response.status,
    carrierCode: "MALFORMED_RESPONSE",
    requestMayHaveReachedCarrier: true,
    cause,
  });
}
