import { z } from "zod";
import { DEFAULT_WEIGHT } from "../manager/carrier-registry.js";
import { parseVariables, type CarrierConnection, type CarrierDefinition, type RawEnvironment } from "../carriers/kit/carrier-definition.js";
import type { ConfigProblems } from "./config-problems.js";
import type { CarrierSettings, ServiceMode } from "./config-types.js";
import { booleanVariable, integerVariable } from "./variables.js";


/** The variables every carrier has, under its prefix. */
function sharedSchema(carrier: CarrierDefinition) {
  const prefix = carrier.envPrefix;
  return z.object({
    [`${prefix}_ENABLED`]: booleanVariable(true),
    [`${prefix}_PRIORITY`]: integerVariable(carrier.defaults.priority, { min: 0, max: 1000 }),
    [`${prefix}_WEIGHT`]: integerVariable(DEFAULT_WEIGHT, { min: 1, max: 10_000 }),
    [`${prefix}_MAX_CONCURRENCY`]: integerVariable(carrier.defaults.maxConcurrency, { min: 1, max: 1000, unit: "calls" }),
    [`${prefix}_RATE_LIMIT`]: integerVariable(carrier.defaults.ratePerSecond, { min: 0, max: 100_000, unit: "requests per second (0: no limit)" }),
  });
}

/** The names and meaning of the variables every carrier has, for documentation checks. */
export function sharedVariableNames(carrier: CarrierDefinition): readonly string[] {
  return Object.keys(sharedSchema(carrier).shape);
}

/** Whether the environment holds any carrier credential: then numbergate runs live unless told otherwise. */
export function anyCredentialSet(carriers: readonly CarrierDefinition[], environment: RawEnvironment): boolean {
  return carriers.some((carrier) => carrier.credentialVariables.some((variable) => (environment[variable] ?? "").trim() !== ""));
}

/**
 * Every registered carrier's settings. Its variables are always checked; its credentials are read only in live
 * mode. There a carrier whose credentials are all unset, and whose <PREFIX>_ENABLED is unset too, stays off
 * (with one warning naming every such carrier), so a team using one carrier need not switch the others off; a
 * carrier explicitly enabled, or with some of its credentials set, must be complete or start-up is refused.
 * Sandbox mode uses the built-in emulators.
 */
export function readCarrierSettings(
  carriers: readonly CarrierDefinition[],
  environment: RawEnvironment,
  mode: ServiceMode,
  problems: ConfigProblems,
  warnings: string[],
): CarrierSettings[] {
  const withoutCredentials: CarrierDefinition[] = [];
  const settings = carriers.map((carrier): CarrierSettings => {
    const prefix = carrier.envPrefix;
    const enabledVariable = `${prefix}_ENABLED`;
    const shared = parseVariables(sharedSchema(carrier), environment, problems);
    const number = (name: string, fallback: number): number => {
      const value = shared[`${prefix}_${name}`];
      return typeof value === "number" ? value : fallback;
    };
    let enabled = shared[enabledVariable] !== false;
    let disabledReason = enabled ? undefined : `disabled by ${enabledVariable}=false`;
    let connection: CarrierConnection | undefined;
    if (mode === "live") {
      connection = carrier.readConnection(environment, problems, warnings);
      if (enabled && connection === undefined && !isSet(environment, enabledVariable) && !carrier.credentialVariables.some((variable) => isSet(environment, variable))) {
        enabled = false;
        disabledReason = `no credentials in live mode (set ${carrier.credentialHint} to use it)`;
        withoutCredentials.push(carrier);
      } else {
        requireLiveCredentials(carrier, enabled, connection, problems);
      }
    } else {
      carrier.checkVariables(environment, problems);
    }
    return Object.freeze({
      id: carrier.id,
      displayName: carrier.displayName,
      enabled,
      disabledReason,
      priority: number("PRIORITY", carrier.defaults.priority),
      weight: number("WEIGHT", DEFAULT_WEIGHT),
      limits: Object.freeze({ maxConcurrency: number("MAX_CONCURRENCY", carrier.defaults.maxConcurrency), ratePerSecond: number("RATE_LIMIT", carrier.defaults.ratePerSecond) }),
      connection,
      enabledVariable,
    });
  });
  if (!settings.some((carrier) => carrier.enabled)) {
    if (withoutCredentials.length > 0) {
      const variables = withoutCredentials.flatMap((carrier) => carrier.credentialVariables);
      problems.add(variables, `NUMBERGATE_MODE=live needs at least one carrier's credentials: ${withoutCredentials.map((carrier) => carrier.credentialHint).join("; or ")}`);
    } else {
      const variables = settings.map((carrier) => carrier.enabledVariable);
      problems.add(variables, `${variables.join(", ")} are all false: at least one carrier must be enabled`);
    }
  } else if (withoutCredentials.length > 0) {
    const names = withoutCredentials.map((carrier) => carrier.id).join(", ");
    const switches = withoutCredentials.map((carrier) => `${carrier.envPrefix}_ENABLED=false`).join(", ");
    warnings.push(`live mode: ${names} ${withoutCredentials.length === 1 ? "has" : "have"} no credentials and stay${withoutCredentials.length === 1 ? "s" : ""} off (set ${switches} to say so and silence this)`);
  }
  return settings;
}

function isSet(environment: RawEnvironment, variable: string): boolean {
  return (environment[variable] ?? "").trim() !== "";
}

/** Live mode calls every enabled carrier for real: one without credentials (and no other problem said why) is refused. */
function requireLiveCredentials(carrier: CarrierDefinition, enabled: boolean, connection: CarrierConnection | undefined, problems: ConfigProblems): void {
  if (!enabled || connection !== undefined) return;
  if (carrier.credentialVariables.some((variable) => problems.has(variable))) return;
  const variable = `${carrier.envPrefix}_ENABLED`;
  problems.add([variable], `NUMBERGATE_MODE=live needs ${carrier.credentialHint} while ${variable} is true (set ${variable}=false to run without ${carrier.id})`);
}
