import { randomUUID } from "node:crypto";
import { json, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import type { EmulatedNumberOrder, EmulatedOrderNumber, TelnyxEmulatedAccount } from "./telnyx-emulator-account.js";
import {
  E164,
  PAGE_PARAMETERS,
  badRequest,
  isoTimestamp,
  missingParameter,
  notFound,
  pageOf,
  readJsonObject,
  readTelnyxQuery,
  unknownField,
  unprocessable,
} from "./telnyx-emulator-common.js";

/** "1000 numbers is the maximum allowed" (the spec's MaximumAllowedPhoneNumbers example). */
const MAX_NUMBERS_PER_ORDER = 1000;
const ORDER_FIELDS = ["phone_numbers", "connection_id", "messaging_profile_id", "billing_group_id", "customer_reference"];
const ORDER_NUMBER_FIELDS = ["phone_number", "requirement_group_id", "bundle_id"];

/**
 * POST /number_orders (CreateNumberOrderRequest). The body is checked at once; then the order is accepted `pending`.
 * Each number it can have enters the account `purchase-pending` now (for sale to nobody else); which numbers it got is
 * only visible once a GET finds it complete. The emulated account has no connections, messaging profiles, billing
 * groups, bundles or requirement groups, so naming one is refused.
 */
export function createNumberOrder(account: TelnyxEmulatedAccount, request: EmulatorRequest): EmulatorResponse {
  const read = readJsonObject(request);
  if (!read.ok) return read.response;
  const { body } = read;
  const unknown = unknownField(body, ORDER_FIELDS);
  if (unknown) return unknown;
  for (const field of ["connection_id", "messaging_profile_id", "billing_group_id"]) {
    if (body[field] !== undefined) return unprocessable("10005", "Resource not found", `The ${field} does not exist on this account.`, `/${field}`);
  }
  const reference = body["customer_reference"];
  if (reference !== undefined && typeof reference !== "string") return unprocessable("10015", "Bad Request", "customer_reference must be a string.", "/customer_reference");
  const requested = body["phone_numbers"];
  if (requested === undefined) return missingParameter("/phone_numbers");
  if (!Array.isArray(requested) || requested.length === 0) return unprocessable("10015", "Bad Request", "phone_numbers must be a non-empty array.", "/phone_numbers");
  if (requested.length > MAX_NUMBERS_PER_ORDER) return badRequest(`${MAX_NUMBERS_PER_ORDER} numbers is the maximum allowed.`, { pointer: "/phone_numbers" });
  const numbers: string[] = [];
  for (const [index, item] of requested.entries()) {
    const at = `/phone_numbers/${index}`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) return unprocessable("10015", "Bad Request", "Each phone number is an object.", at);
    const entry = item as Record<string, unknown>;
    const unknownInItem = unknownField(entry, ORDER_NUMBER_FIELDS, at);
    if (unknownInItem) return unknownInItem;
    if (entry["bundle_id"] !== undefined || entry["requirement_group_id"] !== undefined) return unprocessable("10005", "Resource not found", "The bundle or requirement group does not exist on this account.", at);
    const phoneNumber = entry["phone_number"];
    if (phoneNumber === undefined) return missingParameter(`${at}/phone_number`);
    if (typeof phoneNumber !== "string" || !E164.test(phoneNumber)) return unprocessable("10016", "Phone number must be in +E.164 format", "The phone number must be in +E.164 format.", `${at}/phone_number`);
    if (numbers.includes(phoneNumber)) return unprocessable("10015", "Bad Request", `${phoneNumber} is in the order twice.`, `${at}/phone_number`);
    numbers.push(phoneNumber);
  }

  const id = randomUUID();
  const at = isoTimestamp(account.now());
  const phoneNumbers = numbers.map((e164): EmulatedOrderNumber => {
    const outcome = account.isForSale(e164) ? "success" : "failure";
    if (outcome === "success") account.addPhoneNumber(e164, id, "purchase-pending");
    const stocked = account.catalog.get(e164);
    return { id: randomUUID(), phoneNumber: e164, outcome, status: "pending", numberType: stocked?.numberType ?? "local", countryCode: stocked?.countryCode ?? "US" };
  });
  const order: EmulatedNumberOrder = { id, customerReference: reference, status: "pending", polls: 0, createdAt: at, updatedAt: at, phoneNumbers };
  account.orders.set(id, order);
  return json(200, { data: describeOrder(order) });
}

/** GET /number_orders/{id}: each GET moves a pending order along; it completes on the one after pollsBeforeFinal. */
export function retrieveNumberOrder(account: TelnyxEmulatedAccount, id: string): EmulatorResponse {
  const order = account.orders.get(id);
  if (!order) return notFound();
  if (order.status === "pending") {
    order.polls += 1;
    if (order.polls > account.pollsBeforeFinal) completeOrder(account, order);
  }
  return json(200, { data: describeOrder(order) });
}

