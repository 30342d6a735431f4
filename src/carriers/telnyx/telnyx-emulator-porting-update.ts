import type { EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { isoTimestamp, missingParameter, unprocessable } from "./telnyx-emulator-common.js";
import type { EmulatedPortingOrder, PortingStatus } from "./telnyx-emulator-porting-model.js";
import { requirementsAsFields } from "./telnyx-emulator-porting-requirements.js";

type Check = (value: unknown, pointer: string) => EmulatorResponse | undefined;
type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(pointer: string, expectation: string): EmulatorResponse {
  return unprocessable("10015", "Bad Request", `${pointer.slice(1).replaceAll("/", ".")} ${expectation}.`, pointer);
}

const text: Check = (value, pointer) => (typeof value === "string" ? undefined : invalid(pointer, "must be a string"));
const flag: Check = (value, pointer) => (typeof value === "boolean" ? undefined : invalid(pointer, "must be true or false"));
const nullable = (check: Check): Check => (value, pointer) => (value === null ? undefined : check(value, pointer));
const matching = (pattern: RegExp, expectation: string): Check => (value, pointer) => (typeof value === "string" && pattern.test(value) ? undefined : invalid(pointer, expectation));
const oneOf = (values: readonly string[]): Check => (value, pointer) => (typeof value === "string" && values.includes(value) ? undefined : invalid(pointer, `must be one of ${values.join(", ")}`));
const listOf = (check: Check): Check => (value, pointer) => (Array.isArray(value) ? value.map((item, index) => check(item, `${pointer}/${index}`)).find(Boolean) : invalid(pointer, "must be an array"));
const rating: Check = (value, pointer) => (Number.isInteger(value) && typeof value === "number" && value >= 1 && value <= 5 ? undefined : invalid(pointer, "must be an integer from 1 to 5"));
const webhookUrl: Check = (value, pointer) => (typeof value === "string" && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) ? undefined : invalid(pointer, "must be an http or https URL"));

