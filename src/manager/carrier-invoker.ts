import type { CarrierInvoker } from "../domain/carrier-calls.js";

export type { CarrierInvocationOptions, CarrierInvoker } from "../domain/carrier-calls.js";
export { AttemptTimeLimitError, isTimeLimit } from "../domain/carrier-calls.js";

/** Calls the carrier once, with the caller's signal only. */
export const directInvoker: CarrierInvoker = {
  invoke: (_carrierId, _operation, call, options) => call(options.signal),
};
