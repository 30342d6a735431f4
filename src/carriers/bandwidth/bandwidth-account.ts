import type { CarrierHttpClient, CarrierHttpResponse } from "../kit/carrier-http-client.js";
import { bandwidthErrorFromResponse } from "./bandwidth-error.js";

/** Bandwidth speaks XML both ways (bandwidth.md, Base URL and format). */
export const BANDWIDTH_XML = "application/xml; charset=utf-8";

/** What every Bandwidth account-scoped call needs. */
export interface BandwidthAccount {
  readonly api: CarrierHttpClient;
  readonly accountId: string;
  /** /accounts/{accountId} */
  readonly accountPath: string;
  /** The sub-account ("location") orders go to; required to order numbers. */
  readonly siteId: string | undefined;
  /** The SIP peer the ordered numbers are routed to; Bandwidth uses the site's default when absent. */
  readonly peerId: string | undefined;
}

/** Throws the carrier's error unless the answer has one of the expected statuses. */
export function expectBandwidthStatus(response: CarrierHttpResponse, operation: string, expected: readonly number[]): void {
  if (!expected.includes(response.status)) throw bandwidthErrorFromResponse(response, operation);
}
