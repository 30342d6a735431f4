import { xml, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { asArray, buildXml, childObject, parseXml } from "../kit/xml.js";

/** What the Bandwidth emulator's account is configured with; orders are checked against it. */
export interface BandwidthEmulatedAccount {
  readonly accountId: string;
  /** The only site (sub-account) orders may name. */
  readonly siteId: string;
  /** The only SIP peer orders may name. */
  readonly peerId: string;
  /** Absolute URL of /api/accounts/{accountId} on the running emulator, for Location headers and links. */
  accountUrl(): string;
}

/** The final states of Bandwidth's asynchronous orders (new-number orders and disconnects). */
export type BandwidthFinalStatus = "COMPLETE" | "PARTIAL" | "FAILED";
export type BandwidthOrderStatus = "RECEIVED" | "PROCESSING" | BandwidthFinalStatus;

/** An asynchronous order's progress: RECEIVED on create, PROCESSING while polled, then final. */
export interface AsyncProgress {
  status: BandwidthOrderStatus;
  polls: number;
  lastModifiedAt: string;
}

/**
 * Advances an order on one GET of it, as Bandwidth's back office would between polls. `pollsBeforeFinal` GETs
 * answer PROCESSING; the next one finds the order final (0: final on the first GET). True when it just ended.
 */
export function advanceOnPoll(progress: AsyncProgress, pollsBeforeFinal: number, finalStatus: () => BandwidthFinalStatus): boolean {
  if (isFinal(progress.status)) return false;
  progress.polls += 1;
  progress.lastModifiedAt = new Date().toISOString();
  if (progress.polls <= pollsBeforeFinal) {
    progress.status = "PROCESSING";
    return false;
  }
  progress.status = finalStatus();
  return true;
}

export function isFinal(status: BandwidthOrderStatus): status is BandwidthFinalStatus {
  return status === "COMPLETE" || status === "PARTIAL" || status === "FAILED";
}

/** COMPLETE, PARTIAL or FAILED from how many of the asked TNs went through. */
export function finalStatusOf(succeeded: number, asked: number): BandwidthFinalStatus {
  return succeeded === asked ? "COMPLETE" : succeeded > 0 ? "PARTIAL" : "FAILED";
}

/** The root element of a request body, undefined when the body is not XML or has another root. */
export function xmlRoot(body: string, element: string): Record<string, unknown> | undefined {
  try {
    return childObject(parseXml(body), element);
  } catch {
    return undefined;
  }
}

/** The <TelephoneNumber> texts of a <TelephoneNumberList> element. */
export function telephoneNumbersOf(list: Record<string, unknown> | undefined): string[] {
  return asArray(list?.["TelephoneNumber"]).filter((tn): tn is string => typeof tn === "string");
}

/** Bandwidth's <ErrorList> error inside the operation's own root element. */
export function errorListResponse(status: number, root: string, code: string, description: string): EmulatorResponse {
  return xml(status, buildXml({ [root]: { ErrorList: { Error: { Code: code, Description: description } } } }));
}

/** A Link-header-style entry of <Links>, as the spec's list examples show them. */
export function linkText(url: string, relation: "first" | "next"): string {
  return `Link=<${url}>;rel="${relation}";`;
}
