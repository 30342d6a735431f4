import { TWILIO_INVALID_PARAMETER } from "./twilio-emulator-common.js";

/** A refusal of a porting request, as Twilio's error body carries it. */
export interface PortingRefusal {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

export interface PortInCreateNumber {
  readonly phoneNumber: string;
  readonly pin: string | null;
}

/** A port-in create body that passed the checks that need nothing but the body itself. */
export interface PortInCreateInput {
  readonly numbers: readonly PortInCreateNumber[];
  readonly hasAccountNumber: boolean;
  /** The earliest moment asked for the port (target date at the range start, or midnight UTC), if any. */
  readonly targetPortTime: number | null;
  /** The body's fields as sent, echoed in every answer about the request. */
  readonly echoed: Record<string, unknown>;
}

const TOP_LEVEL_FIELDS = new Set([
  "account_sid", "documents", "phone_numbers", "losing_carrier_information", "notification_emails", "target_port_in_date",
  "target_port_in_time_range_start", "target_port_in_time_range_end", "bundle_sid", "portability_advance_carrier", "auto_cancel_approval_numbers",
]);
const LOSING_CARRIER_FIELDS = new Set([
  "customer_name", "account_number", "account_telephone_number", "address_sid", "address", "authorized_representative",
  "authorized_representative_email", "customer_type", "authorized_representative_katakana", "sub_municipality", "building", "katakana_name",
]);
const ADDRESS_FIELDS = new Set(["street", "street_2", "city", "state", "zip", "country"]);
const NULLABLE_STRING_FIELDS = ["bundle_sid", "portability_advance_carrier", "auto_cancel_approval_numbers"] as const;
/** "Maximum of 1,000 phone numbers per request." */
const MAX_NUMBERS = 1000;
/** "This date must be at least 7 days in the future for US ports." */
const MIN_DAYS_AHEAD = 7;
const DAY_MS = 86_400_000;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const OFFSET_TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])(:[0-5][0-9])?(Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$/;

function refuse(message: string): PortingRefusal {
  return { status: 400, code: TWILIO_INVALID_PARAMETER, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFilledString(value: unknown): value is string {
  return typeof value === "string" && value.trim().length > 0;
}

function unknownField(value: Record<string, unknown>, known: ReadonlySet<string>, prefix: string): string | undefined {
  const unknown = Object.keys(value).find((key) => !known.has(key));
  return unknown === undefined ? undefined : `${prefix}${unknown}`;
}

/**
 * Checks a `POST /v1/Porting/PortIn` body against the `numbers.v1.porting_port_in_create` schema and the rules the PortIn
 * page states: account_sid, documents and losing_carrier_information are required (with customer_name, authorized_
 * representative and authorized_representative_email inside it), at least one Document SID (RD...), the losing carrier
 * address as an Address SID or an address object (street, city, state, zip, country), 1 to 1,000 E.164 phone numbers
 * without repeats, a target date at least 7 days ahead, ISO offset times, and no field the schema does not list.
 * What depends on the account (its SID, the numbers' portability, PINs of mobile numbers) is checked by the caller.
 */
export function parsePortInCreate(body: unknown, now: number): PortInCreateInput | PortingRefusal {
  if (!isRecord(body)) return refuse("The request body must be a JSON object");
  const unknownTop = unknownField(body, TOP_LEVEL_FIELDS, "");
  if (unknownTop !== undefined) return refuse(`Unknown parameter: ${unknownTop}`);
  if (!isFilledString(body.account_sid)) return refuse("Missing required parameter account_sid");
  if (!/^AC[0-9a-fA-F]{32}$/.test(body.account_sid)) return refuse("Invalid parameter account_sid");

  const documents = body.documents;
  if (documents === undefined || documents === null) return refuse("Missing required parameter documents");
  if (!Array.isArray(documents) || documents.length === 0) return refuse("documents must list at least one Document SID of a utility bill");
  if (!documents.every((sid) => typeof sid === "string" && /^RD[0-9a-fA-F]{32}$/.test(sid))) return refuse("Invalid parameter documents: each must be a Document SID (RD...)");

  const losing = checkLosingCarrier(body.losing_carrier_information);
  if (typeof losing !== "boolean") return losing;

  const numbers = checkNumbers(body.phone_numbers);
  if (!Array.isArray(numbers)) return numbers;

  for (const field of ["notification_emails"] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.every((email) => isFilledString(email)))) return refuse(`Invalid parameter ${field}`);
  }
  for (const field of NULLABLE_STRING_FIELDS) {
    const value = body[field];
    if (value !== undefined && value !== null && typeof value !== "string") return refuse(`Invalid parameter ${field}`);
  }
  const target = checkTargetDate(body, now);
  if (typeof target === "object" && target !== null) return target;

  const hasAccountNumber = isRecord(body.losing_carrier_information) && isFilledString(body.losing_carrier_information.account_number);
  const echoed: Record<string, unknown> = { ...body };
  delete echoed.phone_numbers;
  return { numbers, hasAccountNumber, targetPortTime: target, echoed };
}

/** true when valid, else the refusal. */
function checkLosingCarrier(value: unknown): true | PortingRefusal {
  if (value === undefined || value === null) return refuse("Missing required parameter losing_carrier_information");
  if (!isRecord(value)) return refuse("Invalid parameter losing_carrier_information");
  const unknown = unknownField(value, LOSING_CARRIER_FIELDS, "losing_carrier_information.");
  if (unknown !== undefined) return refuse(`Unknown parameter: ${unknown}`);
  for (const field of ["customer_name", "authorized_representative", "authorized_representative_email"] as const) {
    if (!isFilledString(value[field])) return refuse(`Missing required parameter losing_carrier_information.${field}`);
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(value.authorized_representative_email))) return refuse("Invalid parameter losing_carrier_information.authorized_representative_email");
  if (value.customer_type !== undefined && value.customer_type !== "Business" && value.customer_type !== "Individual") {
    return refuse("Invalid parameter losing_carrier_information.customer_type: must be Business or Individual");
  }
  for (const [field, fieldValue] of Object.entries(value)) {
    if (field !== "address" && fieldValue !== null && typeof fieldValue !== "string") return refuse(`Invalid parameter losing_carrier_information.${field}`);
  }
  const addressSid = value.address_sid;
  if (addressSid !== undefined && addressSid !== null && !/^AD[0-9a-fA-F]{32}$/.test(String(addressSid))) return refuse("Invalid parameter losing_carrier_information.address_sid");
  if (value.address === undefined || value.address === null) {
    return isFilledString(addressSid) ? true : refuse("Missing required parameter losing_carrier_information.address (or address_sid)");
  }
  const address = value.address;
  if (!isRecord(address)) return refuse("Invalid parameter losing_carrier_information.address");
  const unknownAddress = unknownField(address, ADDRESS_FIELDS, "losing_carrier_information.address.");
  if (unknownAddress !== undefined) return refuse(`Unknown parameter: ${unknownAddress}`);
  for (const field of ["street", "city", "state", "zip", "country"] as const) {
    if (!isFilledString(address[field])) return refuse(`Missing required parameter losing_carrier_information.address.${field}`);
  }
  if (address.street_2 !== undefined && address.street_2 !== null && typeof address.street_2 !== "string") return refuse("Invalid parameter losing_carrier_information.address.street_2");
  return true;
}

