import { expect } from "vitest";
import { ConfigError, loadConfig, type CarrierSettings, type NumbergateConfig } from "../../src/config/load-config.js";

/** Every problem loadConfig reports, one line each. */
export function configProblems(environment: Record<string, string>): readonly string[] {
  try {
    loadConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a configuration error");
}

/** What a configured carrier's connection was built from (live mode), by carrier id. */
export function connectionSettings(config: NumbergateConfig, carrierId: string): Readonly<Record<string, unknown>> | undefined {
  return config.carriers.find((carrier) => carrier.id === carrierId)?.connection?.settings;
}

/** A configured carrier's settings, by id. */
export function carrierSettings(config: NumbergateConfig, carrierId: string): CarrierSettings | undefined {
  return config.carriers.find((carrier) => carrier.id === carrierId);
}
