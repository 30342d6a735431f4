import { expect } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load-config.js";

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
