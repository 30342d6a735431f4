import { randomUUID } from "node:crypto";
import { json, type EmulatorRequest, type EmulatorResponse, type EmulatorRoute } from "../emulator-kit/carrier-emulator.js";
import type { TelnyxEmulatedAccount } from "./telnyx-emulator-account.js";
import { PAGE_PARAMETERS, badRequest, isoTimestamp, notFound, pageOf, readJsonObject, readTelnyxQuery, unknownField, unprocessable } from "./telnyx-emulator-common.js";
import { checkPortability, portabilityOf, readPhoneNumberList } from "./telnyx-emulator-portability.js";
import { readPortingListQuery, selectPortingOrders } from "./telnyx-emulator-porting-list.js";
import { EXCEPTION_TYPES, holdsItsNumbers, isFastPortCarrier, losingCarrierOf, nanpAreaCode, numberTypeOf, stableUuid, type EmulatedPortingOrder } from "./telnyx-emulator-porting-model.js";
import { PORTING_REQUIREMENTS, describeRequirement } from "./telnyx-emulator-porting-requirements.js";
import { updatePortingOrder } from "./telnyx-emulator-porting-update.js";
import { describePortingOrder, orderMeta } from "./telnyx-emulator-porting-view.js";
import { cancelPortingOrder, confirmPortingOrder, pollPortingOrder, type PortingWalkContext } from "./telnyx-emulator-porting-walk.js";
import { TelnyxWebhookSender, type TelnyxWebhookDelivery } from "./telnyx-emulator-webhooks.js";

/** Default GETs of a porting order answered in one status before it takes its next step. */
export const DEFAULT_PORTING_POLLS_PER_STEP = 1;

/**
 * Telnyx's port-in side of the emulated account (telnyx.md, Porting): portability checks, porting orders split by
 * losing carrier and number type, their requirements, confirmation, the status walk, cancellation, and webhooks on
 * every status change. Ported numbers join the account's phone numbers.
 */
export class TelnyxPorting implements PortingWalkContext {
  readonly orders = new Map<string, EmulatedPortingOrder>();
  readonly #webhooks: TelnyxWebhookSender;
  /** The account's user id (PortingOrder.user_id): derived from the API key, so the same on every start. */
  readonly #userId: string;

  constructor(
    readonly account: TelnyxEmulatedAccount,
    apiKey: string,
    public pollsPerStep: number = DEFAULT_PORTING_POLLS_PER_STEP,
  ) {
    this.#webhooks = new TelnyxWebhookSender(account.now);
    this.#userId = stableUuid(`telnyx-emulator user ${apiKey}`);
  }

  /** POSTs every later porting event to this URL (a portal notification profile for all porting orders). */
  notifyTo(url: string): void {
    this.#webhooks.notifyTo(url);
  }

  /** The Ed25519 public key (base64, as the portal shows it) that verifies the emulator's webhooks. */
  get webhookPublicKey(): string {
    return this.#webhooks.publicKey;
  }

  /** Every webhook delivery attempted, in order, with the receiver's status or the error. */
  get webhookDeliveries(): readonly TelnyxWebhookDelivery[] {
    return this.#webhooks.deliveries;
  }

  /** Resolves once every webhook published so far has been delivered or has failed. */
  webhooksSettled(): Promise<void> {
    return this.#webhooks.settled();
  }

  /** porting_order.status_changed, with the payload of Telnyx's PortingEventStatusChangedEvent. */
  statusChanged(order: EmulatedPortingOrder): void {
    const payload = {
      id: order.id,
      customer_reference: order.customerReference,
      support_key: order.supportKey,
      status: { value: order.status, details: order.exceptions.map((code) => ({ code, description: EXCEPTION_TYPES[code] })) },
      updated_at: order.updatedAt,
      webhook_url: order.webhookUrl,
    };
    this.#webhooks.publish("porting_order.status_changed", payload, order.webhookUrl);
  }

  checkPortability(request: EmulatorRequest): EmulatorResponse {
    return checkPortability(this.account, request);
  }

