import type { CarrierAdapter, CarrierDescriptor } from "../../domain/carrier-adapter.js";
import { CarrierUnavailableError } from "../../domain/service-errors.js";

/**
 * The adapter of a carrier numbergate has no connection for (live mode without its credentials, so disabled):
 * it keeps its place in ListProviders and health, and refuses any call without reaching anywhere.
 */
export function unconfiguredAdapter(descriptor: CarrierDescriptor, reason: string): CarrierAdapter {
  const refuse = () => Promise.reject(new CarrierUnavailableError(descriptor.id, `${descriptor.id} is not configured: ${reason}`));
  return {
    specificationVersion: "v1",
    descriptor,
    supportsSearch: () => ({ supported: false, reason }),
    doSearch: refuse,
    doCheckAvailability: refuse,
    doProbeHealth: refuse,
    close: () => Promise.resolve(),
  };
}
