import type { Dispatcher } from "undici";
import { unconfiguredAdapter } from "../carriers/kit/unconfigured-adapter.js";
import { findCarrier } from "../carriers/registry.js";
import type { NumbergateConfig } from "../config/load-config.js";
import type { CarrierRegistration } from "../manager/carrier-registry.js";
import type { SandboxCarriers } from "./sandbox-carriers.js";

/**
 * One registration per configured carrier: its adapter pointed at the real carrier (live) or at its built-in
 * emulator (sandbox), with the configured priority, weight and enabled flag.
 */
export function buildCarrierRegistrations(config: NumbergateConfig, sandbox: SandboxCarriers | undefined, dispatcher?: Dispatcher): CarrierRegistration[] {
  return config.carriers.map((carrier) => {
    const definition = findCarrier(carrier.id);
    if (!definition) throw new Error(`carrier ${carrier.id} is configured but not registered`);
    const connection = sandbox ? sandbox.connections.get(carrier.id) : carrier.connection;
    // load-config turns a live carrier without credentials off, saying why; an enabled one has its connection.
    const disabledReason = carrier.disabledReason ?? (connection ? undefined : "no credentials configured");
    return {
      adapter: connection ? connection.createAdapter({ dispatcher }) : unconfiguredAdapter(definition.descriptor, disabledReason ?? "no credentials configured"),
      priority: carrier.priority,
      weight: carrier.weight,
      priceSource: definition.priceSource,
      enabled: carrier.enabled && connection !== undefined,
      sandbox: sandbox !== undefined,
      disabledReason,
    };
  });
}