function checkNumbers(value: unknown): PortInCreateNumber[] | PortingRefusal {
  if (value === undefined || value === null) return refuse("Missing required parameter phone_numbers");
  if (!Array.isArray(value) || value.length === 0) return refuse("phone_numbers must list at least one phone number");
  if (value.length > MAX_NUMBERS) return refuse(`phone_numbers may list at most ${MAX_NUMBERS} phone numbers`);
  const numbers: PortInCreateNumber[] = [];
  for (const [index, entry] of value.entries()) {
    if (!isRecord(entry)) return refuse(`Invalid parameter phone_numbers[${index}]`);
    const unknown = unknownField(entry, new Set(["phone_number", "pin"]), `phone_numbers[${index}].`);
    if (unknown !== undefined) return refuse(`Unknown parameter: ${unknown}`);
    if (!isFilledString(entry.phone_number)) return refuse(`Missing required parameter phone_numbers[${index}].phone_number`);
    if (!E164.test(entry.phone_number)) return refuse(`Invalid parameter phone_numbers[${index}].phone_number: must be E.164`);
    if (entry.pin !== undefined && entry.pin !== null && typeof entry.pin !== "string") return refuse(`Invalid parameter phone_numbers[${index}].pin`);
    if (numbers.some((number) => number.phoneNumber === entry.phone_number)) return refuse(`phone_numbers lists ${entry.phone_number} twice`);
    numbers.push({ phoneNumber: entry.phone_number, pin: typeof entry.pin === "string" && entry.pin.length > 0 ? entry.pin : null });
  }
  return numbers;
}

/** The earliest port time asked for, null when no date was given, or the refusal. */
function checkTargetDate(body: Record<string, unknown>, now: number): number | null | PortingRefusal {
  const times: Partial<Record<"start" | "end", string>> = {};
  for (const end of ["start", "end"] as const) {
    const value = body[`target_port_in_time_range_${end}`];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string" || !OFFSET_TIME.test(value)) return refuse(`Invalid parameter target_port_in_time_range_${end}: expected an ISO offset time such as 10:15:00-08:00`);
    times[end] = value;
  }
  const date = body.target_port_in_date;
  if (date === undefined || date === null) return null;
  if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    return refuse("Invalid parameter target_port_in_date: expected an ISO local date such as 2011-12-03");
  }
  const midnight = Date.parse(`${date}T00:00:00Z`);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  if (midnight < today + MIN_DAYS_AHEAD * DAY_MS) return refuse(`target_port_in_date must be at least ${MIN_DAYS_AHEAD} days in the future for US ports`);
  const start = times.start === undefined ? midnight : Date.parse(`${date}T${times.start}`);
  return Number.isNaN(start) ? midnight : start;
}
