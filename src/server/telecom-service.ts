import type { CallContext } from "nice-grpc";
import type { TelecomServiceImplementation } from "../../generated/numbergate/v1/telecom_service.js";
import type { WatchPortingOrderResponse } from "../../generated/numbergate/v1/porting.js";
import { NotImplementedError } from "../domain/service-errors.js";
import { offerToProto, outcomeToProto } from "./proto-mapping.js";
import { createProviderHandlers, type ProviderHandlerDependencies } from "./provider-handlers.js";
import type { TerminatorContext } from "./terminator-middleware.js";
import { validateAvailabilityRequest } from "./validation/availability-request.js";
import { validateSearchRequest } from "./validation/search-request.js";

const LIFECYCLE_ISSUE = "number lifecycle and store work";
const PORTING_ISSUE = "porting work";

function notYet(rpc: string, plannedIn: string): () => Promise<never> {
  return async () => {
    throw new NotImplementedError(rpc, plannedIn);
  };
}

async function* notYetStream<Response>(rpc: string, plannedIn: string): AsyncGenerator<Response, void, undefined> {
  throw new NotImplementedError(rpc, plannedIn);
}

/**
 * numbergate.v1.TelecomService. Handlers are thin: validate, call the manager, map to proto.
 * Errors are mapped once, by the error-mapping middleware.
 */
export function createTelecomService(dependencies: ProviderHandlerDependencies): TelecomServiceImplementation<TerminatorContext> {
  const { manager } = dependencies;
  const providerIds = (): readonly string[] => manager.registrations.map((registration) => registration.adapter.descriptor.id);

  return {
    async searchNumbers(request, context: CallContext) {
      const validated = validateSearchRequest(request, providerIds());
      const result = await manager.searchNumbers(validated.query, context.signal);
      return {
        numbers: result.numbers.map(offerToProto),
        providerOutcomes: result.outcomes.map(outcomeToProto),
        effectiveLimit: validated.effectiveLimit,
        warnings: [...validated.warnings, ...result.warnings],
      };
    },

    async checkNumberAvailability(request, context: CallContext) {
      const query = validateAvailabilityRequest(request, providerIds());
      const result = await manager.checkAvailability(query, context.signal);
      return {
        phoneNumber: query.number.e164,
        available: result.offer !== undefined,
        number: result.offer ? offerToProto(result.offer) : undefined,
        providerOutcomes: result.outcomes.map(outcomeToProto),
      };
    },

    ...createProviderHandlers(dependencies),

    reserveNumber: notYet("ReserveNumber", LIFECYCLE_ISSUE),
    getReservation: notYet("GetReservation", LIFECYCLE_ISSUE),
    cancelReservation: notYet("CancelReservation", LIFECYCLE_ISSUE),
    purchaseNumber: notYet("PurchaseNumber", LIFECYCLE_ISSUE),
    batchPurchaseNumbers: notYet("BatchPurchaseNumbers", LIFECYCLE_ISSUE),
    getNumberOrder: notYet("GetNumberOrder", LIFECYCLE_ISSUE),
    releaseNumber: notYet("ReleaseNumber", LIFECYCLE_ISSUE),
    listNumbers: notYet("ListNumbers", LIFECYCLE_ISSUE),
    checkPortability: notYet("CheckPortability", PORTING_ISSUE),
    createPortingOrder: notYet("CreatePortingOrder", PORTING_ISSUE),
    getPortingOrder: notYet("GetPortingOrder", PORTING_ISSUE),
    listPortingOrders: notYet("ListPortingOrders", PORTING_ISSUE),
    cancelPortingOrder: notYet("CancelPortingOrder", PORTING_ISSUE),
    watchPortingOrder: () => notYetStream<WatchPortingOrderResponse>("WatchPortingOrder", PORTING_ISSUE),
  };
}
