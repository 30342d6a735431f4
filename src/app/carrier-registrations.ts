import { createHash } from "node:crypto";
import type { Dispatcher } from "undici";
import type { CarrierConnection } from "../carriers/kit/carrier-definition.js";
import { unconfiguredAdapter } from "../carriers/kit/unconfigured-adapter.js";
import { findCarrier } from "../carriers/registry.js";
import { Secret } from "../config/secret.js";
import type { NumbergateConfig } from "../config/load-config.js";
import type { CarrierAdapter } from "../domain/carrier-adapter.js";
import type { CarrierRegistration } from "../manager/carrier-registry.js";
import type { SandboxCarriers } from "./sandbox-carriers.js";

/** A registration whose adapter can be replaced (a rotated credential) while the rest of numbergate keeps it. */
interface AdapterSlot {
  adapter: CarrierAdapter;
  /** A digest of the connection's settings, secrets included: what tells a rotated credential from the same one. */
  fingerprint: string | undefined;
}

export interface CarrierRegistrations {
  readonly registrations: CarrierRegistration[];
  /**
   * Live mode: rebuilds the adapter of every carrier whose connection settings (credentials, URLs) changed in
   * `config`, and closes the old one once its calls in flight have finished (they keep the credentials they
   * started with). Returns the carriers rotated. A carrier turned on or off needs a restart and is left alone.
   */
  rotate(config: NumbergateConfig): Promise<string[]>;
}

/**
 * One registration per configured carrier: its adapter pointed at the real carrier (live) or at its built-in
 * emulator (sandbox), with the configured priority, weight and enabled flag.
 */
export function buildCarrierRegistrations(config: NumbergateConfig, sandbox: SandboxCarriers | undefined, dispatcher?: Dispatcher): CarrierRegistrations {
  const slots = new Map<string, AdapterSlot>();
  const registrations = config.carriers.map((carrier): CarrierRegistration => {
    const definition = findCarrier(carrier.id);
    if (!definition) throw new Error(`carrier ${carrier.id} is configured but not registered`);
    const connection = sandbox ? sandbox.connections.get(carrier.id) : carrier.connection;
    // load-config turns a live carrier without credentials off, saying why; an enabled one has its connection.
    const disabledReason = carrier.disabledReason ?? (connection ? undefined : "no credentials configured");
    const slot: AdapterSlot = {
      adapter: connection ? connection.createAdapter({ dispatcher }) : unconfiguredAdapter(definition.descriptor, disabledReason ?? "no credentials configured"),
      fingerprint: connection && !sandbox ? fingerprintOf(connection) : undefined,
    };
    slots.set(carrier.id, slot);
    return {
      get adapter() {
        return slot.adapter;
      },
      priority: carrier.priority,
      weight: carrier.weight,
      priceSource: definition.priceSource,
      enabled: carrier.enabled && connection !== undefined,
      sandbox: sandbox !== undefined,
      disabledReason,
    };
  });
  return {
    registrations,
    async rotate(next) {
      if (sandbox) return [];
      const rotated: string[] = [];
      const retired: CarrierAdapter[] = [];
      for (const carrier of next.carriers) {
        const slot = slots.get(carrier.id);
        if (!slot || slot.fingerprint === undefined || carrier.connection === undefined) continue;
        const fingerprint = fingerprintOf(carrier.connection);
        if (fingerprint === slot.fingerprint) continue;
        retired.push(slot.adapter);
        slot.adapter = carrier.connection.createAdapter({ dispatcher });
        slot.fingerprint = fingerprint;
        rotated.push(carrier.id);
      }
      // An adapter's pool closes gracefully: requests in flight finish first.
      await Promise.all(retired.map((adapter) => adapter.close()));
      return rotated;
    },
  };
}

function fingerprintOf(connection: CarrierConnection): string {
  const settings = Object.entries(connection.settings).map(([name, value]) => [name, value instanceof Secret ? value.reveal() : String(value)]);
  return createHash("sha256").update(JSON.stringify(settings)).digest("hex");
}
