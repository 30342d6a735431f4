import type { TelecomServiceImplementation } from "../../generated/numbergate/v1/telecom_service.js";
import { PortingOrderState } from "../../generated/numbergate/v1/porting.js";
import type { PortingContext } from "../porting/porting-context.js";
import type { PortingService } from "../porting/porting-service.js";
import type { PortabilityChecker } from "../porting/portability-check.js";
import { actorOf } from "./caller.js";
import { decodeKeysetToken, encodeKeysetToken } from "./page-token.js";
import { portingOrderToProto, portingStateFromProto } from "./porting-mapping.js";
import { watchPortingOrder } from "./porting-order-stream.js";
import type { TerminatorContext } from "./terminator-middleware.js";
import { checkProviderId, FieldViolations } from "./validation/field-checks.js";
import { checkResourceId } from "./validation/lifecycle-requests.js";
import { validateAttachDocument, validateCreatePortingOrder, validateResubmit } from "./validation/porting-requests.js";

export interface PortingServices {
  readonly service: PortingService;
  readonly context: PortingContext;
  readonly portability: PortabilityChecker;
}

type PortingHandlers = Pick<
  TelecomServiceImplementation<TerminatorContext>,
  "createPortingOrder" | "getPortingOrder" | "listPortingOrders" | "attachPortingDocument" | "resubmitPortingOrder" | "cancelPortingOrder" | "watchPortingOrder"
>;

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

function orderId(value: string): string {
  const violations = new FieldViolations();
  const id = checkResourceId(violations, "porting_order_id", value, true);
  violations.throwIfAny();
  return id ?? "";
}

/** The porting RPCs: validate, call the porting service, map to proto. */
export function createPortingHandlers(porting: PortingServices | undefined, providerIds: () => readonly string[]): PortingHandlers {
  const required = (): PortingServices => {
    if (!porting) throw new Error("porting needs the store, which this server was started without");
    return porting;
  };

  return {
    async createPortingOrder(request, context) {
      const { service, context: portingContext } = required();
      const validated = validateCreatePortingOrder(request, (violations, value) => checkProviderId(violations, "provider_id", value, providerIds()), portingContext.now());
      const order = await service.create({ ...validated, actor: actorOf(context) }, context.signal);
      return { portingOrder: portingOrderToProto(order) };
    },

    async getPortingOrder(request) {
      return { portingOrder: portingOrderToProto(await required().service.get(orderId(request.portingOrderId))) };
    },

    async listPortingOrders(request) {
      const violations = new FieldViolations();
      if (request.pageSize < 0) violations.add("page_size", "must not be negative");
      const pageSize = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
      const carrierId = request.providerId === "" ? undefined : checkProviderId(violations, "provider_id", request.providerId, providerIds());
      const state = request.state === PortingOrderState.PORTING_ORDER_STATE_UNSPECIFIED ? undefined : portingStateFromProto(request.state);
      if (request.state !== PortingOrderState.PORTING_ORDER_STATE_UNSPECIFIED && !state) violations.add("state", "is not a PortingOrderState");
      const after = request.pageToken === "" ? undefined : decodeKeysetToken(request.pageToken, "port");
      if (request.pageToken !== "" && !after) violations.add("page_token", "is not a page token this server issued");
      violations.throwIfAny();
      const page = await required().service.list({ carrierId, state, pageSize, after: after && { createdAt: after.at, id: after.id } });
      const last = page.orders.at(-1);
      return {
        portingOrders: page.orders.map(portingOrderToProto),
        nextPageToken: page.hasMore && last ? encodeKeysetToken({ at: last.createdAt, id: last.id }, "port") : "",
      };
    },

    async attachPortingDocument(request, context) {
      const violations = new FieldViolations();
      const id = checkResourceId(violations, "porting_order_id", request.portingOrderId, true);
      const document = validateAttachDocument(request, violations);
      violations.throwIfAny();
      if (!id || !document) throw new Error("unreachable: validated document without order id or document");
      return { portingOrder: portingOrderToProto(await required().service.attachDocument(id, document, actorOf(context), context.signal)) };
    },

    async resubmitPortingOrder(request, context) {
      const violations = new FieldViolations();
      const id = checkResourceId(violations, "porting_order_id", request.portingOrderId, true);
      const correction = validateResubmit(request, violations);
      violations.throwIfAny();
      return { portingOrder: portingOrderToProto(await required().service.resubmit(id ?? "", correction, actorOf(context), context.signal)) };
    },

    async cancelPortingOrder(request, context) {
      return { portingOrder: portingOrderToProto(await required().service.cancel(orderId(request.portingOrderId), actorOf(context), context.signal)) };
    },

    async *watchPortingOrder(request, context) {
      const { service, context: portingContext } = required();
      const first = await service.get(orderId(request.portingOrderId));
      for await (const order of watchPortingOrder(portingContext, first, context.signal)) {
        yield { portingOrder: portingOrderToProto(order), eventTime: new Date(portingContext.now()) };
      }
    },
  };
}
