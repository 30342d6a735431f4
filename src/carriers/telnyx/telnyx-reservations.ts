import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierReservation, CarrierReservationRequest } from "../../domain/carrier-lifecycle.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { expectTelnyxStatus } from "./telnyx-error.js";
import { TELNYX_JSON, telnyxReservationAnswerSchema } from "./telnyx-wire.js";

/**
 * POST /number_reservations for one number. Telnyx holds it for this account for 30 minutes (telnyx.md, Reserve
 * [S6]); `phone_numbers[].expired_at` is authoritative and comes back as `expiresAt`. The hold is not lengthened to
 * `holdMs`: the extend action adds time to every number of a reservation, and how much is only in the guide.
 * Each number is reserved on its own: a refusal is a 200 whose number has status `failure` (e.g. "Number is already
 * on hold"), which numbergate reports as not_found: Telnyx will not hold the number.
 */
export async function telnyxReserve(api: CarrierHttpClient, request: CarrierReservationRequest, options: CarrierCallOptions): Promise<CarrierReservation> {
  const response = await api.request({
    method: "POST",
    path: "/number_reservations",
    body: JSON.stringify({ phone_numbers: [{ phone_number: request.number.e164 }] }),
    contentType: TELNYX_JSON,
    operation: "reserve",
    signal: options.signal,
  });
  expectTelnyxStatus(response, "reserve", [200, 201]);
  const reservation = parseJsonBody(response, telnyxReservationAnswerSchema, "telnyx", "reserve").data;
  const entry = reservation.phone_numbers?.find((candidate) => candidate.phone_number === request.number.e164);
  // Lenient on the overall status (the guide reports partial_success, outside the spec's enum): the number's own counts.
  const status = entry?.status ?? reservation.status;
  if (!entry || status === "failure") {
    throw new CarrierError({
      kind: "not_found",
      carrierId: "telnyx",
      operation: "reserve",
      message: "telnyx would not reserve the number (it is not available to hold)",
      httpStatus: response.status,
      carrierMessage: entry?.errors ?? reservation.errors ?? undefined,
      requestMayHaveReachedCarrier: true,
    });
  }
  const expiresAt = entry.expired_at ? new Date(entry.expired_at) : undefined;
  return { carrierReservationId: reservation.id, expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : undefined };
}
