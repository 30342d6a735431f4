import { randomUUID } from "node:crypto";
import { json, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { RESERVATION_LIFETIME_MS, type EmulatedReservation, type EmulatedReservedNumber, type TelnyxEmulatedAccount } from "./telnyx-emulator-account.js";
import { E164, isoTimestamp, missingParameter, notFound, readJsonObject, unknownField, unprocessable } from "./telnyx-emulator-common.js";

/**
 * POST /number_reservations (CreateNumberReservationRequest): only `phone_numbers` and `customer_reference` may be
 * sent (the schema's other fields are read-only). Each number is reserved on its own for 30 minutes: one already held
 * ("Number is already on hold") or not for sale fails alone, and the reservation's status is then `failure`, or
 * `partial_success` when others succeeded, as the guide reports (telnyx.md, Reserve).
 */
export function createNumberReservation(account: TelnyxEmulatedAccount, request: EmulatorRequest): EmulatorResponse {
  const read = readJsonObject(request);
  if (!read.ok) return read.response;
  const { body } = read;
  const unknown = unknownField(body, ["phone_numbers", "customer_reference"]);
  if (unknown) return unknown;
  const reference = body["customer_reference"];
  if (reference !== undefined && typeof reference !== "string") return unprocessable("10015", "Bad Request", "customer_reference must be a string.", "/customer_reference");
  const requested = body["phone_numbers"];
  if (requested === undefined) return missingParameter("/phone_numbers");
  if (!Array.isArray(requested) || requested.length === 0) return unprocessable("10015", "Bad Request", "phone_numbers must be a non-empty array.", "/phone_numbers");
  const numbers: string[] = [];
  for (const [index, item] of requested.entries()) {
    const at = `/phone_numbers/${index}`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) return unprocessable("10015", "Bad Request", "Each phone number is an object.", at);
    const entry = item as Record<string, unknown>;
    const unknownInItem = unknownField(entry, ["phone_number"], at);
    if (unknownInItem) return unknownInItem;
    const phoneNumber = entry["phone_number"];
    if (phoneNumber === undefined) return missingParameter(`${at}/phone_number`);
    if (typeof phoneNumber !== "string" || !E164.test(phoneNumber)) return unprocessable("10016", "Phone number must be in +E.164 format", "The phone number must be in +E.164 format.", `${at}/phone_number`);
    numbers.push(phoneNumber);
  }

  const now = account.now();
  const at = isoTimestamp(now);
  const phoneNumbers = numbers.map((e164, index): EmulatedReservedNumber => {
    const heldAlready = account.isReserved(e164) || numbers.indexOf(e164) < index;
    const errors = heldAlready ? "Number is already on hold" : account.isForSale(e164) ? undefined : "Number is not available";
    return { id: randomUUID(), phoneNumber: e164, status: errors ? "failure" : "success", expiredAt: isoTimestamp(now + RESERVATION_LIFETIME_MS), errors, createdAt: at, updatedAt: at };
  });
  const succeeded = phoneNumbers.filter((entry) => entry.status === "success").length;
  const status = succeeded === phoneNumbers.length ? "success" : succeeded === 0 ? "failure" : "partial_success";
  const reservation: EmulatedReservation = { id: randomUUID(), customerReference: reference, status, createdAt: at, updatedAt: at, phoneNumbers };
  account.reservations.set(reservation.id, reservation);
  return json(200, { data: describeReservation(reservation) });
}

export function retrieveNumberReservation(account: TelnyxEmulatedAccount, id: string): EmulatorResponse {
  const reservation = account.reservations.get(id);
  return reservation ? json(200, { data: describeReservation(reservation) }) : notFound();
}

/** POST .../actions/extend: every number still held is held 30 minutes from now. */
export function extendNumberReservation(account: TelnyxEmulatedAccount, id: string): EmulatorResponse {
  const reservation = account.reservations.get(id);
  if (!reservation) return notFound();
  const now = account.now();
  for (const entry of reservation.phoneNumbers) {
    if (entry.status !== "success" || Date.parse(entry.expiredAt) <= now) continue;
    entry.expiredAt = isoTimestamp(now + RESERVATION_LIFETIME_MS);
    entry.updatedAt = isoTimestamp(now);
  }
  reservation.updatedAt = isoTimestamp(now);
  return json(200, { data: describeReservation(reservation) });
}

function describeReservation(reservation: EmulatedReservation): Record<string, unknown> {
  const failures = reservation.phoneNumbers.flatMap((entry) => (entry.errors ? [`${entry.phoneNumber}: ${entry.errors}`] : []));
  return {
    id: reservation.id,
    record_type: "number_reservation",
    status: reservation.status,
    customer_reference: reservation.customerReference ?? null,
    ...(failures.length > 0 ? { errors: failures.join("; ") } : {}),
    created_at: reservation.createdAt,
    updated_at: reservation.updatedAt,
    phone_numbers: reservation.phoneNumbers.map((entry) => ({
      id: entry.id,
      record_type: "reserved_phone_number",
      phone_number: entry.phoneNumber,
      status: entry.status,
      expired_at: entry.expiredAt,
      ...(entry.errors ? { errors: entry.errors } : {}),
      created_at: entry.createdAt,
      updated_at: entry.updatedAt,
    })),
  };
}
