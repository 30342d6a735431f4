import { OwnedNumberState as ProtoOwnedState, type Substitution } from "../../generated/numbergate/v1/numbers.js";
import type { TelecomServiceImplementation } from "../../generated/numbergate/v1/telecom_service.js";
import type { PurchaseItem, PurchaseService, PurchaseResult } from "../lifecycle/purchase-service.js";
import type { ReleaseService } from "../lifecycle/release-service.js";
import type { ReservationService } from "../lifecycle/reservation-service.js";
import type { OwnedNumberState } from "../store/records.js";
import { actorOf } from "./caller.js";
import { decodeKeysetToken, encodeKeysetToken } from "./page-token.js";
import { orderToProto, ownedNumberToProto, reservationToProto } from "./lifecycle-mapping.js";
import type { TerminatorContext } from "./terminator-middleware.js";
import {
  FieldViolations,
  checkCustomerInfo,
  checkDuration,
  checkMaxMonthlyRate,
  checkPhoneNumber,
  checkRequestId,
  checkRequiredProvider,
  checkResourceId,
} from "./validation/lifecycle-requests.js";
import { validateListNumberOrders } from "./validation/order-listing-request.js";

export interface LifecycleServices {
  readonly reservations: ReservationService;
  readonly purchases: PurchaseService;
  readonly releases: ReleaseService;
}

type LifecycleHandlers = Pick<
  TelecomServiceImplementation<TerminatorContext>,
  "reserveNumber" | "getReservation" | "cancelReservation" | "purchaseNumber" | "batchPurchaseNumbers" | "getNumberOrder" | "listNumberOrders" | "releaseNumber" | "listNumbers"
>;

const MAX_BATCH = 100;
const MIN_RESERVATION_MS = 1000;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

function answerPurchase(result: PurchaseResult) {
  return { order: orderToProto(result.order), ownedNumbers: result.ownedNumbers.map(ownedNumberToProto) };
}

/** What PurchaseNumber bought instead of the requested number (allow_substitute), and why. */
function substitutionToProto(substitution: PurchaseResult["substitution"]): Substitution | undefined {
  if (!substitution) return undefined;
  return { requestedPhoneNumber: substitution.requestedPhoneNumber, requestedProviderId: substitution.requestedCarrierId, reason: substitution.reason };
}

const OWNED_STATES: Partial<Record<ProtoOwnedState, OwnedNumberState>> = {
  [ProtoOwnedState.OWNED_NUMBER_STATE_ACTIVE]: "active",
  [ProtoOwnedState.OWNED_NUMBER_STATE_RELEASING]: "releasing",
  [ProtoOwnedState.OWNED_NUMBER_STATE_RELEASED]: "released",
};

