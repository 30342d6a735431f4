import { readFileSync } from "node:fs";
import path from "node:path";
import { formatReportedProblem, validateEnvoyConfig } from "./validate-envoy-config.js";

/**
 * node --import tsx tools/envoy-check/main.ts envoy.yaml
 *
 * Exits 0 with a short summary when the config is valid, 1 listing every problem, 2 when it cannot run.
 */
function main(args: readonly string[]): number {
  const [file, ...extra] = args;
  if (file === undefined || extra.length > 0) {
    console.error("usage: node --import tsx tools/envoy-check/main.ts <envoy.yaml>");
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    console.error(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const result = validateEnvoyConfig(text);
  const name = path.basename(file);
  for (const warning of result.warnings) console.log(`warning: ${formatReportedProblem(warning, name)}`);
  if (!result.valid) {
    for (const problem of result.problems) console.error(formatReportedProblem(problem, name));
    console.error(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}`);
    return 1;
  }
  const { listeners, clusters, routes, rpcsRouted } = result.summary;
  console.log(
    `${file}: valid Envoy v3 bootstrap (checked against ${result.schemaFiles} Envoy API files); ` +
      `${listeners} listener${listeners === 1 ? "" : "s"}, clusters ${clusters.join(", ")}, ${routes} routes, ${rpcsRouted} RPCs routed`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