/** An object with only these fields (a field the schema does not list is refused), some of them required. */
function shape(fields: Readonly<Record<string, Check>>, required: readonly string[] = []): Check {
  return (value, pointer) => {
    if (!isObject(value)) return invalid(pointer, "must be an object");
    const unknown = Object.keys(value).find((key) => !(key in fields));
    if (unknown !== undefined) return unprocessable("10015", "Bad Request", `The field '${unknown}' is not accepted here.`, `${pointer}/${unknown}`);
    const missing = required.find((key) => value[key] === undefined);
    if (missing !== undefined) return missingParameter(`${pointer}/${missing}`);
    for (const [key, check] of Object.entries(fields)) {
      const problem = value[key] === undefined ? undefined : check(value[key], `${pointer}/${key}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
/** The spec's examples write billing numbers both ways: "13035551234" (schema) and "+13035551234" (PATCH example). */
const PHONE = /^\+?[1-9][0-9]{6,14}$/;
const documentId = nullable(matching(UUID, "must be a document id (uuid)"));
const nullableText = nullable(text);

/** UpdatePortingOrder, field by field. */
const UPDATE_BODY = shape({
  activation_settings: shape({ foc_datetime_requested: matching(DATE_TIME, "must be an ISO 8601 date-time") }),
  customer_group_reference: text,
  customer_reference: text,
  documents: shape({ loa: documentId, invoice: documentId }),
  end_user: shape({
    admin: shape({
      account_number: nullableText,
      auth_person_name: nullableText,
      billing_phone_number: nullable(matching(PHONE, "must be a phone number")),
      business_identifier: nullableText,
      entity_name: nullableText,
      pin_passcode: nullableText,
      tax_identifier: nullableText,
    }),
    location: shape({
      administrative_area: nullableText,
      country_code: nullable(matching(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code")),
      extended_address: nullableText,
      locality: nullableText,
      postal_code: nullableText,
      street_address: nullableText,
    }),
  }),
  messaging: shape({ enable_messaging: flag }),
  misc: nullable(shape({ new_billing_phone_number: nullable(matching(PHONE, "must be a phone number")), remaining_numbers_action: nullable(oneOf(["keep", "disconnect"])), type: oneOf(["full", "partial"]) })),
  phone_number_configuration: shape({ billing_group_id: nullableText, connection_id: nullableText, emergency_address_id: nullableText, messaging_profile_id: nullableText, tags: listOf(text) }),
  requirement_group_id: matching(UUID, "must be a uuid"),
  requirements: listOf(shape({ field_value: text, requirement_type_id: text }, ["field_value", "requirement_type_id"])),
  user_feedback: shape({ user_comment: nullableText, user_rating: nullable(rating) }),
  webhook_url: webhookUrl,
});

/** Fields that describe the port itself: editable while the order is a draft, or to fix an exception. */
const PORT_FIELDS = ["activation_settings", "documents", "end_user", "messaging", "misc", "phone_number_configuration", "requirement_group_id", "requirements"];
/** Bookkeeping fields, editable whatever the status. */
const BOOKKEEPING_FIELDS = ["customer_reference", "customer_group_reference", "webhook_url"];
const EDITABLE: ReadonlySet<PortingStatus> = new Set(["draft", "exception"]);
/** "Once an order is ported, cancellation is requested or the request is cancelled, the user may rate" (spec). */
const RATEABLE: ReadonlySet<PortingStatus> = new Set(["ported", "cancel-pending", "cancelled"]);

function mergeInto(target: Body, patch: Body): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (isObject(value) && isObject(current)) mergeInto(current, value);
    else target[key] = value;
  }
}

/**
 * PATCH /porting_orders/{id}: validates the whole body against UpdatePortingOrder, then applies it as the spec says
 * ("missing attributes as if included with their current values"; an explicit null sets null). `requirements[]`
 * entries write the field their requirement type stands for. The emulated account has no connections, messaging
 * profiles, billing groups, emergency addresses or requirement groups, so naming one is refused (10005). Returns the
 * refusal, or undefined once the order is changed. A requested FOC date is judged on `requestNow`; the order's
 * updated_at is stamped with `now` (the porting clock).
 */
export function updatePortingOrder(order: EmulatedPortingOrder, body: Body, now: number, requestNow: number = now): EmulatorResponse | undefined {
  const shapeProblem = UPDATE_BODY(body, "");
  if (shapeProblem) return shapeProblem;
  const fields = Object.keys(body);
  const portField = fields.find((field) => PORT_FIELDS.includes(field));
  if (portField !== undefined && !EDITABLE.has(order.status)) return unprocessable("10015", "Bad Request", `A porting order in status ${order.status} cannot be edited.`, `/${portField}`);
  if (body["user_feedback"] !== undefined && !RATEABLE.has(order.status)) return unprocessable("10015", "Bad Request", "Feedback can be given once the order is ported or cancelled.", "/user_feedback");
  if (body["requirement_group_id"] !== undefined) return unprocessable("10005", "Resource not found", "The requirement group does not exist on this account.", "/requirement_group_id");
  const configuration = body["phone_number_configuration"];
  if (isObject(configuration)) {
    const named = ["billing_group_id", "connection_id", "emergency_address_id", "messaging_profile_id"].find((key) => typeof configuration[key] === "string");
    if (named !== undefined) return unprocessable("10005", "Resource not found", `The ${named} does not exist on this account.`, `/phone_number_configuration/${named}`);
  }

  const patch: Body = structuredClone(body);
  delete patch["requirements"];
  const requirements = body["requirements"];
  if (Array.isArray(requirements)) {
    const translated = requirementsAsFields(requirements as { requirement_type_id: string; field_value: string }[]);
    if (!translated.ok) return unprocessable("10005", "Resource not found", "The requirement type does not apply to this porting order.", `/requirements/${translated.index}/requirement_type_id`);
    mergeInto(patch, translated.fields);
    const valueProblem = UPDATE_BODY(patch, "");
    if (valueProblem) return valueProblem;
  }

  const foc = isObject(patch["activation_settings"]) ? patch["activation_settings"]["foc_datetime_requested"] : undefined;
  if (typeof foc === "string" && Date.parse(foc) <= requestNow) return unprocessable("10015", "Bad Request", "foc_datetime_requested must be in the future.", "/activation_settings/foc_datetime_requested");

  const misc = miscAfter(order, patch["misc"]);
  if (!misc.ok) return misc.response;
  apply(order, patch, misc.value);
  order.updatedAt = isoTimestamp(now);
  return undefined;
}

/** The order's misc once the patch is merged, checked as a whole: "type full: the other attributes omitted", "keep needs a new billing number". */
function miscAfter(order: EmulatedPortingOrder, patch: unknown): { ok: true; value: EmulatedPortingOrder["misc"] } | { ok: false; response: EmulatorResponse } {
  if (patch === undefined) return { ok: true, value: order.misc };
  if (patch === null) return { ok: true, value: null };
  const merged: Body = { remaining_numbers_action: null, new_billing_phone_number: null, ...(order.misc ?? {}), ...(patch as Body) };
  const type = merged["type"];
  if (type !== "full" && type !== "partial") return { ok: false, response: missingParameter("/misc/type") };
  const action = merged["remaining_numbers_action"] === "keep" || merged["remaining_numbers_action"] === "disconnect" ? merged["remaining_numbers_action"] : null;
  const newBilling = typeof merged["new_billing_phone_number"] === "string" ? merged["new_billing_phone_number"] : null;
  if (type === "full" && (action !== null || newBilling !== null)) return { ok: false, response: unprocessable("10015", "Bad Request", "A full port takes no remaining_numbers_action or new_billing_phone_number.", "/misc/type") };
  if (action === "keep" && newBilling === null) return { ok: false, response: missingParameter("/misc/new_billing_phone_number") };
  return { ok: true, value: { type, remaining_numbers_action: action, new_billing_phone_number: newBilling } };
}

function apply(order: EmulatedPortingOrder, patch: Body, misc: EmulatedPortingOrder["misc"]): void {
  const read = (key: string): Body => (isObject(patch[key]) ? patch[key] : {});
  if (typeof patch["customer_reference"] === "string") order.customerReference = patch["customer_reference"];
  if (typeof patch["customer_group_reference"] === "string") order.customerGroupReference = patch["customer_group_reference"];
  if (typeof patch["webhook_url"] === "string") order.webhookUrl = patch["webhook_url"];
  const foc = read("activation_settings")["foc_datetime_requested"];
  if (typeof foc === "string") order.focDatetimeRequested = new Date(Date.parse(foc)).toISOString();
  const enable = read("messaging")["enable_messaging"];
  if (typeof enable === "boolean") order.enableMessaging = enable;
  const endUser = read("end_user");
  // The shapes were checked above: every value merged here is a string or null of a known field.
  Object.assign(order.admin, isObject(endUser["admin"]) ? endUser["admin"] : {});
  Object.assign(order.location, isObject(endUser["location"]) ? endUser["location"] : {});
  Object.assign(order.documents, read("documents"));
  Object.assign(order.phoneNumberConfiguration, read("phone_number_configuration"));
  Object.assign(order.userFeedback, read("user_feedback"));
  order.misc = misc;
}
