import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CARRIERS } from "../../src/carriers/registry.js";
import { sharedVariableNames } from "../../src/config/carrier-settings.js";
import { loadConfig } from "../../src/config/load-config.js";
import { compileSpecs } from "../support/official-spec.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
/** The variables named in the README's Configuration tables (first column, each `NAME` in it). */
const documented = new Set(
  README.slice(README.indexOf("## Configuration"), README.indexOf("\n## ", README.indexOf("## Configuration") + 1))
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...(line.split(" | ")[0] ?? "").matchAll(/`([A-Z0-9_<>]+)`/g)].map((match) => match[1] ?? "")),
);
/** The rows of the README's carriers table: prefix → the row. */
const carrierRows = new Map(
  README.split("\n")
    .filter((line) => /^\| [^|]+ \| `[A-Z0-9_]+` \| `\d+` \| `\d+` \| `\d+` \|/.test(line))
    .map((line) => [/\| `([A-Z0-9_]+)` \|/.exec(line)?.[1] ?? "", line]),
);

describe("the carrier registry", () => {
  it("has one entry per carrier: unique ids and prefixes, each adapter declaring its own id", () => {
    expect(new Set(CARRIERS.map((carrier) => carrier.id)).size).toBe(CARRIERS.length);
    expect(new Set(CARRIERS.map((carrier) => carrier.envPrefix)).size).toBe(CARRIERS.length);
    for (const carrier of CARRIERS) expect(carrier.descriptor.id).toBe(carrier.id);
  });

  it.each(CARRIERS.map((carrier) => [carrier.id, carrier] as const))("documents every variable of %s in the README", (_id, carrier) => {
    const row = carrierRows.get(carrier.envPrefix);
    expect(row, `README's carriers table has no row for prefix ${carrier.envPrefix}`).toBeDefined();
    expect(row).toContain(`| \`${carrier.defaults.priority}\` | \`${carrier.defaults.maxConcurrency}\` | \`${carrier.defaults.ratePerSecond}\` |`);
    expect(row).toContain(carrier.priceSource === "carrier" ? "| the carrier" : "| the price table |");
    for (const shared of sharedVariableNames(carrier)) expect(documented, `README documents ${shared} as <PREFIX>_...`).toContain(shared.replace(carrier.envPrefix, "<PREFIX>"));
    for (const variable of Object.keys(carrier.variables)) expect(documented, `README's variable tables miss ${variable}`).toContain(variable);
  });

  it.each(CARRIERS.map((carrier) => [carrier.id, carrier] as const))("reads %s's settings from the environment under its prefix", (_id, carrier) => {
    const prefix = carrier.envPrefix;
    const config = loadConfig({ [`${prefix}_PRIORITY`]: "7", [`${prefix}_WEIGHT`]: "3", [`${prefix}_MAX_CONCURRENCY`]: "5", [`${prefix}_RATE_LIMIT`]: "9" });
    expect(config.carriers.find((settings) => settings.id === carrier.id)).toMatchObject({ enabled: true, priority: 7, weight: 3, limits: { maxConcurrency: 5, ratePerSecond: 9 } });
  });

  it.each(CARRIERS.map((carrier) => [carrier.id, carrier] as const))("names an API spec for %s in ../shared/provider-specs that loads, and says whether it is the carrier's own", (_id, carrier) => {
    for (const spec of compileSpecs(carrier.id)) expect(spec.operationIds.length, spec.file).toBeGreaterThan(0);
    if (!carrier.apiSpec.official) {
      // A derived spec may be wrong where the carrier is not: the adapter's header comment says so to its reader.
      const adapter = readFileSync(new URL(`../../src/carriers/${carrier.id}/${carrier.id}-adapter.ts`, import.meta.url), "utf8");
      expect(adapter.slice(0, 1500)).toMatch(/derived/i);
    }
  });
});