  /**
   * POST /porting_orders (CreatePortingOrder): every number must be portable and in no other open porting order.
   * Telnyx answers 201 with a list: one draft per losing carrier and number type, in the order the numbers came.
   */
  create(request: EmulatorRequest): EmulatorResponse {
    const read = readJsonObject(request);
    if (!read.ok) return read.response;
    const { body } = read;
    const unknown = unknownField(body, ["phone_numbers", "customer_reference", "customer_group_reference"]);
    if (unknown) return unknown;
    const reference = body["customer_reference"];
    if (reference !== undefined && reference !== null && typeof reference !== "string") return unprocessable("10015", "Bad Request", "customer_reference must be a string or null.", "/customer_reference");
    const groupReference = body["customer_group_reference"];
    if (groupReference !== undefined && typeof groupReference !== "string") return unprocessable("10015", "Bad Request", "customer_group_reference must be a string.", "/customer_group_reference");
    const list = readPhoneNumberList(body["phone_numbers"]);
    if (!list.ok) return list.response;
    const groups = new Map<string, { carrier: string; type: "local" | "toll_free"; numbers: string[] }>();
    for (const [index, phoneNumber] of list.numbers.entries()) {
      const portability = portabilityOf(this.account, phoneNumber);
      if (!portability.portable) return unprocessable("10015", "Bad Request", `${phoneNumber} is not portable: ${portability.reason}.`, `/phone_numbers/${index}`);
      const open = [...this.orders.values()].find((order) => holdsItsNumbers(order) && order.phoneNumbers.includes(phoneNumber));
      if (open) return unprocessable("10015", "Bad Request", `${phoneNumber} is already in porting order ${open.id}.`, `/phone_numbers/${index}`);
      const areaCode = nanpAreaCode(phoneNumber) ?? "";
      const [carrier, type] = [losingCarrierOf(areaCode), numberTypeOf(areaCode)];
      const group = groups.get(`${carrier}|${type}`) ?? { carrier, type, numbers: [] };
      group.numbers.push(phoneNumber);
      groups.set(`${carrier}|${type}`, group);
    }
    const at = isoTimestamp(this.account.portingNow());
    const created = [...groups.values()].map((group) => this.#newDraft(group.carrier, group.type, group.numbers, typeof reference === "string" ? reference : null, typeof groupReference === "string" ? groupReference : null, at));
    return json(201, { data: created.map((order) => describePortingOrder(order, this.#userId)) });
  }

  #newDraft(carrier: string, type: "local" | "toll_free", phoneNumbers: string[], customerReference: string | null, customerGroupReference: string | null, at: string): EmulatedPortingOrder {
    const sequence = Math.max(0, ...[...this.orders.values()].map((order) => order.sequence + 1));
    const order: EmulatedPortingOrder = {
      id: randomUUID(),
      sequence,
      customerReference,
      customerGroupReference,
      oldServiceProvider: carrier,
      phoneNumberType: type,
      phoneNumbers,
      status: "draft",
      exceptions: [],
      supportKey: null,
      parentSupportKey: null,
      polls: 0,
      focDatetimeRequested: null,
      focDatetimeActual: null,
      admin: { account_number: null, auth_person_name: null, billing_phone_number: null, business_identifier: null, entity_name: null, pin_passcode: null, tax_identifier: null },
      location: { administrative_area: null, country_code: null, extended_address: null, locality: null, postal_code: null, street_address: null },
      documents: { loa: null, invoice: null },
      misc: null,
      phoneNumberConfiguration: { billing_group_id: null, connection_id: null, emergency_address_id: null, messaging_profile_id: null, tags: [] },
      enableMessaging: false,
      userFeedback: { user_comment: null, user_rating: null },
      webhookUrl: null,
      createdAt: at,
      updatedAt: at,
    };
    this.orders.set(order.id, order);
    return order;
  }

  /** GET /porting_orders: paged (meta), filtered, newest first unless sorted otherwise. */
  list(request: EmulatorRequest): EmulatorResponse {
    const read = readPortingListQuery(request.query);
    if (!read.ok) return read.response;
    const matching = selectPortingOrders(this.orders.values(), read.query, (order) => isFastPortCarrier(order.oldServiceProvider));
    const page = pageOf(matching, read.query);
    const include = read.query.flag("include_phone_numbers") ?? true;
    return json(200, { data: page.data.map((order) => describePortingOrder(order, this.#userId, include)), meta: page.meta });
  }

  /** GET /porting_orders/{id}: each GET is a poll that may move the order along its walk. */
  retrieve(request: EmulatorRequest, id: string): EmulatorResponse {
    const read = readTelnyxQuery(request.query, { include_phone_numbers: { kind: "boolean" } });
    if (!read.ok) return read.response;
    const order = this.orders.get(id);
    if (!order) return notFound();
    pollPortingOrder(order, this);
    return json(200, { data: describePortingOrder(order, this.#userId, read.query.flag("include_phone_numbers") ?? true), meta: orderMeta(order) });
  }

  update(request: EmulatorRequest, id: string): EmulatorResponse {
    const order = this.orders.get(id);
    if (!order) return notFound();
    const read = readJsonObject(request);
    if (!read.ok) return read.response;
    const refused = updatePortingOrder(order, read.body, this.account.portingNow(), this.account.portingRequestNow());
    return refused ?? json(200, { data: describePortingOrder(order, this.#userId), meta: orderMeta(order) });
  }

  /** DELETE /porting_orders/{id}: "restricted to porting orders in draft state" (spec); 204, and porting_order.deleted. */
  remove(id: string): EmulatorResponse {
    const order = this.orders.get(id);
    if (!order) return notFound();
    if (order.status !== "draft") return unprocessable("10015", "Bad Request", `A porting order in status ${order.status} cannot be deleted; only drafts can.`, "/status");
    this.orders.delete(id);
    const deletedAt = isoTimestamp(this.account.portingNow());
    this.#webhooks.publish("porting_order.deleted", { id: order.id, customer_reference: order.customerReference, deleted_at: deletedAt }, order.webhookUrl);
    return { status: 204 };
  }

  confirm(request: EmulatorRequest, id: string): EmulatorResponse {
    return this.#act(request, id, (order) => confirmPortingOrder(order, this));
  }

  cancel(request: EmulatorRequest, id: string): EmulatorResponse {
    return this.#act(request, id, (order) => cancelPortingOrder(order, this));
  }

  /** GET /porting_orders/{id}/requirements: every requirement of the order, met (`approved`) or still missing. */
  requirements(request: EmulatorRequest, id: string): EmulatorResponse {
    const read = readTelnyxQuery(request.query, PAGE_PARAMETERS);
    if (!read.ok) return read.response;
    const order = this.orders.get(id);
    if (!order) return notFound();
    const page = pageOf(PORTING_REQUIREMENTS.map((definition) => describeRequirement(order, definition)), read.query);
    return json(200, { data: page.data, meta: page.meta });
  }

  exceptionTypes(): EmulatorResponse {
    return json(200, { data: Object.entries(EXCEPTION_TYPES).map(([code, description]) => ({ code, description })) });
  }

  /** An action on one order (confirm, cancel): no query and no body, as the spec declares neither. */
  #act(request: EmulatorRequest, id: string, action: (order: EmulatedPortingOrder) => EmulatorResponse | undefined): EmulatorResponse {
    if (request.body.length > 0) return badRequest("This action takes no request body.");
    const order = this.orders.get(id);
    if (!order) return notFound();
    return action(order) ?? json(200, { data: describePortingOrder(order, this.#userId), meta: orderMeta(order) });
  }
}

const PORTABILITY_PATH = /^\/v2\/portability_checks$/;
const PORTING_ORDERS_PATH = /^\/v2\/porting_orders$/;
const EXCEPTION_TYPES_PATH = /^\/v2\/porting_orders\/exception_types$/;
const PORTING_ORDER_PATH = /^\/v2\/porting_orders\/([^/]+)$/;
const REQUIREMENTS_PATH = /^\/v2\/porting_orders\/([^/]+)\/requirements$/;
const CONFIRM_PATH = /^\/v2\/porting_orders\/([^/]+)\/actions\/confirm$/;
const CANCEL_PATH = /^\/v2\/porting_orders\/([^/]+)\/actions\/cancel$/;

/**
 * The porting routes. `withoutQuery` refuses query parameters on the operations that take none. exception_types
 * comes before /porting_orders/{id}, which would otherwise take it for an id.
 */
export function telnyxPortingRoutes(porting: () => TelnyxPorting, withoutQuery: (request: EmulatorRequest, handle: () => EmulatorResponse) => EmulatorResponse): EmulatorRoute[] {
  return [
    { method: "POST", pattern: PORTABILITY_PATH, handle: (request) => withoutQuery(request, () => porting().checkPortability(request)) },
    { method: "POST", pattern: PORTING_ORDERS_PATH, handle: (request) => withoutQuery(request, () => porting().create(request)) },
    { method: "GET", pattern: PORTING_ORDERS_PATH, handle: (request) => porting().list(request) },
    { method: "GET", pattern: EXCEPTION_TYPES_PATH, handle: (request) => withoutQuery(request, () => porting().exceptionTypes()) },
    { method: "GET", pattern: PORTING_ORDER_PATH, handle: (request, match) => porting().retrieve(request, match[1] ?? "") },
    { method: "PATCH", pattern: PORTING_ORDER_PATH, handle: (request, match) => withoutQuery(request, () => porting().update(request, match[1] ?? "")) },
    { method: "DELETE", pattern: PORTING_ORDER_PATH, handle: (request, match) => withoutQuery(request, () => porting().remove(match[1] ?? "")) },
    { method: "GET", pattern: REQUIREMENTS_PATH, handle: (request, match) => porting().requirements(request, match[1] ?? "") },
    { method: "POST", pattern: CONFIRM_PATH, handle: (request, match) => withoutQuery(request, () => porting().confirm(request, match[1] ?? "")) },
    { method: "POST", pattern: CANCEL_PATH, handle: (request, match) => withoutQuery(request, () => porting().cancel(request, match[1] ?? "")) },
  ];
}
