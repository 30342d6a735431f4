import { json, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import type { EmulatedPhoneNumber, TelnyxEmulatedAccount } from "./telnyx-emulator-account.js";
import { PAGE_PARAMETERS, badRequest, isoTimestamp, notFound, pageOf, readTelnyxQuery, unprocessable, type TelnyxParameter, type TelnyxQuery } from "./telnyx-emulator-common.js";

const STATUSES = ["purchase-pending", "purchase-failed", "port-pending", "active", "deleted", "port-failed", "emergency-only", "ported-out", "port-out-pending"];
const NUMBER_TYPES = ["local", "national", "toll_free", "mobile", "shared_cost"];

/** ListPhoneNumbers' parameters, as written on the wire. */
const LIST_PARAMETERS: Readonly<Record<string, TelnyxParameter>> = {
  ...PAGE_PARAMETERS,
  sort: { kind: "enum", values: ["purchased_at", "phone_number", "connection_name", "usage_payment_method"] },
  handle_messaging_profile_error: { kind: "enum", values: ["true", "false"] },
  "filter[phone_number]": { kind: "text" },
  "filter[status]": { kind: "enum", values: STATUSES },
  "filter[country_iso_alpha2]": { kind: "text" },
  "filter[customer_reference]": { kind: "text" },
  "filter[number_type][eq]": { kind: "enum", values: NUMBER_TYPES },
  "filter[source]": { kind: "enum", values: ["ported", "purchased"] },
  "filter[tag]": { kind: "text" },
  "filter[without_tags]": { kind: "enum", values: ["true", "false"] },
  "filter[connection_id]": { kind: "text" },
  "filter[billing_group_id]": { kind: "text" },
  "filter[emergency_address_id]": { kind: "text" },
  "filter[voice.connection_name][eq]": { kind: "text" },
  "filter[voice.connection_name][contains]": { kind: "text" },
  "filter[voice.connection_name][starts_with]": { kind: "text" },
  "filter[voice.connection_name][ends_with]": { kind: "text" },
  "filter[voice.usage_payment_method]": { kind: "enum", values: ["pay-per-minute", "channel"] },
};

/**
 * GET /phone_numbers. `filter[phone_number]` "requires at least three digits" and "non-numerical characters will
 * result in no values being returned" (spec); it matches anywhere in the number. Sorted by `sort` (ascending), else
 * newest first. Emulated numbers have no tags, connection, billing group, emergency address or customer reference,
 * and every one was purchased: the filters on those select accordingly.
 */
export function listPhoneNumbers(account: TelnyxEmulatedAccount, request: EmulatorRequest): EmulatorResponse {
  const read = readTelnyxQuery(request.query, LIST_PARAMETERS);
  if (!read.ok) return read.response;
  const { query } = read;
  const digits = query.text("filter[phone_number]");
  if (digits !== undefined && (digits.match(/[0-9]/g) ?? []).length < 3) return badRequest("filter[phone_number] requires at least three digits.", { parameter: "filter[phone_number]" });
  const matching = [...account.phoneNumbers.values()].filter((record) => matches(record, query));
  const sort = query.text("sort");
  const sorted =
    sort === "purchased_at" || sort === "phone_number"
      ? [...matching].sort((left, right) => (sort === "purchased_at" ? left.purchasedAt.localeCompare(right.purchasedAt) : left.phoneNumber.localeCompare(right.phoneNumber)))
      : sort === undefined
        ? [...matching].reverse()
        : matching;
  const page = pageOf(sorted, query);
  return json(200, { data: page.data.map(describePhoneNumber), meta: page.meta });
}

function matches(record: EmulatedPhoneNumber, query: TelnyxQuery): boolean {
  const digits = query.text("filter[phone_number]");
  const countries = query.text("filter[country_iso_alpha2]")?.split(",");
  const nothingMatches = ["filter[tag]", "filter[connection_id]", "filter[customer_reference]", "filter[voice.connection_name][eq]", "filter[voice.connection_name][contains]", "filter[voice.connection_name][starts_with]", "filter[voice.connection_name][ends_with]"];
  return (
    (digits === undefined || (/^[0-9]+$/.test(digits) && record.phoneNumber.slice(1).includes(digits))) &&
    (query.text("filter[status]") === undefined || record.status === query.text("filter[status]")) &&
    (countries === undefined || countries.includes(record.countryCode)) &&
    (query.text("filter[number_type][eq]") === undefined || record.numberType === query.text("filter[number_type][eq]")) &&
    (query.text("filter[source]") === undefined || (query.text("filter[source]") === "ported") === (record.source === "port_request")) &&
    nothingMatches.every((name) => query.text(name) === undefined) &&
    query.text("filter[without_tags]") !== "false" &&
    ["filter[billing_group_id]", "filter[emergency_address_id]"].every((name) => query.text(name) === undefined || query.text(name) === "null") &&
    // Numbers without a connection are billed per minute.
    (query.text("filter[voice.usage_payment_method]") ?? "pay-per-minute") === "pay-per-minute"
  );
}

/** GET /phone_numbers/{id}. */
export function retrievePhoneNumber(account: TelnyxEmulatedAccount, id: string): EmulatorResponse {
  const record = account.phoneNumbers.get(id);
  return record ? json(200, { data: describePhoneNumber(record) }) : notFound();
}

/**
 * DELETE /phone_numbers/{id}: the number leaves the account at once and is for sale again; the answer is the record
 * with status `deleted` (PhoneNumberDeletedDetailed). A number whose purchase is still pending cannot be deleted yet.
 */
export function deletePhoneNumber(account: TelnyxEmulatedAccount, id: string): EmulatorResponse {
  const record = account.phoneNumbers.get(id);
  if (!record) return notFound();
  if (record.status !== "active") return unprocessable("10015", "Bad Request", "The phone number cannot be deleted while its purchase is pending.", "/id");
  account.phoneNumbers.delete(id);
  return json(200, { data: { ...describePhoneNumber(record), status: "deleted", updated_at: isoTimestamp(account.now()) } });
}

function describePhoneNumber(record: EmulatedPhoneNumber): Record<string, unknown> {
  return {
    id: record.id,
    record_type: "phone_number",
    phone_number: record.phoneNumber,
    status: record.status,
    phone_number_type: record.numberType,
    country_iso_alpha2: record.countryCode,
    connection_id: null,
    connection_name: null,
    messaging_profile_id: null,
    messaging_profile_name: null,
    billing_group_id: null,
    emergency_address_id: null,
    emergency_enabled: false,
    customer_reference: null,
    external_pin: null,
    tags: [],
    deletion_lock_enabled: false,
    source_type: record.source ?? "number_order",
    purchased_at: record.purchasedAt,
    activated_at: record.status === "active" ? record.updatedAt : null,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}
