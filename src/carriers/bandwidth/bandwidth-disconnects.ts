import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import type { CarrierReleaseLookup, CarrierReleaseRequest, CarrierReleaseResult, CarrierReleaseStatus } from "../../domain/carrier-lifecycle.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import { parseXmlBody } from "../kit/response-body.js";
import { asArray, buildXml, childObject, childText } from "../kit/xml.js";
import { BANDWIDTH_XML, expectBandwidthStatus, type BandwidthAccount } from "./bandwidth-account.js";
import { bandwidthErrorFromResponse } from "./bandwidth-error.js";
import { readBandwidthLocationId } from "./bandwidth-location.js";

const ROOT = "DisconnectTelephoneNumberOrderResponse";

/**
 * POST disconnects. Bandwidth answers 201 RECEIVED and completes the disconnect order later, so the release is
 * "pending" with the disconnect id until an answer says COMPLETE (followed with bandwidthReleaseStatus).
 */
export async function bandwidthDisconnect(account: BandwidthAccount, request: CarrierReleaseRequest, options: CarrierCallOptions): Promise<CarrierReleaseResult> {
  const response = await account.api.request({
    method: "POST",
    path: `${account.accountPath}/disconnects`,
    body: buildXml({
      DisconnectTelephoneNumberOrder: {
        CustomerOrderId: request.orderReference,
        DisconnectTelephoneNumberOrderType: { TelephoneNumberList: { TelephoneNumber: request.number.nationalNumber } },
      },
    }),
    contentType: BANDWIDTH_XML,
    accept: BANDWIDTH_XML,
    operation: "release",
    signal: options.signal,
  });
  if (response.status === 400) {
    const error = bandwidthErrorFromResponse(response, "release");
    // 5076: the TN is not on the account (already disconnected).
    if (error.carrierCode === "5076" || error.kind === "not_found") return { state: "not_owned", carrierOrderId: undefined };
    throw error;
  }
  expectBandwidthStatus(response, "release", [200, 201]);
  const root = parseXmlBody(response, ROOT, "bandwidth", "release");
  const location = readBandwidthLocationId(response, { apiBaseUrl: account.api.baseUrl, accountId: account.accountId, resource: "disconnects" });
  const carrierOrderId = childText(childObject(root, "orderRequest"), "id") ?? (location.ok ? location.id : undefined);
  if (childText(root, "OrderStatus") === "COMPLETE") return { state: "completed", carrierOrderId };
  // RECEIVED or PROCESSING; a FAILED or PARTIAL answer is read (with its error codes) by the follow-up. Without an
  // id the follow-up asks whether the TN is still in service instead.
  return { state: "pending", carrierOrderId };
}

/**
 * What became of a release: the disconnect order when its id is known, else (the POST's answer was lost) whether
 * the TN is still in service on the account.
 */
export async function bandwidthReleaseStatus(account: BandwidthAccount, lookup: CarrierReleaseLookup, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
  if (lookup.carrierOrderId) {
    const response = await account.api.request({
      method: "GET",
      path: `${account.accountPath}/disconnects/${encodeURIComponent(lookup.carrierOrderId)}`,
      accept: BANDWIDTH_XML,
      operation: "order_status",
      signal: options.signal,
    });
    // An unknown disconnect id says nothing about the number: ask the account instead.
    if (response.status !== 404) {
      expectBandwidthStatus(response, "order_status", [200]);
      return readDisconnectStatus(parseXmlBody(response, ROOT, "bandwidth", "order_status"), lookup.number);
    }
  }
  return inServiceStatus(account, lookup.number, options);
}

/** GET inserviceNumbers/{tn}: 200 (no body) while the TN is in service on the account, 404 once it is not. */
async function inServiceStatus(account: BandwidthAccount, number: ParsedPhoneNumber, options: CarrierCallOptions): Promise<CarrierReleaseStatus> {
  const response = await account.api.request({
    method: "GET",
    path: `${account.accountPath}/inserviceNumbers/${encodeURIComponent(number.nationalNumber)}`,
    accept: BANDWIDTH_XML,
    operation: "order_status",
    signal: options.signal,
  });
  if (response.status === 404) return { state: "completed" };
  expectBandwidthStatus(response, "order_status", [200]);
  return { state: "still_owned" };
}

/** Reads a disconnect order (GET disconnects/{id}) for one TN of it. */
export function readDisconnectStatus(root: Record<string, unknown>, number: ParsedPhoneNumber): CarrierReleaseStatus {
  const status = childText(root, "OrderStatus");
  const disconnected = asArray(childObject(root, "DisconnectedTelephoneNumberList")?.["TelephoneNumber"]);
  switch (status) {
    case "COMPLETE":
    case "COMPLETED":
      return { state: "completed" };
    case "PARTIAL":
    case "FAILED": {
      // A partial disconnect may still have taken this TN off the account.
      if (disconnected.includes(number.nationalNumber)) return { state: "completed" };
      const errors = asArray(childObject(root, "ErrorList")?.["Error"]);
      const error = errors.find((candidate) => childText(candidate, "TelephoneNumber") === number.nationalNumber) ?? errors[0];
      return { state: "failed", carrierCode: childText(error, "Code"), detail: childText(error, "Description") ?? `the disconnect order ended ${status}` };
    }
    default:
      // RECEIVED, PROCESSING: Bandwidth is still working on it.
      return { state: "pending" };
  }
}
