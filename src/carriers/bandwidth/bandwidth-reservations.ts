import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierReservation, CarrierReservationRequest } from "../../domain/carrier-lifecycle.js";
import { buildXml } from "../kit/xml.js";
import { BANDWIDTH_XML, expectBandwidthStatus, type BandwidthAccount } from "./bandwidth-account.js";
import { readBandwidthLocationId } from "./bandwidth-location.js";

/** POST tnreservation: 201 with an empty body; the id comes back only in the Location header. */
export async function bandwidthReserve(account: BandwidthAccount, request: CarrierReservationRequest, options: CarrierCallOptions): Promise<CarrierReservation> {
  const response = await account.api.request({
    method: "POST",
    path: `${account.accountPath}/tnreservation`,
    body: buildXml({ Reservation: { ReservedTn: request.number.nationalNumber } }),
    contentType: BANDWIDTH_XML,
    accept: BANDWIDTH_XML,
    operation: "reserve",
    signal: options.signal,
  });
  expectBandwidthStatus(response, "reserve", [201]);
  const location = readBandwidthLocationId(response, { apiBaseUrl: account.api.baseUrl, accountId: account.accountId, resource: "tnreservation" });
  if (!location.ok) {
    // The reservation exists at Bandwidth but cannot be named: it expires on its own (4 hours by default).
    throw new CarrierError({
      kind: "carrier_server",
      carrierId: "bandwidth",
      operation: "reserve",
      message: `bandwidth did not say which reservation it made (${location.problem})`,
      httpStatus: response.status,
      requestMayHaveReachedCarrier: true,
    });
  }
  return { carrierReservationId: location.id, expiresAt: undefined };
}

export async function bandwidthCancelReservation(account: BandwidthAccount, reservationId: string, options: CarrierCallOptions): Promise<void> {
  const response = await account.api.request({
    method: "DELETE",
    path: `${account.accountPath}/tnreservation/${encodeURIComponent(reservationId)}`,
    accept: BANDWIDTH_XML,
    operation: "cancel_reservation",
    signal: options.signal,
  });
  // 404: already gone (expired at Bandwidth), which is what cancelling wants.
  if (response.status !== 404) expectBandwidthStatus(response, "cancel_reservation", [200, 204]);
}