/**
 * Completes an order as Telnyx's back office does "momentarily" (telnyx.md, Buy): each number takes its settled
 * outcome; bought ones turn active. The spec's order status has no partial value: `success` when any number was
 * bought, `failure` when none was (each number's own status is what counts).
 */
export function completeOrder(account: TelnyxEmulatedAccount, order: EmulatedNumberOrder): void {
  const at = isoTimestamp(account.now());
  for (const entry of order.phoneNumbers) {
    entry.status = entry.outcome;
    if (entry.outcome !== "success") continue;
    for (const record of account.phoneNumbers.values()) {
      if (record.orderId === order.id && record.phoneNumber === entry.phoneNumber) {
        record.status = "active";
        record.updatedAt = at;
      }
    }
    account.purchases.push(entry.phoneNumber);
  }
  order.status = order.phoneNumbers.some((entry) => entry.outcome === "success") ? "success" : "failure";
  order.updatedAt = at;
}

const LIST_PARAMETERS = {
  ...PAGE_PARAMETERS,
  "filter[status]": { kind: "text" },
  "filter[created_at][gt]": { kind: "text" },
  "filter[created_at][lt]": { kind: "text" },
  "filter[phone_numbers_count]": { kind: "text" },
  "filter[customer_reference]": { kind: "text" },
  "filter[requirements_met]": { kind: "boolean" },
} as const;

/**
 * GET /number_orders: newest first, paged, filtered. The items are `NumberOrder`s, whose phone numbers carry only
 * their id and number (PhoneNumbersJobPhoneNumber): per-number outcomes are read from GET /number_orders/{id}.
 */
export function listNumberOrders(account: TelnyxEmulatedAccount, request: EmulatorRequest): EmulatorResponse {
  const read = readTelnyxQuery(request.query, LIST_PARAMETERS);
  if (!read.ok) return read.response;
  const { query } = read;
  const after = query.text("filter[created_at][gt]");
  const before = query.text("filter[created_at][lt]");
  for (const [name, value] of [["filter[created_at][gt]", after], ["filter[created_at][lt]", before]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) return badRequest(`The parameter '${name}' must be a date-time.`, { parameter: name });
  }
  const matching = [...account.orders.values()]
    .filter((order) => query.text("filter[status]") === undefined || order.status === query.text("filter[status]"))
    .filter((order) => query.text("filter[customer_reference]") === undefined || order.customerReference === query.text("filter[customer_reference]"))
    .filter((order) => query.text("filter[phone_numbers_count]") === undefined || String(order.phoneNumbers.length) === query.text("filter[phone_numbers_count]"))
    // Every emulated number has its requirements met (none of them has regulatory requirements).
    .filter(() => query.flag("filter[requirements_met]") !== false)
    .filter((order) => after === undefined || Date.parse(order.createdAt) > Date.parse(after))
    .filter((order) => before === undefined || Date.parse(order.createdAt) < Date.parse(before))
    .reverse();
  const page = pageOf(matching, query);
  return json(200, {
    data: page.data.map((order) => ({ ...orderFields(order), phone_numbers: order.phoneNumbers.map((entry) => ({ id: entry.id, phone_number: entry.phoneNumber })) })),
    meta: page.meta,
  });
}

function orderFields(order: EmulatedNumberOrder): Record<string, unknown> {
  return {
    id: order.id,
    record_type: "number_order",
    status: order.status,
    customer_reference: order.customerReference ?? null,
    phone_numbers_count: order.phoneNumbers.length,
    requirements_met: true,
    sub_number_orders_ids: [...new Set(order.phoneNumbers.map((entry) => `${entry.countryCode}:${entry.numberType}`))].map((key) => subOrderId(order.id, key)),
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}

/** NumberOrderWithPhoneNumbers: the answer to POST and GET of one order. */
function describeOrder(order: EmulatedNumberOrder): Record<string, unknown> {
  return {
    ...orderFields(order),
    phone_numbers: order.phoneNumbers.map((entry) => ({
      id: entry.id,
      record_type: "number_order_phone_number",
      phone_number: entry.phoneNumber,
      status: entry.status,
      phone_number_type: entry.numberType,
      country_code: entry.countryCode,
      requirements_met: true,
      requirements_status: "approved",
      regulatory_requirements: [],
    })),
  };
}

/** One sub number order per country and type (telnyx.md, Buy); a stable id derived from the order's. */
function subOrderId(orderId: string, key: string): string {
  const suffix = [...key].reduce((hash, character) => (hash * 31 + character.charCodeAt(0)) >>> 0, 7).toString(16).padStart(12, "0").slice(-12);
  return `${orderId.slice(0, 24)}${suffix}`;
}

