import { CARRIERS } from "../../src/carriers/registry.js";

/**
 * The environment that leaves only the named carriers enabled. Suites about two-carrier behaviour (failover from
 * a primary to a secondary, every carrier failing) name theirs, so that the registry growing does not change
 * what they test; suites about every carrier use the registry itself.
 */
export function onlyCarriers(...ids: readonly string[]): Record<string, string> {
  const unknown = ids.filter((id) => !CARRIERS.some((carrier) => carrier.id === id));
  if (unknown.length > 0) throw new Error(`onlyCarriers: ${unknown.join(", ")} not registered`);
  return Object.fromEntries(CARRIERS.filter((carrier) => !ids.includes(carrier.id)).map((carrier) => [`${carrier.envPrefix}_ENABLED`, "false"]));
}
