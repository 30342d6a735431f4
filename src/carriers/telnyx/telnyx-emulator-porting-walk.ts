import { randomBytes } from "node:crypto";
import { json, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import type { TelnyxEmulatedAccount } from "./telnyx-emulator-account.js";
import { isoTimestamp, unprocessable } from "./telnyx-emulator-common.js";
import type { EmulatedPortingOrder, ExceptionCode, PortingStatus } from "./telnyx-emulator-porting-model.js";
import { missingRequirements } from "./telnyx-emulator-porting-requirements.js";

/** What the walk needs around an order: the clock, the account ported numbers join, and who hears of each change. */
export interface PortingWalkContext {
  readonly account: TelnyxEmulatedAccount;
  /** GETs of an order answered with its status before it moves on a step (0: every GET moves it). */
  readonly pollsPerStep: number;
  statusChanged(order: EmulatedPortingOrder): void;
}

/**
 * The losing carrier's verdict on a submitted order, a deterministic rule: PIN "0000" is wrong (PASSCODE_PIN_INVALID)
 * and an account number of zeros only is not the one on the CSR (ACCOUNT_NUMBER_MISMATCH).
 */
function losingCarrierExceptions(order: EmulatedPortingOrder): ExceptionCode[] {
  const exceptions: ExceptionCode[] = [];
  if (/^0+$/.test(order.admin.account_number ?? "")) exceptions.push("ACCOUNT_NUMBER_MISMATCH");
  if (order.admin.pin_passcode === "0000") exceptions.push("PASSCODE_PIN_INVALID");
  return exceptions;
}

function moveTo(order: EmulatedPortingOrder, status: PortingStatus, context: PortingWalkContext, exceptions: ExceptionCode[] = []): void {
  order.status = status;
  order.exceptions = exceptions;
  order.polls = 0;
  order.updatedAt = isoTimestamp(context.account.portingNow());
  context.statusChanged(order);
}

function supportKey(prefix: string): string {
  return `${prefix}_${randomBytes(3).toString("hex")}`;
}

/**
 * POST /porting_orders/{id}/actions/confirm: a draft (or an order in exception, once fixed) is submitted only when
 * every requirement is met, with one error per missing requirement pointing at its field (10004), and a requested
 * FOC date still in the future. It moves to `in-process` and gets its support keys.
 */
export function confirmPortingOrder(order: EmulatedPortingOrder, context: PortingWalkContext): EmulatorResponse | undefined {
  if (order.status !== "draft" && order.status !== "exception") return unprocessable("10015", "Bad Request", `A porting order in status ${order.status} cannot be confirmed.`, "/status");
  const missing = missingRequirements(order);
  if (missing.length > 0) {
    const errors = missing.map((requirement) => ({
      code: "10004",
      title: "Missing required parameter",
      detail: `${requirement.name} is required before the porting order can be submitted.`,
      source: { pointer: `/${requirement.path.join("/")}` },
      meta: { url: "https://developers.telnyx.com/docs/overview/errors/10004" },
    }));
    return json(422, { errors });
  }
  // The requested date is judged on the request clock; once confirmed it is reached on the porting clock.
  if (Date.parse(order.focDatetimeRequested ?? "") <= context.account.portingRequestNow()) {
    return unprocessable("10015", "Bad Request", "foc_datetime_requested must be in the future.", "/activation_settings/foc_datetime_requested");
  }
  order.supportKey ??= supportKey("sr");
  order.parentSupportKey ??= supportKey("pr");
  order.focDatetimeActual = null;
  moveTo(order, "in-process", context);
  return undefined;
}

/**
 * One GET of the order: after `pollsPerStep` GETs in a status it takes the next step. in-process -> submitted ->
 * exception (the losing carrier's verdict) or foc-date-confirmed (the requested FOC date becomes the actual one) ->
 * ported, which waits for the emulator's clock to reach the FOC date; cancel-pending -> cancelled. Drafts,
 * exceptions, ported and cancelled orders stay as they are.
 */
export function pollPortingOrder(order: EmulatedPortingOrder, context: PortingWalkContext): void {
  if (order.status === "draft" || order.status === "exception" || order.status === "ported" || order.status === "cancelled") return;
  order.polls += 1;
  if (order.polls <= context.pollsPerStep) return;
  switch (order.status) {
    case "in-process":
      moveTo(order, "submitted", context);
      return;
    case "submitted": {
      const exceptions = losingCarrierExceptions(order);
      if (exceptions.length > 0) {
        moveTo(order, "exception", context, exceptions);
        return;
      }
      order.focDatetimeActual = order.focDatetimeRequested;
      moveTo(order, "foc-date-confirmed", context);
      return;
    }
    case "foc-date-confirmed":
      if (Date.parse(order.focDatetimeActual ?? "") > context.account.portingNow()) return;
      addPortedNumbers(order, context.account);
      moveTo(order, "ported", context);
      return;
    case "cancel-pending":
      moveTo(order, "cancelled", context);
      return;
  }
}

/** The ported numbers join the account's phone numbers, active, of the order's number type. */
function addPortedNumbers(order: EmulatedPortingOrder, account: TelnyxEmulatedAccount): void {
  for (const phoneNumber of order.phoneNumbers) {
    if (account.heldRecordOf(phoneNumber) !== undefined) continue;
    const id = account.addPhoneNumber(phoneNumber, undefined, "active", "port_request");
    const record = account.phoneNumbers.get(id);
    if (record) account.phoneNumbers.set(id, { ...record, numberType: order.phoneNumberType });
  }
}

/**
 * POST .../actions/cancel: an order on its way (in-process, submitted, exception) becomes `cancel-pending`, and
 * `cancelled` at its next step. A draft is deleted rather than cancelled; once the FOC date is confirmed the losing
 * carrier has released the numbers and the port can no longer be stopped.
 */
export function cancelPortingOrder(order: EmulatedPortingOrder, context: PortingWalkContext): EmulatorResponse | undefined {
  if (order.status === "draft") return unprocessable("10015", "Bad Request", "A draft porting order cannot be cancelled; delete it instead.", "/status");
  if (order.status === "foc-date-confirmed") return unprocessable("10015", "Bad Request", "A porting order cannot be cancelled once its FOC date is confirmed.", "/status");
  if (order.status !== "in-process" && order.status !== "submitted" && order.status !== "exception") {
    return unprocessable("10015", "Bad Request", `A porting order in status ${order.status} cannot be cancelled.`, "/status");
  }
  moveTo(order, "cancel-pending", context);
  return undefined;
}