/** Reservations, purchases, orders, releases and inventory. */
export function createLifecycleHandlers(services: LifecycleServices | undefined, providerIds: () => readonly string[]): LifecycleHandlers {
  const required = (): LifecycleServices => {
    if (!services) throw new Error("the number lifecycle needs the store, which this server was started without");
    return services;
  };

  return {
    async reserveNumber(request, context) {
      const violations = new FieldViolations();
      const requestId = checkRequestId(violations, request.requestId, false);
      const number = checkPhoneNumber(violations, "phone_number", request.phoneNumber);
      const carrierId = checkRequiredProvider(violations, request.providerId, providerIds());
      const durationMs = checkDuration(violations, "reservation_duration", request.reservationDuration);
      if (durationMs !== undefined && durationMs < MIN_RESERVATION_MS) violations.add("reservation_duration", "must be at least 1 second (unset: the default hold)");
      const customerInfo = checkCustomerInfo(violations, request.customerInfo);
      violations.throwIfAny();
      if (!number || !carrierId) throw new Error("unreachable: validated request without number or provider");
      const reservation = await required().reservations.reserve({ requestId, number, carrierId, durationMs, customerInfo, actor: actorOf(context) }, context.signal);
      return { reservation: reservationToProto(reservation) };
    },

    async getReservation(request) {
      const violations = new FieldViolations();
      const id = checkResourceId(violations, "reservation_id", request.reservationId, true);
      violations.throwIfAny();
      return { reservation: reservationToProto(await required().reservations.get(id ?? "")) };
    },

    async cancelReservation(request, context) {
      const violations = new FieldViolations();
      const id = checkResourceId(violations, "reservation_id", request.reservationId, true);
      violations.throwIfAny();
      return { reservation: reservationToProto(await required().reservations.cancel(id ?? "", actorOf(context))) };
    },

    async purchaseNumber(request, context) {
      const violations = new FieldViolations();
      const requestId = checkRequestId(violations, request.requestId, true);
      const number = checkPhoneNumber(violations, "phone_number", request.phoneNumber);
      const carrierId = checkRequiredProvider(violations, request.providerId, providerIds());
      const reservationId = checkResourceId(violations, "reservation_id", request.reservationId, false);
      const customerInfo = checkCustomerInfo(violations, request.customerInfo);
      // Applies to a substitute only (the requested number is bought at its carrier's price); ignored without allow_substitute.
      const maxMonthlyRateCents = checkMaxMonthlyRate(violations, request.maxMonthlyRateCents);
      violations.throwIfAny();
      if (!number || !carrierId || !requestId) throw new Error("unreachable: validated request without number, provider or request_id");
      const substitute = request.allowSubstitute ? { maxMonthlyRateCents } : undefined;
      const result = await required().purchases.purchase({ requestId, carrierId, items: [{ number, reservationId }], customerInfo, actor: actorOf(context), substitute }, context.signal);
      const answer = answerPurchase(result);
      return { order: answer.order, ownedNumber: answer.ownedNumbers[0], substitution: substitutionToProto(result.substitution) };
    },

    async batchPurchaseNumbers(request, context) {
      const violations = new FieldViolations();
      const requestId = checkRequestId(violations, request.requestId, true);
      const carrierId = checkRequiredProvider(violations, request.providerId, providerIds());
      const customerInfo = checkCustomerInfo(violations, request.customerInfo);
      if (request.items.length === 0 || request.items.length > MAX_BATCH) violations.add("items", `must list 1 to ${MAX_BATCH} numbers`);
      const items: PurchaseItem[] = [];
      const seen = new Set<string>();
      request.items.forEach((item, index) => {
        const number = checkPhoneNumber(violations, `items[${index}].phone_number`, item.phoneNumber);
        const reservationId = checkResourceId(violations, `items[${index}].reservation_id`, item.reservationId, false);
        if (number && seen.has(number.e164)) violations.add(`items[${index}].phone_number`, `${number.e164} is listed twice`);
        if (number) {
          seen.add(number.e164);
          items.push({ number, reservationId, reservationIdField: `items[${index}].reservation_id` });
        }
      });
      violations.throwIfAny();
      if (!carrierId || !requestId) throw new Error("unreachable: validated request without provider or request_id");
      return answerPurchase(await required().purchases.purchase({ requestId, carrierId, items, customerInfo, actor: actorOf(context) }, context.signal));
    },

    async getNumberOrder(request) {
      const violations = new FieldViolations();
      const id = checkResourceId(violations, "order_id", request.orderId, true);
      violations.throwIfAny();
      return { order: orderToProto((await required().purchases.getOrder(id ?? "")).order) };
    },

    async listNumberOrders(request) {
      const { filter, tokenKind } = validateListNumberOrders(request, providerIds());
      const page = await required().purchases.listOrders(filter);
      const last = page.orders.at(-1);
      return {
        numberOrders: page.orders.map(orderToProto),
        nextPageToken: page.hasMore && last ? encodeKeysetToken({ at: last.createdAt, id: last.id }, tokenKind) : "",
      };
    },

    async releaseNumber(request, context) {
      const violations = new FieldViolations();
      const requestId = checkRequestId(violations, request.requestId, true);
      const number = checkPhoneNumber(violations, "phone_number", request.phoneNumber);
      violations.throwIfAny();
      if (!number || !requestId) throw new Error("unreachable: validated request without number or request_id");
      const result = await required().releases.release(requestId, number, actorOf(context), context.signal);
      return { ownedNumber: ownedNumberToProto(result.number), alreadyReleased: result.alreadyReleased };
    },

    async listNumbers(request) {
      const violations = new FieldViolations();
      if (request.pageSize < 0) violations.add("page_size", "must not be negative");
      const pageSize = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
      const carrierId = request.providerId === "" ? undefined : checkRequiredProvider(violations, request.providerId, providerIds());
      const state = request.state === ProtoOwnedState.OWNED_NUMBER_STATE_UNSPECIFIED ? undefined : OWNED_STATES[request.state];
      if (request.state !== ProtoOwnedState.OWNED_NUMBER_STATE_UNSPECIFIED && !state) violations.add("state", "must be ACTIVE, RELEASING, RELEASED or unspecified");
      const after = request.pageToken === "" ? undefined : decodeKeysetToken(request.pageToken);
      if (request.pageToken !== "" && !after) violations.add("page_token", "is not a page token this server issued");
      violations.throwIfAny();
      const page = await required().releases.list({ carrierId, state, pageSize, after: after && { purchasedAt: after.at, id: after.id } });
      return { numbers: page.numbers.map(ownedNumberToProto), nextPageToken: page.next ? encodeKeysetToken({ at: page.next.purchasedAt, id: page.next.id }) : "" };
    },
  };
}
