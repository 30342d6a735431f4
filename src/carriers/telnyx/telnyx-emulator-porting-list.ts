import type { EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { PAGE_PARAMETERS, badRequest, readTelnyxQuery, type TelnyxParameter, type TelnyxQuery } from "./telnyx-emulator-common.js";
import type { EmulatedPortingOrder } from "./telnyx-emulator-porting-model.js";

/**
 * ListPortingOrders' parameters as written on the wire: the deepObject `filter` and `sort` flattened into brackets
 * (`filter[phone_numbers][phone_number][contains]`), `page[number]`/`page[size]` (porting-order_PageConsolidated:
 * size 1 to 250) and `include_phone_numbers`. The spec has no status filter.
 */
const LIST_PARAMETERS: Readonly<Record<string, TelnyxParameter>> = {
  ...PAGE_PARAMETERS,
  include_phone_numbers: { kind: "boolean" },
  "filter[customer_reference]": { kind: "text" },
  "filter[customer_group_reference]": { kind: "text" },
  "filter[parent_support_key]": { kind: "text" },
  "filter[phone_numbers][country_code]": { kind: "text" },
  "filter[phone_numbers][carrier_name]": { kind: "text" },
  "filter[phone_numbers][phone_number][contains]": { kind: "text" },
  "filter[misc][type]": { kind: "enum", values: ["full", "partial"] },
  "filter[end_user][admin][entity_name]": { kind: "text" },
  "filter[end_user][admin][auth_person_name]": { kind: "text" },
  "filter[activation_settings][fast_port_eligible]": { kind: "boolean" },
  "filter[activation_settings][foc_datetime_requested][gt]": { kind: "text" },
  "filter[activation_settings][foc_datetime_requested][lt]": { kind: "text" },
  "sort[value]": { kind: "enum", values: ["created_at", "-created_at", "activation_settings.foc_datetime_requested", "-activation_settings.foc_datetime_requested"] },
};

const FOC_BOUNDS = ["filter[activation_settings][foc_datetime_requested][gt]", "filter[activation_settings][foc_datetime_requested][lt]"] as const;

/** Reads and checks the list's query: an unknown, repeated or ill-typed parameter, or a bound that is no date, is a 400. */
export function readPortingListQuery(query: URLSearchParams): { ok: true; query: TelnyxQuery } | { ok: false; response: EmulatorResponse } {
  const read = readTelnyxQuery(query, LIST_PARAMETERS);
  if (!read.ok) return read;
  for (const name of FOC_BOUNDS) {
    const value = read.query.text(name);
    if (value !== undefined && Number.isNaN(Date.parse(value))) return { ok: false, response: badRequest(`The parameter '${name}' must be a date-time.`, { parameter: name }) };
  }
  return read;
}

/** Filters, each as the spec describes it; fast_port_eligible is read through the given rule. */
export function selectPortingOrders(orders: Iterable<EmulatedPortingOrder>, query: TelnyxQuery, fastPortEligible: (order: EmulatedPortingOrder) => boolean): EmulatedPortingOrder[] {
  const equals = (name: string, value: string | null): boolean => query.text(name) === undefined || query.text(name) === value;
  const contains = query.text("filter[phone_numbers][phone_number][contains]");
  const fastPort = query.flag("filter[activation_settings][fast_port_eligible]");
  const [after, before] = FOC_BOUNDS.map((name) => query.text(name)).map((value) => (value === undefined ? undefined : Date.parse(value)));
  const matching = [...orders].filter(
    (order) =>
      equals("filter[customer_reference]", order.customerReference) &&
      equals("filter[customer_group_reference]", order.customerGroupReference) &&
      equals("filter[parent_support_key]", order.parentSupportKey) &&
      equals("filter[phone_numbers][carrier_name]", order.oldServiceProvider) &&
      // Only US numbers are ported in by the emulator (see the portability rule).
      equals("filter[phone_numbers][country_code]", "US") &&
      equals("filter[misc][type]", order.misc?.type ?? null) &&
      equals("filter[end_user][admin][entity_name]", order.admin.entity_name) &&
      equals("filter[end_user][admin][auth_person_name]", order.admin.auth_person_name) &&
      (contains === undefined || order.phoneNumbers.some((phoneNumber) => phoneNumber.includes(contains))) &&
      (fastPort === undefined || fastPortEligible(order) === fastPort) &&
      inRange(order.focDatetimeRequested, after, before),
  );
  return sortOrders(matching, query.text("sort[value]") ?? "-created_at");
}

function inRange(value: string | null, after: number | undefined, before: number | undefined): boolean {
  if (after === undefined && before === undefined) return true;
  if (value === null) return false;
  const at = Date.parse(value);
  return (after === undefined || at > after) && (before === undefined || at < before);
}

/** "If not given, results are sorted by created_at in descending order" (spec); orders without a FOC date go last. */
function sortOrders(orders: EmulatedPortingOrder[], sort: string): EmulatedPortingOrder[] {
  const descending = sort.startsWith("-");
  const byFoc = sort.endsWith("foc_datetime_requested");
  const key = (order: EmulatedPortingOrder): number => (byFoc ? (order.focDatetimeRequested === null ? Number.NaN : Date.parse(order.focDatetimeRequested)) : Date.parse(order.createdAt));
  return orders.sort((left, right) => {
    const [leftKey, rightKey] = [key(left), key(right)];
    if (Number.isNaN(leftKey) !== Number.isNaN(rightKey)) return Number.isNaN(leftKey) ? 1 : -1;
    const difference = (Number.isNaN(leftKey) ? 0 : leftKey - rightKey) || left.sequence - right.sequence;
    return descending ? -difference : difference;
  });
}
