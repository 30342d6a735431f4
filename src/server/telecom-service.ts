import type { CallContext } from "nice-grpc";
import type { TelecomServiceImplementation } from "../../generated/numbergate/v1/telecom_service.js";
import { callDeadline } from "./call-deadline.js";
import { offerToProto, outcomeToProto, portabilityToProto } from "./proto-mapping.js";
import { createAuditHandlers } from "./audit-handlers.js";
import { createInventoryHandlers } from "./inventory-handlers.js";
import { createLifecycleHandlers, type LifecycleServices } from "./lifecycle-handlers.js";
import { createPortingHandlers, type PortingServices } from "./porting-handlers.js";
import { createProviderHandlers, type ProviderHandlerDependencies } from "./provider-handlers.js";
import type { TerminatorContext } from "./terminator-middleware.js";
import { validateAvailabilityRequest } from "./validation/availability-request.js";
import { validatePortabilityRequest } from "./validation/portability-request.js";
import { validateSearchRequest } from "./validation/search-request.js";
import { PortabilityChecker } from "../porting/portability-check.js";

/** The call's gRPC deadline for the manager to share among carriers; undefined when the client set none. */
function finiteDeadline(context: CallContext): number | undefined {
  const deadline = callDeadline(context.metadata);
  return Number.isFinite(deadline) ? deadline : undefined;
}

/**
 * numbergate.v1.TelecomService. Handlers are thin: validate, call the manager, map to proto.
 * Errors are mapped once, by the error-mapping middleware.
 */
export interface TelecomServiceDependencies extends ProviderHandlerDependencies {
  /** Absent only in servers started without a store (never by start-numbergate). */
  readonly lifecycle?: LifecycleServices;
  readonly porting?: PortingServices;
}

export function createTelecomService(dependencies: TelecomServiceDependencies): TelecomServiceImplementation<TerminatorContext> {
  const { manager } = dependencies;
  const providerIds = (): readonly string[] => manager.registrations.map((registration) => registration.adapter.descriptor.id);
  // One checker (and cache) for CheckPortability and the portability checks of CreatePortingOrder.
  const portability = dependencies.porting?.portability ?? new PortabilityChecker(manager);

  return {
    async searchNumbers(request, context: CallContext) {
      const validated = validateSearchRequest(request, providerIds());
      const result = await manager.searchNumbers({ ...validated.query, deadline: finiteDeadline(context) }, context.signal);
      return {
        numbers: result.numbers.map(offerToProto),
        providerOutcomes: result.outcomes.map(outcomeToProto),
        effectiveLimit: validated.effectiveLimit,
        warnings: [...validated.warnings, ...result.warnings],
      };
    },

    async checkNumberAvailability(request, context: CallContext) {
      const query = validateAvailabilityRequest(request, providerIds());
      const result = await manager.checkAvailability({ ...query, deadline: finiteDeadline(context) }, context.signal);
      return {
        phoneNumber: query.number.e164,
        available: result.offer !== undefined,
        number: result.offer ? offerToProto(result.offer) : undefined,
        providerOutcomes: result.outcomes.map(outcomeToProto),
      };
    },

    ...createProviderHandlers(dependencies),

    ...createLifecycleHandlers(dependencies.lifecycle, providerIds),
    async checkPortability(request, context: CallContext) {
      const query = validatePortabilityRequest(request, providerIds());
      const { results, outcomes } = await portability.check(query, context.signal);
      return { results: results.map(portabilityToProto), providerOutcomes: outcomes.map(outcomeToProto) };
    },
    ...createPortingHandlers(dependencies.porting, providerIds),
    ...createInventoryHandlers(dependencies.lifecycle, providerIds),
    ...createAuditHandlers(dependencies.lifecycle),
  };
}
